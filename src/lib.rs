//! pygrade: grade Python answers to coding-interview challenges in an embedded, sandboxed
//! RustPython, with no Python, Docker or server needed.
//!
//! The pipeline: `challenge` (load and validate) → `grade` (pre-gate, run in the `sandbox`,
//! compare `value`s on the host) → `report` (render). See ARCHITECTURE.md.

// The sandbox is `fork`, Linux rlimits and seccomp-bpf; README says so.
#[cfg(not(target_os = "linux"))]
compile_error!(
    "pygrade runs on Linux only: its worker sandbox needs fork, Linux rlimits and seccomp"
);

pub mod batch;
pub mod challenge;
mod cli;
mod diff;
pub mod error;
pub mod grade;
mod input;
pub mod report;
pub mod sandbox;
mod stats;
pub mod value;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

pub use cli::Args;
use cli::{ColorChoice, Command, GradeArgs};
use error::Error;
use grade::{GradeOptions, LimitOverrides, Submission};
use report::Format;
use sandbox::ProcessSandbox;

#[global_allocator]
static ALLOCATOR: sandbox::memory::CountingAllocator = sandbox::memory::CountingAllocator;

/// Parses the command line and runs it; the whole program behind `main`.
pub fn main_entry() -> ExitCode {
    let args = Args::parse();
    if matches!(args.command, Command::ForkServer) {
        return sandbox::serve_forkserver();
    }
    let code = match run(&args) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "error: {error}");
            ExitCode::from(error.exit_code())
        }
    };
    stats::report();
    code
}

/// Runs one command and returns its exit code (0 all passed, 1 graded failures).
pub fn run(args: &Args) -> Result<u8, Error> {
    let set = challenge::ChallengeSet::new(&args.challenges)?;
    match &args.command {
        Command::List => {
            let mut text = String::new();
            for challenge in set.load_all()? {
                text.push_str(&format!(
                    "{:<20} {:<7} {}\n",
                    report::escape::line(&challenge.id),
                    challenge.difficulty.as_str(),
                    report::escape::line(&challenge.title)
                ));
            }
            emit(&text)?;
            Ok(0)
        }
        Command::Show { challenge } => {
            emit(&report::show(&set.resolve(challenge)?))?;
            Ok(0)
        }
        Command::Init {
            challenge,
            path,
            force,
        } => {
            let challenge = set.resolve(challenge)?;
            let path = path
                .clone()
                .unwrap_or_else(|| format!("{}.py", challenge.id).into());
            if path.exists() && !force {
                return Err(Error::Usage(format!(
                    "`{}` already exists; pass `--force` to overwrite it",
                    path.display()
                )));
            }
            std::fs::write(&path, &challenge.starter).map_err(|e| Error::Write {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
            let shown = path.display().to_string();
            let shown = report::escape::line(&shown);
            let _ = writeln!(
                std::io::stderr(),
                "wrote `{shown}`; grade it with `pygrade grade {} {shown}`",
                report::escape::line(&challenge.id),
            );
            Ok(0)
        }
        Command::Grade(grade_args) => grade_command(&set, grade_args, args.color),
        Command::ForkServer => Err(Error::Internal(
            "the fork server runs from main_entry".into(),
        )),
    }
}

fn grade_command(
    set: &challenge::ChallengeSet,
    args: &GradeArgs,
    color: ColorChoice,
) -> Result<u8, Error> {
    let challenge = set.resolve(&args.challenge)?;
    let submission = Submission::read(&args.submission)?;
    let executable = std::env::current_exe()
        .map_err(|e| Error::Internal(format!("cannot find the pygrade executable: {e}")))?;
    let sandbox = ProcessSandbox::new(executable);
    let options = GradeOptions {
        reveal: args.reveal,
        limits: LimitOverrides {
            time: args.time_limit,
            memory_mib: args.memory_limit,
            output_kib: args.output_limit,
        },
    };
    validate_overrides(options.limits)?;
    let report = grade::grade(&challenge, &submission, &sandbox, options)?;
    let text = match args.format {
        Format::Json => report::json::render(&report),
        Format::Human => {
            report::human::render(&report, &report::human::Style::new(use_color(color)))
        }
    };
    emit(&text)?;
    Ok(u8::from(!report.passed))
}

fn validate_overrides(limits: LimitOverrides) -> Result<(), Error> {
    if limits
        .time
        .is_some_and(|t| !(t.is_finite() && t > 0.0 && t <= 600.0))
    {
        return Err(Error::Usage(
            "`--time-limit` must be more than 0 and at most 600 seconds".into(),
        ));
    }
    if limits
        .memory_mib
        .is_some_and(|m| !(32..=65_536).contains(&m))
    {
        return Err(Error::Usage(
            "`--memory-limit` must be between 32 and 65536 MiB".into(),
        ));
    }
    if limits
        .output_kib
        .is_some_and(|o| !(1..=1_048_576).contains(&o))
    {
        return Err(Error::Usage(
            "`--output-limit` must be between 1 and 1048576 KiB".into(),
        ));
    }
    Ok(())
}

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

/// Writes the report to stdout, the one place pygrade does (`print!` is linted out elsewhere); a
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
