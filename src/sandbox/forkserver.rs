//! The fork server: `pygrade __forkserver`, a single-threaded process the grader starts. It builds
//! and warms the interpreter once, then for each job it receives on stdin forks a worker, relays
//! the worker's frames to stdout, reaps it, and reports how it exited. Forking a process that has
//! already imported the stdlib is what makes a fresh interpreter per submission cheap.
//!
//! It runs no untrusted code itself: that only happens in the forked children.

use std::io::{self, Read, Write};
use std::os::fd::{FromRawFd, RawFd};
use std::process::ExitCode;

use rustpython_vm::signal::user_signal_channel;

use super::child;
use super::protocol::{
    Job, MAX_FRAME, ServerFrame, TAG_SERVER, TAG_WORKER, decode, read_raw_frame, write_raw_frame,
};
use super::python::Python;
use super::watchdog::HardTimeout;

/// Serves jobs until stdin closes.
pub fn serve() -> ExitCode {
    silence_hard_timeouts();
    let (signals, receiver) = user_signal_channel();
    let python = match Python::start(receiver) {
        Ok(python) => python,
        Err(message) => {
            let _ = writeln!(io::stderr(), "pygrade fork server: {message}");
            return ExitCode::from(2);
        }
    };
    let mut input = io::stdin().lock();
    let mut output = io::stdout().lock();
    if send(&mut output, &ServerFrame::Ready).is_err() {
        return ExitCode::from(2);
    }
    loop {
        let job: Job = match read_raw_frame(&mut input)
            .and_then(|body| body.map(|b| decode(&b)).transpose())
        {
            Ok(Some(job)) => job,
            Ok(None) => return ExitCode::SUCCESS,
            Err(error) => {
                let _ = writeln!(io::stderr(), "pygrade fork server: bad job: {error}");
                return ExitCode::from(2);
            }
        };
        if serve_job(&python, &signals, &job, &mut output).is_err() {
            return ExitCode::from(2);
        }
    }
}

fn serve_job(
    python: &Python,
    signals: &rustpython_vm::signal::UserSignalSender,
    job: &Job,
    output: &mut impl Write,
) -> io::Result<()> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let [read_end, write_end] = fds;
    // SAFETY: this process is single-threaded, so the child starts in a consistent state.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(io::Error::last_os_error());
    }
    if pid == 0 {
        child::run(python, signals, job, write_end);
    }
    // SAFETY: the parent owns both ends; it closes the write end and reads from the read end.
    unsafe { libc::close(write_end) };
    send(output, &ServerFrame::Spawned { pid })?;
    // SAFETY: `read_end` is a descriptor this process owns; the File closes it when dropped.
    let mut from_worker = unsafe { std::fs::File::from_raw_fd(read_end) };
    relay(&mut from_worker, output)?;
    drop(from_worker);
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
    let cpu_ms = millis(usage.ru_utime) + millis(usage.ru_stime);
    send(
        output,
        &ServerFrame::Exited {
            code,
            signal,
            cpu_ms,
        },
    )
}

/// Copies whole frames from the worker to the grader. A malformed stream (a worker that died
/// mid-frame or wrote garbage) is drained and dropped, so the worker can never block or confuse
/// the grader's framing.
fn relay(from_worker: &mut impl Read, output: &mut impl Write) -> io::Result<()> {
    loop {
        match read_raw_frame(from_worker) {
            Ok(Some(body)) if body.len() < MAX_FRAME => {
                let mut tagged = Vec::with_capacity(body.len() + 1);
                tagged.push(TAG_WORKER);
                tagged.extend_from_slice(&body);
                write_raw_frame(output, &tagged)?;
            }
            Ok(None) => return Ok(()),
            Ok(Some(_)) | Err(_) => {
                let _ = io::copy(from_worker, &mut io::sink());
                return Ok(());
            }
        }
    }
}

fn send(output: &mut impl Write, frame: &ServerFrame) -> io::Result<()> {
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
