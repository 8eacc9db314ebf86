//! Where submissions run. The [`Sandbox`] trait hides how; [`ProcessSandbox`] runs every test of a
//! submission in its own worker process forked from a warm fork server, and `fake` provides a
//! scripted sandbox for engine tests.

mod child;
mod confine;
mod cpu;
#[cfg(test)]
pub(crate) mod fake;
mod forkserver;
pub mod frame;
pub mod memory;
pub mod modules;
mod pipe;
mod process;
pub mod protocol;
mod python;
mod settle;
mod supervise;
mod watchdog;

pub use forkserver::serve as serve_forkserver;
pub use process::ProcessSandbox;

use crate::error::Error;
use protocol::{Job, SyntaxErrorInfo, TestRun};

/// Runs a job's tests somewhere safe and reports what happened in each.
pub trait Sandbox: Send + Sync {
    /// One [`TestRun`] per test of `job`, in order. A submission's failure, however it fails, is a
    /// run's outcome; `Err` means the sandbox itself failed.
    fn execute(&self, job: &Job) -> Result<Execution, Error>;
}

/// The result of running a job.
#[derive(Clone, Debug)]
pub struct Execution {
    /// Set when the submission did not compile; then no test ran.
    pub compile_error: Option<SyntaxErrorInfo>,
    pub runs: Vec<TestRun>,
}
