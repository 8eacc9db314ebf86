//! Reporters for `pygrade batch --manifest`: a row per candidate folder with each challenge's
//! score and the weighted total, as a terminal table, CSV or JSON.

use crate::batch::RowStatus;
use crate::batch::combined::CombinedReport;
use crate::report::escape;

/// The terminal table: candidate, `score/max` per challenge, total, pass (no colour).
pub fn table(report: &CombinedReport) -> String {
    let width = report
        .candidates
        .iter()
        .map(|c| escape::line(&c.path).chars().count())
        .max()
        .unwrap_or(0)
        .clamp(9, 60);
    let mut out = format!("{:<width$}", "candidate");
    for part in &report.challenges {
        out.push_str(&format!(
            "  {:>12}",
            cut(&escape::line(&part.challenge), 12)
        ));
    }
    out.push_str("   total  result\n");
    for candidate in &report.candidates {
        out.push_str(&format!(
            "{:<width$}",
            cut(&escape::line(&candidate.path), width)
        ));
        for (part, score) in report.challenges.iter().zip(&candidate.scores) {
            let cell = match score.status {
                RowStatus::Graded | RowStatus::Empty | RowStatus::NotUtf8 => {
                    format!("{}/{}", score.score, part.max_score)
                }
                other => other.as_str().replace('_', " "),
            };
            out.push_str(&format!("  {cell:>12}"));
        }
        let result = if candidate.passed { "pass" } else { "fail" };
        out.push_str(&format!("  {:>5.1}%  {result}\n", candidate.total * 100.0));
    }
    out.push_str(&summary(report));
    out
}

/// What passes, in words: `70.0%` (the threshold) or `every test` (none set).
pub(crate) fn threshold_words(report: &CombinedReport) -> String {
    report
        .threshold
        .map_or_else(|| "every test".to_owned(), |t| format!("{:.1}%", t * 100.0))
}

fn summary(report: &CombinedReport) -> String {
    let count = report.candidates.len();
    let passed = report.candidates.iter().filter(|c| c.passed).count();
    let mean = if count == 0 {
        0.0
    } else {
        report.candidates.iter().map(|c| c.total).sum::<f64>() / count as f64 * 100.0
    };
    let threshold = threshold_words(report);
    format!("\n{count} candidates, mean total {mean:.1}%, {passed} passed (pass: {threshold})\n")
}

/// CSV: `path, <challenge> score..., total, passed`, then what reproduces each score: every
/// answer file's SHA-256, every challenge's SHA-256 and pygrade's version. Formula-like fields
/// are neutralised.
pub fn csv(report: &CombinedReport) -> String {
    let mut writer = csv::WriterBuilder::new().from_writer(Vec::new());
    let mut header = vec!["path".to_owned()];
    let ids = || report.challenges.iter().map(|p| p.challenge.clone());
    header.extend(ids());
    header.extend(["total".to_owned(), "passed".to_owned()]);
    header.extend(ids().map(|id| format!("{id} file sha256")));
    header.extend(ids().map(|id| format!("{id} challenge sha256")));
    header.push("pygrade version".to_owned());
    let _ = writer.write_record(header.iter().map(|h| super::csv::neutralise(h)));
    for candidate in &report.candidates {
        let mut row = vec![super::csv::neutralise(&candidate.path)];
        row.extend(candidate.scores.iter().map(|s| s.score.to_string()));
        row.push(format!("{:.4}", candidate.total));
        row.push(candidate.passed.to_string());
        row.extend(
            candidate
                .scores
                .iter()
                .map(|s| s.file_sha256.clone().unwrap_or_default()),
        );
        row.extend(report.challenges.iter().map(|p| p.challenge_sha256.clone()));
        row.push(report.pygrade_version.clone());
        let _ = writer.write_record(&row);
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The combined report as one pretty-printed JSON object.
pub fn json(report: &CombinedReport) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
        + "\n"
}

fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        let mut kept: String = text.chars().take(width.saturating_sub(1)).collect();
        kept.push('…');
        kept
    }
}
