//! The HTML batch report: one self-contained page (no network: a Content-Security-Policy forbids
//! every load, and the styles, the sorting script and the charts are inline) with a header, a
//! sortable score table, a test-by-candidate matrix, a score histogram and a pass-rate chart as
//! SVG, the flagged similar pairs side by side, and each candidate's details.
//!
//! Everything a submission or a challenge chose (paths, code, messages, output, diffs, test names,
//! titles) is data: it goes through `field` or `text_line`, which make controls and invisible
//! characters visible (as `report::escape` does for a terminal) and then escape `&`, `<`, `>`,
//! `"` and `'`, so the result is inert both as element text and inside a quoted attribute. No data
//! reaches the script, which reads the table from the DOM. Every list and block is bounded.
//!
//! A hidden test's details are shown only when the batch is `revealed`, whatever an entry holds.

use std::fmt::Write as _;

use crate::batch::{BatchReport, Entry, RowStatus, SimilarPair, TestColumn};
use crate::challenge::Visibility;
use crate::grade::{Details, Problem, Status, TestReport};
use crate::report::escape;

/// Source lines shown per listing.
const MAX_CODE_LINES: usize = 2_000;
/// Characters shown per line of code, output or diff.
const MAX_LINE_CHARS: usize = 400;
/// Lines shown per block of test details (input, values, diff, traceback, output).
const MAX_BLOCK_LINES: usize = 200;
/// Characters shown of a path.
const MAX_PATH_CHARS: usize = 300;
/// Characters shown of a title, a test name, a note or a message.
const MAX_FIELD_CHARS: usize = 500;
/// Characters of a test name in a chart label.
const MAX_LABEL_CHARS: usize = 32;
/// Similar pairs shown (most alike first).
const MAX_PAIRS: usize = 50;
/// Matching regions listed per pair.
const MAX_MATCHES: usize = 100;
/// Failing tests detailed per candidate.
const MAX_FAILED_TESTS: usize = 100;
/// Bytes of test details per candidate, after which further failing tests are left out.
const MAX_DETAIL_BYTES: usize = 256 << 10;

/// Forbids every load: the page needs nothing but itself.
const CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

/// The whole report as one HTML page.
pub fn render(report: &BatchReport) -> String {
    let mut out = String::with_capacity(64 * 1024);
    head(&mut out, report);
    out.push_str("<body>\n");
    header(&mut out, report);
    score_table(&mut out, report);
    matrix(&mut out, report);
    charts(&mut out, report);
    similarity(&mut out, report);
    candidates(&mut out, report);
    let _ = writeln!(out, "<script>{SCRIPT}</script>\n</body>\n</html>");
    out
}

// ---------------------------------------------------------------------------------- escaping

/// Escapes the five characters that matter in HTML text and quoted attributes.
fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `text`'s first `max` characters, and whether any were left off.
fn cut(text: &str, max: usize) -> (&str, bool) {
    match text.char_indices().nth(max) {
        Some((at, _)) => (&text[..at], true),
        None => (text, false),
    }
}

/// A one-line field (path, name, title, message): controls (newlines included) and invisible
/// characters made visible, cut at `max` characters, HTML-escaped.
fn field(text: &str, max: usize) -> String {
    let (shown, more) = cut(text, max);
    let mut out = html(&escape::line(shown));
    if more {
        out.push('…');
    }
    out
}

/// One line of multi-line text (code, output, a diff): as [`field`], but tabs kept.
fn text_line(line: &str) -> String {
    let (shown, more) = cut(line, MAX_LINE_CHARS);
    let parts: Vec<String> = shown
        .split('\t')
        .map(|part| html(&escape::line(part)))
        .collect();
    let mut out = parts.join("\t");
    if more {
        out.push('…');
    }
    out
}

// ---------------------------------------------------------------------------------- page frame

fn head(out: &mut String, report: &BatchReport) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>pygrade batch · {}</title>\n<style>{STYLE}</style>\n</head>\n",
        field(&report.challenge.title, MAX_FIELD_CHARS)
    );
}

fn header(out: &mut String, report: &BatchReport) {
    let summary = report.summary();
    let _ = write!(
        out,
        "<header>\n<h1>{title} <span class=\"id\">{id}</span></h1>\n\
         <p class=\"meta\">pygrade {version} · {tests} tests · max score {max}</p>\n\
         <dl class=\"summary\" id=\"summary\" data-count=\"{count}\" data-all-passed=\"{all}\">\
         <div><dt>Candidates</dt><dd>{count}</dd></div>\
         <div><dt>Mean score</dt><dd>{mean:.2}</dd></div>\
         <div><dt>Median score</dt><dd>{median:.1}</dd></div>\
         <div><dt>All tests passed</dt><dd>{all}</dd></div></dl>\n",
        title = field(&report.challenge.title, MAX_FIELD_CHARS),
        id = field(&report.challenge.id, MAX_FIELD_CHARS),
        version = field(&report.pygrade_version, MAX_LABEL_CHARS),
        tests = report.tests.len(),
        max = report.max_score,
        count = summary.count,
        mean = summary.mean_score,
        median = summary.median_score,
        all = summary.all_passed,
    );
    out.push_str(if report.revealed {
        "<p class=\"warn\">Revealed: hidden tests' inputs and expected values are shown.</p>\n"
    } else {
        "<p class=\"meta\">Hidden tests show their status and message only.</p>\n"
    });
    out.push_str(
        "<nav><a href=\"#scores\">Scores</a> <a href=\"#tests\">Tests</a> \
         <a href=\"#charts\">Charts</a> <a href=\"#similarity\">Similarity</a> \
         <a href=\"#candidates\">Candidates</a></nav>\n</header>\n",
    );
}

// ---------------------------------------------------------------------------------- score table

/// The score table's columns: key (`data-<key>` on each row), heading, numeric.
const SCORE_COLUMNS: &[(&str, &str, bool)] = &[
    ("path", "Candidate", false),
    ("status", "Status", false),
    ("score", "Score", true),
    ("max", "Max", true),
    ("passed", "Tests passed", true),
];

fn score_table(out: &mut String, report: &BatchReport) {
    out.push_str(
        "<section id=\"scores\">\n<h2>Scores</h2>\n\
         <p class=\"meta\">Click a column heading to sort; click again to reverse.</p>\n\
         <table id=\"score-table\" class=\"sortable\">\n<thead><tr>",
    );
    for (key, label, numeric) in SCORE_COLUMNS {
        let kind = if *numeric { "num" } else { "text" };
        let _ = write!(
            out,
            "<th id=\"col-{key}\" class=\"sort {kind}\" data-key=\"{key}\" data-type=\"{kind}\" \
             tabindex=\"0\" aria-sort=\"none\">{label}</th>"
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (i, entry) in report.submissions.iter().enumerate() {
        score_row(out, i, entry);
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn score_row(out: &mut String, i: usize, entry: &Entry) {
    let r = &entry.report;
    let path = field(&entry.path, MAX_PATH_CHARS);
    let label = row_label(entry);
    let _ = writeln!(
        out,
        "<tr id=\"row-{i}\" class=\"score-row {label}\" data-index=\"{i}\" data-path=\"{path}\" \
         data-status=\"{label}\" data-score=\"{score}\" data-max=\"{max}\" data-passed=\"{passed}\">\
         <td class=\"path\"><a href=\"#cand-{i}\">{path}</a></td><td class=\"status\">{label}</td>\
         <td class=\"num\">{score}</td><td class=\"num\">{max}</td>\
         <td class=\"num\">{passed} / {total}</td></tr>",
        score = r.score,
        max = r.max_score,
        passed = r.tests_passed,
        total = r.tests_total,
    );
}

/// A row's status in a word: `passed` or `failed` for a graded row, else why it is not one.
fn row_label(entry: &Entry) -> &'static str {
    match entry.status {
        RowStatus::Graded if entry.report.passed => "passed",
        RowStatus::Graded => "failed",
        other => other.as_str(),
    }
}

// ---------------------------------------------------------------------------------- matrix

/// A status's glyph in the matrix.
fn glyph(status: Status) -> &'static str {
    match status {
        Status::Pass => "✓",
        Status::Fail => "✗",
        Status::Error => "!",
        Status::Timeout => "T",
        Status::MemoryLimit => "M",
        Status::OutputLimit => "O",
        Status::Crashed => "☠",
    }
}

const ALL_STATUSES: &[Status] = &[
    Status::Pass,
    Status::Fail,
    Status::Error,
    Status::Timeout,
    Status::MemoryLimit,
    Status::OutputLimit,
    Status::Crashed,
];

fn matrix(out: &mut String, report: &BatchReport) {
    out.push_str("<section id=\"tests\">\n<h2>Tests by candidate</h2>\n<p class=\"legend\">");
    for status in ALL_STATUSES {
        let _ = write!(
            out,
            "<span class=\"cell st-{s}\">{g}</span> {s} ",
            s = status.as_str(),
            g = glyph(*status)
        );
    }
    out.push_str("· <span class=\"lock\">hidden</span> hidden test</p>\n");
    out.push_str("<div class=\"scroll\"><table id=\"matrix\">\n<thead><tr><th>Candidate</th>");
    for (j, test) in report.tests.iter().enumerate() {
        matrix_heading(out, j, test);
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (i, entry) in report.submissions.iter().enumerate() {
        matrix_row(out, report, i, entry);
    }
    out.push_str("</tbody>\n</table></div>\n</section>\n");
}

/// A test's column heading: its name (cut), hidden tests marked, the whole name as a tooltip.
fn matrix_heading(out: &mut String, j: usize, test: &TestColumn) {
    let hidden = test.visibility == Visibility::Hidden;
    let _ = write!(
        out,
        "<th class=\"test{cls}\" data-test=\"{j}\" title=\"{full} ({vis}, weight {w})\">\
         <span class=\"name\">{name}{mark}</span></th>",
        cls = if hidden { " hidden-test" } else { "" },
        full = field(&test.name, MAX_FIELD_CHARS),
        name = field(&test.name, MAX_LABEL_CHARS),
        vis = test.visibility.as_str(),
        w = test.weight,
        mark = if hidden {
            " <span class=\"lock\">hidden</span>"
        } else {
            ""
        },
    );
}

fn matrix_row(out: &mut String, report: &BatchReport, i: usize, entry: &Entry) {
    let path = field(&entry.path, MAX_PATH_CHARS);
    let _ = write!(
        out,
        "<tr data-path=\"{path}\"><th scope=\"row\"><a href=\"#cand-{i}\">{path}</a></th>"
    );
    for (j, column) in report.tests.iter().enumerate() {
        let name = field(&column.name, MAX_FIELD_CHARS);
        match entry.report.tests.get(j) {
            Some(test) => {
                let s = test.status.as_str();
                let _ = write!(
                    out,
                    "<td class=\"cell st-{s}\" data-status=\"{s}\" title=\"{name}: {s}\">{}</td>",
                    glyph(test.status)
                );
            }
            None => {
                let _ = write!(
                    out,
                    "<td class=\"cell none\" title=\"{name}: not run\">·</td>"
                );
            }
        }
    }
    out.push_str("</tr>\n");
}

// ---------------------------------------------------------------------------------- charts

fn charts(out: &mut String, report: &BatchReport) {
    out.push_str("<section id=\"charts\">\n<h2>Charts</h2>\n<div class=\"charts\">\n");
    histogram(out, report);
    pass_rates(out, report);
    out.push_str("</div>\n</section>\n");
}

/// Score bins as `(low, high, count)`: one per score up to 20 points, else ten even ranges.
fn score_bins(report: &BatchReport) -> Vec<(u32, u32, usize)> {
    let max = report.max_score;
    let width = if max <= 20 { 1 } else { max.div_ceil(10) };
    let mut bins: Vec<(u32, u32, usize)> = (0..=max / width)
        .map(|k| (k * width, ((k + 1) * width - 1).min(max), 0))
        .collect();
    for entry in &report.submissions {
        let k = (entry.report.score.min(max) / width) as usize;
        if let Some(bin) = bins.get_mut(k) {
            bin.2 += 1;
        }
    }
    bins
}

fn histogram(out: &mut String, report: &BatchReport) {
    let bins = score_bins(report);
    let (left, top, plot_h, bar_w) = (40.0, 24.0, 180.0, 600.0 / bins.len() as f64);
    let width = left + 600.0 + 10.0;
    let peak = bins.iter().map(|b| b.2).max().unwrap_or(0).max(1) as f64;
    let _ = write!(
        out,
        "<figure><svg id=\"score-histogram\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" \
         viewBox=\"0 0 {width} 260\" width=\"{width}\" height=\"260\" role=\"img\" \
         aria-labelledby=\"hist-title\"><title id=\"hist-title\">Score histogram</title>\
         <line class=\"axis\" x1=\"{left}\" y1=\"{base}\" x2=\"{right}\" y2=\"{base}\"/>",
        base = top + plot_h,
        right = left + 600.0,
    );
    for (k, (low, high, count)) in bins.iter().enumerate() {
        let h = plot_h * *count as f64 / peak;
        let x = left + k as f64 * bar_w;
        let y = top + plot_h - h;
        let label = if low == high {
            low.to_string()
        } else {
            format!("{low}–{high}")
        };
        let _ = write!(
            out,
            "<g class=\"bin\" data-low=\"{low}\" data-high=\"{high}\" data-count=\"{count}\">\
             <rect class=\"bar\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\">\
             <title>score {label}: {count}</title></rect>\
             <text class=\"count\" x=\"{cx:.1}\" y=\"{ty:.1}\">{count}</text>\
             <text class=\"label\" x=\"{cx:.1}\" y=\"{ly:.1}\">{label}</text></g>",
            w = (bar_w - 2.0).max(1.0),
            cx = x + bar_w / 2.0,
            ty = y - 4.0,
            ly = top + plot_h + 16.0,
        );
    }
    let _ = writeln!(
        out,
        "<text class=\"axis-title\" x=\"{cx}\" y=\"256\">score</text></svg>\
         <figcaption>Candidates by score (out of {max})</figcaption></figure>",
        cx = left + 300.0,
        max = report.max_score
    );
}

fn pass_rates(out: &mut String, report: &BatchReport) {
    let rates = report.summary().pass_rate;
    let (label_w, bar_max, row_h) = (240.0, 300.0, 22.0);
    let height = 10.0 + row_h * report.tests.len() as f64;
    let width = label_w + bar_max + 110.0;
    let _ = write!(
        out,
        "<figure><svg id=\"pass-rate-chart\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" \
         viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" \
         aria-labelledby=\"rate-title\"><title id=\"rate-title\">Pass rate per test</title>"
    );
    for (j, (test, rate)) in report.tests.iter().zip(&rates).enumerate() {
        let y = 5.0 + row_h * j as f64;
        let hidden = test.visibility == Visibility::Hidden;
        let _ = write!(
            out,
            "<g class=\"rate{cls}\" data-test=\"{j}\" data-rate=\"{rate:.4}\">\
             <text class=\"name\" x=\"{lx}\" y=\"{ty:.1}\">{name}</text>\
             <rect class=\"track\" x=\"{label_w}\" y=\"{y:.1}\" width=\"{bar_max}\" height=\"16\"/>\
             <rect class=\"bar\" x=\"{label_w}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"16\">\
             <title>{full}: {pct:.0}%</title></rect>\
             <text class=\"pct\" x=\"{px}\" y=\"{ty:.1}\">{pct:.0}%{mark}</text></g>",
            cls = if hidden { " hidden-test" } else { "" },
            lx = label_w - 6.0,
            ty = y + 12.5,
            name = field(&test.name, MAX_LABEL_CHARS),
            full = field(&test.name, MAX_FIELD_CHARS),
            w = bar_max * rate.clamp(0.0, 1.0),
            pct = rate * 100.0,
            px = label_w + bar_max + 6.0,
            mark = if hidden { " · hidden" } else { "" },
        );
    }
    out.push_str("</svg><figcaption>Share of candidates passing each test</figcaption></figure>\n");
}

// ---------------------------------------------------------------------------------- code

/// A source listing with line numbers; lines inside any of `ranges` (1-based, inclusive) are
/// highlighted. At most [`MAX_CODE_LINES`] lines, saying so when there are more.
fn code_listing(out: &mut String, source: &str, ranges: &[[u32; 2]]) {
    let total = source.lines().count();
    out.push_str("<pre class=\"code\">");
    for (n, line) in source.lines().take(MAX_CODE_LINES).enumerate() {
        let number = n + 1;
        let hit = ranges
            .iter()
            .any(|[lo, hi]| (*lo as usize..=*hi as usize).contains(&number));
        let _ = write!(
            out,
            "<span class=\"line{}\"><span class=\"ln\">{number}</span>{}</span>",
            if hit { " hl" } else { "" },
            text_line(line)
        );
    }
    out.push_str("</pre>\n");
    if total > MAX_CODE_LINES {
        let _ = writeln!(
            out,
            "<p class=\"cut\">Showing the first {MAX_CODE_LINES} of {total} lines.</p>"
        );
    }
}

/// A block of multi-line text, every line escaped, at most [`MAX_BLOCK_LINES`] lines. Diff
/// lines get a class by their first character.
fn block(out: &mut String, text: &str, diff: bool) {
    let body = text.strip_suffix('\n').unwrap_or(text);
    let total = body.split('\n').count();
    let _ = write!(
        out,
        "<pre class=\"{}\">",
        if diff { "block diff" } else { "block" }
    );
    for line in body.split('\n').take(MAX_BLOCK_LINES) {
        if diff {
            let class = diff_class(line);
            let _ = write!(out, "<span class=\"dl {class}\">{}</span>", text_line(line));
        } else {
            let _ = writeln!(out, "{}", text_line(line));
        }
    }
    out.push_str("</pre>\n");
    if total > MAX_BLOCK_LINES {
        let _ = writeln!(
            out,
            "<p class=\"cut\">Showing the first {MAX_BLOCK_LINES} of {total} lines.</p>"
        );
    }
}

fn diff_class(line: &str) -> &'static str {
    if line.starts_with("+++") || line.starts_with("---") {
        "file"
    } else if line.starts_with("@@") {
        "hunk"
    } else if line.starts_with('+') {
        "add"
    } else if line.starts_with('-') {
        "del"
    } else {
        "ctx"
    }
}

// ---------------------------------------------------------------------------------- similarity

fn similarity(out: &mut String, report: &BatchReport) {
    out.push_str("<section id=\"similarity\">\n<h2>Similarity</h2>\n");
    if report.similarity.is_empty() {
        out.push_str("<p class=\"meta\">No pairs were flagged.</p>\n</section>\n");
        return;
    }
    let total = report.similarity.len();
    if total > MAX_PAIRS {
        let _ = writeln!(
            out,
            "<p class=\"cut\">Showing the {MAX_PAIRS} most alike of {total} flagged pairs.</p>"
        );
    }
    for (k, pair) in report.similarity.iter().take(MAX_PAIRS).enumerate() {
        similar_pair(out, report, k, pair);
    }
    out.push_str("</section>\n");
}

fn similar_pair(out: &mut String, report: &BatchReport, k: usize, pair: &SimilarPair) {
    let (a, b) = (
        field(&pair.a, MAX_PATH_CHARS),
        field(&pair.b, MAX_PATH_CHARS),
    );
    let _ = write!(
        out,
        "<details class=\"pair\" id=\"pair-{k}\" data-score=\"{score:.4}\"{open}>\
         <summary><span class=\"pct\">{pct:.0}%</span> <code>{a}</code> ↔ <code>{b}</code></summary>\n<ul class=\"matches\">",
        score = pair.score,
        pct = pair.score * 100.0,
        open = if k == 0 { " open" } else { "" },
    );
    for m in pair.matches.iter().take(MAX_MATCHES) {
        let _ = write!(
            out,
            "<li>lines {}–{} ↔ {}–{}</li>",
            m.a_lines[0], m.a_lines[1], m.b_lines[0], m.b_lines[1]
        );
    }
    if pair.matches.len() > MAX_MATCHES {
        let _ = write!(out, "<li>… {} more</li>", pair.matches.len() - MAX_MATCHES);
    }
    out.push_str("</ul>\n<div class=\"side\">");
    let a_ranges: Vec<[u32; 2]> = pair.matches.iter().map(|m| m.a_lines).collect();
    let b_ranges: Vec<[u32; 2]> = pair.matches.iter().map(|m| m.b_lines).collect();
    side(out, report, &pair.a, &a, &a_ranges);
    side(out, report, &pair.b, &b, &b_ranges);
    out.push_str("</div>\n</details>\n");
}

fn side(out: &mut String, report: &BatchReport, path: &str, shown: &str, ranges: &[[u32; 2]]) {
    let _ = write!(out, "<div><h4>{shown}</h4>");
    match report.sources.get(path) {
        Some(source) => code_listing(out, source, ranges),
        None => out.push_str("<p class=\"meta\">Source not available.</p>"),
    }
    out.push_str("</div>");
}

// ---------------------------------------------------------------------------------- candidates

fn candidates(out: &mut String, report: &BatchReport) {
    out.push_str("<section id=\"candidates\">\n<h2>Candidates</h2>\n");
    for (i, entry) in report.submissions.iter().enumerate() {
        candidate(out, report, i, entry);
    }
    out.push_str("</section>\n");
}

fn candidate(out: &mut String, report: &BatchReport, i: usize, entry: &Entry) {
    let r = &entry.report;
    let label = row_label(entry);
    let _ = write!(
        out,
        "<details class=\"candidate {label}\" id=\"cand-{i}\" data-path=\"{path}\">\
         <summary><code>{path}</code> <span class=\"badge {label}\">{label}</span> \
         {score} / {max}</summary>\n<div class=\"body\">",
        path = field(&entry.path, MAX_PATH_CHARS),
        score = r.score,
        max = r.max_score,
    );
    candidate_facts(out, entry);
    if let Some(problem) = &r.problem {
        problem_block(out, problem);
    }
    failed_tests(out, report, entry);
    out.push_str("<h4>Code</h4>");
    match report.sources.get(&entry.path) {
        Some(source) => code_listing(out, source, &[]),
        None => out.push_str("<p class=\"meta\">Source not available.</p>"),
    }
    out.push_str("</div></details>\n");
}

/// Row status, note, hash, tests passed, missing entry points, imports.
fn candidate_facts(out: &mut String, entry: &Entry) {
    let r = &entry.report;
    let _ = write!(
        out,
        "<dl class=\"facts\"><dt>Row status</dt><dd>{}</dd><dt>Tests passed</dt><dd>{} / {}</dd>",
        entry.status.as_str(),
        r.tests_passed,
        r.tests_total
    );
    if let Some(note) = &entry.note {
        let _ = write!(
            out,
            "<dt>Note</dt><dd class=\"note\">{}</dd>",
            field(note, MAX_FIELD_CHARS)
        );
    }
    if let Some(hash) = &entry.hash {
        let _ = write!(
            out,
            "<dt>SHA-256</dt><dd><code>{}</code></dd>",
            field(hash, 64)
        );
    }
    list_fact(out, "Missing entry points", &r.missing_entry_points);
    list_fact(out, "Imports", &r.imports);
    out.push_str("</dl>\n");
}

fn list_fact(out: &mut String, label: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let shown: Vec<String> = items
        .iter()
        .take(50)
        .map(|s| format!("<code>{}</code>", field(s, MAX_LABEL_CHARS * 2)))
        .collect();
    let more = if items.len() > 50 { " …" } else { "" };
    let _ = write!(out, "<dt>{label}</dt><dd>{}{more}</dd>", shown.join(", "));
}

fn problem_block(out: &mut String, problem: &Problem) {
    let _ = write!(
        out,
        "<div class=\"problem\"><p><strong>{kind}</strong> at line {line}, column {col}: {msg}</p>",
        kind = field(&problem.kind, MAX_LABEL_CHARS),
        line = problem.line,
        col = problem.column,
        msg = field(&problem.message, MAX_FIELD_CHARS),
    );
    if let Some(source_line) = &problem.source_line {
        // A caret under the column (1-based), tabs kept so it lines up.
        let source_line = source_line.trim_end_matches(['\r', '\n']);
        let caret: String = source_line
            .chars()
            .take(problem.column.saturating_sub(1).min(MAX_LINE_CHARS))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .chain(['^'])
            .collect();
        block(out, &format!("{source_line}\n{caret}"), false);
    }
    out.push_str("</div>\n");
}

fn failed_tests(out: &mut String, report: &BatchReport, entry: &Entry) {
    let failed: Vec<&TestReport> = entry
        .report
        .tests
        .iter()
        .filter(|t| t.status != Status::Pass)
        .collect();
    if failed.is_empty() {
        return;
    }
    let _ = write!(out, "<h4>Tests not passed ({})</h4>", failed.len());
    let start = out.len();
    let mut shown = 0;
    for test in failed.iter().take(MAX_FAILED_TESTS) {
        if out.len() - start > MAX_DETAIL_BYTES {
            break;
        }
        failed_test(out, report, test);
        shown += 1;
    }
    if shown < failed.len() {
        let _ = write!(
            out,
            "<p class=\"cut\">Showing the first {shown} of {}; the JSON report has them all.</p>",
            failed.len()
        );
    }
}

fn failed_test(out: &mut String, report: &BatchReport, test: &TestReport) {
    let hidden = test.visibility == Visibility::Hidden;
    let s = test.status.as_str();
    let _ = write!(
        out,
        "<div class=\"test-result{cls}\" data-status=\"{s}\"><p><span class=\"cell st-{s}\">{g}</span> \
         <strong>{name}</strong> <span class=\"badge\">{s}</span>{mark}</p>",
        cls = if hidden { " hidden-test" } else { "" },
        g = glyph(test.status),
        name = field(&test.name, MAX_FIELD_CHARS),
        mark = if hidden {
            " <span class=\"lock\">hidden</span>"
        } else {
            ""
        },
    );
    if let Some(message) = &test.message {
        let _ = write!(
            out,
            "<p class=\"message\">{}</p>",
            field(message, MAX_FIELD_CHARS)
        );
    }
    if let Some(details) = shown_details(report, test) {
        test_details(out, details);
    }
    out.push_str("</div>\n");
}

/// A test's details, if they may be shown: always for a visible test, for a hidden one only
/// when the batch was revealed.
fn shown_details<'a>(report: &BatchReport, test: &'a TestReport) -> Option<&'a Details> {
    let allowed = test.visibility == Visibility::Visible || report.revealed;
    test.details.as_ref().filter(|_| allowed)
}

fn test_details(out: &mut String, details: &Details) {
    labelled(out, "Input", &details.input, false);
    if let Some(expected) = &details.expected {
        labelled(out, "Expected", expected, false);
    }
    if let Some(actual) = &details.actual {
        labelled(out, "Actual", actual, false);
    }
    if let Some(diff) = &details.diff {
        labelled(out, "Diff", diff, true);
    }
    if let Some(exception) = &details.exception {
        let title = format!("{}: {}", exception.name, exception.message);
        let _ = write!(
            out,
            "<p class=\"exception\">{}</p>",
            field(&title, MAX_FIELD_CHARS)
        );
        if !exception.traceback.is_empty() {
            labelled(out, "Traceback", &exception.traceback, false);
        }
    }
    if !details.output.is_empty() {
        let cut = if details.output_truncated {
            " (cut)"
        } else {
            ""
        };
        labelled(out, &format!("Output{cut}"), &details.output, false);
    }
}

fn labelled(out: &mut String, label: &str, text: &str, diff: bool) {
    let _ = write!(out, "<p class=\"label\">{label}</p>");
    block(out, text, diff);
}

// ---------------------------------------------------------------------------------- assets

const STYLE: &str = r#"
:root{--fg:#1d1f23;--muted:#5f6670;--bg:#fff;--panel:#f5f6f8;--line:#d9dde3;--pass:#1a7f37;--fail:#cf222e;--error:#bc4c00;--warn:#9a6700;--hl:#fff3b0;--accent:#0969da}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:1400px;padding:16px 24px}
h1{margin:0 0 4px;font-size:24px}h1 .id{font:500 14px ui-monospace,monospace;color:var(--muted)}
h2{border-bottom:1px solid var(--line);padding-bottom:4px;margin-top:32px}
h4{margin:12px 0 4px}
code,pre{font:12.5px/1.4 ui-monospace,"DejaVu Sans Mono",monospace}
.meta{color:var(--muted)}.warn{color:var(--warn);font-weight:600}.cut{color:var(--warn);font-style:italic}
nav a{margin-right:12px;color:var(--accent)}
.summary{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0}
.summary div{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:130px}
.summary dt{color:var(--muted);font-size:12px}.summary dd{margin:0;font-size:22px;font-weight:600}
table{border-collapse:collapse}th,td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
th.sort{cursor:pointer;user-select:none;background:var(--panel);white-space:nowrap}
th.sort::after{content:" ↕";color:var(--muted)}
th.sort[aria-sort=ascending]::after{content:" ▲";color:var(--fg)}
th.sort[aria-sort=descending]::after{content:" ▼";color:var(--fg)}
tr.passed td.status{color:var(--pass);font-weight:600}tr.failed td.status{color:var(--fail)}
td.path,th[scope=row]{font-family:ui-monospace,monospace;word-break:break-all}
.scroll{overflow-x:auto}
#matrix th.test{font-weight:500;font-size:12px;padding:6px 2px;vertical-align:bottom;text-align:center}
#matrix th.test .name{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;display:inline-block}
#matrix th.hidden-test .name{color:#6f42c1}
#matrix td.cell{text-align:center;padding:2px 4px;font-weight:700;border:1px solid var(--bg)}
span.cell{display:inline-block;min-width:1.4em;text-align:center;border-radius:3px;font-weight:700}
.st-pass{color:var(--pass);background:#dafbe1}.st-fail{color:var(--fail);background:#ffebe9}
.st-error{color:var(--error);background:#fff1e5}.st-timeout,.st-memory_limit,.st-output_limit{color:var(--warn);background:#fff8c5}
.st-crashed{color:#fff;background:#6e7781}.cell.none{color:var(--muted)}
.lock{font-size:10px;text-transform:uppercase;letter-spacing:.04em;background:#6e7781;color:#fff;border-radius:3px;padding:0 3px;margin-left:3px}
.legend .cell{margin-left:6px}
.charts{display:flex;flex-wrap:wrap;gap:24px}figure{margin:0}figcaption{color:var(--muted);text-align:center}
svg.chart text{font:12px system-ui,sans-serif;fill:var(--fg)}
svg.chart .bar{fill:#4c8bf5}svg.chart .track{fill:var(--panel)}svg.chart .axis{stroke:var(--muted)}
svg.chart .count,svg.chart .label,svg.chart .axis-title{text-anchor:middle}svg.chart .name{text-anchor:end}
svg.chart .hidden-test .bar{fill:#8a63d2}
details{border:1px solid var(--line);border-radius:6px;margin:8px 0;background:var(--bg)}
summary{cursor:pointer;padding:6px 10px;background:var(--panel)}
details .body,details>.side{padding:0 12px 10px}ul.matches{margin:6px 0;padding:0 12px 0 32px}
.side{display:grid;grid-template-columns:1fr 1fr;gap:12px}.side>div{min-width:0}
.badge{font-size:12px;border:1px solid var(--line);border-radius:10px;padding:0 7px}
.badge.passed{color:var(--pass)}.badge.failed{color:var(--fail)}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px}.facts dd{margin:0}
pre{background:var(--panel);border:1px solid var(--line);border-radius:4px;padding:6px 8px;overflow:auto;max-height:480px;margin:2px 0 8px;tab-size:4}
pre.code .line,pre.diff .dl{display:block;min-height:1.4em}pre.code .hl{background:var(--hl)}
pre.code .ln{display:inline-block;width:3.5em;padding-right:.8em;text-align:right;color:var(--muted);user-select:none}
.diff .add{color:var(--pass);background:#e6ffec}.diff .del{color:var(--fail);background:#ffebe9}
.diff .hunk{color:var(--accent)}.diff .file{color:var(--muted)}
.test-result{border-left:3px solid var(--fail);padding-left:10px;margin:8px 0}.test-result p{margin:2px 0}
.label{font-weight:600;color:var(--muted);font-size:12px}.message,.exception{font-family:ui-monospace,monospace}
.problem{border-left:3px solid var(--error);padding-left:10px}
"#;

/// Sorts the score table by a clicked heading; a second click reverses. Ties keep path order.
const SCRIPT: &str = r#"
(function () {
  "use strict";
  var table = document.getElementById("score-table");
  if (!table) { return; }
  var body = table.tBodies[0];
  var heads = Array.prototype.slice.call(table.querySelectorAll("th[data-key]"));
  function value(row, key, numeric) {
    var v = row.getAttribute("data-" + key) || "";
    return numeric ? Number(v) : v;
  }
  function sortBy(th) {
    var key = th.getAttribute("data-key");
    var numeric = th.getAttribute("data-type") === "num";
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    heads.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = value(a, key, numeric), y = value(b, key, numeric);
      var c = x < y ? -1 : (x > y ? 1 : 0);
      if (c === 0) { c = Number(a.getAttribute("data-index")) - Number(b.getAttribute("data-index")); }
      return c * dir;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  heads.forEach(function (th) {
    th.addEventListener("click", function () { sortBy(th); });
    th.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(th); }
    });
  });
})();
"#;

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::render;
    use crate::batch::{BatchReport, Entry, Match, RowStatus, SimilarPair, TestColumn};
    use crate::challenge::Visibility;
    use crate::grade::{ChallengeInfo, Details, Report, Status, TestReport};

    fn test(name: &str, visibility: Visibility, status: Status, input: &str) -> TestReport {
        TestReport {
            name: name.to_owned(),
            visibility,
            status,
            weight: 1,
            score: u32::from(status == Status::Pass),
            message: (status != Status::Pass).then(|| "the result differs".to_owned()),
            cpu_ms: Some(1),
            details: Some(Details {
                input: input.to_owned(),
                expected: Some(format!("{input}_expected")),
                actual: Some("'&actual'".to_owned()),
                diff: Some("--- expected\n+++ actual\n@@ -1 +1 @@\n-1\n+2\n".to_owned()),
                exception: None,
                output: "printed </script><b>\n".to_owned(),
                output_truncated: false,
            }),
        }
    }

    fn entry(path: &str, tests: Vec<TestReport>) -> Entry {
        let score = tests.iter().map(|t| t.score).sum();
        let passed = tests.iter().filter(|t| t.status == Status::Pass).count();
        Entry {
            path: path.to_owned(),
            hash: Some("ab".repeat(32)),
            status: RowStatus::Graded,
            note: None,
            report: Report {
                schema_version: 1,
                challenge: info(),
                submission: path.to_owned(),
                passed: passed == tests.len(),
                score,
                max_score: tests.len() as u32,
                tests_passed: passed,
                tests_total: tests.len(),
                problem: None,
                imports: vec![],
                missing_entry_points: vec![],
                revealed: false,
                tests,
            },
        }
    }

    fn info() -> ChallengeInfo {
        ChallengeInfo {
            id: "probe".to_owned(),
            title: "Probe <i>title</i>".to_owned(),
        }
    }

    /// Two candidates (one hostile path), a visible and a hidden test, one similar pair.
    fn batch(hostile_path: &str, source: &str, revealed: bool) -> BatchReport {
        let tests = || {
            vec![
                test(
                    "visible_one",
                    Visibility::Visible,
                    Status::Fail,
                    "VISIBLE_INPUT_1",
                ),
                test(
                    "hidden_one",
                    Visibility::Hidden,
                    Status::Fail,
                    "HIDDEN_INPUT_SECRET",
                ),
            ]
        };
        let submissions = vec![entry(hostile_path, tests()), entry("plain.py", tests())];
        let sources = BTreeMap::from([
            (hostile_path.to_owned(), source.to_owned()),
            ("plain.py".to_owned(), "x = 1\ny = 2\nz = 3\n".to_owned()),
        ]);
        BatchReport {
            schema_version: 1,
            challenge: info(),
            pygrade_version: "0.1.0".to_owned(),
            tests: vec![
                TestColumn {
                    name: "visible_one".to_owned(),
                    visibility: Visibility::Visible,
                    weight: 1,
                },
                TestColumn {
                    name: "hidden_one".to_owned(),
                    visibility: Visibility::Hidden,
                    weight: 1,
                },
            ],
            max_score: 2,
            revealed,
            similarity: vec![SimilarPair {
                a: hostile_path.to_owned(),
                b: "plain.py".to_owned(),
                score: 0.9,
                matches: vec![Match {
                    a_lines: [2, 2],
                    b_lines: [2, 3],
                }],
            }],
            submissions,
            sources,
        }
    }

    const HOSTILE_PATH: &str = "<script>alert(1)</script>.py";
    const HOSTILE_CODE: &str =
        "s = \"</script><script>alert(2)</script>\"\nt = \"'&amp;\" + '\"'\n";

    #[test]
    fn hostile_path_and_code_stay_inert() {
        let html = render(&batch(HOSTILE_PATH, HOSTILE_CODE, false));
        // Only pygrade's own script element exists.
        assert_eq!(html.matches("<script").count(), 1, "{html}");
        assert_eq!(html.matches("</script>").count(), 1);
        assert!(!html.contains("alert(1)</"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;.py"));
        assert!(html.contains("data-path=\"&lt;script&gt;alert(1)&lt;/script&gt;.py\""));
        // Quotes and ampersands in code: escaped, so `&amp;` in the source reads `&amp;amp;`.
        assert!(html.contains("&quot;&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;&quot;"));
        assert!(html.contains("t = &quot;&#39;&amp;amp;&quot; + &#39;&quot;&#39;"));
        assert!(!html.contains("\"'&"));
        // Challenge-chosen text and captured output too.
        assert!(html.contains("Probe &lt;i&gt;title&lt;/i&gt;"));
        assert!(!html.contains("<i>title"));
        assert!(html.contains("printed &lt;/script&gt;&lt;b&gt;"));
    }

    #[test]
    fn attribute_quotes_cannot_break_out() {
        let path = "a\" onmouseover=\"alert(1)' x='.py";
        let html = render(&batch(path, "pass\n", false));
        assert!(!html.contains("\" onmouseover"));
        assert!(!html.contains("' x='"));
        assert!(html.contains("a&quot; onmouseover=&quot;alert(1)&#39; x=&#39;.py"));
    }

    #[test]
    fn controls_and_bidi_overrides_are_shown_not_applied() {
        let html = render(&batch(
            "evil\u{202e}yp.txt\u{0}.py",
            "x = '\u{1b}[2J'\n",
            false,
        ));
        assert!(!html.contains('\u{202e}'));
        assert!(!html.contains('\u{0}'));
        assert!(!html.contains('\u{1b}'));
        assert!(html.contains("evil\\u{202e}yp.txt\\x00.py"));
        assert!(html.contains("x = &#39;\\x1b[2J&#39;"));
    }

    #[test]
    fn hidden_details_only_when_revealed() {
        let html = render(&batch("a.py", "pass\n", false));
        assert!(html.contains("VISIBLE_INPUT_1"));
        assert!(!html.contains("HIDDEN_INPUT_SECRET"));
        assert!(
            html.contains("hidden_one"),
            "the hidden test is still listed"
        );
        let revealed = render(&batch("a.py", "pass\n", true));
        assert!(revealed.contains("HIDDEN_INPUT_SECRET_expected"));
    }

    #[test]
    fn self_contained_with_a_strict_policy() {
        let html = render(&batch("a.py", "pass\n", false));
        assert!(html.contains(
            "content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\""
        ));
        for load in ["src=", "http://", "https://", "@import", "url("] {
            let bad = html.replace("http://www.w3.org/2000/svg", "");
            assert!(!bad.contains(load), "{load}");
        }
        assert!(html.contains("id=\"score-histogram\"") && html.contains("id=\"pass-rate-chart\""));
    }

    #[test]
    fn long_code_is_cut_and_similar_lines_highlighted() {
        let source: String = (1..=2_500).map(|n| format!("line_{n}\n")).collect();
        let html = render(&batch("a.py", &source, false));
        assert!(html.contains("line_2000<"));
        assert!(!html.contains("line_2001<"));
        assert!(html.contains("Showing the first 2000 of 2500 lines."));
        let plain = render(&batch("a.py", "one\ntwo\nthree\n", false));
        assert!(plain.contains("<span class=\"line hl\"><span class=\"ln\">2</span>two</span>"));
        assert!(plain.contains("<span class=\"line\"><span class=\"ln\">1</span>one</span>"));
        assert!(plain.contains("<span class=\"line hl\"><span class=\"ln\">3</span>z = 3</span>"));
    }

    #[test]
    fn details_are_bounded() {
        let mut report = batch("a.py", "pass\n", false);
        let big = "x".repeat(300) + "\n";
        let many_lines = big.repeat(1_000);
        for test in &mut report.submissions[0].report.tests {
            if let Some(d) = test.details.as_mut() {
                d.output = many_lines.clone();
            }
        }
        let tests = report.submissions[0].report.tests.clone();
        for _ in 0..20 {
            report.submissions[0]
                .report
                .tests
                .extend(tests.iter().cloned());
        }
        let html = render(&report);
        assert!(html.contains("Showing the first 200 of 1000 lines."));
        assert!(html.contains("; the JSON report has them all."));
        assert!(html.len() < 2 << 20, "{} bytes", html.len());
    }

    #[test]
    fn an_empty_batch_renders() {
        let mut report = batch("a.py", "", false);
        report.submissions.clear();
        report.similarity.clear();
        report.tests.clear();
        report.max_score = 0;
        let html = render(&report);
        assert!(html.contains("id=\"score-table\""));
        assert!(html.contains("No pairs were flagged."));
        assert!(!html.contains("NaN") && !html.contains("inf<"));
    }
}
