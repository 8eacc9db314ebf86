//! Command-line arguments (clap derive), exactly as typed; `lib::run` acts on them.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::report::ci::gradescope::HiddenVisibility;
use crate::report::{BatchFormat, Format};

#[derive(Debug, Parser)]
#[command(
    name = "pygrade",
    version,
    about = "Grade Python answers to coding-interview challenges, with no Python installed"
)]
pub struct Args {
    /// Also load challenges from DIR (`DIR/<id>/challenge.toml` or `DIR/<id>.toml`); repeatable.
    #[arg(long, global = true, value_name = "DIR")]
    pub challenges: Vec<PathBuf>,
    /// When to colour the output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless `NO_COLOR` is set.
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the challenges: id, difficulty, title.
    List,
    /// Show a challenge: prompt, entry points, visible examples.
    Show {
        /// A challenge id, or a path to a challenge TOML file.
        challenge: String,
    },
    /// Write a challenge's starter code to a file.
    Init {
        /// A challenge id, or a path to a challenge TOML file.
        challenge: String,
        /// Where to write it (default: `<id>.py`).
        path: Option<PathBuf>,
        /// Overwrite the file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Grade a submission: exit 0 if every test passes, 1 if any fails, 2 on a grader error.
    Grade(GradeArgs),
    /// Grade a folder of candidates: exit 0 when every one was graded (whatever the verdicts), 1
    /// when pygrade failed to grade some (their rows say so; rerun with `--results`), 2 on a
    /// usage error.
    Batch(BatchArgs),
    /// Combine the `--results` files of a split batch into the report one unsplit run gives.
    Merge(MergeArgs),
    /// Grade a take-home repository against its manifest (`pygrade.toml`): exit 0 when the
    /// total reaches the manifest's threshold (every test when it has none), 1 when not, 2 on a
    /// usage error.
    ///
    /// With `--challenges DIR`, every entry is graded by the challenge with its id in DIR (or in
    /// the bank), never by a challenge file from the repository.
    Ci(CiArgs),
    /// Write a take-home repository for a candidate: README, starter files, `pygrade.toml`,
    /// public copies of the challenges (visible tests only) and a CI workflow.
    Kit(KitArgs),
    /// Print a JSON Schema for challenge files or `pygrade.toml`, for editors that check TOML.
    Schema {
        /// Which file format.
        #[arg(value_enum)]
        kind: SchemaKind,
    },
    /// Print shell completions for pygrade.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Internal: the worker fork server (started by pygrade itself).
    #[command(name = "__forkserver", hide = true)]
    ForkServer,
}

#[derive(Debug, clap::Args)]
pub struct GradeArgs {
    /// A challenge id, or a path to a challenge TOML file.
    pub challenge: String,
    /// The Python file to grade.
    pub submission: String,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Options every grading command shares.
#[derive(Clone, Copy, Debug, clap::Args)]
pub struct LimitArgs {
    /// Show hidden tests' inputs, expected values and output (for authors and interviewers).
    #[arg(long)]
    pub reveal: bool,
    /// CPU seconds per test, for every test [default: from the challenge].
    #[arg(long, value_name = "SECONDS")]
    pub time_limit: Option<f64>,
    /// Memory per submission in MiB [default: from the challenge].
    #[arg(long, value_name = "MIB")]
    pub memory_limit: Option<u64>,
    /// Captured output per test in KiB [default: from the challenge].
    #[arg(long, value_name = "KIB")]
    pub output_limit: Option<u64>,
}

#[derive(Debug, clap::Args)]
pub struct BatchArgs {
    /// A challenge id, or a path to a challenge TOML file (with `--manifest`: the first folder).
    pub challenge: String,
    /// `.py` files, folders of `.py` files, and folders of candidate folders.
    #[arg(required_unless_present = "manifest")]
    pub paths: Vec<PathBuf>,
    /// Grade every candidate folder against each challenge a manifest (`pygrade.toml`) names:
    /// `pygrade batch --manifest pygrade.toml DIR...`.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// The answer file inside each candidate folder (default: `<challenge id>.py`, else the
    /// folder's single `.py` file).
    #[arg(long, value_name = "NAME")]
    pub file: Option<String>,
    /// Grading threads, each with its own fork server [default: the number of cores].
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Append one JSON line per finished submission to FILE, and skip what it already holds.
    #[arg(long, value_name = "FILE")]
    pub results: Option<PathBuf>,
    /// Grade only slice K of N (by a hash of each path); combine slices with `pygrade merge`.
    #[arg(long, value_name = "K/N", value_parser = parse_partition)]
    pub partition: Option<(u32, u32)>,
    /// Code every candidate was given, left out of the similarity check (default: the
    /// challenge's starter code).
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    #[command(flatten)]
    pub output: BatchOutput,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, clap::Args)]
pub struct CiArgs {
    /// The manifest.
    #[arg(long, value_name = "FILE", default_value = "pygrade.toml")]
    pub manifest: PathBuf,
    /// Where the manifest's `file`s are [default: the manifest's folder].
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Write JUnit XML: a testsuite per challenge, a testcase per test.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write Gradescope's `results.json`.
    #[arg(long, value_name = "FILE")]
    pub gradescope: Option<PathBuf>,
    /// Gradescope visibility of hidden tests.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = HiddenVisibility::AfterPublished)]
    pub gradescope_hidden: HiddenVisibility,
    /// Write pygrade's JSON report (the `batch --manifest` shape, one candidate).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write one gradebook row as CSV (with its header).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Append the Markdown summary to FILE [default: `$GITHUB_STEP_SUMMARY` under GitHub Actions].
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, clap::Args)]
pub struct KitArgs {
    /// Challenge ids (or paths to challenge TOML files), in the order the README lists them.
    // Not `challenges`: that is the global `--challenges DIR` argument's id.
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
    /// The folder to write the repository into (created; must be empty if it exists).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Also write the full challenges (hidden tests included) here, for
    /// `pygrade ci --challenges DIR`; must be outside `--out`.
    #[arg(long, value_name = "DIR")]
    pub private: Option<PathBuf>,
    /// The `uses:` of the workflow's pygrade step [default: this pygrade's release].
    #[arg(long, value_name = "OWNER/REPO@REF")]
    pub action: Option<String>,
    /// `[pass] threshold` of the manifest written (0 to 1) [default: none, every test must pass].
    #[arg(long, value_name = "SHARE")]
    pub threshold: Option<f64>,
}

/// The file formats `pygrade schema` describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    /// `challenge.toml`.
    Challenge,
    /// `pygrade.toml`.
    Manifest,
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The `--results` files of the slices.
    #[arg(required = true, value_name = "RESULTS")]
    pub results: Vec<PathBuf>,
    #[command(flatten)]
    pub output: BatchOutput,
}

/// Where and how a batch report goes.
#[derive(Debug, clap::Args)]
pub struct BatchOutput {
    /// Report format.
    #[arg(long, value_enum, default_value_t = BatchFormat::Table)]
    pub format: BatchFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Flag pairs of submissions at least this alike (0 to 1).
    #[arg(long, value_name = "SCORE", default_value_t = crate::batch::similarity::Options::default().threshold)]
    pub similarity: f64,
    /// No progress on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

fn parse_partition(text: &str) -> Result<(u32, u32), String> {
    let usage = || format!("`{text}` is not K/N with 1 <= K <= N (for example 2/3)");
    let (k, n) = text.split_once('/').ok_or_else(usage)?;
    let (k, n): (u32, u32) = (
        k.parse().map_err(|_| usage())?,
        n.parse().map_err(|_| usage())?,
    );
    if k >= 1 && k <= n {
        Ok((k, n))
    } else {
        Err(usage())
    }
}
