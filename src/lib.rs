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
mod command;
mod diff;
pub mod digest;
pub mod error;
pub mod grade;
mod input;
pub mod manifest;
pub mod report;
pub mod sandbox;
mod stats;
pub mod value;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

pub use cli::Args;
use cli::Command;
use error::Error;

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
    command::run(args)
}
