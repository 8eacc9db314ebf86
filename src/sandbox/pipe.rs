//! The grader's end of a fork server's output: tagged frames, read with patience rather than a
//! deadline.
//!
//! There is no wall-clock limit on how long a frame may take: the fork server bounds every worker
//! by CPU time and sends a heartbeat while one runs. The grader only gives up on a fork server
//! that has been silent (and, while it starts, has used no CPU) for a long stretch of the grader's
//! own honestly measured time: a poll that returns much later than asked means the grader itself
//! was not running, and says nothing about the fork server.

use std::io::{self, Read};
use std::os::fd::AsRawFd;
use std::process::ChildStdout;
use std::time::{Duration, Instant};

use super::frame::{MAX_FRAME, declared_len, decode};
use super::protocol::{Message, ServerFrame, TAG_SERVER, TAG_WORKER};

/// How long one poll waits before the grader checks its patience.
const POLL: Duration = Duration::from_secs(1);
/// A poll that took this long means the grader was not running; it does not count.
const LATE_POLL: Duration = Duration::from_secs(3);
/// Buffer room kept between frames.
const SPARE_BUFFER: usize = 1 << 20;

pub(super) enum Frame {
    Server(ServerFrame),
    Worker(Message),
    /// A worker frame that does not decode: only a corrupted worker sends one.
    Garbled,
}

pub(super) enum ReadError {
    /// The fork server said nothing (and made no progress) for the whole of the patience.
    Silent,
    Io(io::Error),
}

/// How long the grader keeps waiting for a quiet fork server.
pub(super) struct Patience<'a> {
    limit: Duration,
    silent: Duration,
    /// Reads a counter that grows while the fork server makes progress (its CPU time).
    progress: Option<Box<dyn FnMut() -> Option<u64> + 'a>>,
    last_progress: Option<u64>,
}

impl<'a> Patience<'a> {
    /// Gives up after `limit` of silence.
    pub(super) fn new(limit: Duration) -> Self {
        Patience {
            limit,
            silent: Duration::ZERO,
            progress: None,
            last_progress: None,
        }
    }

    /// Also counts a change of `progress` as a sign of life.
    pub(super) fn with_progress(
        limit: Duration,
        progress: impl FnMut() -> Option<u64> + 'a,
    ) -> Self {
        Patience {
            progress: Some(Box::new(progress)),
            ..Patience::new(limit)
        }
    }

    /// One poll of `waited` passed without a frame; whether patience is now exhausted.
    fn exhausted_after(&mut self, waited: Duration) -> bool {
        let now = self.progress.as_mut().and_then(|read| read());
        let progressed = now.is_some() && now != self.last_progress;
        self.last_progress = now;
        if waited > LATE_POLL || progressed {
            self.silent = Duration::ZERO;
        } else {
            self.silent += waited;
        }
        self.silent >= self.limit
    }
}

/// Reads tagged frames from a fork server.
pub(super) struct FrameReader {
    output: ChildStdout,
    buffer: Vec<u8>,
}

impl FrameReader {
    pub(super) fn new(output: ChildStdout) -> Self {
        FrameReader {
            output,
            buffer: Vec::new(),
        }
    }

    /// The next frame; `Ok(None)` when the fork server closed its output.
    pub(super) fn next(&mut self, patience: &mut Patience<'_>) -> Result<Option<Frame>, ReadError> {
        loop {
            if let Some(frame) = self.take_frame()? {
                return Ok(Some(frame));
            }
            let asked = Instant::now();
            if !self.wait_readable(POLL)? {
                if patience.exhausted_after(asked.elapsed()) {
                    return Err(ReadError::Silent);
                }
                continue;
            }
            let mut chunk = [0u8; 64 << 10];
            match self.output.read(&mut chunk) {
                Ok(0) => return Ok(None),
                Ok(n) => self.buffer.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ReadError::Io(e)),
            }
        }
    }

    /// The next complete frame in the buffer, if any.
    fn take_frame(&mut self) -> Result<Option<Frame>, ReadError> {
        let Some(len) = declared_len(&self.buffer) else {
            return Ok(None);
        };
        // The fork server relays nothing larger, so a larger prefix is a broken fork server.
        if len > MAX_FRAME + 1 || len == 0 {
            return Err(ReadError::Io(io::Error::new(
                io::ErrorKind::InvalidData,
                "bad frame from the fork server",
            )));
        }
        if self.buffer.len() < 4 + len {
            return Ok(None);
        }
        let body = &self.buffer[4..4 + len];
        let frame = match body[0] {
            TAG_SERVER => decode(&body[1..]).map(Frame::Server).map_err(ReadError::Io),
            TAG_WORKER => Ok(decode(&body[1..]).map_or(Frame::Garbled, Frame::Worker)),
            _ => Err(ReadError::Io(io::Error::new(
                io::ErrorKind::InvalidData,
                "unknown frame tag",
            ))),
        };
        self.buffer.drain(..4 + len);
        // A large frame's room is given back: the grader holds at most one frame at a time.
        if self.buffer.capacity() > SPARE_BUFFER && self.buffer.len() < SPARE_BUFFER {
            self.buffer.shrink_to(SPARE_BUFFER);
        }
        frame.map(Some)
    }

    fn wait_readable(&self, timeout: Duration) -> Result<bool, ReadError> {
        let mut poll = libc::pollfd {
            fd: self.output.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let millis = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
        // SAFETY: `poll` is one valid pollfd.
        match unsafe { libc::poll(&raw mut poll, 1, millis) } {
            n if n > 0 => Ok(true),
            0 => Ok(false),
            _ if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted => Ok(false),
            _ => Err(ReadError::Io(io::Error::last_os_error())),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::Patience;

    #[test]
    fn late_polls_and_progress_restart_the_count() {
        let mut patience = Patience::new(Duration::from_secs(5));
        for _ in 0..100 {
            assert!(!patience.exhausted_after(Duration::from_secs(10)));
        }
        assert!(!patience.exhausted_after(Duration::from_secs(2)));
        assert!(!patience.exhausted_after(Duration::from_secs(2)));
        assert!(patience.exhausted_after(Duration::from_secs(2)));

        let mut cpu = 0;
        let mut busy = Patience::with_progress(Duration::from_secs(5), move || {
            cpu += 1;
            Some(cpu)
        });
        assert!((0..100).all(|_| !busy.exhausted_after(Duration::from_secs(1))));
    }
}
