//! The worker: a child the fork server forks for one test of a submission. It keeps only the
//! result pipe, starts the watchdog, sets its limits, confines itself, runs the test in its private
//! copy of the warm interpreter, and exits. Its exit code tells the grader how it ended.

use std::fs::File;
use std::os::fd::{FromRawFd, RawFd};

use rustpython_vm::signal::UserSignalSender;

use super::confine::{Confinement, confine};
use super::frame::{write_frame, write_raw_frame};
use super::memory;
use super::protocol::{JobTest, Message, Submission};
use super::python::{Python, run_test};
use super::watchdog::Watchdog;

/// The worker stopped a test that ran past its CPU limit in native code.
pub(crate) const EXIT_TIMEOUT: i32 = 120;
/// The worker ran out of its memory limit.
pub(crate) const EXIT_MEMORY: i32 = 121;
/// The worker could not set itself up or lost its result pipe.
pub(crate) const EXIT_SETUP: i32 = 123;

fn exit(code: i32) -> ! {
    // SAFETY: `_exit` ends the process without running destructors or atexit handlers, which is
    // what a forked child must do; always sound.
    unsafe { libc::_exit(code) }
}

/// CPU seconds a worker may spend before its test starts: compiling the submission (at most
/// 1 MiB of source) and setting up. Only a backstop for the kernel's `RLIMIT_CPU` and the fork
/// server's CPU cap; the test's own limit is enforced by the watchdog from the test's start.
pub(crate) const SETUP_CPU_SECONDS: f64 = 10.0;

/// Runs `test` of `submission` in the forked child and exits. `result_fd` is the only descriptor
/// kept.
pub(crate) fn run(
    python: &Python,
    signals: &UserSignalSender,
    submission: &Submission,
    test: &JobTest,
    result_fd: RawFd,
) -> ! {
    close_other_fds(result_fd);
    // The fork server scrubs what it frees; the worker has nothing to hide from itself.
    memory::set_scrub(false);
    let memory = test.limits.memory_bytes;
    memory::set_limit(memory::used().saturating_add(usize::try_from(memory).unwrap_or(usize::MAX)));
    let Ok(watchdog) = Watchdog::start(signals.clone()) else {
        exit(EXIT_SETUP)
    };
    if confine(&confinement(test, memory)).is_err() {
        exit(EXIT_SETUP);
    }
    // SAFETY: the fork server created this pipe end for this child, which now owns it alone.
    let mut out = unsafe { File::from_raw_fd(result_fd) };
    let mut send = |message: Message| {
        let sent = match message {
            Message::Finished { run } => write_raw_frame(&mut out, &run.encode_bounded()),
            other => write_frame(&mut out, &other),
        };
        if sent.is_err() {
            exit(EXIT_SETUP);
        }
    };
    run_test(python, submission, test, &watchdog, &mut send);
    exit(0)
}

/// Backstop limits for the worker: the test's limits are enforced by the watchdog and the
/// allocator; these only stop a worker that somehow escapes both.
fn confinement(test: &JobTest, memory: u64) -> Confinement {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "limits are validated positive and small"
    )]
    let cpu_seconds = (SETUP_CPU_SECONDS + test.limits.cpu_seconds).ceil() as u64 + 2;
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
