//! The worker: a child the fork server forks for one submission. It keeps only the result pipe,
//! starts the watchdog, sets its limits, runs the job in its private copy of the warm interpreter,
//! and exits. Its exit code tells the grader how it ended.

use std::fs::File;
use std::os::fd::{FromRawFd, RawFd};

use rustpython_vm::signal::UserSignalSender;

use super::confine::{Confinement, confine};
use super::memory;
use super::protocol::{Job, Message, write_frame};
use super::python::{JobEnd, Python, run_job};
use super::watchdog::Watchdog;

/// The worker stopped a test that ran past its CPU limit in native code.
pub(crate) const EXIT_TIMEOUT: i32 = 120;
/// The worker ran out of its memory limit.
pub(crate) const EXIT_MEMORY: i32 = 121;
/// The VM panicked after the worker reported it; the grader resumes with a fresh worker.
pub(crate) const EXIT_TAINTED: i32 = 122;
/// The worker could not set itself up or lost its result pipe.
pub(crate) const EXIT_SETUP: i32 = 123;

/// Process CPU time in nanoseconds.
pub(crate) fn cpu_time_ns() -> u64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec for clock_gettime to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &raw mut now) };
    u64::try_from(now.tv_sec).unwrap_or(0) * 1_000_000_000 + u64::try_from(now.tv_nsec).unwrap_or(0)
}

fn exit(code: i32) -> ! {
    // SAFETY: `_exit` ends the process without running destructors or atexit handlers, which is
    // what a forked child must do; always sound.
    unsafe { libc::_exit(code) }
}

/// Runs `job` in the forked child and exits. `result_fd` is the only descriptor kept.
pub(crate) fn run(python: &Python, signals: &UserSignalSender, job: &Job, result_fd: RawFd) -> ! {
    close_other_fds(result_fd);
    let memory = job
        .tests
        .iter()
        .map(|t| t.limits.memory_bytes)
        .max()
        .unwrap_or(0);
    memory::set_limit(memory::used().saturating_add(usize::try_from(memory).unwrap_or(usize::MAX)));
    let Ok(watchdog) = Watchdog::start(signals.clone()) else {
        exit(EXIT_SETUP)
    };
    if confine(&confinement(job, memory)).is_err() {
        exit(EXIT_SETUP);
    }
    // SAFETY: the fork server created this pipe end for this child, which now owns it alone.
    let mut out = unsafe { File::from_raw_fd(result_fd) };
    let mut send = |message: &Message| {
        if write_frame(&mut out, message).is_err() {
            exit(EXIT_SETUP);
        }
    };
    match run_job(python, job, &watchdog, &mut send) {
        JobEnd::Done => exit(0),
        JobEnd::Tainted => exit(EXIT_TAINTED),
    }
}

/// Backstop limits for the whole job: the per-test limits are enforced by the watchdog and the
/// allocator; these only stop a worker that somehow escapes both.
fn confinement(job: &Job, memory: u64) -> Confinement {
    let cpu: f64 = job
        .tests
        .iter()
        .skip(job.first)
        .map(|t| t.limits.cpu_seconds + 1.0)
        .sum();
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "limits are validated positive and small"
    )]
    let cpu_seconds = cpu.ceil() as u64 + 2;
    Confinement {
        cpu_seconds,
        address_space: mapped_bytes()
            .saturating_add(memory.saturating_mul(2))
            .saturating_add(STACK_AND_SLACK),
    }
}

/// The worker's stack may grow to the fork server's `RLIMIT_STACK` (512 MiB); plus slack.
const STACK_AND_SLACK: u64 = 768 << 20;

/// The process's current address-space size, from `/proc/self/statm` (in pages).
fn mapped_bytes() -> u64 {
    let pages = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|p| p.parse::<u64>().ok())
        })
        .unwrap_or(1 << 18);
    // SAFETY: sysconf has no preconditions.
    let page = u64::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(4096);
    pages * page
}

/// Closes every descriptor but `keep`, including stdin, stdout and stderr.
fn close_other_fds(keep: RawFd) {
    let keep = u32::try_from(keep).unwrap_or(0);
    // SAFETY: closing descriptors this process owns; nothing in the child uses them afterwards.
    unsafe {
        if keep > 0 {
            libc::syscall(libc::SYS_close_range, 0u32, keep - 1, 0u32);
        }
        libc::syscall(libc::SYS_close_range, keep + 1, u32::MAX, 0u32);
    }
}
