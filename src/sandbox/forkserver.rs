//! The fork server: `pygrade __forkserver`, a single-threaded process the grader starts. It builds
//! and warms the interpreter once. Then it takes a submission ([`Request::Load`]) and, for each
//! test ([`Request::Run`]), forks a fresh worker from that warm state, relays the worker's frames
//! while watching its CPU time (see `supervise`), reaps it, and reports how it ended. Forking a
//! process that has already imported the stdlib is what makes a fresh interpreter per test cheap.
//!
//! It runs no untrusted code itself: that only happens in the forked children. It reads and
//! writes its pipes unbuffered and scrubs the memory it frees (see `memory`), so a worker, which
//! starts as a copy of it, holds no trace of other tests' inputs or results.

use std::fs::File;
use std::io::{self, Write};
use std::mem::ManuallyDrop;
use std::os::fd::{FromRawFd, RawFd};
use std::process::ExitCode;

use rustpython_vm::signal::{UserSignalSender, user_signal_channel};

use super::child;
use super::frame::{decode, read_raw_frame, write_raw_frame};
use super::memory;
use super::protocol::{JobTest, Request, ServerFrame, Submission, TAG_SERVER};
use super::python::Python;
use super::supervise::{Budget, supervise};
use super::watchdog::HardTimeout;

/// Serves requests until stdin closes.
pub fn serve() -> ExitCode {
    silence_hard_timeouts();
    memory::set_scrub(true);
    let (signals, receiver) = user_signal_channel();
    let python = match Python::start(receiver) {
        Ok(python) => python,
        Err(message) => {
            let _ = writeln!(io::stderr(), "pygrade fork server: {message}");
            return ExitCode::from(2);
        }
    };
    // SAFETY: descriptors 0 and 1 are this process's pipes from the grader; `ManuallyDrop` keeps
    // them open for the process's life. Unbuffered: a buffer would keep old frames in memory.
    let mut input = ManuallyDrop::new(unsafe { File::from_raw_fd(0) });
    // SAFETY: as above.
    let mut output = ManuallyDrop::new(unsafe { File::from_raw_fd(1) });
    if send(&mut *output, &ServerFrame::Ready).is_err() {
        return ExitCode::from(2);
    }
    let mut submission: Option<Submission> = None;
    loop {
        let request = match read_raw_frame(&mut *input)
            .and_then(|body| body.map(|b| decode::<Request>(&b)).transpose())
        {
            Ok(Some(request)) => request,
            Ok(None) => return ExitCode::SUCCESS,
            Err(error) => {
                let _ = writeln!(io::stderr(), "pygrade fork server: bad request: {error}");
                return ExitCode::from(2);
            }
        };
        let served = match request {
            Request::Load { submission: loaded } => {
                submission = Some(loaded);
                Ok(())
            }
            Request::Run { test } => match &submission {
                Some(loaded) => run_worker(&python, &signals, loaded, &test, &mut *output),
                None => Err(io::Error::other("a run before any submission was loaded")),
            },
        };
        if let Err(error) = served {
            let _ = writeln!(io::stderr(), "pygrade fork server: {error}");
            return ExitCode::from(2);
        }
    }
}

/// Forks a worker for `test`, supervises it until it ends, and reports its end.
fn run_worker(
    python: &Python,
    signals: &UserSignalSender,
    submission: &Submission,
    test: &JobTest,
    output: &mut impl Write,
) -> io::Result<()> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        let error = io::Error::last_os_error().to_string();
        return send(output, &ServerFrame::SpawnFailed { error });
    }
    let [read_end, write_end] = fds;
    // SAFETY: this process is single-threaded, so the child starts in a consistent state.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        let error = io::Error::last_os_error().to_string();
        // SAFETY: closing the two descriptors pipe2 just created.
        unsafe {
            libc::close(read_end);
            libc::close(write_end);
        }
        return send(output, &ServerFrame::SpawnFailed { error });
    }
    if pid == 0 {
        child::run(python, signals, submission, test, write_end);
    }
    // SAFETY: the parent owns both ends; it closes the write end and reads from the read end.
    unsafe { libc::close(write_end) };
    send(output, &ServerFrame::Spawned)?;
    // SAFETY: `read_end` is a descriptor this process owns; the File closes it when dropped.
    let from_worker = unsafe { File::from_raw_fd(read_end) };
    let budget = Budget::for_test(test.limits.cpu_seconds);
    let stopped = supervise(pid, from_worker, budget, output)?;
    let (code, signal, cpu_ms) = reap(pid);
    send(
        output,
        &ServerFrame::Exited {
            code,
            signal,
            cpu_ms,
            stopped,
        },
    )
}

/// Waits for the worker to end: its exit code or signal, and the CPU time it used.
fn reap(pid: libc::pid_t) -> (Option<i32>, Option<i32>, u64) {
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to overwrite.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waiting for our own child; `status` and `usage` are valid to write.
    while unsafe { libc::wait4(pid, &raw mut status, 0, &raw mut usage) } < 0 {
        if io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            break;
        }
    }
    let (code, signal) = if libc::WIFSIGNALED(status) {
        (None, Some(libc::WTERMSIG(status)))
    } else {
        (Some(libc::WEXITSTATUS(status)), None)
    };
    let millis = |t: libc::timeval| {
        u64::try_from(t.tv_sec).unwrap_or(0) * 1000 + u64::try_from(t.tv_usec).unwrap_or(0) / 1000
    };
    (
        code,
        signal,
        millis(usage.ru_utime) + millis(usage.ru_stime),
    )
}

/// Writes one fork-server frame.
pub(super) fn send(output: &mut impl Write, frame: &ServerFrame) -> io::Result<()> {
    let mut body = vec![TAG_SERVER];
    body.extend(serde_json::to_vec(frame).map_err(io::Error::other)?);
    write_raw_frame(output, &body)
}

/// The watchdog's deliberate panic is not a bug: keep it out of any report.
fn silence_hard_timeouts() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !info.payload().is::<HardTimeout>() {
            default(info);
        }
    }));
}
