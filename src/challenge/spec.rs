//! Serde types for `challenge.toml`, exactly as written: strict keys, spans kept for messages.
//! `load` turns them into the `model`. The same types describe the file as a JSON Schema
//! (`pygrade schema challenge`); the doc comments on their fields are the descriptions editors
//! show, so they state what `load` accepts.

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use super::model::{Difficulty, Visibility};
use super::node::Node;
use super::schema::{AllowedModule, KeywordArgs, OpList, PositionalArgs};

/// A pygrade challenge: a prompt, a starter, and the tests a submission must pass.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ChallengeSpec {
    /// The challenge id: lowercase letters, digits and `_`. In the bank or a `--challenges`
    /// folder it must equal the folder (or file) name.
    #[schemars(with = "String", regex(pattern = r"^[a-z0-9_]+$"))]
    pub id: Spanned<String>,
    /// The title `pygrade list` and reports show.
    pub title: String,
    /// How hard the challenge is.
    pub difficulty: Difficulty,
    /// Free-form labels, shown by `pygrade list`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Markdown shown by `pygrade show`: the contract, precisely.
    pub prompt: String,
    /// Names the submission must define at module level; `entry[0]` is what a test calls or
    /// builds unless it names another (which must be listed here).
    #[schemars(with = "Vec<String>", length(min = 1))]
    pub entry: Spanned<Vec<String>>,
    /// The code a candidate starts from (`pygrade init`).
    pub starter: String,
    /// Resource limits for every test.
    #[serde(default)]
    pub limits: Option<LimitsSpec>,
    /// What a submission can import and the virtual filesystem it sees.
    #[serde(default)]
    pub sandbox: Option<SandboxSpec>,
    /// The tests, in order; names unique; weights add up to at most 1000000.
    #[schemars(with = "Vec<TestSpec>", length(min = 1))]
    pub tests: Spanned<Vec<Spanned<TestSpec>>>,
}

/// Resource limits for each test; every key is optional.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct LimitsSpec {
    /// CPU seconds per test: more than 0, at most 600 (default 2.0).
    #[schemars(with = "Option<f64>", extend("exclusiveMinimum" = 0, "maximum" = 600))]
    pub time: Option<Spanned<f64>>,
    /// Memory per test in MiB, 32 to 65536 (default 256).
    #[schemars(with = "Option<u64>", range(min = 32, max = 65_536))]
    pub memory_mib: Option<Spanned<u64>>,
    /// Captured stdout per test in KiB, 1 to 1048576 (default 1024).
    #[schemars(with = "Option<u64>", range(min = 1, max = 1_048_576))]
    pub output_kib: Option<Spanned<u64>>,
    /// The recursion limit the submission starts with, 50 to 1000000 (default 10000).
    #[schemars(with = "Option<u32>", range(min = 50, max = 1_000_000))]
    pub recursion: Option<Spanned<u32>>,
}

/// The sandbox every test starts in; every key is optional.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct SandboxSpec {
    /// Narrows the importable modules to these; each must be on pygrade's default list.
    #[schemars(with = "Option<Vec<AllowedModule>>")]
    pub allow_modules: Option<Spanned<Vec<String>>>,
    /// Modules taken away from the importable ones.
    #[serde(default)]
    pub deny_modules: Vec<String>,
    /// Files in the virtual filesystem, by path relative to `cwd`: plain relative paths (no
    /// leading `/`, no `.` or `..` parts, no empty parts), at most 1024 bytes, none inside
    /// another file.
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, String>")]
    pub files: std::collections::BTreeMap<Spanned<String>, String>,
    /// The working directory every test starts in: a plain absolute path (default
    /// `/workspace`).
    #[schemars(with = "Option<String>")]
    pub cwd: Option<Spanned<String>>,
}

/// What a test does.
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(super) enum Kind {
    /// Calls `function(*args, **kwargs)` and compares the result with `expect`.
    Call,
    /// Builds `class(*args, **kwargs)`, calls each of `ops` in order, and compares the list of
    /// results with `expect`.
    Ops,
    /// Like `call` (or `ops` when `ops` is present), but the call (or the last op) must raise
    /// `raises`.
    Raises,
    /// Runs `script` in a copy of the submission's namespace; `expect` is the list of values
    /// it passed to `observe`.
    Script,
}

/// How `expect` is compared with the result.
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(super) enum CompareMode {
    /// Equal by exact builtin type and value.
    Exact,
    /// The outer list or tuple is compared as a multiset (order does not matter).
    Unordered,
}

/// One test. Which keys apply depends on `kind`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct TestSpec {
    /// The test's name, unique in the challenge: lowercase letters, digits and `_`.
    #[schemars(with = "String", regex(pattern = r"^[a-z0-9_]+$"))]
    pub name: Spanned<String>,
    /// Whether a candidate sees the test's values in reports (default `hidden`).
    pub visibility: Option<Visibility>,
    /// The test's share of the score (default 1).
    #[schemars(with = "Option<u32>", range(max = 1_000_000))]
    pub weight: Option<Spanned<u32>>,
    /// What the test does (default `call`).
    pub kind: Option<Kind>,
    /// `call`, `raises`: the function called, one of `entry` (default `entry[0]`).
    #[schemars(with = "Option<String>")]
    pub function: Option<Spanned<String>>,
    /// `ops`, `raises` with `ops`: the class built, one of `entry` (default `entry[0]`).
    #[schemars(with = "Option<String>")]
    pub class: Option<Spanned<String>>,
    /// `call`, `ops`, `raises`: positional arguments, an array (or a `{ py = "..." }` list or
    /// tuple literal).
    #[schemars(with = "Option<PositionalArgs>")]
    pub args: Option<Spanned<Node>>,
    /// `call`, `ops`, `raises`: keyword arguments, a table whose keys are Python names.
    #[schemars(with = "Option<KeywordArgs>")]
    pub kwargs: Option<Spanned<Node>>,
    /// `ops`, `raises`: the method calls, in order, each an array `["method", arg, ...]`.
    #[schemars(with = "Option<OpList>")]
    pub ops: Option<Spanned<Node>>,
    /// `call`, `ops`, `script`: the expected value (any TOML value; `{ py = "..." }` for a
    /// Python literal). For `ops` and `script`, a list with one value per op or observation.
    #[schemars(with = "Option<Node>")]
    pub expect: Option<Spanned<Node>>,
    /// How `expect` is compared (default `exact`); `unordered` needs a list or tuple.
    #[schemars(with = "Option<CompareMode>")]
    pub compare: Option<Spanned<CompareMode>>,
    /// Floats (and int/float pairs) compare with `math.isclose(rel_tol=abs_tol=tolerance)`;
    /// a non-negative number.
    #[schemars(with = "Option<f64>", range(min = 0))]
    pub tolerance: Option<Spanned<f64>>,
    /// `raises`: the name of the exception class (or a base class) that must be raised, such
    /// as `KeyError`.
    #[schemars(with = "Option<String>")]
    pub raises: Option<Spanned<String>>,
    /// `raises`: if set, must equal `str(exception)`.
    pub message: Option<String>,
    /// `script`: Python run after the submission is loaded, with `observe(value)` and `clock`.
    #[schemars(with = "Option<String>")]
    pub script: Option<Spanned<String>>,
    /// CPU seconds for this test, overriding `[limits] time`: more than 0, at most 600.
    #[schemars(with = "Option<f64>", extend("exclusiveMinimum" = 0, "maximum" = 600))]
    pub time: Option<Spanned<f64>>,
}
