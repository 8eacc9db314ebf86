//! What crosses the process boundary: the [`Job`] the grader sends (the submission and each test's
//! inputs, never an expected value) and the [`Message`]s a worker sends back, in length-prefixed
//! JSON frames.

use std::io::{self, Read, Write};

use serde::{Deserialize, Serialize};

use crate::challenge::{Action, SandboxSetup};
use crate::value::Value;

/// Everything a worker needs to run a submission's tests.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Job {
    pub source: String,
    /// The name shown in tracebacks and syntax errors.
    pub filename: String,
    pub tests: Vec<JobTest>,
    /// Importable modules and the virtual filesystem every test starts from.
    pub sandbox: SandboxSetup,
    /// Index of the first test to run: after a worker dies, its replacement resumes here.
    pub first: usize,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct JobTest {
    pub action: Action,
    pub limits: TestLimits,
}

/// The limits for one test, resolved from the challenge, the test and the command line.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestLimits {
    pub cpu_seconds: f64,
    pub memory_bytes: u64,
    pub output_bytes: u64,
    pub recursion: u32,
}

impl TestLimits {
    /// Wall-clock backstop: the grader kills a worker whose test runs this long. CPU time is the
    /// real limit (enforced in the worker); this only catches a worker that stopped using CPU.
    pub fn wall_seconds(&self) -> f64 {
        self.cpu_seconds * 2.0 + 1.0
    }
}

/// A frame from a worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "message", rename_all = "snake_case")]
pub enum Message {
    /// The submission compiled (`error: None`) or did not.
    Compiled {
        error: Option<SyntaxErrorInfo>,
    },
    /// A test started; `cpu_ms` is the worker's CPU time so far.
    Started {
        index: usize,
        cpu_ms: u64,
    },
    Finished {
        index: usize,
        run: TestRun,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SyntaxErrorInfo {
    pub kind: String,
    pub message: String,
    /// 1-based line and column.
    pub line: usize,
    pub column: usize,
}

/// What happened in one test, as the worker (or, for a dead worker, the grader) saw it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestRun {
    pub outcome: Outcome,
    /// Captured stdout and stderr, cut at the display cap.
    pub output: String,
    /// Whether `output` was cut for display (the output limit itself is an outcome).
    pub output_truncated: bool,
    pub cpu_ms: u64,
}

impl TestRun {
    /// A run that left no output, e.g. one whose worker was killed.
    pub fn bare(outcome: Outcome) -> Self {
        TestRun {
            outcome,
            output: String::new(),
            output_truncated: false,
            cpu_ms: 0,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The result: a call's return value, an ops test's list of returns, a script's observations.
    Returned {
        value: Value,
    },
    /// The submission raised. `step` is the op index for ops tests.
    Raised {
        exception: ExceptionInfo,
        step: Option<usize>,
    },
    /// The entry point or method the test needs is missing or not callable.
    Missing {
        message: String,
    },
    Timeout,
    MemoryLimit,
    OutputLimit,
    /// The worker died without a verdict of its own (a signal, a VM panic, a broken pipe).
    Crashed {
        detail: String,
    },
    /// The submission did not compile, so the test did not run.
    NotRun,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExceptionInfo {
    /// `type(exc).__name__`.
    pub name: String,
    /// The names of the classes in the exception's MRO, read natively (not via `__mro__`).
    pub mro: Vec<String>,
    pub message: String,
    /// The traceback, submission frames only.
    pub traceback: String,
}

/// The biggest frame a reader accepts; a larger length prefix means a corrupt or hostile stream.
pub const MAX_FRAME: usize = 256 << 20;

/// Writes one length-prefixed JSON frame.
pub fn write_frame<W: Write, T: Serialize>(out: &mut W, value: &T) -> io::Result<()> {
    let body = serde_json::to_vec(value).map_err(io::Error::other)?;
    write_raw_frame(out, &body)
}

pub fn write_raw_frame<W: Write>(out: &mut W, body: &[u8]) -> io::Result<()> {
    let mut frame = Vec::with_capacity(body.len() + 4);
    frame.extend_from_slice(
        &u32::try_from(body.len())
            .map_err(io::Error::other)?
            .to_le_bytes(),
    );
    frame.extend_from_slice(body);
    out.write_all(&frame)?;
    out.flush()
}

/// Reads one frame's bytes; `Ok(None)` on a clean end of stream before a frame starts.
pub fn read_raw_frame<R: Read>(input: &mut R) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        match input.read(&mut len[got..])? {
            0 if got == 0 => return Ok(None),
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => got += n,
        }
    }
    let len = u32::from_le_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "frame too large",
        ));
    }
    let mut body = vec![0u8; len];
    input.read_exact(&mut body)?;
    Ok(Some(body))
}

/// The deepest JSON nesting a frame may have. Values nest up to 100 levels (the converter's and
/// the literal parser's limit), about 3 JSON levels each; this bound keeps decoding, which
/// recurses, far from the stack's end whatever a broken worker sends.
const MAX_JSON_DEPTH: usize = 1_000;

/// Decodes a frame body. serde_json's own recursion limit (128) is too low for nested values, so
/// it is replaced by a linear pre-scan of the nesting depth.
pub fn decode<T: for<'de> Deserialize<'de>>(body: &[u8]) -> io::Result<T> {
    let invalid = |message: String| io::Error::new(io::ErrorKind::InvalidData, message);
    if json_depth(body) > MAX_JSON_DEPTH {
        return Err(invalid(format!(
            "frame nested deeper than {MAX_JSON_DEPTH} levels"
        )));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    deserializer.disable_recursion_limit();
    let value = T::deserialize(&mut deserializer).map_err(|e| invalid(e.to_string()))?;
    deserializer.end().map_err(|e| invalid(e.to_string()))?;
    Ok(value)
}

/// The maximum bracket depth of a JSON text, ignoring brackets inside strings.
fn json_depth(body: &[u8]) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &byte in body {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::{Message, TestRun, decode, json_depth};
    use crate::sandbox::protocol::Outcome;
    use crate::value::Value;

    #[test]
    fn deeply_nested_values_cross_the_wire() {
        let deep = (0..100).fold(Value::str("x"), |inner, _| {
            Value::Dict(vec![(Value::str("k"), inner)])
        });
        let message = Message::Finished {
            index: 0,
            run: TestRun::bare(Outcome::Returned {
                value: deep.clone(),
            }),
        };
        let body = serde_json::to_vec(&message).unwrap();
        let Message::Finished { run, .. } = decode::<Message>(&body).unwrap() else {
            panic!("a finished message")
        };
        assert_eq!(run.outcome, Outcome::Returned { value: deep });
    }

    #[test]
    fn absurd_nesting_is_refused_before_decoding() {
        let body = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(decode::<serde_json::Value>(body.as_bytes()).is_err());
        assert_eq!(json_depth(br#"{"a": "[[[[", "b": [1, [2]]}"#), 3);
    }
}

/// A frame from the fork server itself (worker frames are relayed with the tag [`TAG_WORKER`]).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "frame", rename_all = "snake_case")]
pub enum ServerFrame {
    /// The warm interpreter is built; jobs can come.
    Ready,
    /// A worker was forked for the job just sent.
    Spawned { pid: i32 },
    /// The worker ended: its exit code, or the signal that killed it, and the CPU time it used.
    Exited {
        code: Option<i32>,
        signal: Option<i32>,
        cpu_ms: u64,
    },
}

/// First byte of a fork-server frame body: a [`ServerFrame`] follows.
pub const TAG_SERVER: u8 = b'S';
/// First byte of a fork-server frame body: a relayed worker [`Message`] follows.
pub const TAG_WORKER: u8 = b'W';
