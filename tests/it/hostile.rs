//! `fixtures/hostile/`: submissions that attack the grader, each its own test (see
//! `fixtures.rs`). Each is graded three times through the real command line (JSON, JSON with
//! `--reveal`, human without colour) against `fixtures/hostile/challenge.toml`, and must:
//! - get its folder's exact verdict, with the same per-test statuses on both JSON runs, and exit
//!   code 1 (0 for a `pass/` control), never 2;
//! - without `--reveal`, show no hidden input or expected value anywhere, and only messages from
//!   pygrade's closed set on hidden tests (no details, no CPU time);
//! - leave no control character in the human report that pygrade did not put there, and keep it
//!   under 1 MiB per test;
//! - keep the grader process under 100 MiB of memory and 1 s of CPU per test (`PYGRADE_STATS`);
//! - use no more CPU per test than its limit plus one second;
//! - create no file on the host and leak no planted secret.
//!
//! Nothing here depends on how fast the machine is: limits are CPU time, and no wall time is
//! asserted.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use pygrade::challenge::{Action, Expectation, Visibility};
use pygrade::value::Value;

use crate::support::{fixture_challenge, root, scratch_dir, text, verdict_holds};

const SECRET_ENV: &str = "planted-env-value-42";
const SECRET_FILE_CONTENT: &str = "planted-file-value-43";
/// Per test: the probe challenge's 1 s CPU limit plus one second.
const PER_TEST_CPU_MS: u64 = 2_000;
/// The grader's own targets, whatever the submission does.
const GRADER_PEAK_RSS_KIB: u64 = 100 << 10;
const GRADER_CPU_MS_PER_TEST: u64 = 1_000;
const HUMAN_REPORT_BYTES_PER_TEST: usize = 1 << 20;

/// Every message a hidden test may carry without `--reveal`.
const HIDDEN_MESSAGES: &[&str] = &[
    "the result differs from the expected value",
    "returned a value of a type pygrade does not compare",
    "raised an exception",
    "raised an exception before the last op",
    "raised an exception, not the expected one",
    "raised the expected exception with a different message",
    "the expected exception was not raised",
    "the function or class this test calls is missing or not callable",
    "not run: the submission does not compile",
    "exceeded the time limit (1 s of CPU)",
    "exceeded the memory limit (128 MiB)",
    "printed more than the output limit (64 KiB)",
    "crashed",
];

/// Checks one hostile fixture; panics with every problem found.
pub(crate) fn check(verdict: &str, path: &Path) {
    let shown = path
        .strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string();
    let targets = targeted_paths(path);
    for target in &targets {
        let _ = std::fs::remove_file(target);
        let _ = std::fs::remove_dir_all(target);
    }
    plant_secret_file();
    let workdir = scratch_dir("hostile-cwd");
    let json = run(path, &["--format", "json"], &workdir);
    let revealed = run(path, &["--format", "json", "--reveal"], &workdir);
    let human = run(path, &["--format", "human", "--color", "never"], &workdir);

    let mut problems = Vec::new();
    let expected_code = if verdict == "pass" { 0 } else { 1 };
    for run in [&json, &revealed, &human] {
        if run.code != Some(expected_code) {
            problems.push(format!(
                "exit {:?}, expected {expected_code}; stderr: {}",
                run.code, run.stderr
            ));
        }
        problems.extend(grader_limits(run));
        for secret in [SECRET_ENV, SECRET_FILE_CONTENT] {
            if run.stdout.contains(secret) || run.stderr.contains(secret) {
                problems.push(format!("the planted secret `{secret}` leaked"));
            }
        }
    }
    problems.extend(verdicts(verdict, &json.stdout, &revealed.stdout));
    problems.extend(hidden_stays_hidden(&json.stdout, &human.stdout));
    problems.extend(human_report_is_inert(&human.stdout));
    problems.extend(cpu_within_limits(&revealed.stdout));
    problems.extend(
        targets
            .iter()
            .filter(|t| t.exists())
            .map(|t| format!("created the host file `{}`", t.display())),
    );
    if std::fs::read_dir(&workdir).map_or(0, Iterator::count) > 0 {
        problems.push("created files in the grader's working directory".into());
    }
    assert!(problems.is_empty(), "{shown}:\n  {}", problems.join("\n  "));
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(path: &Path, format: &[&str], workdir: &Path) -> Run {
    let challenge = root().join("fixtures/hostile/challenge.toml");
    let output = Command::new(env!("CARGO_BIN_EXE_pygrade"))
        .arg("grade")
        .arg(&challenge)
        .arg(path)
        .args(format)
        .current_dir(workdir)
        .env("PYGRADE_PLANTED_SECRET", SECRET_ENV)
        .env("PYGRADE_STATS", "1")
        .env_remove("NO_COLOR")
        .output()
        .expect("run pygrade");
    Run {
        code: output.status.code(),
        stdout: text(&output.stdout),
        stderr: text(&output.stderr),
    }
}

fn statuses(report: &serde_json::Value) -> Vec<String> {
    report["tests"].as_array().map_or_else(Vec::new, |tests| {
        tests
            .iter()
            .filter_map(|t| t["status"].as_str().map(str::to_owned))
            .collect()
    })
}

/// The folder's exact verdict, and the same per-test statuses on two runs.
fn verdicts(verdict: &str, json: &str, revealed: &str) -> Vec<String> {
    let (Ok(first), Ok(second)) = (
        serde_json::from_str::<serde_json::Value>(json),
        serde_json::from_str::<serde_json::Value>(revealed),
    ) else {
        return vec!["no JSON report".into()];
    };
    let (first, second) = (statuses(&first), statuses(&second));
    let mut problems = Vec::new();
    if first != second {
        problems.push(format!("two runs disagree: {first:?} then {second:?}"));
    }
    let borrowed: Vec<&str> = first.iter().map(String::as_str).collect();
    if !verdict_holds(verdict, &borrowed) {
        problems.push(format!("folder says {verdict}, got {first:?}"));
    }
    problems
}

/// Without `--reveal`: no hidden input or expected value anywhere, and hidden tests say only what
/// pygrade's closed set of messages allows.
fn hidden_stays_hidden(json: &str, human: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for secret in hidden_strings() {
        for (format, report) in [("JSON", json), ("human", human)] {
            if report.contains(secret.as_str()) {
                problems.push(format!(
                    "the hidden value {secret:?} shows in the {format} report"
                ));
            }
        }
    }
    let Ok(report) = serde_json::from_str::<serde_json::Value>(json) else {
        return problems;
    };
    for test in report["tests"].as_array().into_iter().flatten() {
        if test["visibility"] != "hidden" {
            continue;
        }
        let message = test["message"].as_str();
        if message.is_some_and(|m| !HIDDEN_MESSAGES.contains(&m)) {
            problems.push(format!(
                "hidden test message outside the closed set: {message:?}"
            ));
        }
        if !test["details"].is_null() || !test["cpu_ms"].is_null() {
            problems.push(format!(
                "hidden test {} shows details or CPU time",
                test["name"]
            ));
        }
    }
    problems
}

/// The strings of every hidden test's inputs and expected value.
fn hidden_strings() -> &'static [String] {
    static STRINGS: OnceLock<Vec<String>> = OnceLock::new();
    STRINGS.get_or_init(|| {
        let challenge = fixture_challenge("hostile");
        let mut found = Vec::new();
        for test in challenge
            .tests
            .iter()
            .filter(|t| t.visibility == Visibility::Hidden)
        {
            if let Action::Call { args, .. } = &test.action {
                args.iter().for_each(|v| collect_strings(v, &mut found));
            }
            if let Expectation::Value { expect, .. } = &test.expectation {
                collect_strings(expect, &mut found);
            }
        }
        assert!(!found.is_empty(), "the probe challenge has hidden strings");
        found
    })
}

fn collect_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Str(s) if s.len() >= 4 => out.push(s.clone()),
        Value::List(items) | Value::Tuple(items) => {
            items.iter().for_each(|v| collect_strings(v, out));
        }
        _ => {}
    }
}

/// No control character pygrade did not put there (colour is off), and bounded size.
fn human_report_is_inert(human: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let bad = human.chars().find(|&c| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(
                c,
                '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}'
            )
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    });
    if let Some(c) = bad {
        problems.push(format!(
            "the human report contains the control character {c:?}"
        ));
    }
    let tests = human
        .lines()
        .filter(|l| l.contains(" hidden ") || l.contains(" visible"))
        .count();
    if human.len() > HUMAN_REPORT_BYTES_PER_TEST * tests.max(3) {
        problems.push(format!("the human report is {} bytes", human.len()));
    }
    problems
}

/// The grader's own memory and CPU, from its `PYGRADE_STATS` line.
fn grader_limits(run: &Run) -> Vec<String> {
    let Some(line) = run.stderr.lines().find(|l| l.starts_with("pygrade stats:")) else {
        return vec!["no stats line on stderr".into()];
    };
    let field = |name: &str| -> u64 {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('=')?.parse().ok())
            .unwrap_or(u64::MAX)
    };
    let mut problems = Vec::new();
    let rss = field("peak_rss_kib");
    if rss > GRADER_PEAK_RSS_KIB {
        problems.push(format!("the grader's peak RSS was {rss} KiB"));
    }
    let cpu = field("cpu_ms");
    if cpu > GRADER_CPU_MS_PER_TEST * 3 {
        problems.push(format!("the grader used {cpu} ms of CPU"));
    }
    problems
}

/// Each test's CPU within its limit plus one second (a dead worker's CPU comes from `wait4`).
fn cpu_within_limits(revealed: &str) -> Vec<String> {
    let Ok(report) = serde_json::from_str::<serde_json::Value>(revealed) else {
        return Vec::new();
    };
    report["tests"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["cpu_ms"].as_u64().unwrap_or(0) > PER_TEST_CPU_MS)
        .map(|t| {
            format!(
                "test {} used {} ms of CPU, more than its limit plus one second",
                t["name"], t["cpu_ms"]
            )
        })
        .collect()
}

/// Host paths the fixture tries to create, from its source (`/tmp/...` literals).
fn targeted_paths(path: &Path) -> Vec<PathBuf> {
    let source = String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned();
    let mut paths: Vec<PathBuf> = source
        .match_indices("/tmp/")
        .map(|(at, _)| {
            source[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || "/_.-".contains(*c))
                .collect::<String>()
        })
        .filter(|name| name.len() > "/tmp/".len() && !name.contains("planted"))
        .map(PathBuf::from)
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

fn plant_secret_file() {
    static PLANTED: OnceLock<()> = OnceLock::new();
    PLANTED.get_or_init(|| {
        let secret_file = std::env::temp_dir().join("pygrade_planted_secret.txt");
        std::fs::write(&secret_file, SECRET_FILE_CONTENT).expect("plant the secret file");
    });
}

#[test]
fn there_are_enough_hostile_fixtures() {
    let count = crate::support::fixture_files("hostile").len();
    assert!(count >= 40, "only {count} hostile fixtures");
}
