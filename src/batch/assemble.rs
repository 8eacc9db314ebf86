//! Records into the [`BatchReport`]: the same function for a batch that just ran and for
//! `pygrade merge`, so a split batch merges into exactly the report one unsplit run gives.

use std::collections::{BTreeMap, HashMap};

use super::journal::{Line, Record};
use super::model::{BATCH_SCHEMA_VERSION, BatchReport, TestColumn};
use super::similarity::{self, Template};
use crate::challenge::Challenge;
use crate::error::Error;
use crate::grade::ChallengeInfo;

/// What the report is about, when there is no row to read it from.
pub struct Heading {
    pub challenge: ChallengeInfo,
    pub tests: Vec<TestColumn>,
    pub max_score: u32,
    pub revealed: bool,
}

impl Heading {
    /// The heading of a batch graded against `challenge`.
    pub fn of_challenge(challenge: &Challenge, revealed: bool) -> Heading {
        Heading {
            challenge: ChallengeInfo {
                id: challenge.id.clone(),
                title: challenge.title.clone(),
            },
            tests: challenge
                .tests
                .iter()
                .map(|t| TestColumn::new(&t.name, t.visibility, t.weight))
                .collect(),
            max_score: challenge.tests.iter().map(|t| t.weight).sum(),
            revealed,
        }
    }

    /// The heading a row's report implies (every row carries its challenge's tests): the same
    /// as [`Heading::of_challenge`] for the challenge it was graded against.
    fn of(record: &Record) -> Heading {
        let report = &record.entry.report;
        Heading {
            challenge: report.challenge.clone(),
            tests: report
                .tests
                .iter()
                .map(|t| TestColumn::new(&t.name, t.visibility, t.weight))
                .collect(),
            max_score: report.max_score,
            revealed: report.revealed,
        }
    }
}

/// The report over `records` (any order), with similarity computed from their sources.
pub fn assemble(
    heading: Heading,
    template: &str,
    mut records: Vec<Record>,
    options: &similarity::Options,
) -> BatchReport {
    records.sort_by(|a, b| a.entry.path.cmp(&b.entry.path));
    let template = Template::new(&[template]);
    let prints: Vec<(String, similarity::Fingerprints)> = records
        .iter()
        .filter_map(|r| {
            let source = r.source.as_deref()?;
            Some((
                r.entry.path.clone(),
                similarity::fingerprint(source, &template),
            ))
        })
        .collect();
    let items: Vec<(&str, &similarity::Fingerprints)> =
        prints.iter().map(|(path, f)| (path.as_str(), f)).collect();
    let similarity = similarity::pairs(&items, options);
    let mut sources = BTreeMap::new();
    let submissions = records
        .into_iter()
        .map(|record| {
            if let Some(source) = record.source {
                sources.insert(record.entry.path.clone(), source);
            }
            record.entry
        })
        .collect();
    BatchReport {
        schema_version: BATCH_SCHEMA_VERSION,
        challenge: heading.challenge,
        pygrade_version: env!("CARGO_PKG_VERSION").to_owned(),
        tests: heading.tests,
        max_score: heading.max_score,
        revealed: heading.revealed,
        submissions,
        similarity,
        sources,
    }
}

/// `pygrade merge`: the report over the rows of several journals (the slices of one batch),
/// given as each journal's lines. Every journal's last run must have the same basis; rows
/// recorded under another basis (an older challenge, other options) are left out, and of several
/// rows for one path the last one read wins.
pub fn merge(
    journals: Vec<Vec<Line>>,
    options: &similarity::Options,
) -> Result<BatchReport, Error> {
    let mut bases = journals.iter().map(|lines| {
        lines.iter().rev().find_map(|line| match line {
            Line::Run(run) => Some(run.clone()),
            Line::Row(_) => None,
        })
    });
    let Some(Some(run)) = bases.next() else {
        return Err(Error::Usage(
            "a results file given records no batch run".into(),
        ));
    };
    if bases.any(|other| other.as_ref().is_none_or(|other| other.basis != run.basis)) {
        return Err(Error::Usage(
            "these results come from batches with different challenges, options or pygrade \
             versions; merge the results of one batch (rerun the slices that differ)"
                .into(),
        ));
    }
    let mut latest: HashMap<String, Record> = HashMap::new();
    for lines in journals {
        let mut current = false;
        for line in lines {
            match line {
                Line::Run(other) => current = other.basis == run.basis,
                Line::Row(record) if current => {
                    latest.insert(record.entry.path.clone(), *record);
                }
                Line::Row(_) => {}
            }
        }
    }
    let records: Vec<Record> = latest.into_values().collect();
    let Some(first) = records.first() else {
        return Err(Error::Usage(
            "the results files hold no graded submission".into(),
        ));
    };
    let heading = Heading::of(first);
    Ok(assemble(heading, &run.template, records, options))
}
