//! Command-line arguments (clap derive), exactly as typed; `lib::run` acts on them.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::report::Format;

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
