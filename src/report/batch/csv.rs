//! The CSV batch report: one header row, then one row per candidate in path order, ready to import
//! into a spreadsheet or an LMS gradebook.
//!
//! Columns: `path`, `status` ([`crate::batch::RowStatus::as_str`]: `graded`, `empty`, `not_utf8`, `no_answer`,
//! `unreadable`, `grader_error`), `score`, `max_score`, `tests_passed`, `tests_total`, then one
//! column per test in the challenge's order (header: the test's name; value: the points earned
//! for it, `0` or its weight), then `similar_to`: the other submission of every flagged pair this
//! one is in, most alike first, with the score as a whole percentage (`bob.py (93%); eve.py
//! (81%)`), empty when none. A test named like a fixed column (`score`, `path`, ...) is headed
//! `test:<name>` instead, so every header is unique (test names cannot hold a `:`).
//!
//! Format: RFC 4180 as written by the `csv` crate: comma-separated, fields quoted only when they
//! need it (a comma, a quote, CR or LF), quotes doubled, and every record, the last included,
//! ended by `\r\n` as the RFC says (Excel and LMS importers read it; so does every CSV reader
//! that accepts `\n`). UTF-8 without a byte-order mark. Every row has the same number of fields.
//!
//! Formula injection: a spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and some
//! also after a leading tab or CR) as a formula, and a path is the candidate's own choice (a file
//! named `=cmd|' /C calc'!A0.py`). So, following OWASP's rule for CSV injection, every field a
//! submission chose (`path` and `similar_to`) that starts with one of `=`, `+`, `-`, `@`, tab or
//! CR is written with a leading `'`, which spreadsheets show as text and do not evaluate. Other
//! fields are pygrade's own: numbers, statuses and the challenge's identifier-like test names.
//! Paths are otherwise written as they are (control characters included, inside quotes when
//! needed), so they still match the files.

use super::percent;
use crate::batch::{BatchReport, Entry};

/// The columns every report starts with, before the tests'.
const FIXED: [&str; 6] = [
    "path",
    "status",
    "score",
    "max_score",
    "tests_passed",
    "tests_total",
];
const SIMILAR_TO: &str = "similar_to";

/// The CSV report (see the module doc for its columns and format).
pub fn render(report: &BatchReport) -> String {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // Writing to a `Vec` cannot fail, and every record has the header's length.
    writer
        .write_record(header(report))
        .expect("a csv record writes to memory");
    for entry in &report.submissions {
        writer
            .write_record(row(report, entry))
            .expect("a csv record writes to memory");
    }
    let bytes = writer.into_inner().expect("a csv writer flushes to memory");
    String::from_utf8(bytes).expect("csv of UTF-8 fields is UTF-8")
}

fn header(report: &BatchReport) -> Vec<String> {
    let mut header: Vec<String> = FIXED.iter().map(|&c| c.to_owned()).collect();
    for test in &report.tests {
        if FIXED.contains(&test.name.as_str()) || test.name == SIMILAR_TO {
            header.push(format!("test:{}", test.name));
        } else {
            header.push(test.name.clone());
        }
    }
    header.push(SIMILAR_TO.to_owned());
    header
}

fn row(report: &BatchReport, entry: &Entry) -> Vec<String> {
    let mut row = vec![
        neutralise(&entry.path),
        entry.status.as_str().to_owned(),
        entry.report.score.to_string(),
        report.max_score.to_string(),
        entry.report.tests_passed.to_string(),
        entry.report.tests_total.to_string(),
    ];
    for i in 0..report.tests.len() {
        let points = entry.report.tests.get(i).map_or(0, |t| t.score);
        row.push(points.to_string());
    }
    row.push(neutralise(&similar_to(report, &entry.path)));
    row
}

/// The other side of every flagged pair `path` is in, most alike first: `bob.py (93%); ...`.
fn similar_to(report: &BatchReport, path: &str) -> String {
    report
        .similarity
        .iter()
        .filter_map(|pair| {
            let other = if pair.a == path {
                &pair.b
            } else if pair.b == path {
                &pair.a
            } else {
                return None;
            };
            Some(format!("{other} ({}%)", percent(pair.score)))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A field a submission chose, made inert for a spreadsheet: a leading `'` when it starts with
/// `=`, `+`, `-`, `@`, tab or CR (OWASP's CSV-injection rule).
pub(crate) fn neutralise(field: &str) -> String {
    if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{field}")
    } else {
        field.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::render;
    use crate::batch::{BatchReport, RowStatus, TestColumn};
    use crate::challenge::Visibility;
    use crate::grade::Status;
    use crate::report::batch::table::tests::{ANSI, HOSTILE, batch, entry, sample, sample_tests};

    fn parse(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
        let mut reader = ::csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(text.as_bytes());
        let header = reader
            .headers()
            .expect("a header")
            .iter()
            .map(str::to_owned)
            .collect();
        let rows = reader
            .records()
            .map(|r| r.expect("a record").iter().map(str::to_owned).collect())
            .collect();
        (header, rows)
    }

    fn by_path<'a>(rows: &'a [Vec<String>], path: &str) -> &'a [String] {
        rows.iter().find(|r| r[0] == path).expect(path)
    }

    #[test]
    fn the_sample_csv() {
        // CRLF shown as `⏎` and a line break; ESC as `␛`; a bare line break is an LF in a field.
        let shown = render(&sample())
            .replace("\r\n", "⏎\n")
            .replace('\x1b', "␛");
        insta::assert_snapshot!(shown, @r#"
        path,status,score,max_score,tests_passed,tests_total,empty,basic,long_input,slow,unicode,similar_to⏎
        '=cmd|' /C calc'!A0.py,graded,3,10,2,5,1,2,0,0,0,alice/solution.py (93%)⏎
        alice/solution.py,graded,8,10,4,5,1,2,3,2,0,"'=cmd|' /C calc'!A0.py (93%); evil␛[2J
        PASS.py (86%)"⏎
        carol,no_answer,0,10,0,5,0,0,0,0,0,⏎
        "evil␛[2J
        PASS.py",graded,1,10,1,5,1,0,0,0,0,alice/solution.py (86%)⏎
        "#);
    }

    #[test]
    fn header_and_one_row_per_candidate_in_path_order() {
        let report = sample();
        let text = render(&report);
        let (header, rows) = parse(&text);
        assert_eq!(
            header,
            [
                "path",
                "status",
                "score",
                "max_score",
                "tests_passed",
                "tests_total",
                "empty",
                "basic",
                "long_input",
                "slow",
                "unicode",
                "similar_to"
            ]
        );
        assert_eq!(rows.len(), 4);
        assert!(rows.iter().all(|r| r.len() == header.len()));
        let paths: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(
            paths,
            [
                format!("'{HOSTILE}").as_str(),
                "alice/solution.py",
                "carol",
                ANSI
            ]
        );
        // Every record ends in CRLF; no bare LF outside a quoted field.
        assert!(text.ends_with("\r\n"));
        assert_eq!(
            text.matches("\r\n").count(),
            5,
            "one per record, none elsewhere: {text:?}"
        );
    }

    #[test]
    fn numbers_parse_and_add_up() {
        let (header, rows) = parse(&render(&sample()));
        for row in &rows {
            let n = |i: usize| -> u32 { row[i].parse().expect(&header[i]) };
            let points: u32 = (6..11).map(n).sum();
            assert_eq!(points, n(2), "{row:?}");
            assert_eq!(n(3), 10);
            assert_eq!(n(5), 5);
            let passed = (6..11).filter(|&i| n(i) > 0).count() as u32;
            assert_eq!(passed, n(4), "{row:?}");
        }
        let alice = by_path(&rows, "alice/solution.py");
        assert_eq!(
            alice[1..11],
            ["graded", "8", "10", "4", "5", "1", "2", "3", "2", "0"]
        );
        let carol = by_path(&rows, "carol");
        assert_eq!(
            carol[1..11],
            ["no_answer", "0", "10", "0", "5", "0", "0", "0", "0", "0"]
        );
        assert_eq!(carol[11], "");
    }

    #[test]
    fn formula_injection_is_neutralised() {
        let (_, rows) = parse(&render(&sample()));
        let hostile = &rows[0];
        assert_eq!(hostile[0], format!("'{HOSTILE}"));
        assert_eq!(hostile[11], "alice/solution.py (93%)");
        let alice = by_path(&rows, "alice/solution.py");
        // Its first pair's other side is the formula: the field starts with it, so it is guarded.
        assert_eq!(alice[11], format!("'{HOSTILE} (93%); {ANSI} (86%)"));
        assert_eq!(by_path(&rows, ANSI)[11], "alice/solution.py (86%)");
        for first in ["+", "-", "@", "\t", "\r"] {
            let tests = sample_tests();
            let path = format!("{first}1+1.py");
            let report: BatchReport = batch(
                tests.clone(),
                vec![entry(&path, RowStatus::Graded, &tests, &[Status::Pass; 5])],
                Vec::new(),
            );
            let (_, rows) = parse(&render(&report));
            assert_eq!(rows[0][0], format!("'{path}"));
        }
        for field in rows.iter().flatten() {
            assert!(
                !field.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{field:?}"
            );
        }
    }

    #[test]
    fn a_test_named_like_a_fixed_column_gets_a_prefix() {
        let tests = vec![
            TestColumn {
                name: "score".to_owned(),
                visibility: Visibility::Visible,
                weight: 1,
            },
            TestColumn {
                name: "similar_to".to_owned(),
                visibility: Visibility::Hidden,
                weight: 1,
            },
        ];
        let report = batch(
            tests.clone(),
            vec![entry(
                "a.py",
                RowStatus::Graded,
                &tests,
                &[Status::Pass, Status::Fail],
            )],
            Vec::new(),
        );
        let (header, rows) = parse(&render(&report));
        assert_eq!(header[6..], ["test:score", "test:similar_to", "similar_to"]);
        assert_eq!(rows[0][6..], ["1", "0", ""]);
    }

    #[test]
    fn no_candidates_is_just_the_header() {
        let text = render(&batch(sample_tests(), Vec::new(), Vec::new()));
        assert_eq!(
            text,
            "path,status,score,max_score,tests_passed,tests_total,empty,basic,long_input,slow,unicode,similar_to\r\n"
        );
    }
}
