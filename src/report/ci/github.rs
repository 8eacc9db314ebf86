//! GitHub Actions: workflow-command annotations (`::error file=..,line=..,col=..::`) for answers
//! that do not compile or lack an entry point, and the Markdown step summary: a score table, each
//! failed visible test with its diff in a fenced block, and what graded it.
//!
//! Everything a candidate chose is escaped for where it lands: workflow-command properties and
//! data per GitHub's rules, Markdown text with backslashes, and code in a fence longer than any
//! run of backticks inside it.

use std::fmt::Write as _;

use super::{candidate, graded, threshold_words};
use crate::batch::combined::{CombinedReport, Part};
use crate::grade::{Status, TestReport};
use crate::report::escape;

/// GitHub truncates a step summary over 1 MiB; stop adding failed tests well before.
const MAX_SUMMARY_BYTES: usize = 512 * 1024;

/// One workflow command per line: a syntax error at its position, a missing entry point at line
/// 1, and the total when it does not pass. `prefix` is the manifest root relative to the
/// workspace (`""`, or `"sub/"`), so that annotations land on the right file.
pub fn annotations(report: &CombinedReport, prefix: &str) -> String {
    let mut out = String::new();
    for (part, entry) in graded(report) {
        let file = format!("{prefix}{}", part.file);
        if let Some(problem) = &entry.report.problem {
            let _ = writeln!(
                out,
                "::error file={},line={},col={},title={}::{}",
                property(&file),
                problem.line,
                problem.column,
                property(&problem.kind),
                data(&escape::line(&problem.message))
            );
        }
        if !entry.report.missing_entry_points.is_empty() {
            let names: Vec<String> = entry
                .report
                .missing_entry_points
                .iter()
                .map(|n| format!("`{n}`"))
                .collect();
            let message = format!(
                "{} needs {} defined at module level",
                part.challenge,
                names.join(", ")
            );
            let _ = writeln!(
                out,
                "::error file={},line=1,title=missing entry point::{}",
                property(&file),
                data(&message)
            );
        }
    }
    if let Some(row) = candidate(report).filter(|r| !r.passed) {
        let message = format!(
            "total {:.1}% does not pass (pass: {})",
            row.total * 100.0,
            threshold_words(report)
        );
        let _ = writeln!(out, "::error title=pygrade::{}", data(&message));
    }
    out
}

/// The Markdown step summary.
pub fn summary(report: &CombinedReport) -> String {
    let mut out = heading(report);
    out.push_str("| | Challenge | File | Score | Tests passed | Weight |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for (part, entry) in graded(report) {
        let mark = if entry.report.passed { "✅" } else { "❌" };
        let _ = writeln!(
            out,
            "| {mark} | {} | {} | {}/{} | {}/{} | {} |",
            text(&part.challenge),
            text(&part.file),
            entry.report.score,
            entry.report.max_score,
            entry.report.tests_passed,
            entry.report.tests_total,
            part.weight
        );
    }
    failures(&mut out, report);
    out.push_str(&provenance(report));
    out
}

fn heading(report: &CombinedReport) -> String {
    let Some(row) = candidate(report) else {
        return "### pygrade\n\n".to_owned();
    };
    let verdict = if row.passed { "passed" } else { "FAILED" };
    format!(
        "### pygrade: {verdict} · {:.1}% (pass: {})\n\n",
        row.total * 100.0,
        threshold_words(report)
    )
}

/// Each failed test whose details may be shown, and a count of the others.
fn failures(out: &mut String, report: &CombinedReport) {
    let mut hidden = 0;
    let mut cut = 0;
    let mut first = true;
    for (part, entry) in graded(report) {
        for test in entry
            .report
            .tests
            .iter()
            .filter(|t| t.status != Status::Pass)
        {
            if test.details.is_none() {
                hidden += 1;
            } else if out.len() > MAX_SUMMARY_BYTES {
                cut += 1;
            } else {
                if first {
                    out.push_str("\n#### Failed tests\n");
                    first = false;
                }
                failure(out, part, test);
            }
        }
    }
    if cut > 0 {
        let _ = writeln!(
            out,
            "\n{cut} more failed tests: see the JUnit or JSON report."
        );
    }
    if hidden > 0 {
        let s = if hidden == 1 { "" } else { "s" };
        let _ = writeln!(
            out,
            "\n{hidden} hidden test{s} failed (their inputs stay hidden)."
        );
    }
}

fn failure(out: &mut String, part: &Part, test: &TestReport) {
    let message = test.message.as_deref().unwrap_or("");
    let _ = writeln!(
        out,
        "\n**{}** · {} · {}: {}\n",
        text(&part.challenge),
        text(&test.name),
        test.status.as_str(),
        text(message)
    );
    let Some(details) = &test.details else { return };
    match &details.diff {
        Some(diff) => {
            out.push_str("Input:\n\n");
            out.push_str(&fenced("python", &details.input));
            out.push_str("\nDiff (- expected, + actual):\n\n");
            out.push_str(&fenced("diff", diff));
        }
        None => out.push_str(&fenced("text", &super::description(details))),
    }
}

/// pygrade's version and the hashes that reproduce the score.
fn provenance(report: &CombinedReport) -> String {
    let mut out = format!("\n<sub>pygrade {}", text(&report.pygrade_version));
    for (part, entry) in graded(report) {
        let _ = write!(
            out,
            " · {} sha256 {} · {} sha256 {}",
            text(&part.challenge),
            part.challenge_sha256,
            text(&part.file),
            entry.hash.as_deref().unwrap_or("none")
        );
    }
    out.push_str("</sub>\n");
    out
}

/// Characters with a meaning in GitHub Markdown inside a line or a table cell (emphasis, code,
/// links, images, HTML and entities, math, tables); CommonMark lets a backslash escape each.
const MARKDOWN_SPECIAL: &[char] = &[
    '\\', '`', '*', '_', '[', ']', '(', ')', '<', '>', '#', '!', '|', '~', '&', '$', ':', '@',
];

/// Text a candidate may have chosen, inert in Markdown: on one line, controls visible, every
/// Markdown-special character backslash-escaped (no links, mentions, HTML or table breaks).
fn text(raw: &str) -> String {
    let line = escape::line(raw);
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if MARKDOWN_SPECIAL.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A fenced code block that nothing inside can close: a fence longer than its longest run of
/// backticks, every line with its controls made visible, the whole bounded.
fn fenced(info: &str, body: &str) -> String {
    let body = super::bounded(body.to_owned());
    let lines: Vec<String> = escape::lines(&body).map(|l| l.into_owned()).collect();
    let longest = lines
        .iter()
        .flat_map(|l| l.split(|c| c != '`'))
        .map(str::len)
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}{info}\n{}\n{fence}\n", lines.join("\n"))
}

/// A workflow command's data: `%`, CR and LF encoded (callers make other controls visible).
fn data(raw: &str) -> String {
    raw.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: as data, and `:` and `,` encoded too.
fn property(raw: &str) -> String {
    data(&escape::line(raw))
        .replace(':', "%3A")
        .replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::{data, fenced, property, text};

    #[test]
    fn candidate_text_cannot_break_a_table_or_link() {
        let shown = text("a|b](http://x)<img src=x>`c`\n@d");
        assert_eq!(
            shown,
            "a\\|b\\]\\(http\\://x\\)\\<img src=x\\>\\`c\\`\\\\n\\@d"
        );
    }

    #[test]
    fn a_fence_outlasts_every_backtick_run_inside() {
        let block = fenced("diff", "-x\n+```\n+````` and `");
        let fence = block
            .lines()
            .next()
            .map(|l| l.trim_end_matches("diff"))
            .unwrap_or("");
        assert_eq!(fence, "``````");
        assert!(block.trim_end().ends_with("\n``````"));
        assert_eq!(fenced("text", "plain").lines().next(), Some("```text"));
    }

    #[test]
    fn workflow_commands_are_encoded() {
        assert_eq!(data("50%\r\n::x"), "50%25%0D%0A::x");
        assert_eq!(property("a,b:c\n"), "a%2Cb%3Ac\\n");
    }
}
