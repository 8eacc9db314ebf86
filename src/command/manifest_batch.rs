//! `pygrade batch --manifest pygrade.toml DIR...`: every candidate folder against every challenge
//! the manifest names, one batch per entry, joined into a row per candidate.

use std::path::{Path, PathBuf};

use super::batch::{Shared, open_journal};
use super::grade::sandbox;
use super::write_out;
use crate::batch::combined::{CombinedReport, Part};
use crate::batch::discover::{self, Answer, Candidate};
use crate::batch::key;
use crate::challenge::ChallengeSet;
use crate::cli::BatchArgs;
use crate::error::Error;
use crate::manifest::Manifest;
use crate::report;

pub(super) fn run(set: &ChallengeSet, args: &BatchArgs, manifest: &Path) -> Result<u8, Error> {
    let manifest = Manifest::load(manifest, set)?;
    if args.file.is_some() || args.template.is_some() {
        return Err(Error::Usage(
            "`--file` and `--template` do not apply with `--manifest` (its entries name the files)"
                .into(),
        ));
    }
    let inputs: Vec<PathBuf> = std::iter::once(PathBuf::from(&args.challenge))
        .chain(args.paths.iter().cloned())
        .collect();
    let owners = owners(&inputs, args.partition)?;
    let (journal, known) = open_journal(args.results.as_deref())?;
    let sandbox = sandbox()?;
    let shared = Shared::new(args, &sandbox, journal.as_ref(), &known)?;
    let mut parts = Vec::new();
    let mut reports = Vec::new();
    let mut failed = false;
    for entry in &manifest.entries {
        let challenge = &entry.challenge;
        let candidates = answers(&owners, &entry.file);
        let (report, any_failed) = shared.grade(challenge, &candidates, &challenge.starter)?;
        failed |= any_failed;
        reports.push(report);
        parts.push(Part::of(entry));
    }
    let labels: Vec<String> = owners.into_iter().map(|(label, _)| label).collect();
    let combined = CombinedReport::join(parts, reports, &labels, &manifest);
    deliver(args, &combined)?;
    Ok(u8::from(failed))
}

/// The candidate folders, or slice K of N of them.
fn owners(
    inputs: &[PathBuf],
    partition: Option<(u32, u32)>,
) -> Result<Vec<(String, PathBuf)>, Error> {
    let folders = discover::folders(inputs)?;
    let Some((k, n)) = partition else {
        return Ok(folders);
    };
    let as_candidates = folders
        .iter()
        .map(|(label, _)| Candidate {
            label: label.clone(),
            answer: Answer::Missing(String::new()),
        })
        .collect();
    let kept: Vec<String> = key::partition(as_candidates, k, n)
        .into_iter()
        .map(|c| c.label)
        .collect();
    Ok(folders
        .into_iter()
        .filter(|(label, _)| kept.contains(label))
        .collect())
}

/// Each candidate folder's answer to one entry: `<folder>/<file>`, or a `no_answer` row.
fn answers(owners: &[(String, PathBuf)], file: &str) -> Vec<Candidate> {
    owners
        .iter()
        .map(|(label, folder)| {
            let path = folder.join(file);
            let answer = if std::fs::symlink_metadata(&path).is_ok() {
                Answer::File(path)
            } else {
                Answer::Missing(format!(
                    "no `{file}` in this folder (the manifest's `file`)"
                ))
            };
            Candidate {
                label: format!("{label}{file}"),
                answer,
            }
        })
        .collect()
}

/// The combined report is plain text (no colour), so it reads the same on a terminal and in a file.
fn deliver(args: &BatchArgs, report: &CombinedReport) -> Result<(), Error> {
    let text = report::render_combined(args.output.format, report).ok_or_else(|| {
        Error::Usage(
            "`--format html` is per challenge: with `--manifest`, use table, csv or json, \
                 or run `pygrade batch <CHALLENGE>` for each challenge's page"
                .into(),
        )
    })?;
    match &args.output.out {
        Some(path) => write_out(path, &text),
        None => super::emit(&text),
    }
}
