//! `pygrade batch`: every candidate in some folders against one challenge, journaled as it goes.

use std::collections::HashMap;
use std::path::Path;

use super::grade::{grade_options, sandbox};
use super::progress::Reporter;
use super::{use_color, write_out};
use crate::batch::assemble::{self, Heading};
use crate::batch::discover::{self, Candidate, Rule};
use crate::batch::journal::{Journal, Line, Record, RunInfo};
use crate::batch::{self, Batch, RowStatus, key, similarity};
use crate::challenge::{Challenge, ChallengeSet};
use crate::cli::{BatchArgs, BatchOutput, ColorChoice};
use crate::error::Error;
use crate::grade::GradeOptions;
use crate::input;
use crate::report::{self, human::Style};
use crate::sandbox::ProcessSandbox;

/// The largest `--template` file read.
const MAX_TEMPLATE_BYTES: u64 = 1 << 20;
/// The most grading threads `--jobs` may ask for.
const MAX_JOBS: usize = 256;

pub(super) fn run(set: &ChallengeSet, args: &BatchArgs, color: ColorChoice) -> Result<u8, Error> {
    if let Some(manifest) = &args.manifest {
        return super::manifest_batch::run(set, args, manifest);
    }
    let challenge = set.resolve(&args.challenge)?;
    let template = template(args.template.as_deref(), &challenge)?;
    let rule = Rule {
        file: args.file.as_deref(),
        challenge_id: &challenge.id,
    };
    let mut candidates = discover::discover(&args.paths, rule)?;
    if let Some((k, n)) = args.partition {
        candidates = key::partition(candidates, k, n);
    }
    let (journal, known) = open_journal(args.results.as_deref())?;
    let sandbox = sandbox()?;
    let shared = Shared::new(args, &sandbox, journal.as_ref(), &known)?;
    let (report, failed) = shared.grade(&challenge, &candidates, &template)?;
    deliver(&args.output, &report, color)?;
    Ok(u8::from(failed))
}

/// What every challenge of one batch command is graded with.
pub(super) struct Shared<'a> {
    pub(super) sandbox: &'a ProcessSandbox,
    pub(super) options: GradeOptions,
    pub(super) jobs: usize,
    pub(super) similarity: similarity::Options,
    pub(super) journal: Option<&'a Journal>,
    pub(super) known: &'a HashMap<String, Record>,
    pub(super) quiet: bool,
}

impl<'a> Shared<'a> {
    /// The options of `args` (checked), with what the command opened.
    pub(super) fn new(
        args: &BatchArgs,
        sandbox: &'a ProcessSandbox,
        journal: Option<&'a Journal>,
        known: &'a HashMap<String, Record>,
    ) -> Result<Shared<'a>, Error> {
        Ok(Shared {
            sandbox,
            options: grade_options(args.limits)?,
            jobs: jobs(args.jobs)?,
            similarity: similarity_options(&args.output)?,
            journal,
            known,
            quiet: args.output.quiet,
        })
    }

    /// Grades `candidates` against `challenge` (recording the run in the journal) and builds the
    /// report; also whether pygrade failed on any of them.
    pub(super) fn grade(
        &self,
        challenge: &Challenge,
        candidates: &[Candidate],
        template: &str,
    ) -> Result<(batch::BatchReport, bool), Error> {
        let basis = key::basis(challenge, self.options);
        record_run(self.journal, challenge, &basis, template)?;
        let batch = Batch {
            challenge,
            sandbox: self.sandbox,
            options: self.options,
            jobs: self.jobs,
            basis,
        };
        let reporter = Reporter::new(self.quiet);
        let records = batch::grade_all(&batch, candidates, self.known, self.journal, &reporter)?;
        reporter.end();
        let failed = records
            .iter()
            .any(|r| r.entry.status == RowStatus::GraderError);
        let heading = Heading::of_challenge(challenge, self.options.reveal);
        let report = assemble::assemble(heading, template, records, &self.similarity);
        Ok((report, failed))
    }
}

/// Renders the report in the format asked for, to `--out` or stdout.
pub(super) fn deliver(
    output: &BatchOutput,
    report: &batch::BatchReport,
    color: ColorChoice,
) -> Result<(), Error> {
    let colored = output.out.is_none() && use_color(color);
    let text = report::render_batch(output.format, report, &Style::new(colored));
    match &output.out {
        Some(path) => write_out(path, &text),
        None => super::emit(&text),
    }
}

pub(super) fn similarity_options(output: &BatchOutput) -> Result<similarity::Options, Error> {
    if !(0.0..=1.0).contains(&output.similarity) {
        return Err(Error::Usage(
            "`--similarity` must be between 0 and 1".into(),
        ));
    }
    Ok(similarity::Options {
        threshold: output.similarity,
        ..similarity::Options::default()
    })
}

fn jobs(asked: Option<usize>) -> Result<usize, Error> {
    match asked {
        Some(0) => Err(Error::Usage("`--jobs` must be at least 1".into())),
        Some(n) if n > MAX_JOBS => {
            Err(Error::Usage(format!("`--jobs` must be at most {MAX_JOBS}")))
        }
        Some(n) => Ok(n),
        None => Ok(std::thread::available_parallelism().map_or(1, usize::from)),
    }
}

/// The code left out of similarity: `--template FILE`, else the challenge's starter code.
fn template(path: Option<&Path>, challenge: &Challenge) -> Result<String, Error> {
    let Some(path) = path else {
        return Ok(challenge.starter.clone());
    };
    let bytes = input::read_regular(path, MAX_TEMPLATE_BYTES).map_err(|e| Error::Read {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    String::from_utf8(bytes).map_err(|_| Error::Read {
        path: path.display().to_string(),
        message: "it is not UTF-8".into(),
    })
}

/// Opens `--results` and returns the rows it already holds, by key.
pub(super) fn open_journal(
    path: Option<&Path>,
) -> Result<(Option<Journal>, HashMap<String, Record>), Error> {
    let Some(path) = path else {
        return Ok((None, HashMap::new()));
    };
    let (journal, lines) = Journal::open(path)?;
    let known = lines
        .into_iter()
        .filter_map(|line| match line {
            Line::Row(record) => Some((record.key.clone(), *record)),
            Line::Run(_) => None,
        })
        .collect();
    Ok((Some(journal), known))
}

/// Records in the journal what the rows that follow are graded against.
pub(super) fn record_run(
    journal: Option<&Journal>,
    challenge: &Challenge,
    basis: &str,
    template: &str,
) -> Result<(), Error> {
    journal.map_or(Ok(()), |journal| {
        journal.append(&Line::Run(RunInfo {
            challenge_id: challenge.id.clone(),
            basis: basis.to_owned(),
            template: template.to_owned(),
        }))
    })
}
