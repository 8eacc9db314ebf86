//! Serde types for `challenge.toml`, exactly as written: strict keys, spans kept for messages.
//! `load` turns them into the `model`.

use serde::Deserialize;
use toml::Spanned;

use super::model::{Difficulty, Visibility};
use super::node::Node;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ChallengeSpec {
    pub id: Spanned<String>,
    pub title: String,
    pub difficulty: Difficulty,
    #[serde(default)]
    pub tags: Vec<String>,
    pub prompt: String,
    pub entry: Spanned<Vec<String>>,
    pub starter: String,
    #[serde(default)]
    pub limits: Option<LimitsSpec>,
    #[serde(default)]
    pub sandbox: Option<SandboxSpec>,
    pub tests: Spanned<Vec<Spanned<TestSpec>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LimitsSpec {
    pub time: Option<Spanned<f64>>,
    pub memory_mib: Option<Spanned<u64>>,
    pub output_kib: Option<Spanned<u64>>,
    pub recursion: Option<Spanned<u32>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SandboxSpec {
    pub allow_modules: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub deny_modules: Vec<String>,
    /// Files in the virtual filesystem, by path relative to `cwd`.
    #[serde(default)]
    pub files: std::collections::BTreeMap<Spanned<String>, String>,
    pub cwd: Option<Spanned<String>>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(super) enum Kind {
    Call,
    Ops,
    Raises,
    Script,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(super) enum CompareMode {
    Exact,
    Unordered,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TestSpec {
    pub name: Spanned<String>,
    pub visibility: Option<Visibility>,
    pub weight: Option<Spanned<u32>>,
    pub kind: Option<Kind>,
    pub function: Option<Spanned<String>>,
    pub class: Option<Spanned<String>>,
    pub args: Option<Spanned<Node>>,
    pub kwargs: Option<Spanned<Node>>,
    pub ops: Option<Spanned<Node>>,
    pub expect: Option<Spanned<Node>>,
    pub compare: Option<Spanned<CompareMode>>,
    pub tolerance: Option<Spanned<f64>>,
    pub raises: Option<Spanned<String>>,
    pub message: Option<String>,
    pub script: Option<Spanned<String>>,
    pub time: Option<Spanned<f64>>,
}
