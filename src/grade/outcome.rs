//! The [`Report`]: the engine's whole answer, serialised as-is by the JSON reporter. This is an
//! external contract: bump [`SCHEMA_VERSION`] on any breaking change and keep README in step.
//!
//! Hidden tests carry only their name, status, weight and a message that names no input or
//! value; `details` exists only for visible tests, or for every test under `--reveal`.

use serde::{Deserialize, Serialize};

use crate::challenge::Visibility;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub challenge: ChallengeInfo,
    /// The submission's path as given on the command line.
    pub submission: String,
    /// Every test passed.
    pub passed: bool,
    /// Sum of the weights of passing tests.
    pub score: u32,
    pub max_score: u32,
    pub tests_passed: usize,
    pub tests_total: usize,
    /// Why the submission could not run at all (syntax error, bad encoding, too large).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<Problem>,
    /// Modules the submission imports (static, from the parser).
    pub imports: Vec<String>,
    /// Entry points the challenge needs that the submission does not define at module level.
    pub missing_entry_points: Vec<String>,
    /// Whether hidden tests' details are included (`--reveal`).
    pub revealed: bool,
    pub tests: Vec<TestReport>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChallengeInfo {
    pub id: String,
    pub title: String,
}

/// A submission-level problem, located in the source.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Problem {
    /// `SyntaxError`, `IndentationError`, `TabError`, or `TooLarge`.
    pub kind: String,
    pub message: String,
    pub line: usize,
    pub column: usize,
    /// The offending source line, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_line: Option<String>,
}

impl Problem {
    pub(crate) fn new(kind: &str, message: String, line: usize, column: usize) -> Self {
        Problem {
            kind: kind.to_owned(),
            message,
            line,
            column,
            source_line: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    /// Ran, but the result (or the exception) was not the expected one.
    Fail,
    /// Raised where a value was expected, is missing its entry point, or did not compile.
    Error,
    Timeout,
    MemoryLimit,
    OutputLimit,
    /// The worker died (a signal, a VM panic).
    Crashed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::Timeout => "timeout",
            Status::MemoryLimit => "memory_limit",
            Status::OutputLimit => "output_limit",
            Status::Crashed => "crashed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestReport {
    pub name: String,
    pub visibility: Visibility,
    pub status: Status,
    pub weight: u32,
    /// `weight` when the test passed, else 0.
    pub score: u32,
    /// Why it did not pass, in words that reveal no input or expected value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// CPU time the test used in the worker (visible tests, or `--reveal`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_ms: Option<u64>,
    /// Inputs, expected and actual values, diff and output: visible tests, or `--reveal`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Details>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Details {
    /// What the test ran: a call, an op sequence or a script, as Python.
    pub input: String,
    /// `repr` of the expected value, pretty-printed (or the expected exception).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// Unified diff of expected against actual, when they differ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<ExceptionReport>,
    /// Captured stdout and stderr (cut for display).
    pub output: String,
    pub output_truncated: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExceptionReport {
    pub name: String,
    pub message: String,
    pub traceback: String,
}
