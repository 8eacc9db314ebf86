//! The grader's side of the worker design: a pool of fork servers, one per grading thread in use.
//! It sends a job, watches each test against its wall-clock backstop, kills a worker that overruns,
//! turns every worker death into that test's verdict, and resumes the remaining tests in a fresh
//! worker.

use std::io::{self, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::child::{EXIT_MEMORY, EXIT_TIMEOUT};
use super::protocol::{
    Job, MAX_FRAME, Message, Outcome, ServerFrame, SyntaxErrorInfo, TAG_SERVER, TAG_WORKER,
    TestRun, decode, write_frame,
};
use super::{Execution, Sandbox};
use crate::error::Error;

/// The main-thread stack of a fork server, and so of every worker: deep recursion in a
/// submission needs about 1 KB of native stack per Python frame.
const WORKER_STACK_BYTES: u64 = 512 << 20;
/// How long a fork server may take to build and warm its interpreter.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a worker may take between tests (compiling, or reporting a finished test).
const BETWEEN_TESTS_TIMEOUT: Duration = Duration::from_secs(20);

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
        let mut server = self.take()?;
        let execution = server.execute(job)?;
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(server);
        Ok(execution)
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

enum Frame {
    Server(ServerFrame),
    Worker(Message),
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
            Error::Sandbox(format!(
                "cannot start `{} __forkserver`: {e}",
                executable.display()
            ))
        })?;
        let (Some(input), Some(output)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(Error::Internal("fork server pipes missing".into()));
        };
        let mut server = ForkServer {
            child,
            input,
            reader: FrameReader::new(output),
        };
        match server.reader.next(Some(Instant::now() + START_TIMEOUT)) {
            Ok(Some(Frame::Server(ServerFrame::Ready))) => Ok(server),
            _ => Err(Error::Sandbox(
                "the fork server did not start (see the message above)".into(),
            )),
        }
    }

    /// Runs every test of `job`, across as many workers as deaths require.
    fn execute(&mut self, job: &Job) -> Result<Execution, Error> {
        let count = job.tests.len();
        let mut runs: Vec<Option<TestRun>> = vec![None; count];
        let mut compile_error: Option<SyntaxErrorInfo> = None;
        let mut first = 0;
        // Every worker start settles at least one test, so this many starts always suffice.
        let mut starts_left = count + 1;
        while first < count && starts_left > 0 {
            starts_left -= 1;
            let request = Job {
                first,
                ..job.clone()
            };
            write_frame(&mut self.input, &request).map_err(|e| lost(&e))?;
            self.input.flush().map_err(|e| lost(&e))?;
            let pid = match self
                .reader
                .next(Some(Instant::now() + BETWEEN_TESTS_TIMEOUT))
            {
                Ok(Some(Frame::Server(ServerFrame::Spawned { pid }))) => pid,
                _ => {
                    return Err(Error::Sandbox(
                        "the fork server did not start a worker".into(),
                    ));
                }
            };
            // The running test and the worker's CPU time when it started.
            let mut current: Option<(usize, u64)> = None;
            let mut started: Vec<usize> = Vec::new();
            let mut deadline = Instant::now() + BETWEEN_TESTS_TIMEOUT;
            let mut killed = false;
            let (code, signal, exit_cpu_ms) = loop {
                let frame = self.reader.next(if killed { None } else { Some(deadline) });
                match frame {
                    Ok(Some(Frame::Worker(Message::Compiled { error }))) => compile_error = error,
                    Ok(Some(Frame::Worker(Message::Started { index, cpu_ms })))
                        if index < count =>
                    {
                        started.push(index);
                        current = Some((index, cpu_ms));
                        deadline = Instant::now()
                            + Duration::from_secs_f64(job.tests[index].limits.wall_seconds());
                    }
                    Ok(Some(Frame::Worker(Message::Finished { index, run }))) if index < count => {
                        runs[index] = Some(run);
                        current = None;
                        deadline = Instant::now() + BETWEEN_TESTS_TIMEOUT;
                    }
                    Ok(Some(Frame::Server(ServerFrame::Exited {
                        code,
                        signal,
                        cpu_ms,
                    }))) => break (code, signal, cpu_ms),
                    Ok(Some(_)) => {} // A frame out of place: only a corrupted worker sends one.
                    Err(ReadError::Timeout) => {
                        // SAFETY: signalling our fork server's child, which it has not reaped yet.
                        unsafe { libc::kill(pid, libc::SIGKILL) };
                        killed = true;
                    }
                    Ok(None) => {
                        return Err(Error::Sandbox(
                            "the fork server stopped unexpectedly".into(),
                        ));
                    }
                    Err(ReadError::Io(error)) => {
                        return Err(Error::Sandbox(format!("lost the fork server: {error}")));
                    }
                }
            };
            if compile_error.is_some() {
                break;
            }
            // The test running when the worker ended died with it; one that died before any test
            // started takes the death itself, so every worker settles at least one test.
            if let Some((index, start_cpu_ms)) =
                current.or(started.is_empty().then_some((first, 0)))
            {
                // Whatever the worker died of, a test that had used up its CPU time timed out.
                let limit_ms = job.tests[index].limits.cpu_seconds * 1000.0;
                #[expect(
                    clippy::cast_precision_loss,
                    reason = "milliseconds of CPU are far below 2^52"
                )]
                let out_of_time = exit_cpu_ms.saturating_sub(start_cpu_ms) as f64 >= limit_ms;
                let mut run = TestRun::bare(death(code, signal, killed || out_of_time));
                run.cpu_ms = exit_cpu_ms.saturating_sub(start_cpu_ms);
                runs[index] = Some(run);
            }
            // A test that started and ended without a readable result sent an unreadable one.
            for index in started {
                runs[index].get_or_insert_with(|| TestRun::bare(unreadable()));
            }
            first = runs.iter().position(Option::is_none).unwrap_or(count);
        }
        let runs = runs
            .into_iter()
            .map(|run| run.unwrap_or_else(|| TestRun::bare(Outcome::NotRun)))
            .collect();
        Ok(Execution {
            compile_error,
            runs,
        })
    }
}

fn unreadable() -> Outcome {
    Outcome::Crashed {
        detail: "the worker sent a result pygrade could not read".into(),
    }
}

fn lost(error: &io::Error) -> Error {
    Error::Sandbox(format!("lost the fork server: {error}"))
}

/// What a worker's end means for the test it was running.
fn death(code: Option<i32>, signal: Option<i32>, out_of_time: bool) -> Outcome {
    if out_of_time {
        return Outcome::Timeout;
    }
    match (code, signal) {
        (Some(EXIT_TIMEOUT), _) | (_, Some(libc::SIGXCPU)) => Outcome::Timeout,
        (Some(EXIT_MEMORY), _) => Outcome::MemoryLimit,
        (_, Some(signal)) => Outcome::Crashed {
            detail: format!("the worker was killed by {}", signal_name(signal)),
        },
        (Some(code), None) => Outcome::Crashed {
            detail: format!("the worker exited with code {code}"),
        },
        (None, None) => Outcome::Crashed {
            detail: "the worker ended".into(),
        },
    }
}

fn signal_name(signal: i32) -> String {
    let name = match signal {
        libc::SIGSEGV => "SIGSEGV (segmentation fault)",
        libc::SIGABRT => "SIGABRT (abort: a stack overflow or an internal VM error)",
        libc::SIGBUS => "SIGBUS",
        libc::SIGILL => "SIGILL",
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL",
        libc::SIGSYS => "SIGSYS (a forbidden system call)",
        libc::SIGXFSZ => "SIGXFSZ (file size limit)",
        _ => return format!("signal {signal}"),
    };
    name.to_owned()
}

enum ReadError {
    Timeout,
    Io(io::Error),
}

/// Reads tagged frames from a fork server with an optional deadline.
struct FrameReader {
    output: ChildStdout,
    buffer: Vec<u8>,
}

impl FrameReader {
    fn new(output: ChildStdout) -> Self {
        FrameReader {
            output,
            buffer: Vec::new(),
        }
    }

    fn next(&mut self, deadline: Option<Instant>) -> Result<Option<Frame>, ReadError> {
        loop {
            if let Some(frame) = self.take_frame()? {
                return Ok(Some(frame));
            }
            if let Some(deadline) = deadline {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() || !self.wait_readable(left)? {
                    return Err(ReadError::Timeout);
                }
            }
            let mut chunk = [0u8; 64 << 10];
            let read = io::Read::read(&mut self.output, &mut chunk);
            match read {
                Ok(0) => return Ok(None),
                Ok(n) => self.buffer.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ReadError::Io(e)),
            }
        }
    }

    /// The next complete frame in the buffer, if any. Worker frames that do not decode (only a
    /// corrupted worker sends them) are skipped, in a loop: a flood of them cannot grow the stack.
    fn take_frame(&mut self) -> Result<Option<Frame>, ReadError> {
        loop {
            let Some(header) = self.buffer.get(..4) else {
                return Ok(None);
            };
            let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
            if len > MAX_FRAME + 1 || len == 0 {
                return Err(ReadError::Io(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "bad frame from the fork server",
                )));
            }
            if self.buffer.len() < 4 + len {
                return Ok(None);
            }
            let body: Vec<u8> = self.buffer.drain(..4 + len).skip(4).collect();
            let frame = match body[0] {
                TAG_SERVER => decode(&body[1..]).map(Frame::Server),
                TAG_WORKER => decode(&body[1..]).map(Frame::Worker),
                _ => Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "unknown frame tag",
                )),
            };
            match frame {
                Ok(frame) => return Ok(Some(frame)),
                Err(_) if body[0] == TAG_WORKER => {}
                Err(e) => return Err(ReadError::Io(e)),
            }
        }
    }

    fn wait_readable(&self, timeout: Duration) -> Result<bool, ReadError> {
        let mut poll = libc::pollfd {
            fd: self.output.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let millis = i32::try_from(timeout.as_millis().max(1)).unwrap_or(i32::MAX);
        loop {
            // SAFETY: `poll` is one valid pollfd.
            let ready = unsafe { libc::poll(&raw mut poll, 1, millis) };
            match ready {
                0 => return Ok(false),
                n if n > 0 => return Ok(true),
                _ if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted => {}
                _ => return Err(ReadError::Io(io::Error::last_os_error())),
            }
        }
    }
}
