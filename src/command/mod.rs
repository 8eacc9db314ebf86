//! One module per subcommand; each turns parsed arguments into a report and hands the text to
//! [`emit`] (stdout) or [`write_out`] (`--out FILE`), the only places pygrade writes a report.

mod batch;
mod catalog;
mod ci;
mod completions;
mod grade;
mod kit;
mod manifest_batch;
mod merge;
mod progress;
mod schema;

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::cli::{Args, ColorChoice, Command};
use crate::error::Error;

/// Runs one command and returns its exit code (0 all passed, 1 graded failures).
pub fn run(args: &Args) -> Result<u8, Error> {
    let set = crate::challenge::ChallengeSet::new(&args.challenges)?;
    match &args.command {
        Command::List => catalog::list(&set),
        Command::Show { challenge } => catalog::show(&set, challenge),
        Command::Init {
            challenge,
            path,
            force,
        } => catalog::init(&set, challenge, path.as_deref(), *force),
        Command::Grade(grade_args) => grade::run(&set, grade_args, args.color),
        Command::Batch(batch_args) => batch::run(&set, batch_args, args.color),
        Command::Merge(merge_args) => merge::run(merge_args, args.color),
        Command::Ci(ci_args) => ci::run(&set, ci_args, &args.challenges, args.color),
        Command::Kit(kit_args) => kit::run(&set, kit_args),
        Command::Schema { kind } => schema::run(*kind),
        Command::Completions { shell } => completions::run(*shell),
        Command::ForkServer => Err(Error::Internal(
            "the fork server runs from main_entry".into(),
        )),
    }
}

/// Whether to colour what goes to stdout.
fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// Writes a report to stdout, the one place pygrade does (`print!` is linted out elsewhere); a
/// closed pipe (`| head`) is not an error.
fn emit(text: &str) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Write {
            path: "<stdout>".into(),
            message: e.to_string(),
        }),
        _ => Ok(()),
    }
}

/// Writes a report to `path` whole or not at all: a temporary file beside it, renamed over it.
fn write_out(path: &Path, text: &str) -> Result<(), Error> {
    let error = |e: std::io::Error| Error::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let name = path
        .file_name()
        .map_or_else(|| "report".into(), |n| n.to_string_lossy().into_owned());
    let temporary = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&temporary, text).map_err(error)?;
    std::fs::rename(&temporary, path).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        error(e)
    })
}
