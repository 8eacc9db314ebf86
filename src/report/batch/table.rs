//! The table batch report, for a terminal: one line per candidate (path, score, a glyph per test,
//! and why the row is not a plain grade), a legend, the tests by column number with their pass
//! rates, a summary, and the pairs of submissions that look alike.
//!
//! ```text
//! reverse · Reverse a string · 5 tests (2 hidden) · max score 10
//!
//! path        score  1 2 3 4 5
//! alice.py    10/10  ✓ ✓ ✓ ✓ ✓
//! bob/sol.py   6/10  ✓ ✓ ✗ T ✗
//! carol        0/10  E E E E E  no answer · no .py file in the folder
//! ```
//!
//! With more than nine tests the glyphs come in groups of five and the header numbers each
//! group's first column (`1    6    11`), so thirty tests take 35 columns.
//!
//! Every path, test name, title and note is shown through `report::escape` (a candidate names
//! their own file), and long paths keep their end (`…` + the tail, where the candidate's folder
//! and file are). Widths are counted in terminal columns (`unicode-width`): East Asian wide
//! characters and emoji count two, combining marks none. No line ends in a space.

use std::fmt::Write as _;

use super::percent;
use crate::batch::{BatchReport, Entry, Match, RowStatus, Summary};
use crate::challenge::Visibility;
use crate::grade::Status;
use crate::report::escape;
use crate::report::human::{BOLD, DIM, GREEN, RED, RESET, Style, YELLOW, color};

/// Paths are cut to this many columns (keeping their end).
const MAX_PATH_WIDTH: usize = 48;
/// Test names in the index are cut to this many columns.
const MAX_NAME_WIDTH: usize = 40;
/// A row's note is cut to this many columns.
const MAX_NOTE_WIDTH: usize = 60;
/// Up to this many tests, glyphs are spaced one apart under single-digit column numbers.
const MAX_SPACED_TESTS: usize = 9;
/// Beyond that, glyphs come in groups of this many.
const GROUP: usize = 5;
/// At most this many similar pairs are listed (most alike first).
const MAX_PAIRS: usize = 50;
/// At most this many matching line ranges are shown per pair.
const MAX_RANGES: usize = 3;

/// The table report. `style` says whether to colour it, as for the single-grade report.
pub fn render(report: &BatchReport, style: &Style) -> String {
    let paint = Paint::new(style);
    let summary = report.summary();
    let mut out = String::new();
    render_header(&mut out, report, &paint);
    push(&mut out, "");
    render_rows(&mut out, report, &paint);
    push(&mut out, "");
    render_legend(&mut out, &paint);
    push(&mut out, "");
    render_tests(&mut out, report, &summary, &paint);
    push(&mut out, "");
    render_summary(&mut out, report, &summary, &paint);
    push(&mut out, "");
    render_similarity(&mut out, report, &paint);
    out
}

/// Colour, decided by the caller's [`Style`].
struct Paint {
    color: bool,
}

impl Paint {
    fn new(style: &Style) -> Paint {
        Paint {
            color: style.color(),
        }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color && !text.is_empty() {
            format!("{code}{text}{RESET}")
        } else {
            text.to_owned()
        }
    }
}

/// Appends one line, without trailing spaces.
fn push(out: &mut String, line: &str) {
    out.push_str(line.trim_end_matches(' '));
    out.push('\n');
}

fn render_header(out: &mut String, report: &BatchReport, paint: &Paint) {
    let hidden = report
        .tests
        .iter()
        .filter(|t| t.visibility == Visibility::Hidden)
        .count();
    let tests = match hidden {
        0 => plural(report.tests.len(), "test"),
        h => format!("{} ({h} hidden)", plural(report.tests.len(), "test")),
    };
    let dot = paint.paint(DIM, "·");
    push(
        out,
        &format!(
            "{} {dot} {} {dot} {tests} {dot} max score {}",
            paint.paint(BOLD, &escape::line(&report.challenge.id)),
            escape::line(&report.challenge.title),
            report.max_score
        ),
    );
}

/// The column header and one line per candidate.
fn render_rows(out: &mut String, report: &BatchReport, paint: &Paint) {
    let paths: Vec<String> = report
        .submissions
        .iter()
        .map(|e| cut_left(&escape::line(&e.path), MAX_PATH_WIDTH))
        .collect();
    let path_width = paths.iter().map(|p| width(p)).max().unwrap_or(0).max(4);
    let max = report.max_score.to_string();
    let score_width = (2 * max.len() + 1).max(5);
    let columns = report.tests.len();
    let mut head = format!("{:<path_width$}  {:>score_width$}", "path", "score");
    if columns > 0 {
        head.push_str("  ");
        head.push_str(&ruler(columns));
    }
    push(out, &paint.paint(BOLD, head.trim_end()));
    for (entry, path) in report.submissions.iter().zip(&paths) {
        let score = format!("{:>score_width$}", format!("{}/{max}", entry.report.score));
        let score = if entry.report.passed {
            paint.paint(GREEN, &score)
        } else {
            score
        };
        let mut line = format!("{path}{}  {score}", pad(path, path_width));
        if columns > 0 {
            line.push_str("  ");
            line.push_str(&glyphs(entry, columns, paint));
        }
        if let Some(why) = row_note(entry, paint) {
            line.push_str("  ");
            line.push_str(&why);
        }
        push(out, &line);
    }
}

/// Column numbers over the glyphs: `1 2 3` up to nine tests, else each group's first.
fn ruler(columns: usize) -> String {
    if columns <= MAX_SPACED_TESTS {
        return (1..=columns)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(" ");
    }
    let mut ruler = String::new();
    for first in (1..=columns).step_by(GROUP) {
        let _ = write!(ruler, "{first:<width$}", width = GROUP + 1);
    }
    ruler.trim_end().to_owned()
}

/// One glyph per test column, spaced or grouped as [`ruler`] numbers them.
fn glyphs(entry: &Entry, columns: usize, paint: &Paint) -> String {
    let mut out = String::new();
    for i in 0..columns {
        if i > 0 && (columns <= MAX_SPACED_TESTS || i % GROUP == 0) {
            out.push(' ');
        }
        match entry.report.tests.get(i) {
            Some(test) => out.push_str(&paint.paint(color(test.status), glyph(test.status))),
            None => out.push_str(&paint.paint(DIM, "·")),
        }
    }
    out
}

fn glyph(status: Status) -> &'static str {
    match status {
        Status::Pass => "✓",
        Status::Fail => "✗",
        Status::Error => "E",
        Status::Timeout => "T",
        Status::MemoryLimit => "M",
        Status::OutputLimit => "O",
        Status::Crashed => "C",
    }
}

const ALL_STATUSES: [(Status, &str); 7] = [
    (Status::Pass, "pass"),
    (Status::Fail, "fail"),
    (Status::Error, "error"),
    (Status::Timeout, "timeout"),
    (Status::MemoryLimit, "memory limit"),
    (Status::OutputLimit, "output limit"),
    (Status::Crashed, "crashed"),
];

/// Why a row is not a plain grade: its status and note, or a graded submission's problem kind.
fn row_note(entry: &Entry, paint: &Paint) -> Option<String> {
    let note = entry
        .note
        .as_deref()
        .map(|n| paint.paint(DIM, &cut_right(&escape::line(n), MAX_NOTE_WIDTH)));
    let status = match entry.status {
        RowStatus::Graded => {
            let problem = entry.report.problem.as_ref()?;
            return Some(paint.paint(DIM, &escape::line(&problem.kind)));
        }
        RowStatus::Empty => paint.paint(YELLOW, "empty"),
        RowStatus::NotUtf8 => paint.paint(YELLOW, "not UTF-8"),
        RowStatus::NoAnswer => paint.paint(YELLOW, "no answer"),
        RowStatus::Unreadable => paint.paint(RED, "unreadable"),
        RowStatus::GraderError => paint.paint(RED, "grader error"),
    };
    Some(match note {
        Some(note) => format!("{status} {} {note}", paint.paint(DIM, "·")),
        None => status,
    })
}

fn row_label(status: RowStatus) -> &'static str {
    match status {
        RowStatus::Graded => "graded",
        RowStatus::Empty => "empty",
        RowStatus::NotUtf8 => "not UTF-8",
        RowStatus::NoAnswer => "no answer",
        RowStatus::Unreadable => "unreadable",
        RowStatus::GraderError => "grader error",
    }
}

fn render_legend(out: &mut String, paint: &Paint) {
    let items: Vec<String> = ALL_STATUSES
        .iter()
        .map(|&(status, name)| format!("{} {name}", paint.paint(color(status), glyph(status))))
        .collect();
    push(
        out,
        &format!("{}  {}", paint.paint(DIM, "legend"), items.join("  ")),
    );
}

/// The test index: column number, name, visibility, weight, and how many passed it.
fn render_tests(out: &mut String, report: &BatchReport, summary: &Summary, paint: &Paint) {
    let count = summary.count;
    let names: Vec<String> = report
        .tests
        .iter()
        .map(|t| cut_right(&escape::line(&t.name), MAX_NAME_WIDTH))
        .collect();
    let number_width = report.tests.len().to_string().len();
    let name_width = names.iter().map(|n| width(n)).max().unwrap_or(0);
    let weights: Vec<String> = report
        .tests
        .iter()
        .map(|t| format!("{} pt{}", t.weight, if t.weight == 1 { "" } else { "s" }))
        .collect();
    let weight_width = weights.iter().map(String::len).max().unwrap_or(0);
    let passed_width = 2 * count.to_string().len() + 1;
    push(out, &paint.paint(BOLD, "tests"));
    for (i, test) in report.tests.iter().enumerate() {
        let visibility = match test.visibility {
            Visibility::Visible => "visible".to_owned(),
            Visibility::Hidden => format!("{} ", paint.paint(DIM, "hidden")),
        };
        let mut line = format!(
            "  {:>number_width$}  {}{}  {visibility}  {:<weight_width$}",
            i + 1,
            names[i],
            pad(&names[i], name_width),
            weights[i]
        );
        if count > 0 {
            let rate = summary.pass_rate.get(i).copied().unwrap_or(0.0);
            let passed = passed_of(rate, count);
            let _ = write!(
                line,
                "  {:>passed_width$}  {:>3}%",
                format!("{passed}/{count}"),
                percent(rate)
            );
            if passed == 0 {
                let _ = write!(line, "  {}", paint.paint(RED, "nobody passed"));
            }
        }
        push(out, &line);
    }
}

/// Count, mean and median, how many passed everything, rows not graded, tests nobody passed.
fn render_summary(out: &mut String, report: &BatchReport, summary: &Summary, paint: &Paint) {
    if summary.count == 0 {
        push(out, "no candidates");
        return;
    }
    let dot = paint.paint(DIM, "·");
    let max = report.max_score;
    let mut line = format!(
        "{} {dot} mean {:.1}/{max} {dot} median {:.1}/{max} {dot} {} passed every test",
        paint.paint(BOLD, &plural(summary.count, "candidate")),
        summary.mean_score,
        summary.median_score,
        summary.all_passed
    );
    for status in [
        RowStatus::Empty,
        RowStatus::NotUtf8,
        RowStatus::NoAnswer,
        RowStatus::Unreadable,
        RowStatus::GraderError,
    ] {
        let n = report
            .submissions
            .iter()
            .filter(|e| e.status == status)
            .count();
        if n > 0 {
            let _ = write!(line, " {dot} {n} {}", row_label(status));
        }
    }
    push(out, &line);
    let nobody: Vec<String> = report
        .tests
        .iter()
        .enumerate()
        .filter(|&(i, _)| summary.pass_rate.get(i).copied().unwrap_or(0.0) == 0.0)
        .map(|(i, t)| {
            let hidden = if t.visibility == Visibility::Hidden {
                " (hidden)"
            } else {
                ""
            };
            format!("{} {}{hidden}", i + 1, escape::line(&t.name))
        })
        .collect();
    if !nobody.is_empty() {
        push(
            out,
            &paint.paint(
                RED,
                &format!(
                    "nobody passed {}: {}",
                    plural(nobody.len(), "test"),
                    nobody.join(", ")
                ),
            ),
        );
    }
}

/// The flagged pairs, most alike first: score, the two paths, the first matching line ranges.
fn render_similarity(out: &mut String, report: &BatchReport, paint: &Paint) {
    let pairs = &report.similarity;
    if pairs.is_empty() {
        push(
            out,
            &format!("{} none flagged", paint.paint(BOLD, "similar code:")),
        );
        return;
    }
    push(
        out,
        &paint.paint(
            BOLD,
            &format!("similar code: {}", plural(pairs.len(), "pair")),
        ),
    );
    let shown = &pairs[..pairs.len().min(MAX_PAIRS)];
    let cut = |p: &str| cut_left(&escape::line(p), MAX_PATH_WIDTH);
    let a_paths: Vec<String> = shown.iter().map(|p| cut(&p.a)).collect();
    let b_paths: Vec<String> = shown.iter().map(|p| cut(&p.b)).collect();
    let a_width = a_paths.iter().map(|p| width(p)).max().unwrap_or(0);
    let b_width = b_paths.iter().map(|p| width(p)).max().unwrap_or(0);
    for ((pair, a), b) in shown.iter().zip(&a_paths).zip(&b_paths) {
        let score = format!("{:>3}%", percent(pair.score));
        let mut line = format!(
            "  {}  {a}{}  ↔  {b}{}",
            paint.paint(YELLOW, &score),
            pad(a, a_width),
            pad(b, b_width)
        );
        if !pair.matches.is_empty() {
            let ranges: Vec<String> = pair
                .matches
                .iter()
                .take(MAX_RANGES)
                .map(match_ranges)
                .collect();
            let _ = write!(line, "  lines {}", ranges.join(", "));
            if pair.matches.len() > MAX_RANGES {
                let _ = write!(line, " (+{} more)", pair.matches.len() - MAX_RANGES);
            }
        }
        push(out, &line);
    }
    if pairs.len() > MAX_PAIRS {
        push(
            out,
            &paint.paint(
                DIM,
                &format!(
                    "  … {} not shown",
                    plural(pairs.len() - MAX_PAIRS, "more pair")
                ),
            ),
        );
    }
}

/// `3–10 ≈ 4–11`: a matching region in `a`, then in `b`.
fn match_ranges(m: &Match) -> String {
    let range = |[from, to]: [u32; 2]| {
        if from == to {
            from.to_string()
        } else {
            format!("{from}–{to}")
        }
    };
    format!("{} ≈ {}", range(m.a_lines), range(m.b_lines))
}

/// How many of `count` candidates a pass rate stands for.
fn passed_of(rate: f64, count: usize) -> usize {
    (rate * count as f64).round() as usize
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Spaces that bring `text` to `columns` wide.
fn pad(text: &str, columns: usize) -> String {
    " ".repeat(columns.saturating_sub(width(text)))
}

/// Terminal columns `text` takes.
fn width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

/// Terminal columns of one character (`unicode-width`; controls are escaped before this).
fn char_width(c: char) -> usize {
    unicode_width::UnicodeWidthChar::width(c).unwrap_or(0)
}

/// `text` in at most `columns` columns, keeping its end: `…` and the tail.
fn cut_left(text: &str, columns: usize) -> String {
    if width(text) <= columns {
        return text.to_owned();
    }
    let mut kept = Vec::new();
    let mut used = 1; // the `…`
    for c in text.chars().rev() {
        let w = char_width(c);
        if used + w > columns {
            break;
        }
        used += w;
        kept.push(c);
    }
    std::iter::once('…').chain(kept.into_iter().rev()).collect()
}

/// `text` in at most `columns` columns, keeping its start: the head and `…`.
fn cut_right(text: &str, columns: usize) -> String {
    if width(text) <= columns {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 1;
    for c in text.chars() {
        let w = char_width(c);
        if used + w > columns {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeMap;

    use super::{cut_left, render, width};
    use crate::batch::{BatchReport, Entry, Match, RowStatus, SimilarPair, TestColumn};
    use crate::challenge::Visibility;
    use crate::grade::{ChallengeInfo, Report, Status, TestReport};
    use crate::report::human::Style;

    pub(crate) const HOSTILE: &str = "=cmd|' /C calc'!A0.py";
    pub(crate) const ANSI: &str = "evil\x1b[2J\nPASS.py";

    fn column(name: &str, visibility: Visibility, weight: u32) -> TestColumn {
        TestColumn {
            name: name.to_owned(),
            visibility,
            weight,
        }
    }

    pub(crate) fn entry(
        path: &str,
        status: RowStatus,
        tests: &[TestColumn],
        verdicts: &[Status],
    ) -> Entry {
        let tests: Vec<TestReport> = tests
            .iter()
            .zip(verdicts)
            .map(|(t, &s)| TestReport {
                name: t.name.clone(),
                visibility: t.visibility,
                status: s,
                weight: t.weight,
                score: if s == Status::Pass { t.weight } else { 0 },
                message: None,
                cpu_ms: None,
                details: None,
            })
            .collect();
        let score = tests.iter().map(|t| t.score).sum();
        let tests_passed = tests.iter().filter(|t| t.status == Status::Pass).count();
        Entry {
            path: path.to_owned(),
            hash: (status != RowStatus::NoAnswer).then(|| "ab".repeat(32)),
            status,
            note: (status == RowStatus::NoAnswer).then(|| "no .py file in the folder".to_owned()),
            report: Report {
                schema_version: crate::grade::SCHEMA_VERSION,
                challenge: challenge(),
                submission: path.to_owned(),
                passed: tests_passed == tests.len(),
                score,
                max_score: tests.iter().map(|t| t.weight).sum(),
                tests_passed,
                tests_total: tests.len(),
                problem: None,
                imports: Vec::new(),
                missing_entry_points: Vec::new(),
                revealed: false,
                tests,
            },
        }
    }

    fn challenge() -> ChallengeInfo {
        ChallengeInfo {
            id: "reverse".to_owned(),
            title: "Reverse a string".to_owned(),
        }
    }

    pub(crate) fn batch(
        tests: Vec<TestColumn>,
        mut submissions: Vec<Entry>,
        similarity: Vec<SimilarPair>,
    ) -> BatchReport {
        submissions.sort_by(|a, b| a.path.cmp(&b.path));
        BatchReport {
            schema_version: crate::batch::BATCH_SCHEMA_VERSION,
            challenge: challenge(),
            pygrade_version: "0.0.0".to_owned(),
            max_score: tests.iter().map(|t| t.weight).sum(),
            tests,
            revealed: false,
            submissions,
            similarity,
            sources: BTreeMap::new(),
        }
    }

    pub(crate) fn sample_tests() -> Vec<TestColumn> {
        vec![
            column("empty", Visibility::Visible, 1),
            column("basic", Visibility::Visible, 2),
            column("long_input", Visibility::Hidden, 3),
            column("slow", Visibility::Hidden, 2),
            column("unicode", Visibility::Hidden, 2),
        ]
    }

    /// Four candidates: a formula for a name, a good answer, no answer, and a path with an ANSI
    /// escape and a newline. Nobody passes `unicode`; mean 3.0, median 2.0.
    pub(crate) fn sample() -> BatchReport {
        use Status::*;
        let tests = sample_tests();
        let submissions = vec![
            entry(
                HOSTILE,
                RowStatus::Graded,
                &tests,
                &[Pass, Pass, Fail, Timeout, Fail],
            ),
            entry(
                "alice/solution.py",
                RowStatus::Graded,
                &tests,
                &[Pass, Pass, Pass, Pass, Fail],
            ),
            entry("carol", RowStatus::NoAnswer, &tests, &[Error; 5]),
            entry(
                ANSI,
                RowStatus::Graded,
                &tests,
                &[Pass, Fail, OutputLimit, Crashed, MemoryLimit],
            ),
        ];
        let m = |a: [u32; 2], b: [u32; 2]| Match {
            a_lines: a,
            b_lines: b,
        };
        let similarity = vec![
            SimilarPair {
                a: HOSTILE.to_owned(),
                b: "alice/solution.py".to_owned(),
                score: 0.93,
                matches: vec![
                    m([3, 10], [4, 11]),
                    m([15, 20], [16, 21]),
                    m([22, 22], [23, 23]),
                    m([30, 31], [40, 41]),
                ],
            },
            SimilarPair {
                a: "alice/solution.py".to_owned(),
                b: ANSI.to_owned(),
                score: 0.855,
                matches: vec![m([1, 4], [1, 4])],
            },
        ];
        batch(tests, submissions, similarity)
    }

    fn plain(report: &BatchReport) -> String {
        render(report, &Style::new(false))
    }

    /// The candidate rows: the lines after the column header, up to the blank line.
    fn rows(text: &str) -> Vec<&str> {
        text.lines()
            .skip_while(|l| !l.starts_with("path "))
            .skip(1)
            .take_while(|l| !l.is_empty())
            .collect()
    }

    #[test]
    fn the_sample_table() {
        insta::assert_snapshot!(plain(&sample()), @r"
        reverse · Reverse a string · 5 tests (3 hidden) · max score 10

        path                   score  1 2 3 4 5
        =cmd|' /C calc'!A0.py   3/10  ✓ ✓ ✗ T ✗
        alice/solution.py       8/10  ✓ ✓ ✓ ✓ ✗
        carol                   0/10  E E E E E  no answer · no .py file in the folder
        evil\x1b[2J\nPASS.py    1/10  ✓ ✗ O C M

        legend  ✓ pass  ✗ fail  E error  T timeout  M memory limit  O output limit  C crashed

        tests
          1  empty       visible  1 pt   3/4   75%
          2  basic       visible  2 pts  2/4   50%
          3  long_input  hidden   3 pts  1/4   25%
          4  slow        hidden   2 pts  1/4   25%
          5  unicode     hidden   2 pts  0/4    0%  nobody passed

        4 candidates · mean 3.0/10 · median 2.0/10 · 0 passed every test · 1 no answer
        nobody passed 1 test: 5 unicode (hidden)

        similar code: 2 pairs
           93%  =cmd|' /C calc'!A0.py  ↔  alice/solution.py     lines 3–10 ≈ 4–11, 15–20 ≈ 16–21, 22 ≈ 23 (+1 more)
           86%  alice/solution.py      ↔  evil\x1b[2J\nPASS.py  lines 1–4 ≈ 1–4
        ");
    }

    #[test]
    fn one_line_per_candidate_in_path_order() {
        let text = plain(&sample());
        let rows = rows(&text);
        assert_eq!(rows.len(), 4, "{text}");
        assert!(rows[0].starts_with(HOSTILE), "{text}");
        assert!(rows[1].starts_with("alice/solution.py"), "{text}");
        assert!(rows[2].starts_with("carol"), "{text}");
        assert!(rows[3].starts_with("evil\\x1b[2J\\nPASS.py"), "{text}");
        assert!(rows[2].ends_with("E E E E E  no answer · no .py file in the folder"));
        assert!(rows[1].ends_with(" 8/10  ✓ ✓ ✓ ✓ ✗"), "{text}");
        assert!(rows[3].ends_with(" 1/10  ✓ ✗ O C M"), "{text}");
        // The score column lines up.
        let at: Vec<usize> = rows
            .iter()
            .map(|r| width(&r[..r.find("/10").unwrap()]))
            .collect();
        assert!(at.iter().all(|&a| a == at[0]), "{text}");
    }

    #[test]
    fn no_control_character_from_a_path_reaches_the_terminal() {
        let text = plain(&sample());
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{text:?}"
        );
        let coloured = render(&sample(), &Style::new(true));
        assert!(coloured.contains("\x1b[32m✓\x1b[0m"), "{coloured:?}");
        let mut stripped = coloured.clone();
        for code in [
            "\x1b[0m", "\x1b[1m", "\x1b[2m", "\x1b[31m", "\x1b[32m", "\x1b[33m",
        ] {
            stripped = stripped.replace(code, "");
        }
        assert!(
            !stripped.chars().any(|c| c.is_control() && c != '\n'),
            "{coloured:?}"
        );
        assert_eq!(stripped, text, "colour changes nothing but colour");
    }

    #[test]
    fn no_trailing_spaces() {
        for style in [Style::new(false), Style::new(true)] {
            let text = render(&sample(), &style);
            for line in text.lines() {
                assert!(!line.ends_with(' '), "{line:?}");
            }
        }
    }

    #[test]
    fn summary_figures_and_the_test_nobody_passes() {
        let text = plain(&sample());
        assert!(
            text.contains(
                "\n4 candidates · mean 3.0/10 · median 2.0/10 · 0 passed every test · 1 no answer\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("\nnobody passed 1 test: 5 unicode (hidden)\n"),
            "{text}"
        );
        let index: Vec<&str> = text
            .lines()
            .skip_while(|l| *l != "tests")
            .skip(1)
            .take(5)
            .collect();
        assert!(index[0].starts_with("  1  empty"), "{text}");
        assert!(index[0].ends_with("3/4   75%"), "{text}");
        assert!(index[2].contains("long_input  hidden"), "{text}");
        assert!(index[2].ends_with("1/4   25%"), "{text}");
        assert!(index[4].ends_with("0/4    0%  nobody passed"), "{text}");
        assert_eq!(
            text.lines().filter(|l| l.contains("nobody passed")).count(),
            2
        );
    }

    #[test]
    fn similar_pairs_with_their_first_ranges() {
        let text = plain(&sample());
        let pairs: Vec<&str> = text
            .lines()
            .skip_while(|l| !l.starts_with("similar code"))
            .collect();
        assert_eq!(pairs[0], "similar code: 2 pairs");
        assert!(pairs[1].starts_with("   93%  =cmd"), "{text}");
        assert!(
            pairs[1].ends_with("lines 3–10 ≈ 4–11, 15–20 ≈ 16–21, 22 ≈ 23 (+1 more)"),
            "{text}"
        );
        assert!(pairs[2].starts_with("   86%  alice/solution.py"), "{text}");
        assert!(pairs[2].contains("evil\\x1b[2J\\nPASS.py"), "{text}");
        assert_eq!(pairs.len(), 3, "{text}");
    }

    #[test]
    fn one_candidate_who_passed_everything() {
        let tests = sample_tests();
        let report = batch(
            tests.clone(),
            vec![entry(
                "solo.py",
                RowStatus::Graded,
                &tests,
                &[Status::Pass; 5],
            )],
            Vec::new(),
        );
        let text = plain(&report);
        assert_eq!(rows(&text), ["solo.py  10/10  ✓ ✓ ✓ ✓ ✓"]);
        assert!(
            text.contains("\n1 candidate · mean 10.0/10 · median 10.0/10 · 1 passed every test\n"),
            "{text}"
        );
        assert!(!text.contains("nobody"), "{text}");
        assert!(text.ends_with("similar code: none flagged\n"), "{text}");
    }

    #[test]
    fn no_candidates() {
        let text = plain(&batch(sample_tests(), Vec::new(), Vec::new()));
        assert!(rows(&text).is_empty(), "{text}");
        assert!(text.contains("\nno candidates\n"), "{text}");
        assert!(!text.contains("nobody"), "{text}");
    }

    #[test]
    fn a_thousand_candidates_and_thirty_tests_stay_in_columns() {
        let tests: Vec<TestColumn> = (1..=30)
            .map(|i| column(&format!("t{i:02}"), Visibility::Hidden, 1))
            .collect();
        let submissions: Vec<Entry> = (0..1000)
            .map(|i| {
                let verdicts: Vec<Status> = (0..30)
                    .map(|t| {
                        if (i + t) % 3 == 0 {
                            Status::Fail
                        } else {
                            Status::Pass
                        }
                    })
                    .collect();
                let path = if i == 7 {
                    format!("{}/answer.py", "very-long-folder-name".repeat(10))
                } else {
                    format!("candidate{i:04}/answer.py")
                };
                entry(&path, RowStatus::Graded, &tests, &verdicts)
            })
            .collect();
        let text = plain(&batch(tests, submissions, Vec::new()));
        let rows = rows(&text);
        assert_eq!(rows.len(), 1000);
        let header = text.lines().find(|l| l.starts_with("path ")).unwrap();
        assert!(
            header.ends_with("score  1     6     11    16    21    26"),
            "{header}"
        );
        assert!(
            rows[0].ends_with("  ✗✓✓✗✓ ✓✗✓✓✗ ✓✓✗✓✓ ✗✓✓✗✓ ✓✗✓✓✗ ✓✓✗✓✓"),
            "{}",
            rows[0]
        );
        let widths: Vec<usize> = rows.iter().map(|r| width(r)).collect();
        assert!(
            widths.iter().all(|&w| w == widths[0]),
            "rows differ in width"
        );
        assert!(widths[0] <= 48 + 2 + 5 + 2 + 35, "{}", rows[0]);
        let long = rows[999].split("  ").next().unwrap();
        assert_eq!(long, "…long-folder-namevery-long-folder-name/answer.py");
        assert_eq!(width(long), 48);
        assert_eq!(
            text.lines()
                .filter(|l| l.starts_with("  ") && l.contains(" t"))
                .count(),
            30
        );
    }

    #[test]
    fn long_text_is_cut_to_its_width() {
        assert_eq!(cut_left("abcdef", 6), "abcdef");
        assert_eq!(cut_left("abcdefg", 6), "…cdefg");
        assert_eq!(cut_left("漢字漢字.py", 6), "…字.py");
        assert_eq!(width("漢字.py"), 7);
    }
}
