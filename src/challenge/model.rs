//! The validated challenge model the grader works with. Built only by `load`, so every value
//! here has passed validation.

use serde::{Deserialize, Serialize};

use crate::value::{CompareOptions, Value};

#[derive(Clone, Debug)]
pub struct Challenge {
    pub id: String,
    pub title: String,
    pub difficulty: Difficulty,
    pub tags: Vec<String>,
    pub prompt: String,
    /// Names the submission must define at module level; the first is the default target.
    pub entry: Vec<String>,
    pub starter: String,
    pub limits: Limits,
    pub sandbox: SandboxSetup,
    pub tests: Vec<TestCase>,
    /// Where it was loaded from, for messages (`builtin:lru_cache` or a file path).
    pub origin: String,
    /// Hex SHA-256 of the challenge's TOML text, as `sha256sum` prints it: which version graded.
    pub sha256: String,
}

/// How hard a challenge is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

impl Difficulty {
    pub fn as_str(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
        }
    }
}

/// Resource limits for one test of a submission.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    /// CPU seconds per test.
    pub time: f64,
    pub memory_mib: u64,
    pub output_kib: u64,
    /// The recursion limit the submission starts with.
    pub recursion: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            time: 2.0,
            memory_mib: 256,
            output_kib: 1024,
            recursion: 10_000,
        }
    }
}

/// What a test's sandbox holds: importable modules and the virtual filesystem's initial state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SandboxSetup {
    /// Top-level modules the submission may import (the default list, narrowed by the challenge).
    pub modules: Vec<String>,
    /// `(path, content)` of each file present when a test starts.
    pub files: Vec<(String, String)>,
    /// The working directory when a test starts.
    pub cwd: String,
}

impl Default for SandboxSetup {
    fn default() -> Self {
        SandboxSetup {
            modules: crate::sandbox::modules::effective(None, &[]),
            files: Vec::new(),
            cwd: DEFAULT_CWD.to_owned(),
        }
    }
}

/// Where every test starts unless the challenge says otherwise.
pub const DEFAULT_CWD: &str = "/workspace";

/// Whether a candidate sees a test's values in reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// An example in `pygrade show`; reports show its inputs and values.
    Visible,
    /// Reports show only its name and status (its values only under `--reveal`).
    Hidden,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Visible => "visible",
            Visibility::Hidden => "hidden",
        }
    }
}

#[derive(Clone, Debug)]
pub struct TestCase {
    pub name: String,
    pub visibility: Visibility,
    pub weight: u32,
    /// What runs inside the VM. This is all of the test the worker ever receives.
    pub action: Action,
    /// What the result must be. Never leaves the grader process.
    pub expectation: Expectation,
    /// CPU seconds for this test, when it overrides the challenge's limit.
    pub time: Option<f64>,
}

/// What a test does inside the VM; the only part of a test sent to the worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// `function(*args, **kwargs)`.
    Call {
        function: String,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    },
    /// `obj = class(*args, **kwargs)`, then each op in turn; the result is the list of returns.
    Ops {
        class: String,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        ops: Vec<Op>,
    },
    /// A snippet run in a copy of the submission's namespace; the result is what it observed.
    Script { code: String },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Op {
    pub method: String,
    pub args: Vec<Value>,
}

#[derive(Clone, Debug)]
pub enum Expectation {
    /// The result must match this value.
    Value {
        expect: Value,
        options: CompareOptions,
    },
    /// The call (or the last op) must raise an exception with this class name in its MRO.
    Raises {
        exception: String,
        message: Option<String>,
    },
}
