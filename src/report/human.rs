//! The human report: one line per test, details (input, diff, exception, output) for tests that
//! did not pass and may be shown, a syntax error with a caret, and a summary line. Colour only when
//! asked for (a terminal without `NO_COLOR`).
//!
//! Text pygrade did not write is shown through `report::escape`: one-line fields with every control
//! visible, and multi-line text behind a gutter (`    │ `), so no line of it starts where a
//! report line does.

use std::fmt::Write as _;

use super::escape;
use crate::challenge::Visibility;
use crate::grade::{Details, Problem, Report, Status, TestReport};

/// A terminal shows at most this many diff lines per test; the JSON report has them all.
const MAX_DIFF_LINES: usize = 120;

/// Marks every line of a block of text pygrade did not write (output, traceback, diff).
const GUTTER: &str = "│";

pub(crate) const RESET: &str = "\x1b[0m";
pub(crate) const BOLD: &str = "\x1b[1m";
pub(crate) const DIM: &str = "\x1b[2m";
pub(crate) const RED: &str = "\x1b[31m";
pub(crate) const GREEN: &str = "\x1b[32m";
pub(crate) const YELLOW: &str = "\x1b[33m";
pub(crate) const CYAN: &str = "\x1b[36m";

pub struct Style {
    color: bool,
}

impl Style {
    pub fn new(color: bool) -> Self {
        Style { color }
    }

    /// Whether colour is on.
    pub(crate) fn color(&self) -> bool {
        self.color
    }

    pub(crate) fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_owned()
        }
    }
}

/// The human report. Every piece of text pygrade did not write goes through `report::escape`: fields
/// on one line with every control made visible, multi-line text (output, tracebacks, diffs) in a
/// block whose every line starts with a gutter, so nothing the submission prints can draw on the
/// terminal or pass for a report line. Only pygrade's own colours are escape sequences.
pub fn render(report: &Report, style: &Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} {} ({})",
        style.paint(BOLD, &escape::line(&report.submission)),
        style.paint(DIM, "·"),
        escape::line(&report.challenge.id),
        escape::line(&report.challenge.title)
    );
    if let Some(problem) = &report.problem {
        render_problem(&mut out, &report.submission, problem, style);
    }
    if !report.missing_entry_points.is_empty() {
        let names: Vec<String> = report
            .missing_entry_points
            .iter()
            .map(|n| format!("`{}`", escape::line(n)))
            .collect();
        let _ = writeln!(
            out,
            "{}",
            style.paint(
                YELLOW,
                &format!(
                    "warning: the challenge needs {} at module level",
                    names.join(", ")
                )
            )
        );
    }
    let _ = writeln!(out);
    render_test_lines(&mut out, &report.tests, style);
    for test in report.tests.iter().filter(|t| t.status != Status::Pass) {
        if let Some(details) = &test.details {
            render_details(&mut out, test, details, style);
        }
    }
    let _ = writeln!(out);
    render_summary(&mut out, report, style);
    out
}

/// The submission-level problem, with the offending source line and a caret under its column.
fn render_problem(out: &mut String, submission: &str, problem: &Problem, style: &Style) {
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{}",
        style.paint(
            RED,
            &format!(
                "{}:{}:{}: {}: {}",
                escape::line(submission),
                problem.line,
                problem.column,
                escape::line(&problem.kind),
                escape::line(&problem.message)
            )
        )
    );
    if let Some(line) = &problem.source_line {
        let gutter = problem.line.to_string();
        let pad = " ".repeat(gutter.len());
        // The caret goes under the escaped text, so count what the escaped prefix shows.
        let before: String = line
            .chars()
            .take(problem.column.saturating_sub(1))
            .collect();
        let lead = " ".repeat(escape::line(&before).chars().count());
        let _ = writeln!(
            out,
            "{pad} |\n{gutter} | {}\n{pad} | {lead}{}",
            escape::line(line),
            style.paint(RED, "^")
        );
    }
}

/// One line per test: status, name, visibility and the message.
fn render_test_lines(out: &mut String, tests: &[TestReport], style: &Style) {
    let names: Vec<_> = tests.iter().map(|t| escape::line(&t.name)).collect();
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    for (test, name) in tests.iter().zip(&names) {
        let label = format!("{:<8}", label(test.status));
        let visibility = if test.visibility == Visibility::Hidden {
            style.paint(DIM, "hidden ")
        } else {
            "visible".to_owned()
        };
        let message = test
            .message
            .as_deref()
            .map(|m| format!("  {}", style.paint(DIM, &escape::line(m))))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} {name:<width$}  {visibility}{message}",
            style.paint(color(test.status), &label),
        );
    }
}

/// The closing line: verdict, score, and how many hidden tests failed.
fn render_summary(out: &mut String, report: &Report, style: &Style) {
    let hidden_failed = report
        .tests
        .iter()
        .filter(|t| t.status != Status::Pass && t.details.is_none())
        .count();
    let verdict = if report.passed {
        style.paint(GREEN, "PASSED")
    } else {
        style.paint(RED, "FAILED")
    };
    let mut summary = format!(
        "{verdict}  score {}/{}  ·  {} of {} tests passed",
        report.score, report.max_score, report.tests_passed, report.tests_total
    );
    if hidden_failed > 0 {
        let _ = write!(
            summary,
            "  ·  {hidden_failed} hidden test{} failed",
            if hidden_failed == 1 { "" } else { "s" }
        );
    }
    let _ = writeln!(out, "{summary}");
}

fn render_details(out: &mut String, test: &TestReport, details: &Details, style: &Style) {
    let _ = writeln!(
        out,
        "\n{} {}",
        style.paint(
            color(test.status),
            &format!("── {} {}", label(test.status), escape::line(&test.name))
        ),
        style.paint(color(test.status), &"─".repeat(40))
    );
    section(out, "input", &details.input, style);
    if let Some(diff) = &details.diff {
        render_diff(out, diff, style);
    } else {
        if let Some(expected) = &details.expected {
            section(out, "expected", expected, style);
        }
        if let Some(actual) = &details.actual {
            section(out, "actual", actual, style);
        }
    }
    if let Some(exception) = &details.exception {
        let text = if exception.traceback.trim().is_empty() {
            format!("{}: {}", exception.name, exception.message)
        } else {
            exception.traceback.clone()
        };
        section(out, "exception", &text, style);
    }
    if !details.output.is_empty() {
        section(out, "output", &details.output, style);
        if details.output_truncated {
            let _ = writeln!(out, "    {}", style.paint(DIM, "[… output cut]"));
        }
    }
}

/// The diff, coloured by line kind, at most [`MAX_DIFF_LINES`] lines.
fn render_diff(out: &mut String, diff: &str, style: &Style) {
    let _ = writeln!(
        out,
        "  {}",
        style.paint(BOLD, "diff (- expected, + actual):")
    );
    let mut shown = 0;
    for line in escape::lines(diff) {
        shown += 1;
        if shown > MAX_DIFF_LINES {
            continue;
        }
        let painted = match line.chars().next() {
            Some('-') if !line.starts_with("---") => style.paint(RED, &line),
            Some('+') if !line.starts_with("+++") => style.paint(GREEN, &line),
            Some('@') => style.paint(CYAN, &line),
            _ => line.into_owned(),
        };
        block_line(out, &painted, style);
    }
    if shown > MAX_DIFF_LINES {
        let _ = writeln!(
            out,
            "    {}",
            style.paint(
                DIM,
                &format!(
                    "… {} more diff lines (see `--format json`)",
                    shown - MAX_DIFF_LINES
                )
            )
        );
    }
}

/// A titled block of text pygrade did not write: every line escaped and behind the gutter.
fn section(out: &mut String, title: &str, body: &str, style: &Style) {
    let _ = writeln!(out, "  {}", style.paint(BOLD, &format!("{title}:")));
    for line in escape::lines(body) {
        block_line(out, &line, style);
    }
}

/// One line of a block: indented, behind the gutter, so it never starts where a report line does.
fn block_line(out: &mut String, line: &str, style: &Style) {
    let gutter = style.paint(DIM, GUTTER);
    if line.is_empty() {
        let _ = writeln!(out, "    {gutter}");
    } else {
        let _ = writeln!(out, "    {gutter} {line}");
    }
}

fn label(status: Status) -> &'static str {
    match status {
        Status::Pass => "PASS",
        Status::Fail => "FAIL",
        Status::Error => "ERROR",
        Status::Timeout => "TIMEOUT",
        Status::MemoryLimit => "MEMORY",
        Status::OutputLimit => "OUTPUT",
        Status::Crashed => "CRASHED",
    }
}

/// The colour a status is shown in, in every terminal report.
pub(crate) fn color(status: Status) -> &'static str {
    match status {
        Status::Pass => GREEN,
        Status::Fail | Status::Error | Status::Crashed => RED,
        Status::Timeout | Status::MemoryLimit | Status::OutputLimit => YELLOW,
    }
}
