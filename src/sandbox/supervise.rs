//! The fork server's watch over one running worker: relay its frames to the grader and stop it
//! when it is out of CPU time or blocked for good.
//!
//! CPU time decides, never wall time, so a verdict does not depend on how busy the machine is: a
//! worker that keeps using CPU is never stopped before it has used its test's limit plus every
//! allowance (the watchdog inside the worker acts at the limit itself; this is the next line of
//! defence). A worker that uses no CPU at all for [`STALL`] of the fork server's own, honestly
//! measured time is blocked and will never finish: only that is stopped on a clock. A tick that
//! came much later than asked (the fork server itself was not scheduled) says nothing about the
//! worker and restarts the count. The fork server is the worker's parent and reaps it only after
//! this returns, so the pid it signals cannot have been reused.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use super::child::SETUP_CPU_SECONDS;
use super::cpu;
use super::forkserver::send;
use super::frame::{MAX_FRAME, declared_len, write_raw_frame};
use super::protocol::{ServerFrame, Stop, TAG_WORKER};

/// How often the worker's CPU time is read.
const TICK: Duration = Duration::from_millis(250);
/// A tick this late means the fork server itself was not running; it does not count.
const LATE_TICK: Duration = Duration::from_secs(1);
/// No CPU used for this long (in honest ticks) means the worker is blocked for good.
const STALL: Duration = Duration::from_secs(10);
/// How often the grader hears that the fork server is alive while a worker runs.
const HEARTBEAT: Duration = Duration::from_secs(2);
/// CPU a worker may use past its test's limit before the fork server stops it (the watchdog
/// exits the worker half a second past the limit).
const CAP_GRACE_SECONDS: f64 = 1.0;

/// The most CPU a worker may use in all, set-up included.
#[derive(Clone, Copy, Debug)]
pub(super) struct Budget {
    cap_ns: u64,
}

impl Budget {
    pub(super) fn for_test(cpu_seconds: f64) -> Budget {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "limits are validated positive and at most 600 seconds"
        )]
        let cap_ns = ((SETUP_CPU_SECONDS + cpu_seconds + CAP_GRACE_SECONDS) * 1e9) as u64;
        Budget { cap_ns }
    }
}

/// Relays the worker's frames to `output` until its pipe closes, stopping it on the way if it
/// must be stopped; returns why it was stopped, if it was.
pub(super) fn supervise(
    pid: libc::pid_t,
    mut from_worker: File,
    budget: Budget,
    output: &mut impl Write,
) -> io::Result<Option<Stop>> {
    let clock = cpu::child_clock(pid);
    let mut relay = Relay::default();
    let mut watch = Watch::new(budget, Instant::now());
    let mut stopped = None;
    let mut last_beat = Instant::now();
    let mut chunk = vec![0u8; 64 << 10];
    loop {
        if readable(&from_worker, TICK)? {
            match from_worker.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => relay.push(&chunk[..n], output)?,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // The worker's end is gone in a way a pipe should not fail: treat it as closed.
                Err(_) => break,
            }
        }
        let now = Instant::now();
        if watch.due(now) {
            let verdict = watch.check(now, clock.and_then(cpu::read));
            if let (None, Some(stop)) = (stopped, verdict) {
                // SAFETY: `pid` is this process's child, not yet reaped, so it names that child.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                stopped = Some(stop);
            }
        }
        if now.duration_since(last_beat) >= HEARTBEAT {
            send(output, &ServerFrame::Alive)?;
            last_beat = now;
        }
    }
    Ok(stopped)
}

/// Counts the worker's CPU progress tick by tick.
struct Watch {
    cap_ns: u64,
    last_tick: Instant,
    last_cpu: Option<u64>,
    stalled: Duration,
}

impl Watch {
    fn new(budget: Budget, now: Instant) -> Watch {
        Watch {
            cap_ns: budget.cap_ns,
            last_tick: now,
            last_cpu: None,
            stalled: Duration::ZERO,
        }
    }

    fn due(&self, now: Instant) -> bool {
        now.duration_since(self.last_tick) >= TICK
    }

    /// Takes one reading of the worker's CPU time (`None`: it could not be read, the worker is
    /// ending) and says whether to stop the worker.
    fn check(&mut self, now: Instant, cpu_ns: Option<u64>) -> Option<Stop> {
        let elapsed = now.duration_since(self.last_tick);
        self.last_tick = now;
        let cpu_ns = cpu_ns?;
        if cpu_ns > self.cap_ns {
            return Some(Stop::CpuCap);
        }
        if elapsed > LATE_TICK || self.last_cpu != Some(cpu_ns) {
            self.stalled = Duration::ZERO;
        } else {
            self.stalled += elapsed;
        }
        self.last_cpu = Some(cpu_ns);
        (self.stalled >= STALL).then_some(Stop::Stalled)
    }
}

/// Reassembles the worker's frames and forwards each whole one, tagged. A length prefix past
/// [`MAX_FRAME`] (or zero) means the stream is garbage: everything after it is dropped, so the
/// worker can never desynchronise the grader's framing or make the fork server buffer more than
/// one frame.
#[derive(Default)]
struct Relay {
    buffer: Vec<u8>,
    garbled: bool,
}

impl Relay {
    fn push(&mut self, bytes: &[u8], output: &mut impl Write) -> io::Result<()> {
        if self.garbled {
            return Ok(());
        }
        self.buffer.extend_from_slice(bytes);
        while let Some(len) = declared_len(&self.buffer) {
            if len == 0 || len > MAX_FRAME {
                self.garbled = true;
                self.buffer = Vec::new();
                return Ok(());
            }
            if self.buffer.len() < 4 + len {
                break;
            }
            let mut tagged = Vec::with_capacity(len + 1);
            tagged.push(TAG_WORKER);
            tagged.extend_from_slice(&self.buffer[4..4 + len]);
            self.buffer.drain(..4 + len);
            write_raw_frame(output, &tagged)?;
        }
        Ok(())
    }
}

/// Waits up to `timeout` for the worker's pipe to have data (or to close).
fn readable(from_worker: &File, timeout: Duration) -> io::Result<bool> {
    let mut poll = libc::pollfd {
        fd: from_worker.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let millis = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
    // SAFETY: `poll` is one valid pollfd.
    match unsafe { libc::poll(&raw mut poll, 1, millis) } {
        n if n > 0 => Ok(true),
        0 => Ok(false),
        _ if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted => Ok(false),
        _ => Err(io::Error::last_os_error()),
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::{Budget, Relay, STALL, Stop, TICK, Watch};
    use crate::sandbox::frame::{MAX_FRAME, read_raw_frame};

    fn ticks(watch: &mut Watch, start: Instant, steps: &[(Duration, u64)]) -> Vec<Option<Stop>> {
        let mut now = start;
        steps
            .iter()
            .map(|&(after, cpu)| {
                now += after;
                watch.check(now, Some(cpu))
            })
            .collect()
    }

    #[test]
    fn a_worker_using_cpu_is_never_stopped_before_its_cap() {
        let start = Instant::now();
        let mut watch = Watch::new(Budget::for_test(1.0), start);
        // An hour of wall time, one nanosecond of CPU per tick: slow, but making progress.
        let steps: Vec<_> = (1..=14_400).map(|i| (TICK, i)).collect();
        assert!(ticks(&mut watch, start, &steps).iter().all(Option::is_none));
        let over = Budget::for_test(1.0).cap_ns + 1;
        assert_eq!(
            watch.check(start + TICK * 14_401, Some(over)),
            Some(Stop::CpuCap)
        );
    }

    #[test]
    fn only_honest_silence_counts_as_a_stall() {
        let start = Instant::now();
        let mut watch = Watch::new(Budget::for_test(1.0), start);
        // Late ticks (the fork server was not running) never add up to a stall.
        let late: Vec<_> = (0..100).map(|_| (Duration::from_secs(5), 7)).collect();
        assert!(ticks(&mut watch, start, &late).iter().all(Option::is_none));
        let n = u32::try_from(STALL.as_millis() / TICK.as_millis()).unwrap();
        let honest: Vec<_> = (0..=n).map(|_| (TICK, 7)).collect();
        let verdicts = ticks(&mut watch, start + Duration::from_secs(500), &honest);
        assert_eq!(verdicts.last(), Some(&Some(Stop::Stalled)));
        assert!(verdicts[..verdicts.len() - 2].iter().all(Option::is_none));
    }

    #[test]
    fn the_relay_forwards_whole_frames_and_drops_garbage() {
        let mut relay = Relay::default();
        let mut out = Vec::new();
        let frame = |body: &[u8]| {
            let mut f = u32::try_from(body.len()).unwrap().to_le_bytes().to_vec();
            f.extend_from_slice(body);
            f
        };
        let two = [frame(b"{}"), frame(b"[1]")].concat();
        for byte in &two {
            relay.push(std::slice::from_ref(byte), &mut out).unwrap();
        }
        let mut reader = out.as_slice();
        assert_eq!(read_raw_frame(&mut reader).unwrap().unwrap(), b"W{}");
        assert_eq!(read_raw_frame(&mut reader).unwrap().unwrap(), b"W[1]");
        let mut out = Vec::new();
        let huge = u32::try_from(MAX_FRAME + 1).unwrap().to_le_bytes();
        relay.push(&huge, &mut out).unwrap();
        relay.push(&frame(b"{}"), &mut out).unwrap();
        assert!(out.is_empty());
    }
}
