//! Gradescope's `results.json` (its autograder specification): the total as points, a test per
//! pygrade test with its share of the points, and what graded it in `extra_data`.
//!
//! Points: each manifest entry is worth its `weight`, shared among its tests by their weights,
//! so the top-level score is the manifest's total share times the sum of the weights.

use serde::Serialize;

use super::{candidate, graded};
use crate::batch::combined::CombinedReport;
use crate::challenge::Visibility;
use crate::grade::Status;

/// When Gradescope shows a hidden test to the student.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum HiddenVisibility {
    /// Once the instructor publishes grades (`after_published`).
    AfterPublished,
    /// Never (`hidden`).
    Hidden,
}

#[derive(Serialize)]
struct Results {
    score: f64,
    max_score: f64,
    output: String,
    output_format: &'static str,
    visibility: &'static str,
    tests: Vec<GradescopeTest>,
    extra_data: Extra,
}

#[derive(Serialize)]
struct GradescopeTest {
    name: String,
    number: String,
    score: f64,
    max_score: f64,
    status: &'static str,
    output: String,
    output_format: &'static str,
    visibility: &'static str,
    tags: Vec<String>,
}

#[derive(Serialize)]
struct Extra {
    pygrade_version: String,
    threshold: Option<f64>,
    passed: bool,
    graded: Vec<Graded>,
}

/// What reproduces one entry's score.
#[derive(Serialize)]
struct Graded {
    challenge: String,
    challenge_sha256: String,
    file: String,
    file_sha256: Option<String>,
    status: &'static str,
}

/// The whole `results.json`, pretty-printed.
pub fn render(report: &CombinedReport, hidden: HiddenVisibility) -> String {
    let results = results(report, hidden);
    serde_json::to_string_pretty(&results).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
        + "\n"
}

fn results(report: &CombinedReport, hidden: HiddenVisibility) -> Results {
    let max_score: f64 = report.challenges.iter().map(|p| f64::from(p.weight)).sum();
    let row = candidate(report);
    let mut tests = Vec::new();
    let mut graded_list = Vec::new();
    for (index, (part, entry)) in graded(report).enumerate() {
        let per_weight = if part.max_score == 0 {
            0.0
        } else {
            f64::from(part.weight) / f64::from(part.max_score)
        };
        for (number, test) in entry.report.tests.iter().enumerate() {
            let output = match &test.details {
                Some(details) => super::description(details),
                None => test.message.clone().unwrap_or_default(),
            };
            tests.push(GradescopeTest {
                name: format!("{}: {}", part.challenge, test.name),
                number: format!("{}.{}", index + 1, number + 1),
                score: f64::from(test.score) * per_weight,
                max_score: f64::from(test.weight) * per_weight,
                status: if test.status == Status::Pass {
                    "passed"
                } else {
                    "failed"
                },
                output,
                output_format: "text",
                visibility: visibility(test.visibility, hidden),
                tags: vec![part.challenge.clone(), test.status.as_str().to_owned()],
            });
        }
        graded_list.push(Graded {
            challenge: part.challenge.clone(),
            challenge_sha256: part.challenge_sha256.clone(),
            file: part.file.clone(),
            file_sha256: entry.hash.clone(),
            status: entry.status.as_str(),
        });
    }
    let total = row.map_or(0.0, |r| r.total);
    Results {
        score: total * max_score,
        max_score,
        output: format!(
            "pygrade {}: {:.1}% of the total (pass: {})",
            report.pygrade_version,
            total * 100.0,
            super::threshold_words(report)
        ),
        output_format: "text",
        visibility: "visible",
        tests,
        extra_data: Extra {
            pygrade_version: report.pygrade_version.clone(),
            threshold: report.threshold,
            passed: row.is_some_and(|r| r.passed),
            graded: graded_list,
        },
    }
}

fn visibility(visibility: Visibility, hidden: HiddenVisibility) -> &'static str {
    match (visibility, hidden) {
        (Visibility::Visible, _) => "visible",
        (Visibility::Hidden, HiddenVisibility::AfterPublished) => "after_published",
        (Visibility::Hidden, HiddenVisibility::Hidden) => "hidden",
    }
}
