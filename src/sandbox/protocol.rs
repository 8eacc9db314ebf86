//! What crosses the process boundaries. The grader sends a fork server the submission once
//! ([`Request::Load`]) and then one [`Request::Run`] per test; the fork server forks a fresh
//! worker for each test, relays the worker's [`Message`]s and reports how it ended
//! ([`ServerFrame`]). Expected values never appear here: they stay with the grader.
//!
//! Everything a worker says is data the submission may have chosen. [`TestRun::bounded`] cuts
//! every string and every value to a fixed budget; the worker applies it before sending and the
//! grader again after receiving, so neither a hostile submission nor a corrupted worker can make
//! the grader hold, compare or print more than that. (The frame reader bounds what decoding a
//! frame can allocate before that: see [`super::frame`].)
//!
//! Enums use serde's external tagging (`{"variant": ...}`): it decodes in one pass, where internal
//! or adjacent tagging can make serde buffer a whole frame's content as an intermediate tree
//! several times the frame's size.

use serde::{Deserialize, Serialize};

use super::frame::MAX_FRAME;
use crate::challenge::{Action, SandboxSetup};
use crate::value::{RESULT_LIMIT, Value, dismantle};

/// Everything needed to run a submission's tests.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Job {
    pub source: String,
    /// The name shown in tracebacks and syntax errors.
    pub filename: String,
    pub tests: Vec<JobTest>,
    /// Importable modules and the virtual filesystem every test starts from.
    pub sandbox: SandboxSetup,
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

/// The part of a [`Job`] every test's worker needs: no test's input.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Submission {
    pub source: String,
    pub filename: String,
    pub sandbox: SandboxSetup,
}

/// A frame from the grader to a fork server.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "request", rename_all = "snake_case")]
pub enum Request {
    /// The submission the following runs use.
    Load { submission: Submission },
    /// Run one test in a fresh worker. A worker only ever holds its own test's input.
    Run { test: JobTest },
}

/// A frame from a worker, relayed by the fork server.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Message {
    /// The submission compiled (`error: None`) or did not.
    Compiled {
        error: Option<SyntaxErrorInfo>,
    },
    /// The test started; `cpu_ms` is the worker's CPU time so far.
    Started {
        cpu_ms: u64,
    },
    Finished {
        run: TestRun,
    },
}

/// A frame from the fork server itself (worker frames are relayed with the tag [`TAG_WORKER`]).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "frame", rename_all = "snake_case")]
pub enum ServerFrame {
    /// The warm interpreter is built; requests can come.
    Ready,
    /// A worker was forked for the test just sent.
    Spawned,
    /// No worker could be forked (the system refused); the grader may try again.
    SpawnFailed { error: String },
    /// Sent every few seconds while a worker runs, so the grader knows the fork server is alive.
    Alive,
    /// The worker ended: its exit code or the signal that killed it, the CPU time it used, and
    /// whether the fork server stopped it.
    Exited {
        code: Option<i32>,
        signal: Option<i32>,
        cpu_ms: u64,
        stopped: Option<Stop>,
    },
}

/// Why the fork server killed a worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stop {
    /// It used more CPU than its test's limit plus every allowance.
    CpuCap,
    /// It used no CPU at all for a long time: blocked for good.
    Stalled,
}

/// First byte of a fork-server frame body: a [`ServerFrame`] follows.
pub const TAG_SERVER: u8 = b'S';
/// First byte of a fork-server frame body: a relayed worker [`Message`] follows.
pub const TAG_WORKER: u8 = b'W';

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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
    /// The entry point or method the test needs is missing or not callable; `message` may name
    /// what the submission defined instead, so only visible tests show it.
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

/// Longest class or exception name kept; the rest is cut with a marker.
pub const MAX_NAME_CHARS: usize = 200;
/// Most MRO entries kept (a real hierarchy is far shallower).
pub const MAX_MRO: usize = 64;
pub const MAX_MESSAGE_CHARS: usize = 2_000;
pub const MAX_TRACEBACK_CHARS: usize = 8_000;
/// Longest `Missing` message or crash detail kept.
pub const MAX_DETAIL_CHARS: usize = 500;
/// How much captured output a run keeps for display (the output limit is separate).
pub const MAX_OUTPUT_BYTES: usize = 16 << 10;

impl SyntaxErrorInfo {
    /// The error with its kind and message cut to their budgets (the grader applies it on
    /// receipt; the worker already did).
    #[must_use]
    pub fn bounded(mut self) -> Self {
        cut_chars(&mut self.kind, MAX_NAME_CHARS);
        cut_chars(&mut self.message, MAX_MESSAGE_CHARS);
        self
    }
}

/// What a result over [`RESULT_LIMIT`] becomes (only a broken worker, or a script's many
/// observations, which are converted one by one, can send one).
const TOO_LARGE: &str = "<result too large to compare>";

/// A `Finished` message that borrows its run, so the worker encodes a result without a copy.
#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum FinishedRef<'a> {
    Finished { run: &'a TestRun },
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

    /// The run with every string cut to its budget and every opaque description to a name's
    /// length. Idempotent; the worker applies it before sending and the grader after receiving.
    #[must_use]
    pub fn bounded(mut self) -> Self {
        if self.output.len() > MAX_OUTPUT_BYTES {
            cut_bytes(&mut self.output, MAX_OUTPUT_BYTES);
            self.output_truncated = true;
        }
        match &mut self.outcome {
            Outcome::Returned { value } if value.size_within(RESULT_LIMIT).is_none() => {
                dismantle(std::mem::replace(value, Value::Opaque(TOO_LARGE.into())));
            }
            Outcome::Returned { value } => bound_value(value),
            Outcome::Raised { exception, .. } => {
                cut_chars(&mut exception.name, MAX_NAME_CHARS);
                exception.mro.truncate(MAX_MRO);
                for name in &mut exception.mro {
                    cut_chars(name, MAX_NAME_CHARS);
                }
                cut_chars(&mut exception.message, MAX_MESSAGE_CHARS);
                cut_chars(&mut exception.traceback, MAX_TRACEBACK_CHARS);
            }
            Outcome::Missing { message: text } | Outcome::Crashed { detail: text } => {
                cut_chars(text, MAX_DETAIL_CHARS);
            }
            Outcome::Timeout | Outcome::MemoryLimit | Outcome::OutputLimit | Outcome::NotRun => {}
        }
        self
    }

    /// The `Finished` frame for this run, bounded, and never longer than [`MAX_FRAME`]: a result
    /// whose encoding would be (text that JSON escapes six-fold, say) is replaced by an opaque
    /// marker, which never equals an expected value.
    pub fn encode_bounded(self) -> Vec<u8> {
        let mut run = self.bounded();
        let encode = |run: &TestRun| serde_json::to_vec(&FinishedRef::Finished { run });
        match encode(&run) {
            Ok(body) if body.len() < MAX_FRAME => body,
            _ => {
                if let Outcome::Returned { value } = &mut run.outcome {
                    *value = Value::Opaque("<result too large to send>".into());
                }
                run.output.clear();
                encode(&run).unwrap_or_default()
            }
        }
    }
}

/// Cuts every opaque description in `value` to a name's length, without recursion (the rest of
/// a value is bounded by [`RESULT_LIMIT`]).
fn bound_value(value: &mut Value) {
    let mut todo = vec![value];
    while let Some(value) = todo.pop() {
        match value {
            Value::Opaque(what) => cut_chars(what, MAX_NAME_CHARS),
            Value::List(items)
            | Value::Tuple(items)
            | Value::Set(items)
            | Value::FrozenSet(items) => todo.extend(items.iter_mut()),
            Value::Dict(pairs) => {
                for (key, item) in pairs {
                    todo.push(key);
                    todo.push(item);
                }
            }
            Value::None
            | Value::Bool(_)
            | Value::Int(_)
            | Value::Float(_)
            | Value::Str(_)
            | Value::Bytes(_) => {}
        }
    }
}

/// Keeps the first `max_chars` characters of `text`, marking the cut.
pub fn cut_chars(text: &mut String, max_chars: usize) {
    if let Some((cut, _)) = text.char_indices().nth(max_chars) {
        text.truncate(cut);
        text.push_str(" […]");
    }
}

/// Keeps at most `max_bytes` bytes of `text`, on a character boundary.
fn cut_bytes(text: &mut String, max_bytes: usize) {
    if text.len() > max_bytes {
        let mut cut = max_bytes;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
}

#[cfg(test)]
mod tests {
    use super::{ExceptionInfo, MAX_FRAME, MAX_NAME_CHARS, Outcome, TestRun};
    use crate::sandbox::frame::decode;
    use crate::sandbox::protocol::Message;
    use crate::value::Value;

    #[test]
    fn every_string_a_worker_sends_is_bounded() {
        let huge = "x".repeat(30 << 20);
        let run = TestRun {
            outcome: Outcome::Raised {
                exception: ExceptionInfo {
                    name: huge.clone(),
                    mro: vec!["y".repeat(1_000); 10_000],
                    message: huge.clone(),
                    traceback: huge.clone(),
                },
                step: Some(3),
            },
            output: huge.clone(),
            output_truncated: false,
            cpu_ms: 1,
        };
        let body = run.encode_bounded();
        assert!(body.len() < 200_000, "{} bytes", body.len());
        let opaque = TestRun::bare(Outcome::Returned {
            value: Value::List(vec![Value::Opaque("z".repeat(10_000)); 100]),
        })
        .bounded();
        let Outcome::Returned {
            value: Value::List(items),
        } = opaque.outcome
        else {
            panic!("a list")
        };
        assert!(matches!(&items[0], Value::Opaque(s) if s.chars().count() <= MAX_NAME_CHARS + 4));
    }

    #[test]
    fn a_result_too_large_for_a_frame_becomes_opaque() {
        // Control characters take six bytes each in JSON.
        let value = Value::Str("\u{1}".repeat(MAX_FRAME / 4));
        let body = TestRun::bare(Outcome::Returned { value }).encode_bounded();
        assert!(body.len() < MAX_FRAME);
        let Message::Finished { run } = decode::<Message>(&body).unwrap() else {
            panic!("a finished message")
        };
        assert!(matches!(
            run.outcome,
            Outcome::Returned {
                value: Value::Opaque(_)
            }
        ));
    }

    #[test]
    fn results_over_the_budget_become_opaque_on_either_side() {
        use crate::value::{MAX_NODES, MAX_TEXT_BYTES, dismantle};
        let over = [
            Value::List(vec![Value::None; MAX_NODES + 1_000]),
            Value::List(vec![Value::str("x".repeat(1 << 20)); MAX_TEXT_BYTES >> 19]),
            (0..100_000).fold(Value::None, |inner, _| Value::List(vec![inner])),
        ];
        for value in over {
            let run = TestRun::bare(Outcome::Returned { value }).bounded();
            let opaque = matches!(
                &run.outcome,
                Outcome::Returned { value: Value::Opaque(what) } if what.contains("too large")
            );
            assert!(opaque, "{:?}", run.outcome);
        }
        // A result at the converter's limits passes as it is.
        let deep = (0..101).fold(Value::None, |inner, _| Value::List(vec![inner]));
        let run = TestRun::bare(Outcome::Returned {
            value: Value::List(vec![deep]),
        })
        .bounded();
        let Outcome::Returned { value } = run.outcome else {
            panic!("a result")
        };
        assert!(matches!(&value, Value::List(items) if matches!(items[0], Value::List(_))));
        dismantle(value);
    }

    #[test]
    fn syntax_errors_are_bounded() {
        let error = super::SyntaxErrorInfo {
            kind: "K".repeat(1 << 20),
            message: "m".repeat(30 << 20),
            line: 1,
            column: 1,
        }
        .bounded();
        assert!(error.kind.len() < MAX_NAME_CHARS + 8);
        assert!(error.message.len() < super::MAX_MESSAGE_CHARS + 8);
    }
}
