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

    /// Like [`Sandbox::execute`], but hands each test's run to `settle` (with the test's index)
    /// as soon as it is known, so that a caller judging it there holds one test's result at a
    /// time, however many tests return results at the budget. Returns the compile error if the
    /// submission did not compile; then the runs handed over, if any, do not count.
    fn execute_each(
        &self,
        job: &Job,
        settle: &mut dyn FnMut(usize, TestRun),
    ) -> Result<Option<SyntaxErrorInfo>, Error> {
        let execution = self.execute(job)?;
        if execution.compile_error.is_none() {
            for (index, run) in execution.runs.into_iter().enumerate() {
                settle(index, run);
            }
        }
        Ok(execution.compile_error)
    }
}

/// The result of running a job.
#[derive(Clone, Debug)]
pub struct Execution {
    /// Set when the submission did not compile; then no test ran.
    pub compile_error: Option<SyntaxErrorInfo>,
    pub runs: Vec<TestRun>,
}
