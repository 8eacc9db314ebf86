//! `pygrade batch` and `pygrade merge` through the real command line, on a generated batch of
//! more than 200 candidates (correct, wrong, hostile, unreadable, missing) against the cheap
//! test-only challenge `tests/data/batch/add.toml`: the same report at any `--jobs`, after a
//! `kill -9` and a resume, and from three partitions merged. Correctness tests: nothing here
//! depends on how fast the machine is.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{root, scratch_dir, text};

/// Correct answers, written differently.
const CORRECT: &[&str] = &[
    "def add(a, b):\n    return a + b\n",
    "def add(a, b):\n    return sum([a, b])\n",
    "def add(x, y):\n    total = x\n    total += y\n    return total\n",
    "import operator\n\ndef add(a, b):\n    return operator.add(a, b)\n",
    "add = lambda a, b: b + a\n",
];
/// Wrong answers of every status.
const WRONG: &[&str] = &[
    "def add(a, b):\n    return a - b\n",
    "def add(a, b):\n    return a * b\n",
    "def add(a, b):\n    print(a + b)\n",
    "def add(a, b):\n    raise ValueError('nope')\n",
    "def add(a, b):\n    return str(a + b)\n",
    "def plus(a, b):\n    return a + b\n",
    "def add(a, b)\n    return a + b\n",
    "def add(a, b):\n    if a > 1000:\n        return 0\n    return a + b\n",
];
/// Hostile answers: each must end as a verdict, never stop the batch.
const HOSTILE: &[&str] = &[
    "def add(a, b):\n    while True:\n        pass\n",
    // One allocation past the limit: far from the time limit on any machine.
    "def add(a, b):\n    return ' ' * (200 << 20)\n",
    "def add(a, b):\n    while True:\n        print('flood' * 1000)\n",
    "import os\ndef add(a, b):\n    os.system('touch /tmp/pwned')\n    return a + b\n",
    "def add(a, b):\n    return open('/etc/passwd').read()\n",
    "import socket\ndef add(a, b):\n    return a + b\n",
    "def add(a, b):\n    return add(a, b)\n",
    "import sys\ndef add(a, b):\n    sys.exit(0)\n",
    "def add(a, b):\n    import gc\n    return [o for o in gc.get_objects() if isinstance(o, int) and o > 10**9]\n",
];

/// Number of generated flat candidates; with the candidate folders the batch has more than 200.
const FLAT: usize = 200;

/// The batch folder, built once per test binary.
fn corpus() -> &'static PathBuf {
    static CORPUS: OnceLock<PathBuf> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let dir = scratch_dir("batch-corpus");
        for i in 0..FLAT {
            let source = match i % 10 {
                0..=4 => format!("# candidate {i}\n{}", CORRECT[i % CORRECT.len()]),
                5..=8 => format!("# candidate {i}\n{}", WRONG[i % WRONG.len()]),
                _ => HOSTILE[(i / 10) % HOSTILE.len()].to_owned(),
            };
            std::fs::write(dir.join(format!("c{i:03}.py")), source).unwrap();
        }
        write_odd_candidates(&dir);
        dir
    })
}

/// Candidates whose answer cannot simply be read: each must become a row with a clear status.
fn write_odd_candidates(dir: &Path) {
    let put = |path: &str, bytes: &[u8]| {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    put("empty.py", b"");
    put(
        "latin1.py",
        b"def add(a, b):\n    return a + b  # caf\xe9\n",
    );
    put("folder_named/add.py", CORRECT[0].as_bytes());
    put("folder_named/helper.py", b"X = 1\n");
    put("folder_single/src/solution.py", CORRECT[1].as_bytes());
    put("folder_none/README.md", b"nothing here\n");
    put("folder_two/a.py", b"");
    put("folder_two/b.py", b"");
    std::os::unix::fs::symlink(dir.join("does-not-exist"), dir.join("ghost.py")).unwrap();
    let fifo = std::ffi::CString::new(dir.join("pipe.py").display().to_string()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
}

fn challenge() -> String {
    root()
        .join("tests/data/batch/add.toml")
        .display()
        .to_string()
}

fn batch(extra: &[&str]) -> Output {
    let corpus = corpus().display().to_string();
    let challenge = challenge();
    let mut args = vec![
        "batch",
        challenge.as_str(),
        corpus.as_str(),
        "--format",
        "json",
        "-q",
    ];
    args.extend_from_slice(extra);
    let output = Command::new(env!("CARGO_BIN_EXE_pygrade"))
        .args(&args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run pygrade");
    assert_eq!(
        output.status.code(),
        Some(0),
        "pygrade batch {extra:?}: {}",
        text(&output.stderr)
    );
    output
}

/// The report with every measured CPU time removed: everything else must be equal.
fn comparable(json: &[u8]) -> Value {
    let mut value: Value = serde_json::from_slice(json).expect("a JSON report");
    strip_cpu(&mut value);
    value
}

fn strip_cpu(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("cpu_ms");
            map.values_mut().for_each(strip_cpu);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_cpu),
        _ => {}
    }
}

/// The uninterrupted run at `--jobs 1`, the reference every other run must equal.
fn reference() -> &'static Value {
    static REFERENCE: OnceLock<Value> = OnceLock::new();
    REFERENCE.get_or_init(|| comparable(&batch(&["--jobs", "1"]).stdout))
}

fn row<'v>(report: &'v Value, path: &str) -> &'v Value {
    report["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["path"] == path)
        .unwrap_or_else(|| panic!("no row for {path}"))
}

#[test]
fn every_candidate_gets_a_row_with_a_clear_status() {
    let report = reference();
    let rows = report["submissions"].as_array().unwrap();
    assert!(rows.len() > 200, "{} rows", rows.len());
    let paths: Vec<&str> = rows.iter().map(|r| r["path"].as_str().unwrap()).collect();
    let mut sorted = paths.clone();
    sorted.sort_unstable();
    assert_eq!(paths, sorted, "rows are in path order");
    let status = |path: &str| row(report, path)["status"].as_str().unwrap().to_owned();
    assert_eq!(status("empty.py"), "empty");
    assert_eq!(status("latin1.py"), "not_utf8");
    assert_eq!(status("ghost.py"), "unreadable");
    assert_eq!(status("pipe.py"), "unreadable");
    assert_eq!(status("folder_none/"), "no_answer");
    assert_eq!(status("folder_two/"), "no_answer");
    assert_eq!(row(report, "folder_named/add.py")["passed"], true);
    assert_eq!(row(report, "folder_single/src/solution.py")["passed"], true);
    assert_eq!(row(report, "c000.py")["passed"], true);
    assert_eq!(row(report, "c005.py")["passed"], false);
    for hostile in ["c009.py", "c019.py", "c029.py"] {
        assert_eq!(row(report, hostile)["status"], "graded", "{hostile}");
        assert_eq!(row(report, hostile)["passed"], false, "{hostile}");
    }
    let statuses: HashSet<&str> = rows
        .iter()
        .flat_map(|r| r["tests"].as_array().unwrap())
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    for expected in [
        "pass",
        "fail",
        "error",
        "timeout",
        "memory_limit",
        "output_limit",
    ] {
        assert!(
            statuses.contains(expected),
            "no {expected} in the batch: {statuses:?}"
        );
    }
    let json = report.to_string();
    assert!(
        !json.contains("987654321") && !json.contains("1111111110"),
        "a hidden input or expected value is in the report"
    );
}

#[test]
fn jobs_do_not_change_the_report() {
    for jobs in ["2", "8"] {
        let report = comparable(&batch(&["--jobs", jobs]).stdout);
        assert!(report == *reference(), "--jobs {jobs} gave another report");
    }
}

#[test]
fn a_killed_batch_resumes_without_grading_anything_twice() {
    let dir = scratch_dir("batch-resume");
    let results = dir.join("results.jsonl");
    let mut child = Command::new(env!("CARGO_BIN_EXE_pygrade"))
        .args([
            "batch",
            &challenge(),
            &corpus().display().to_string(),
            "-q",
            "-j",
            "2",
        ])
        .arg("--results")
        .arg(&results)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start pygrade");
    // Wait for some rows, however slow the machine is today, then kill it mid-batch.
    let started = Instant::now();
    while rows_in(&results).len() < 40 && started.elapsed() < Duration::from_secs(600) {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("kill -9");
    child.wait().unwrap();
    let before = rows_in(&results);
    assert!(
        before.len() >= 40 && before.len() < 200,
        "{} rows before the kill",
        before.len()
    );
    // A torn last line, as a kill in the middle of a write would leave.
    let mut torn = std::fs::read(&results).unwrap();
    torn.extend_from_slice(b"{\"kind\":\"row\",\"key\":\"torn");
    std::fs::write(&results, torn).unwrap();
    let resumed = batch(&["-j", "2", "--results", &results.display().to_string()]);
    assert!(
        comparable(&resumed.stdout) == *reference(),
        "the resumed report differs"
    );
    let after = rows_in(&results);
    let keys: HashSet<&String> = after.iter().collect();
    assert_eq!(keys.len(), after.len(), "a submission was graded twice");
    let total = reference()["submissions"].as_array().unwrap().len();
    assert_eq!(after.len(), total, "every row recorded exactly once");
    // A third run grades nothing.
    batch(&["--results", &results.display().to_string()]);
    assert_eq!(rows_in(&results).len(), total);
}

/// The keys of the row lines in a results file that parse.
fn rows_in(results: &Path) -> Vec<String> {
    let Ok(bytes) = std::fs::read(results) else {
        return Vec::new();
    };
    bytes
        .split(|&b| b == b'\n')
        .filter_map(|line| serde_json::from_slice::<Value>(line).ok())
        .filter(|line| line["kind"] == "row")
        .map(|line| line["key"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn three_partitions_merge_into_the_unsplit_report() {
    let dir = scratch_dir("batch-partition");
    let mut files = Vec::new();
    for k in 1..=3 {
        let results = dir.join(format!("slice{k}.jsonl"));
        let slice = batch(&[
            "--partition",
            &format!("{k}/3"),
            "--results",
            &results.display().to_string(),
        ]);
        let rows = comparable(&slice.stdout)["submissions"]
            .as_array()
            .unwrap()
            .len();
        assert!((66..=72).contains(&rows), "slice {k} has {rows} rows");
        files.push(results.display().to_string());
    }
    let mut args = vec!["merge", "--format", "json"];
    args.extend(files.iter().map(String::as_str));
    let merged = Command::new(env!("CARGO_BIN_EXE_pygrade"))
        .args(&args)
        .output()
        .unwrap();
    assert_eq!(merged.status.code(), Some(0), "{}", text(&merged.stderr));
    assert!(
        comparable(&merged.stdout) == *reference(),
        "the merged report differs"
    );
}

#[test]
fn a_manifest_batch_scores_each_candidate_folder_on_every_entry() {
    let dir = scratch_dir("batch-manifest");
    let manifest = dir.join("pygrade.toml");
    let challenge = challenge();
    std::fs::write(
        &manifest,
        format!(
            "[[grade]]\nchallenge = {challenge:?}\nfile = \"a.py\"\nweight = 2\n\n\
             [[grade]]\nchallenge = {challenge:?}\nfile = \"sub/b.py\"\n\n[pass]\nthreshold = 0.6\n"
        ),
    )
    .unwrap();
    let folder = dir.join("candidates");
    for (path, source) in [
        ("alice/a.py", CORRECT[0]),
        ("alice/sub/b.py", CORRECT[1]),
        ("bob/a.py", CORRECT[2]),
        ("carol/a.py", WRONG[0]),
    ] {
        let path = folder.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, source).unwrap();
    }
    let output = Command::new(env!("CARGO_BIN_EXE_pygrade"))
        .arg("batch")
        .arg("--manifest")
        .arg(&manifest)
        .arg(&folder)
        .args(["--format", "json", "-q"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let rows: Vec<(String, f64, bool)> = report["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["path"].as_str().unwrap().to_owned(),
                (c["total"].as_f64().unwrap() * 1000.0).round() / 1000.0,
                c["passed"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("alice/".to_owned(), 1.0, true),
            ("bob/".to_owned(), 0.667, true),
            ("carol/".to_owned(), 0.0, false),
        ]
    );
    let second = &report["candidates"][1]["scores"][1];
    assert_eq!(second["status"], "no_answer", "{second}");
}

#[test]
fn similarity_flags_disguised_copies_and_not_independent_answers() {
    // Sources are what similarity reads, whatever the verdicts: grade them against the cheap
    // challenge, so this costs no perf test.
    let dir = scratch_dir("batch-similarity");
    let mut independent = Vec::new();
    for challenge in ["lru_cache", "group_anagrams"] {
        for (verdict, path) in crate::support::fixture_files(challenge) {
            // `dataclass_nodes.py` is a near-copy of `doubly_linked_list_sentinels.py` (the same
            // list code, another node class): rightly flagged, so not an independent answer.
            if verdict == "pass" && !path.ends_with("dataclass_nodes.py") {
                let name = format!(
                    "{challenge}-{}",
                    path.file_name().unwrap().to_string_lossy()
                );
                std::fs::copy(&path, dir.join(&name)).unwrap();
                independent.push(name);
            }
        }
    }
    for copy in ["lru_cache_disguised.py", "group_anagrams_disguised.py"] {
        std::fs::copy(
            root().join("tests/data/similarity").join(copy),
            dir.join(copy),
        )
        .unwrap();
    }
    let output = Command::new(env!("CARGO_BIN_EXE_pygrade"))
        .args(["batch", &challenge()])
        .arg(&dir)
        .args(["--format", "json", "-q"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut pairs: Vec<(String, String)> = report["similarity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["a"].as_str().unwrap().to_owned(),
                p["b"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    pairs.sort();
    assert_eq!(
        pairs,
        [
            (
                "group_anagrams-class_based_grouper.py".to_owned(),
                "group_anagrams_disguised.py".to_owned()
            ),
            (
                "lru_cache-doubly_linked_list_sentinels.py".to_owned(),
                "lru_cache_disguised.py".to_owned()
            ),
        ],
        "only the disguised copies are flagged, among {} independent answers",
        independent.len()
    );
    for pair in report["similarity"].as_array().unwrap() {
        assert!(pair["score"].as_f64().unwrap() >= 0.7, "{pair}");
        assert!(!pair["matches"].as_array().unwrap().is_empty(), "{pair}");
    }
}

#[test]
fn the_html_report_shows_hidden_values_only_with_reveal() {
    let dir = scratch_dir("batch-html");
    // A wrong answer fails the hidden test, so a revealed page shows its input and expected value.
    std::fs::write(dir.join("wrong.py"), WRONG[0]).unwrap();
    std::fs::write(dir.join("right.py"), CORRECT[0]).unwrap();
    let page = |reveal: bool| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pygrade"));
        command
            .args(["batch", &challenge()])
            .arg(&dir)
            .args(["--format", "html", "-q"]);
        if reveal {
            command.arg("--reveal");
        }
        let output = command.output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        text(&output.stdout)
    };
    let hidden = ["987654321", "123456789", "1111111110"];
    let plain = page(false);
    assert!(plain.contains("<table") && plain.contains("wrong.py"));
    for secret in hidden {
        assert!(
            !plain.contains(secret),
            "{secret} is in the page without --reveal"
        );
    }
    let revealed = page(true);
    for secret in hidden {
        assert!(
            revealed.contains(secret),
            "{secret} is missing with --reveal"
        );
    }
}
