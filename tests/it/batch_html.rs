//! The HTML batch report, built from real grades (`pygrade grade --format json`, as the batch
//! command will make them) and checked in a real headless Chromium (`tests/browser/check_html.py`
//! drives chromedriver over the W3C WebDriver API): the score table reads back as the report
//! holds it, sorts by score both ways on real clicks, the SVG charts are drawn, the console is
//! clean. And a leak test: hidden tests' inputs and expected values never reach the page unless
//! the batch was revealed.
//!
//! Without chromium, chromedriver or python3 the browser test prints why and passes, unless
//! `PYGRADE_REQUIRE_BROWSER=1` (as in CI), when it fails.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use pygrade::batch::{BatchReport, Entry, Match, RowStatus, SimilarPair, TestColumn};
use pygrade::challenge::Visibility;
use pygrade::grade::Report;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::support::{pygrade, root, scratch_dir, text};

const CHALLENGE: &str = "lru_cache";

/// The candidates: `(path in the batch, file under fixtures/lru_cache/, or None for inline
/// source written to a scratch file)`. In path order, which is not score order.
const CANDIDATES: &[(&str, Option<&str>)] = &[
    (
        "ana/capacity_off_by_one.py",
        Some("fail/capacity_off_by_one.py"),
    ),
    ("ben/empty.py", None),
    ("cho/fifo_eviction.py", Some("fail/fifo_eviction.py")),
    (
        "dev/missing_key_returns_none.py",
        Some("fail/missing_key_returns_none.py"),
    ),
    (
        "eve/ordereddict_move_to_end.py",
        Some("pass/ordereddict_move_to_end.py"),
    ),
    ("fay/syntax_error.py", None),
    (
        "gus/plain_dict_pop_reinsert.py",
        Some("pass/plain_dict_pop_reinsert.py"),
    ),
];

/// Inline sources for the candidates without a fixture.
fn inline_source(path: &str) -> &'static str {
    match path {
        "fay/syntax_error.py" => "class LRUCache:\n    def get(self, key:\n        return -1\n",
        _ => "",
    }
}

/// Candidates graded a second time with `--reveal`, for the leak test (they fail hidden tests).
const REVEALED: &[&str] = &[
    "ana/capacity_off_by_one.py",
    "cho/fifo_eviction.py",
    "dev/missing_key_returns_none.py",
];

struct Graded {
    path: String,
    source: String,
    report: Report,
}

/// Every candidate graded once as is, and the `REVEALED` ones with `--reveal`; shared by both
/// tests, graded two at a time.
fn graded() -> &'static (Vec<Graded>, Vec<Graded>) {
    static GRADED: OnceLock<(Vec<Graded>, Vec<Graded>)> = OnceLock::new();
    GRADED.get_or_init(|| {
        let dir = scratch_dir("batch-html-sources");
        let mut jobs: Vec<(&str, PathBuf, bool)> = Vec::new();
        for (path, fixture) in CANDIDATES {
            let file = candidate_file(&dir, path, *fixture);
            if REVEALED.contains(path) {
                jobs.push((path, file.clone(), true));
            }
            jobs.push((path, file, false));
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .expect("pool");
        let done: Vec<(bool, Graded)> = pool.install(|| {
            jobs.par_iter()
                .map(|(path, file, reveal)| (*reveal, grade(path, file, *reveal)))
                .collect()
        });
        let (revealed, plain): (Vec<_>, Vec<_>) = done.into_iter().partition(|(r, _)| *r);
        let strip = |v: Vec<(bool, Graded)>| v.into_iter().map(|(_, g)| g).collect();
        (strip(plain), strip(revealed))
    })
}

fn candidate_file(dir: &Path, path: &str, fixture: Option<&str>) -> PathBuf {
    match fixture {
        Some(rel) => root().join("fixtures").join(CHALLENGE).join(rel),
        None => {
            let file = dir.join(path.replace('/', "_"));
            std::fs::write(&file, inline_source(path)).expect("write candidate");
            file
        }
    }
}

/// `pygrade grade lru_cache <file> --format json [--reveal]`, deserialised.
fn grade(path: &str, file: &Path, reveal: bool) -> Graded {
    let file_arg = file.to_str().expect("UTF-8 path");
    let mut args = vec!["grade", CHALLENGE, file_arg, "--format", "json"];
    if reveal {
        args.push("--reveal");
    }
    let output = pygrade(&args);
    let report: Report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "grading {path}: {e}\nstdout: {}\nstderr: {}",
            text(&output.stdout),
            text(&output.stderr)
        )
    });
    Graded {
        path: path.to_owned(),
        source: std::fs::read_to_string(file).expect("read candidate"),
        report,
    }
}

fn entry(graded: &Graded) -> Entry {
    let status = if graded.source.is_empty() {
        RowStatus::Empty
    } else {
        RowStatus::Graded
    };
    Entry {
        path: graded.path.clone(),
        hash: Some(format!("{:x}", Sha256::digest(graded.source.as_bytes()))),
        status,
        note: (status == RowStatus::Empty).then(|| "the answer file is empty".to_owned()),
        report: graded.report.clone(),
    }
}

/// A folder with no answer file: every test `error`, no hash, no source (as the batch command
/// reports one), built from the empty file's grade.
fn no_answer(template: &Report) -> Entry {
    let mut report = template.clone();
    report.submission = "hal/".to_owned();
    Entry {
        path: "hal/".to_owned(),
        hash: None,
        status: RowStatus::NoAnswer,
        note: Some("no answer file found in the candidate folder".to_owned()),
        report,
    }
}

/// The batch report the batch command would make from these grades, with one similar pair.
fn batch(graded: &[Graded], revealed: bool) -> BatchReport {
    let first = &graded.first().expect("a candidate").report;
    let mut submissions: Vec<Entry> = graded.iter().map(entry).collect();
    if let Some(empty) = graded.iter().find(|g| g.source.is_empty()) {
        submissions.push(no_answer(&empty.report));
    }
    submissions.sort_by(|a, b| a.path.cmp(&b.path));
    BatchReport {
        schema_version: pygrade::batch::BATCH_SCHEMA_VERSION,
        challenge: first.challenge.clone(),
        pygrade_version: env!("CARGO_PKG_VERSION").to_owned(),
        tests: first
            .tests
            .iter()
            .map(|t| TestColumn {
                name: t.name.clone(),
                visibility: t.visibility,
                weight: t.weight,
            })
            .collect(),
        max_score: first.max_score,
        revealed,
        submissions,
        similarity: vec![SimilarPair {
            a: "ana/capacity_off_by_one.py".to_owned(),
            b: "dev/missing_key_returns_none.py".to_owned(),
            score: 0.82,
            matches: vec![
                Match {
                    a_lines: [2, 9],
                    b_lines: [2, 9],
                },
                Match {
                    a_lines: [16, 21],
                    b_lines: [15, 20],
                },
            ],
        }],
        sources: graded
            .iter()
            .map(|g| (g.path.clone(), g.source.clone()))
            .collect::<BTreeMap<_, _>>(),
    }
}

/// What the score table must read back as, in row order.
fn expectations(report: &BatchReport) -> serde_json::Value {
    let rows: Vec<serde_json::Value> = report
        .submissions
        .iter()
        .map(|e| {
            serde_json::json!({
                "path": e.path,
                "score": e.report.score,
                "max": e.report.max_score,
                "passed": e.report.tests_passed,
                "total": e.report.tests_total,
            })
        })
        .collect();
    serde_json::json!({ "rows": rows })
}

/// Why the browser test cannot run here, if it cannot.
fn browser_missing() -> Option<String> {
    let missing: Vec<&str> = ["chromium", "chromedriver", "python3"]
        .into_iter()
        .filter(|tool| find_tool(tool).is_none())
        .collect();
    (!missing.is_empty()).then(|| format!("not installed: {}", missing.join(", ")))
}

fn find_tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

#[test]
#[allow(clippy::print_stderr)]
fn html_report_sorts_and_draws_in_a_real_browser() {
    if let Some(why) = browser_missing() {
        let required = std::env::var("PYGRADE_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
        assert!(!required, "PYGRADE_REQUIRE_BROWSER=1 but {why}");
        eprintln!("SKIPPED html_report_sorts_and_draws_in_a_real_browser: {why}");
        return;
    }
    let report = batch(&graded().0, false);
    let dir = scratch_dir("batch-html");
    let html_path = dir.join("report.html");
    let expect_path = dir.join("expect.json");
    std::fs::write(&html_path, pygrade::report::batch::html::render(&report)).expect("write");
    std::fs::write(&expect_path, expectations(&report).to_string()).expect("write");
    let chromium = find_tool("chromium").expect("checked above");
    let chromedriver = find_tool("chromedriver").expect("checked above");
    let output = Command::new("python3")
        .arg(root().join("tests/browser/check_html.py"))
        .args([&html_path, &expect_path])
        .arg("--chromium")
        .arg(chromium)
        .arg("--chromedriver")
        .arg(chromedriver)
        .output()
        .expect("run python3");
    assert!(
        output.status.success(),
        "check_html.py failed ({}) on {}:\n{}\n{}",
        output.status,
        html_path.display(),
        text(&output.stdout),
        text(&output.stderr)
    );
}

/// HTML-escaped as the report escapes text.
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Inputs and expected values (and actual ones, if `actual`) of the tests of `visibility` in
/// `grades`, as `(the test failed, text)`.
fn detail_texts(grades: &[Graded], visibility: Visibility, actual: bool) -> Vec<(bool, String)> {
    let mut texts = Vec::new();
    for g in grades {
        for t in g.report.tests.iter().filter(|t| t.visibility == visibility) {
            let failed = t.status != pygrade::grade::Status::Pass;
            let Some(d) = &t.details else { continue };
            let actual = d.actual.as_ref().filter(|_| actual);
            for s in [Some(&d.input), d.expected.as_ref(), actual]
                .into_iter()
                .flatten()
            {
                texts.push((failed, s.clone()));
            }
        }
    }
    texts
}

/// Hidden tests' inputs and expected values from the revealed grades, `(from a failed test,
/// text)`: at least 8 characters long, and found in no visible test's details and no source (so
/// finding one in the page can only be a leak).
fn hidden_strings(revealed: &[Graded]) -> Vec<(bool, String)> {
    let mut public: Vec<String> = revealed.iter().map(|g| g.source.clone()).collect();
    public.extend(
        detail_texts(revealed, Visibility::Visible, true)
            .into_iter()
            .map(|(_, s)| s),
    );
    let mut found: Vec<(bool, String)> = detail_texts(revealed, Visibility::Hidden, false)
        .into_iter()
        .filter(|(_, s)| s.chars().count() >= 8 && !public.iter().any(|p| p.contains(s.as_str())))
        .collect();
    found.sort();
    found.dedup();
    found
}

#[test]
fn html_report_does_not_leak_hidden_tests() {
    let (plain, revealed) = graded();
    let secrets = hidden_strings(revealed);
    assert!(
        secrets.iter().filter(|(failed, _)| *failed).count() >= 3,
        "too few hidden strings to check: {secrets:?}"
    );
    // The batch from plain grades: the engine left hidden details out; none may appear.
    let html = pygrade::report::batch::html::render(&batch(plain, false));
    for (_, secret) in &secrets {
        assert!(
            !html.contains(secret.as_str()) && !html.contains(&escaped(secret)),
            "a hidden test's input or expected value leaked into the HTML: {secret:?}"
        );
    }
    // Revealed grades in a batch not marked revealed: still hidden.
    let mut mixed: Vec<Graded> = Vec::new();
    for g in plain {
        let source = revealed.iter().find(|r| r.path == g.path).unwrap_or(g);
        mixed.push(Graded {
            path: g.path.clone(),
            source: g.source.clone(),
            report: source.report.clone(),
        });
    }
    let html = pygrade::report::batch::html::render(&batch(&mixed, false));
    for (_, secret) in &secrets {
        assert!(
            !html.contains(&escaped(secret)),
            "an unrevealed batch showed a hidden test's details: {secret:?}"
        );
    }
    // The same, revealed: failed hidden tests' details do appear, so this test can fail.
    let html = pygrade::report::batch::html::render(&batch(&mixed, true));
    for (_, secret) in secrets.iter().filter(|(failed, _)| *failed) {
        assert!(
            html.contains(&escaped(secret)),
            "a revealed batch does not show a failed hidden test's details: {secret:?}"
        );
    }
}
