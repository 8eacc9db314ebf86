//! `pygrade batch --manifest`: several challenges per candidate. One [`BatchReport`] per
//! manifest entry, and a row per candidate folder with each challenge's score and the weighted
//! total.

use serde::{Deserialize, Serialize};

use super::model::{BATCH_SCHEMA_VERSION, BatchReport};
use crate::manifest::{Manifest, ManifestEntry};

/// The whole manifest batch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CombinedReport {
    pub schema_version: u32,
    pub pygrade_version: String,
    /// The manifest's entries, in its order: the columns of the candidate table.
    pub challenges: Vec<Part>,
    /// The manifest's `[pass] threshold`, if any.
    pub threshold: Option<f64>,
    /// One per candidate folder, sorted by `path`.
    pub candidates: Vec<CandidateRow>,
    /// Each entry's full batch report, in the manifest's order.
    pub reports: Vec<BatchReport>,
}

/// One manifest entry as a column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    pub challenge: String,
    pub title: String,
    /// Hex SHA-256 of the challenge's TOML text: which version of it graded.
    pub challenge_sha256: String,
    pub file: String,
    pub weight: u32,
    pub max_score: u32,
}

impl Part {
    /// The column of one manifest entry.
    pub fn of(entry: &ManifestEntry) -> Part {
        let challenge = &entry.challenge;
        Part {
            challenge: challenge.id.clone(),
            title: challenge.title.clone(),
            challenge_sha256: challenge.sha256.clone(),
            file: entry.file.clone(),
            weight: entry.weight,
            max_score: challenge.tests.iter().map(|t| t.weight).sum(),
        }
    }
}

/// One candidate folder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CandidateRow {
    pub path: String,
    /// Per entry: the score, and the row's status (`graded`, `no_answer`, ...).
    pub scores: Vec<PartScore>,
    /// The weighted share of the total, 0.0 to 1.0.
    pub total: f64,
    /// At or above the threshold (every test of every entry when there is none).
    pub passed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartScore {
    pub score: u32,
    /// Hex SHA-256 of the answer file graded; absent when nothing could be read.
    pub file_sha256: Option<String>,
    pub status: super::RowStatus,
    pub all_passed: bool,
}

impl CombinedReport {
    /// Joins per-entry reports on the candidate folder: `owners[i]` is the folder of the rows
    /// whose path starts with it (`alice/` for `alice/solutions/lru.py`).
    pub fn join(
        parts: Vec<Part>,
        reports: Vec<BatchReport>,
        owners: &[String],
        manifest: &Manifest,
    ) -> CombinedReport {
        let threshold = manifest.threshold;
        let candidates = owners
            .iter()
            .map(|owner| {
                let scores: Vec<PartScore> = reports
                    .iter()
                    .map(|report| score_of(report, owner))
                    .collect();
                let pairs: Vec<(u32, u32)> = parts
                    .iter()
                    .zip(&scores)
                    .map(|(part, s)| (s.score, part.max_score))
                    .collect();
                let total = manifest.total(&pairs);
                let passed = manifest
                    .passed(total)
                    .unwrap_or_else(|| scores.iter().all(|s| s.all_passed));
                CandidateRow {
                    path: owner.clone(),
                    scores,
                    total,
                    passed,
                }
            })
            .collect();
        CombinedReport {
            schema_version: BATCH_SCHEMA_VERSION,
            pygrade_version: env!("CARGO_PKG_VERSION").to_owned(),
            challenges: parts,
            threshold,
            candidates,
            reports,
        }
    }
}

fn score_of(report: &BatchReport, owner: &str) -> PartScore {
    report
        .submissions
        .iter()
        .find(|e| e.path.starts_with(owner))
        .map_or(
            PartScore {
                score: 0,
                file_sha256: None,
                status: super::RowStatus::NoAnswer,
                all_passed: false,
            },
            |e| PartScore {
                score: e.report.score,
                file_sha256: e.hash.clone(),
                status: e.status,
                all_passed: e.report.passed,
            },
        )
}
