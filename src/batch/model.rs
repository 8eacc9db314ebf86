//! The batch report: one [`Entry`] per candidate (what `pygrade grade --format json` reports, plus
//! where it came from), the similarity pairs, and the summary reporters show. An external
//! contract like the single-grade report: bump [`BATCH_SCHEMA_VERSION`] on a breaking change and
//! keep README in step.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::challenge::Visibility;
use crate::grade::{Report, Status};

pub const BATCH_SCHEMA_VERSION: u32 = 1;

/// The whole batch, in path order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchReport {
    pub schema_version: u32,
    pub challenge: crate::grade::ChallengeInfo,
    pub pygrade_version: String,
    /// The challenge's tests in its order: the columns of every table.
    pub tests: Vec<TestColumn>,
    pub max_score: u32,
    /// Whether hidden tests' details are included (`--reveal`).
    pub revealed: bool,
    /// One per candidate, sorted by `path`.
    pub submissions: Vec<Entry>,
    /// Pairs of submissions whose code is suspiciously alike, most alike first.
    pub similarity: Vec<SimilarPair>,
    /// Each submission's source by `path` (for the HTML report; not part of the JSON).
    #[serde(skip)]
    pub sources: BTreeMap<String, String>,
}

/// A test as a column: enough to label it without the challenge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestColumn {
    pub name: String,
    pub visibility: Visibility,
    pub weight: u32,
}

impl TestColumn {
    pub fn new(name: &str, visibility: Visibility, weight: u32) -> TestColumn {
        TestColumn {
            name: name.to_owned(),
            visibility,
            weight,
        }
    }
}

/// How a candidate's row came about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    /// The answer file was read and graded (whatever its verdict).
    Graded,
    /// The answer file is empty: graded, every test fails for want of an entry point.
    Empty,
    /// The answer file is not UTF-8: graded as CPython would, a `SyntaxError`.
    NotUtf8,
    /// A candidate folder with no answer file found by the rule (or more than one candidate).
    NoAnswer,
    /// The answer file could not be read (permissions, not a regular file).
    Unreadable,
    /// pygrade itself failed to grade it, even on a retry; rerun to grade it again.
    GraderError,
}

impl RowStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RowStatus::Graded => "graded",
            RowStatus::Empty => "empty",
            RowStatus::NotUtf8 => "not_utf8",
            RowStatus::NoAnswer => "no_answer",
            RowStatus::Unreadable => "unreadable",
            RowStatus::GraderError => "grader_error",
        }
    }
}

/// One candidate's row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The candidate's answer file (or folder, when none was found), relative to its input.
    pub path: String,
    /// SHA-256 of the answer file's bytes, hex; absent when nothing could be read.
    pub hash: Option<String>,
    pub status: RowStatus,
    /// Why the row is not a plain grade, in pygrade's words (no answer, unreadable, ...).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub note: Option<String>,
    /// The single-grade report. For a row that could not be graded, every test is `error` with
    /// score 0.
    #[serde(flatten)]
    pub report: Report,
}

/// Two submissions that look alike.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimilarPair {
    /// The two paths, `a < b`.
    pub a: String,
    pub b: String,
    /// 0.0 to 1.0: the share of the smaller submission's fingerprints found in the other.
    pub score: f64,
    /// Matching regions, as 1-based inclusive line ranges in each file, in `a`'s order.
    pub matches: Vec<Match>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Match {
    pub a_lines: [u32; 2],
    pub b_lines: [u32; 2],
}

/// The figures a summary line shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub count: usize,
    pub mean_score: f64,
    pub median_score: f64,
    /// Candidates who passed every test.
    pub all_passed: usize,
    /// Per test, in column order: the share of candidates who passed it (0.0 to 1.0).
    pub pass_rate: Vec<f64>,
}

impl BatchReport {
    /// Count, mean and median score, and each test's pass rate.
    pub fn summary(&self) -> Summary {
        let count = self.submissions.len();
        let mut scores: Vec<u32> = self.submissions.iter().map(|e| e.report.score).collect();
        scores.sort_unstable();
        let total: u64 = scores.iter().map(|&s| u64::from(s)).sum();
        let share = |n: usize| {
            if count == 0 {
                0.0
            } else {
                n as f64 / count as f64
            }
        };
        let median_score = match count {
            0 => 0.0,
            n if n % 2 == 1 => f64::from(scores[n / 2]),
            n => (f64::from(scores[n / 2 - 1]) + f64::from(scores[n / 2])) / 2.0,
        };
        let pass_rate = (0..self.tests.len())
            .map(|i| {
                share(
                    self.submissions
                        .iter()
                        .filter(|e| {
                            e.report
                                .tests
                                .get(i)
                                .is_some_and(|t| t.status == Status::Pass)
                        })
                        .count(),
                )
            })
            .collect();
        Summary {
            count,
            mean_score: if count == 0 {
                0.0
            } else {
                total as f64 / count as f64
            },
            median_score,
            all_passed: self.submissions.iter().filter(|e| e.report.passed).count(),
            pass_rate,
        }
    }
}
