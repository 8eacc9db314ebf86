//! `pygrade ci`: a take-home repository against its manifest, every artefact from one run.
//!
//! The manifest's entries are graded like a manifest batch of one candidate (the same engine,
//! the same report), then rendered as asked: the terminal report always; JUnit, Gradescope,
//! JSON and CSV files on request; annotations and a step summary under GitHub Actions.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::batch::Shared;
use super::grade::{grade_options, sandbox};
use super::{emit, use_color, write_out};
use crate::batch::combined::{CombinedReport, Part};
use crate::batch::discover::{Answer, Candidate};
use crate::batch::{BatchReport, RowStatus, similarity};
use crate::challenge::ChallengeSet;
use crate::cli::{CiArgs, ColorChoice};
use crate::error::{Error, SandboxFailure};
use crate::manifest::Manifest;
use crate::report::{self, human::Style};

pub(super) fn run(
    set: &ChallengeSet,
    args: &CiArgs,
    private: &[PathBuf],
    color: ColorChoice,
) -> Result<u8, Error> {
    let mut manifest = Manifest::load(&args.manifest, set)?;
    if !private.is_empty() {
        trust(&mut manifest, set)?;
    }
    let root = args
        .root
        .clone()
        .unwrap_or_else(|| folder_of(&args.manifest));
    manifest.check_files(&root)?;
    let report = grade(&manifest, &root, args)?;
    write_artefacts(args, &report)?;
    let mut text = report::ci::text(&report, &Style::new(use_color(color)));
    if on_github() {
        text.push_str(&report::ci::github::annotations(&report, &prefix(&root)));
    }
    emit(&text)?;
    let lost: Vec<&str> = report::ci::graded(&report)
        .filter(|(_, entry)| entry.status == RowStatus::GraderError)
        .map(|(part, _)| part.file.as_str())
        .collect();
    if !lost.is_empty() {
        return Err(Error::Sandbox(SandboxFailure::Lost(format!(
            "could not grade {}; run `pygrade ci` again",
            lost.join(", ")
        ))));
    }
    let passed = report.candidates.first().is_some_and(|c| c.passed);
    Ok(u8::from(!passed))
}

/// With `--challenges`, every entry is graded by a challenge the interviewer holds: the one with
/// its id in those folders (or pygrade's bank), never a file from the candidate's repository.
fn trust(manifest: &mut Manifest, set: &ChallengeSet) -> Result<(), Error> {
    for index in 0..manifest.entries.len() {
        let id = manifest.entries[index].challenge.id.clone();
        if !set.ids().any(|known| known == id) {
            return Err(manifest.challenge_error(
                index,
                format!(
                    "`--challenges` is given, so every challenge must come from it (or pygrade's \
                     bank), not from the repository; none has the id `{id}`"
                ),
            ));
        }
        manifest.entries[index].challenge = set.resolve(&id)?;
    }
    Ok(())
}

/// Grades every entry (in parallel, one candidate each) and joins them into one report.
fn grade(manifest: &Manifest, root: &Path, args: &CiArgs) -> Result<CombinedReport, Error> {
    let sandbox = sandbox()?;
    let known = std::collections::HashMap::new();
    let shared = Shared {
        sandbox: &sandbox,
        options: grade_options(args.limits)?,
        jobs: 1,
        similarity: similarity::Options::default(),
        journal: None,
        known: &known,
        quiet: true,
    };
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.min(manifest.entries.len()).max(1))
        .build()
        .map_err(|e| Error::Internal(format!("cannot start grading threads: {e}")))?;
    let reports: Vec<BatchReport> = pool.install(|| {
        manifest
            .entries
            .par_iter()
            .map(|entry| {
                let candidate = Candidate {
                    label: entry.file.clone(),
                    answer: Answer::File(root.join(&entry.file)),
                };
                let template = &entry.challenge.starter;
                shared
                    .grade(&entry.challenge, std::slice::from_ref(&candidate), template)
                    .map(|(report, _)| report)
            })
            .collect::<Result<_, Error>>()
    })?;
    let parts = manifest.entries.iter().map(Part::of).collect();
    let mut combined = CombinedReport::join(parts, reports, &[String::new()], manifest);
    if let Some(row) = combined.candidates.first_mut() {
        row.path = repository_name(root);
    }
    Ok(combined)
}

/// Every file output asked for, and the step summary.
fn write_artefacts(args: &CiArgs, report: &CombinedReport) -> Result<(), Error> {
    if let Some(path) = &args.junit {
        write_out(path, &report::ci::junit::render(report))?;
    }
    if let Some(path) = &args.gradescope {
        let text = report::ci::gradescope::render(report, args.gradescope_hidden);
        write_out(path, &text)?;
    }
    if let Some(path) = &args.json {
        write_out(path, &report::batch::combined::json(report))?;
    }
    if let Some(path) = &args.csv {
        write_out(path, &report::batch::combined::csv(report))?;
    }
    let summary = args.summary.clone().or_else(|| {
        on_github()
            .then(|| std::env::var_os("GITHUB_STEP_SUMMARY"))
            .flatten()
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
    });
    match summary {
        Some(path) => append(&path, &report::ci::github::summary(report)),
        None => Ok(()),
    }
}

/// Appends to a file (the step summary is shared by every step of a job).
fn append(path: &Path, text: &str) -> Result<(), Error> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .map_err(|e| Error::Write {
            path: path.display().to_string(),
            message: e.to_string(),
        })
}

fn on_github() -> bool {
    std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true")
}

/// The manifest's folder (`.` for a bare file name).
fn folder_of(manifest: &Path) -> PathBuf {
    match manifest.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// Where `root` is from the working directory (the workspace in CI), as an annotation prefix.
fn prefix(root: &Path) -> String {
    let relative = if root.is_absolute() {
        std::env::current_dir()
            .ok()
            .and_then(|cwd| root.strip_prefix(cwd).ok().map(Path::to_path_buf))
            .unwrap_or_else(|| root.to_owned())
    } else {
        root.to_owned()
    };
    let text = relative.to_string_lossy().replace('\\', "/");
    let text = text.trim_start_matches("./").trim_end_matches('/');
    if text.is_empty() || text == "." {
        String::new()
    } else {
        format!("{text}/")
    }
}

/// The repository's folder name, for the candidate column of the JSON and CSV reports.
fn repository_name(root: &Path) -> String {
    root.canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| root.display().to_string())
}
