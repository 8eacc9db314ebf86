//! `pygrade ci`'s reports, all from one [`CombinedReport`] of a single candidate: the terminal
//! text, JUnit XML, Gradescope's `results.json`, and GitHub Actions' annotations and step summary.
//! Pure functions, like every reporter; `command::ci` decides which are written where.
//!
//! Each carries what reproduces the score: pygrade's version and the SHA-256 of every graded
//! file and challenge. Hidden tests contribute their name, status and pygrade's closed-set
//! message only, unless the report was made with `--reveal`.

pub mod github;
pub mod gradescope;
pub mod junit;

use std::fmt::Write as _;

pub(crate) use super::batch::combined::threshold_words;
use super::escape;
use super::human::{self, BOLD, GREEN, RED, Style};
use crate::batch::combined::{CandidateRow, CombinedReport, Part};
use crate::batch::{Entry, RowStatus};
use crate::grade::Details;

/// Each manifest entry with the row graded for it, in manifest order.
pub(crate) fn graded(report: &CombinedReport) -> impl Iterator<Item = (&Part, &Entry)> {
    report
        .challenges
        .iter()
        .zip(&report.reports)
        .filter_map(|(part, batch)| batch.submissions.first().map(|entry| (part, entry)))
}

/// The one candidate's row.
pub(crate) fn candidate(report: &CombinedReport) -> Option<&CandidateRow> {
    report.candidates.first()
}

/// The most characters of a test's details any CI artefact holds; the JSON report has them all.
const MAX_DETAIL_CHARS: usize = 16_000;

/// `text`, cut to [`MAX_DETAIL_CHARS`] with a note when longer.
pub(crate) fn bounded(text: String) -> String {
    match text.char_indices().nth(MAX_DETAIL_CHARS) {
        Some((at, _)) => format!("{}\n[… cut: see pygrade's JSON report]\n", &text[..at]),
        None => text,
    }
}

/// A visible test's (or, with `--reveal`, any test's) details as plain text.
pub(crate) fn description(details: &Details) -> String {
    let mut text = format!("input:\n{}\n", details.input);
    if let Some(diff) = &details.diff {
        let _ = write!(text, "\ndiff (- expected, + actual):\n{diff}\n");
    } else {
        if let Some(expected) = &details.expected {
            let _ = write!(text, "\nexpected:\n{expected}\n");
        }
        if let Some(actual) = &details.actual {
            let _ = write!(text, "\nactual:\n{actual}\n");
        }
    }
    if let Some(exception) = &details.exception {
        let _ = write!(
            text,
            "\nexception:\n{}: {}\n",
            exception.name, exception.message
        );
        if !exception.traceback.trim().is_empty() {
            let _ = writeln!(text, "{}", exception.traceback);
        }
    }
    if !details.output.is_empty() {
        let _ = write!(text, "\noutput:\n{}\n", details.output);
    }
    bounded(text)
}

/// The terminal report: each entry's human report under a heading, then the total.
pub fn text(report: &CombinedReport, style: &Style) -> String {
    let mut out = String::new();
    for (part, entry) in graded(report) {
        let heading = format!(
            "── {} · {} · weight {} ",
            escape::line(&part.challenge),
            escape::line(&part.file),
            part.weight
        );
        let _ = writeln!(out, "{}", style.paint(BOLD, &format!("{heading:─<72}")));
        if let Some(note) = entry
            .note
            .as_deref()
            .filter(|_| entry.status != RowStatus::Graded)
        {
            let _ = writeln!(out, "{}", escape::line(note));
        }
        out.push_str(&human::render(&entry.report, style));
        out.push('\n');
    }
    out.push_str(&total_line(report, style));
    out
}

/// `TOTAL 72.5% (pass: 70.0%)  PASSED`, and what graded it.
fn total_line(report: &CombinedReport, style: &Style) -> String {
    let Some(row) = candidate(report) else {
        return String::new();
    };
    let verdict = if row.passed {
        style.paint(GREEN, "PASSED")
    } else {
        style.paint(RED, "FAILED")
    };
    format!(
        "{}  {:.1}% (pass: {})  {verdict}\npygrade {}\n",
        style.paint(BOLD, "TOTAL"),
        row.total * 100.0,
        threshold_words(report),
        report.pygrade_version
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn bounded_cuts_long_text_only() {
        assert_eq!(super::bounded("short".into()), "short");
        let long = "é".repeat(super::MAX_DETAIL_CHARS + 5);
        let cut = super::bounded(long);
        assert!(cut.ends_with("[… cut: see pygrade's JSON report]\n"));
        assert_eq!(
            cut.chars().filter(|&c| c == 'é').count(),
            super::MAX_DETAIL_CHARS
        );
    }
}
