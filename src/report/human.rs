//! The human report: one line per test, details (input, diff, exception, output) for tests that
//! did not pass and may be shown, a syntax error with a caret, and a summary line. Colour only when
//! asked for (a terminal without `NO_COLOR`).

use std::fmt::Write as _;

use crate::challenge::Visibility;
use crate::grade::{Details, Report, Status, TestReport};

/// A terminal shows at most this many diff lines per test; the JSON report has them all.
const MAX_DIFF_LINES: usize = 120;

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const CYAN: &str = "\x1b[36m";

pub struct Style {
    color: bool,
}

impl Style {
    pub fn new(color: bool) -> Self {
        Style { color }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_owned()
        }
    }
}

pub fn render(report: &Report, style: &Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} {} ({})",
        style.paint(BOLD, &report.submission),
        style.paint(DIM, "·"),
        report.challenge.id,
        report.challenge.title
    );
    if let Some(problem) = &report.problem {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}",
            style.paint(
                RED,
                &format!(
                    "{}:{}:{}: {}: {}",
                    report.submission, problem.line, problem.column, problem.kind, problem.message
                )
            )
        );
        if let Some(line) = &problem.source_line {
            let gutter = problem.line.to_string();
            let pad = " ".repeat(gutter.len());
            let lead: String = line
                .chars()
                .take(problem.column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let _ = writeln!(
                out,
                "{pad} |\n{gutter} | {line}\n{pad} | {lead}{}",
                style.paint(RED, "^")
            );
        }
    }
    if !report.missing_entry_points.is_empty() {
        let names: Vec<String> = report
            .missing_entry_points
            .iter()
            .map(|n| format!("`{n}`"))
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
    let width = report.tests.iter().map(|t| t.name.len()).max().unwrap_or(0);
    for test in &report.tests {
        let label = format!("{:<8}", label(test.status));
        let visibility = if test.visibility == Visibility::Hidden {
            style.paint(DIM, "hidden ")
        } else {
            "visible".to_owned()
        };
        let message = test
            .message
            .as_deref()
            .map(|m| format!("  {}", style.paint(DIM, m)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} {:<width$}  {visibility}{message}",
            style.paint(color(test.status), &label),
            test.name
        );
    }
    for test in report.tests.iter().filter(|t| t.status != Status::Pass) {
        if let Some(details) = &test.details {
            render_details(&mut out, test, details, style);
        }
    }
    let _ = writeln!(out);
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
    out
}

fn render_details(out: &mut String, test: &TestReport, details: &Details, style: &Style) {
    let _ = writeln!(
        out,
        "\n{} {}",
        style.paint(
            color(test.status),
            &format!("── {} {}", label(test.status), test.name)
        ),
        style.paint(color(test.status), &"─".repeat(40))
    );
    section(out, "input", &details.input, style);
    if let Some(diff) = &details.diff {
        let _ = writeln!(
            out,
            "  {}",
            style.paint(BOLD, "diff (- expected, + actual):")
        );
        let lines: Vec<&str> = diff.lines().collect();
        for line in lines.iter().take(MAX_DIFF_LINES) {
            let painted = match line.chars().next() {
                Some('-') if !line.starts_with("---") => style.paint(RED, line),
                Some('+') if !line.starts_with("+++") => style.paint(GREEN, line),
                Some('@') => style.paint(CYAN, line),
                _ => (*line).to_owned(),
            };
            let _ = writeln!(out, "    {painted}");
        }
        if lines.len() > MAX_DIFF_LINES {
            let _ = writeln!(
                out,
                "    {}",
                style.paint(
                    DIM,
                    &format!(
                        "… {} more diff lines (see `--format json`)",
                        lines.len() - MAX_DIFF_LINES
                    )
                )
            );
        }
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
        let mut output = details.output.clone();
        if details.output_truncated {
            output.push_str("\n[… output cut]");
        }
        section(out, "output", &output, style);
    }
}

fn section(out: &mut String, title: &str, body: &str, style: &Style) {
    let _ = writeln!(out, "  {}", style.paint(BOLD, &format!("{title}:")));
    for line in body.lines() {
        let _ = writeln!(out, "    {line}");
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

fn color(status: Status) -> &'static str {
    match status {
        Status::Pass => GREEN,
        Status::Fail | Status::Error | Status::Crashed => RED,
        Status::Timeout | Status::MemoryLimit | Status::OutputLimit => YELLOW,
    }
}
