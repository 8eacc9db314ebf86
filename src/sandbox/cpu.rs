//! CPU-time clocks, the only clocks that decide a verdict: this process's own, and a child
//! process's (read by its parent while it runs).

/// This process's CPU time in nanoseconds.
pub(crate) fn own_ns() -> u64 {
    read(libc::CLOCK_PROCESS_CPUTIME_ID).unwrap_or(0)
}

/// The clock that measures the CPU time of `pid`, a child of this process.
pub(crate) fn child_clock(pid: libc::pid_t) -> Option<libc::clockid_t> {
    let mut clock: libc::clockid_t = 0;
    // SAFETY: `clock` is valid to write; the caller names its own child.
    (unsafe { libc::clock_getcpuclockid(pid, &raw mut clock) } == 0).then_some(clock)
}

/// Reads a CPU-time clock in nanoseconds; `None` once the process it measures is gone.
pub(crate) fn read(clock: libc::clockid_t) -> Option<u64> {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec to fill.
    if unsafe { libc::clock_gettime(clock, &raw mut now) } != 0 {
        return None;
    }
    Some(u64::try_from(now.tv_sec).ok()? * 1_000_000_000 + u64::try_from(now.tv_nsec).ok()?)
}
