//! The grader's side of the worker design: a pool of fork servers, one per grading thread in use.
//! For a job it loads the submission into a fork server, then asks for one fresh worker per test,
//! collects what each worker reported and how it ended, and settles every test's verdict.
//!
//! No wall clock decides anything here: the fork server bounds each worker by CPU time (see
//! `supervise`), and the grader only gives up on a fork server that stays silent for a long
//! stretch of its own time (see `pipe`) — a pygrade failure, never a verdict.

use std::io::{self, Write};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use super::cpu;
use super::frame::write_frame;
use super::pipe::{Frame, FrameReader, Patience, ReadError};
use super::protocol::{Job, JobTest, Request, ServerFrame, Submission, SyntaxErrorInfo, TestRun};
use super::settle::{Exit, WorkerEnd};
use super::{Execution, Sandbox};
use crate::error::{Error, SandboxFailure};

/// The main-thread stack of a fork server, and so of every worker: deep recursion in a
/// submission needs about 1 KB of native stack per Python frame.
const WORKER_STACK_BYTES: u64 = 512 << 20;
/// A starting fork server that uses no CPU and says nothing for this long has failed.
const START_PATIENCE: Duration = Duration::from_secs(30);
/// A fork server sends a heartbeat every 2 s while a worker runs; this much silence is a failure.
const RUN_PATIENCE: Duration = Duration::from_secs(60);
/// How often to ask again when the system refuses to fork a worker, and the pause before each.
const SPAWN_ATTEMPTS: u32 = 6;
const SPAWN_BACKOFF: Duration = Duration::from_millis(200);

/// Runs submissions in worker processes forked from warm fork servers.
pub struct ProcessSandbox {
    executable: PathBuf,
    idle: Mutex<Vec<ForkServer>>,
}

impl ProcessSandbox {
    /// `executable` is the pygrade binary, started as `pygrade __forkserver`.
    pub fn new(executable: PathBuf) -> Self {
        ProcessSandbox {
            executable,
            idle: Mutex::new(Vec::new()),
        }
    }

    fn take(&self) -> Result<ForkServer, Error> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        match idle {
            Some(server) => Ok(server),
            None => ForkServer::spawn(&self.executable),
        }
    }
}

impl Sandbox for ProcessSandbox {
    fn execute(&self, job: &Job) -> Result<Execution, Error> {
        let mut runs = Vec::with_capacity(job.tests.len());
        let compile_error = self.execute_each(job, &mut |_, run| runs.push(run))?;
        if compile_error.is_some() {
            runs.clear();
        }
        Ok(Execution {
            compile_error,
            runs,
        })
    }

    fn execute_each(
        &self,
        job: &Job,
        settle: &mut dyn FnMut(usize, TestRun),
    ) -> Result<Option<SyntaxErrorInfo>, Error> {
        let mut server = self.take()?;
        let compile_error = server.execute(job, settle)?;
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(server);
        Ok(compile_error)
    }
}

struct ForkServer {
    child: Child,
    input: ChildStdin,
    reader: FrameReader,
}

impl Drop for ForkServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ForkServer {
    fn spawn(executable: &PathBuf) -> Result<ForkServer, Error> {
        let mut command = Command::new(executable);
        command
            .arg("__forkserver")
            .env_clear()
            .current_dir("/")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        // SAFETY: the closure only calls setrlimit, which is async-signal-safe.
        unsafe {
            command.pre_exec(|| {
                let stack = libc::rlimit {
                    rlim_cur: WORKER_STACK_BYTES,
                    rlim_max: WORKER_STACK_BYTES,
                };
                libc::setrlimit(libc::RLIMIT_STACK, &raw const stack);
                Ok(())
            });
        }
        let mut child = command.spawn().map_err(|e| {
            Error::Sandbox(SandboxFailure::Start(format!(
                "cannot start `{} __forkserver`: {e}",
                executable.display()
            )))
        })?;
        let (Some(input), Some(output)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(Error::Internal("fork server pipes missing".into()));
        };
        let clock = libc::pid_t::try_from(child.id())
            .ok()
            .and_then(cpu::child_clock);
        let mut server = ForkServer {
            child,
            input,
            reader: FrameReader::new(output),
        };
        // However slowly a busy machine builds the interpreter, it is fine while it uses CPU.
        let mut patience = Patience::with_progress(START_PATIENCE, || clock.and_then(cpu::read));
        match server.reader.next(&mut patience) {
            Ok(Some(Frame::Server(ServerFrame::Ready))) => Ok(server),
            _ => Err(Error::Sandbox(SandboxFailure::Start(
                "the fork server did not start (see the message above)".into(),
            ))),
        }
    }

    /// Runs every test of `job`, each in a fresh worker, handing each run to `settle` as soon as
    /// it is known; returns the compile error, if any.
    fn execute(
        &mut self,
        job: &Job,
        settle: &mut dyn FnMut(usize, TestRun),
    ) -> Result<Option<SyntaxErrorInfo>, Error> {
        let submission = Submission {
            source: job.source.clone(),
            filename: job.filename.clone(),
            sandbox: job.sandbox.clone(),
        };
        self.request(&Request::Load { submission })?;
        for (index, test) in job.tests.iter().enumerate() {
            let end = self.run(test)?;
            match &end.compiled {
                // Compiling does not depend on the test: the first worker speaks for all.
                Some(Some(error)) => return Ok(Some(error.clone())),
                Some(None) => settle(index, end.into_run(&test.limits)),
                // Died before it had compiled: every worker would die the same way.
                None => {
                    let run = end.into_run(&test.limits);
                    for rest in index..job.tests.len() {
                        settle(rest, run.clone());
                    }
                    break;
                }
            }
        }
        Ok(None)
    }

    /// Runs one test in a fresh worker and collects everything about its end.
    fn run(&mut self, test: &JobTest) -> Result<WorkerEnd, Error> {
        for attempt in 1..=SPAWN_ATTEMPTS {
            self.request(&Request::Run { test: test.clone() })?;
            match self.next()? {
                ServerOrWorker::Server(ServerFrame::Spawned) => return self.collect(),
                ServerOrWorker::Server(ServerFrame::SpawnFailed { error }) => {
                    if attempt == SPAWN_ATTEMPTS {
                        return Err(Error::Sandbox(SandboxFailure::Fork(error)));
                    }
                    std::thread::sleep(SPAWN_BACKOFF * attempt);
                }
                _ => return Err(lost("an unexpected frame")),
            }
        }
        Err(lost("no worker"))
    }

    /// Reads the worker's messages until the fork server reports its end.
    fn collect(&mut self) -> Result<WorkerEnd, Error> {
        let mut end = WorkerEnd::default();
        loop {
            match self.next()? {
                ServerOrWorker::Worker(Some(message)) => end.heard(message),
                ServerOrWorker::Worker(None) => end.garbled = true,
                ServerOrWorker::Server(ServerFrame::Exited {
                    code,
                    signal,
                    cpu_ms,
                    stopped,
                }) => {
                    end.exit = Exit {
                        code,
                        signal,
                        cpu_ms,
                        stopped,
                    };
                    return Ok(end);
                }
                ServerOrWorker::Server(_) => return Err(lost("an unexpected frame")),
            }
        }
    }

    /// The next frame other than a heartbeat.
    fn next(&mut self) -> Result<ServerOrWorker, Error> {
        let mut patience = Patience::new(RUN_PATIENCE);
        loop {
            match self.reader.next(&mut patience) {
                Ok(Some(Frame::Server(ServerFrame::Alive))) => {
                    patience = Patience::new(RUN_PATIENCE);
                }
                Ok(Some(Frame::Server(frame))) => return Ok(ServerOrWorker::Server(frame)),
                Ok(Some(Frame::Worker(message))) => {
                    return Ok(ServerOrWorker::Worker(Some(message)));
                }
                Ok(Some(Frame::Garbled)) => return Ok(ServerOrWorker::Worker(None)),
                Ok(None) => return Err(lost("it stopped")),
                Err(ReadError::Silent) => return Err(lost("it stopped responding")),
                Err(ReadError::Io(error)) => return Err(lost(&error.to_string())),
            }
        }
    }

    fn request(&mut self, request: &Request) -> Result<(), Error> {
        write_frame(&mut self.input, request)
            .and_then(|()| self.input.flush())
            .map_err(|e: io::Error| lost(&e.to_string()))
    }
}

/// A frame that matters to the grader: the fork server's own, or a worker's (`None`: garbled).
enum ServerOrWorker {
    Server(ServerFrame),
    Worker(Option<super::protocol::Message>),
}

fn lost(why: &str) -> Error {
    Error::Sandbox(SandboxFailure::Lost(why.to_owned()))
}
