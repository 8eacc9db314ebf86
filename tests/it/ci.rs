//! `pygrade ci` on a small take-home repository built in a temp dir: the exit code against the
//! threshold, every artefact (JUnit read back by junitparser, an independent reader from PyPI;
//! Gradescope JSON; the GitHub summary and annotations; the CSV row; pygrade's JSON), hidden tests
//! kept out of all of them, private challenges replacing the repository's, and manifest errors.
//!
//! The JUnit check needs `python3` with `junitparser`: without them it prints why and passes,
//! unless `PYGRADE_REQUIRE_PYTHON_TOOLS=1` (as in `.ci/run`, which installs it), when it fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::support::{python_tool_missing, root, scratch_dir, text};

/// Hidden inputs and expected values: none may appear in an artefact made without `--reveal`.
const SECRETS: &[&str] = &[
    "whisper-7f3a",
    "WHISPER-7F3A",
    "40000123",
    "40000128",
    "hush-9b2e",
];

const SHOUT: &str = r#"
id = "shout"
title = "Shout"
difficulty = "easy"
prompt = "Return the text in capitals with a `!`."
entry = ["shout"]
starter = "def shout(text):\n    pass\n"
[[tests]]
name = "example"
visibility = "visible"
args = ["hi"]
expect = "HI!"
"#;

const SHOUT_HIDDEN: &str = r#"
[[tests]]
name = "secret_shout"
args = ["whisper-7f3a"]
expect = "WHISPER-7F3A!"
"#;

const ADD: &str = r#"
id = "add"
title = "Add"
difficulty = "easy"
prompt = "Add two values."
entry = ["add"]
starter = "def add(a, b):\n    pass\n"
[[tests]]
name = "example"
visibility = "visible"
args = [1, 2]
expect = 3
[[tests]]
name = "secret_numbers"
args = [40000123, 5]
expect = 40000128
[[tests]]
name = "secret_text"
args = ["hush-9b2e", "!"]
expect = "hush-9b2e!"
"#;

/// A repository: `shout` answered right, `add` wrong (and printing its inputs), both challenges
/// in the repository with their hidden tests, and a manifest with `threshold`.
fn repository(threshold: Option<f64>) -> PathBuf {
    let repo = scratch_dir("ci").join("repo");
    write(
        &repo.join("challenges/shout.toml"),
        &format!("{SHOUT}{SHOUT_HIDDEN}"),
    );
    write(&repo.join("challenges/add/challenge.toml"), ADD);
    write(
        &repo.join("solutions/shout.py"),
        "def shout(text):\n    return text.upper() + '!'\n",
    );
    write(
        &repo.join("solutions/add.py"),
        "def add(a, b):\n    print('got', a, b)\n    return a - b if isinstance(a, int) else b\n",
    );
    let pass = threshold.map_or_else(String::new, |t| format!("[pass]\nthreshold = {t}\n"));
    write(
        &repo.join("pygrade.toml"),
        &format!(
            "[[grade]]\nchallenge = \"challenges/shout.toml\"\nfile = \"solutions/shout.py\"\n\
             weight = 3\n\n[[grade]]\nchallenge = \"challenges/add\"\nfile = \"solutions/add.py\"\n\n{pass}"
        ),
    );
    repo
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// Runs pygrade in `dir` as GitHub Actions would, with the step summary in `dir/../summary.md`.
fn ci(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pygrade"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", dir.join("../summary.md"))
        .output()
        .expect("run pygrade")
}

const EVERY_OUTPUT: &[&str] = &[
    "ci",
    "--junit",
    "../out/junit.xml",
    "--gradescope",
    "../out/results.json",
    "--json",
    "../out/report.json",
    "--csv",
    "../out/row.csv",
];

/// Runs `pygrade ci` with every output into `repo/../out`; returns the run and the out folder.
fn run_everything(repo: &Path, extra: &[&str]) -> (Output, PathBuf) {
    let out = repo.join("../out");
    std::fs::create_dir_all(&out).expect("mkdir out");
    let args: Vec<&str> = EVERY_OUTPUT.iter().chain(extra).copied().collect();
    (ci(repo, &args), out)
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read json")).expect("valid json")
}

#[test]
fn exit_code_follows_the_threshold() {
    // shout (weight 3) passes, add (weight 1) fails: 75% of the total.
    for (threshold, code) in [(Some(0.7), 0), (Some(0.75), 0), (Some(0.8), 1), (None, 1)] {
        let repo = repository(threshold);
        let run = ci(&repo, &["ci"]);
        assert_eq!(
            run.status.code(),
            Some(code),
            "threshold {threshold:?}: {}",
            text(&run.stderr)
        );
        let stdout = text(&run.stdout);
        assert!(stdout.contains("TOTAL  75.0%"), "{stdout}");
        let fails = stdout.contains("::error title=pygrade::total 75.0%25 does not pass");
        assert_eq!(fails, code == 1, "{stdout}");
    }
}

#[test]
fn every_artefact_from_one_run() {
    let repo = repository(Some(0.7));
    let (run, out) = run_everything(&repo, &[]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    check_gradescope(&json(&out.join("results.json")), "after_published");
    check_report_json(&json(&out.join("report.json")), &repo);
    check_csv(
        &std::fs::read_to_string(out.join("row.csv")).expect("csv"),
        &repo,
    );
    check_summary(&std::fs::read_to_string(repo.join("../summary.md")).expect("summary"));
    check_junit(&out.join("junit.xml"), &repo);
    let (_, out) = run_everything(&repo, &["--gradescope-hidden", "hidden"]);
    check_gradescope(&json(&out.join("results.json")), "hidden");
}

fn sha256_of(path: &Path) -> String {
    pygrade::digest::sha256_hex(&std::fs::read(path).expect("read"))
}

fn check_gradescope(results: &Value, hidden: &str) {
    assert_eq!(results["score"], 3.0);
    assert_eq!(results["max_score"], 4.0);
    let tests = results["tests"].as_array().expect("tests");
    let names: Vec<&str> = tests.iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "shout: example",
            "shout: secret_shout",
            "add: example",
            "add: secret_numbers",
            "add: secret_text"
        ]
    );
    let field = |key: &str| tests.iter().map(|t| t[key].clone()).collect::<Vec<_>>();
    let statuses = ["passed", "passed", "failed", "failed", "failed"];
    assert_eq!(field("status"), statuses.map(Value::from));
    let shown = ["visible", hidden, "visible", hidden, hidden];
    assert_eq!(field("visibility"), shown.map(Value::from));
    // shout's 3 points over its 2 tests; add's 1 point over its 3.
    assert_eq!(
        field("max_score")[..2],
        [Value::from(1.5), Value::from(1.5)]
    );
    let add_example = tests[2]["output"].as_str().expect("output");
    assert!(
        add_example.contains("-3") && add_example.contains("+-1"),
        "{add_example}"
    );
    assert_eq!(
        results["extra_data"]["pygrade_version"],
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(
        results["extra_data"]["graded"].as_array().map(Vec::len),
        Some(2)
    );
}

fn check_report_json(report: &Value, repo: &Path) {
    assert_eq!(report["candidates"][0]["total"], 0.75);
    assert_eq!(report["candidates"][0]["passed"], true);
    assert_eq!(report["reports"].as_array().map(Vec::len), Some(2));
    let shout = &report["challenges"][0];
    assert_eq!(
        shout["challenge_sha256"],
        sha256_of(&repo.join("challenges/shout.toml"))
    );
    let scores = &report["candidates"][0]["scores"];
    assert_eq!(
        scores[1]["file_sha256"],
        sha256_of(&repo.join("solutions/add.py"))
    );
}

fn check_csv(csv_text: &str, repo: &Path) {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.expect("row").iter().map(String::from).collect())
        .collect();
    assert_eq!(rows.len(), 1, "{csv_text}");
    let cell = |name: &str| {
        let at = header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name}"));
        rows[0][at].clone()
    };
    assert_eq!(
        [
            cell("path"),
            cell("shout"),
            cell("add"),
            cell("total"),
            cell("passed")
        ],
        ["repo", "2", "0", "0.7500", "true"]
    );
    assert_eq!(
        cell("add file sha256"),
        sha256_of(&repo.join("solutions/add.py"))
    );
    let shout = sha256_of(&repo.join("challenges/shout.toml"));
    assert_eq!(cell("shout challenge sha256"), shout);
    assert_eq!(cell("pygrade version"), env!("CARGO_PKG_VERSION"));
}

fn check_summary(summary: &str) {
    assert!(
        summary.starts_with("### pygrade: passed · 75.0% (pass: 70.0%)"),
        "{summary}"
    );
    assert!(
        summary.contains("| ✅ | shout | solutions/shout.py | 2/2 | 2/2 | 3 |"),
        "{summary}"
    );
    assert!(
        summary.contains("| ❌ | add | solutions/add.py | 0/3 | 0/3 | 1 |"),
        "{summary}"
    );
    // The failed visible test's diff, in a fenced block that keeps its lines.
    assert!(
        summary.contains("```diff\n--- expected\n+++ actual\n@@ -1 +1 @@\n-3\n+-1\n```"),
        "{summary}"
    );
    assert!(summary.contains("2 hidden tests failed"), "{summary}");
    assert!(summary.contains(&format!("pygrade {}", env!("CARGO_PKG_VERSION"))));
}

fn check_junit(path: &Path, repo: &Path) {
    let Some(suites) = read_junit(path) else {
        return;
    };
    let suites = suites.as_array().expect("suites");
    assert_eq!(suites.len(), 2);
    let counts: Vec<(String, i64, i64, i64)> = suites
        .iter()
        .map(|s| {
            let n = |k: &str| s[k].as_i64().unwrap_or(-1);
            (
                s["name"].as_str().unwrap_or("").to_owned(),
                n("tests"),
                n("failures"),
                n("errors"),
            )
        })
        .collect();
    assert_eq!(counts, [("shout".into(), 2, 0, 0), ("add".into(), 3, 3, 0)]);
    let add = &suites[1];
    assert_eq!(
        add["properties"]["file.sha256"],
        sha256_of(&repo.join("solutions/add.py"))
    );
    assert_eq!(
        add["properties"]["pygrade.version"],
        env!("CARGO_PKG_VERSION")
    );
    let example = &add["cases"][0];
    assert_eq!(
        (&example["name"], &example["kind"]),
        (&Value::from("example"), &Value::from("failure"))
    );
    let diff = example["text"].as_str().unwrap_or("");
    assert!(diff.contains("-3\n+-1"), "the visible test's diff: {diff}");
    let hidden = &add["cases"][1];
    assert_eq!(hidden["kind"], "failure");
    assert!(
        hidden["text"].is_null(),
        "a hidden test has no details: {hidden}"
    );
}

/// junitparser's reading of a JUnit file, or `None` (test skipped) when it is not installed.
fn read_junit(path: &Path) -> Option<Value> {
    const INSTALL: &str = "python3 -m pip install junitparser";
    let script = root().join("tests/ci/read_junit.py");
    match Command::new("python3").arg(&script).arg(path).output() {
        Ok(run) if run.status.success() => {
            Some(serde_json::from_slice(&run.stdout).expect("reader's JSON"))
        }
        Ok(run) if text(&run.stderr).contains("No module named 'junitparser'") => {
            python_tool_missing("junitparser is not installed", INSTALL)
        }
        Ok(run) => panic!(
            "junitparser could not read the JUnit file: {}",
            text(&run.stderr)
        ),
        Err(e) => python_tool_missing(&format!("python3 cannot run: {e}"), INSTALL),
    }
}

/// Everything one run produced: stdout, stderr and every file written.
fn everything(run: &Output, repo: &Path, out: &Path) -> String {
    let mut all = text(&run.stdout) + &text(&run.stderr);
    for file in ["junit.xml", "results.json", "report.json", "row.csv"] {
        all += &std::fs::read_to_string(out.join(file)).unwrap_or_default();
    }
    all + &std::fs::read_to_string(repo.join("../summary.md")).unwrap_or_default()
}

#[test]
fn hidden_tests_stay_out_of_every_artefact_unless_revealed() {
    let repo = repository(Some(0.7));
    let (run, out) = run_everything(&repo, &[]);
    let all = everything(&run, &repo, &out);
    for secret in SECRETS {
        assert!(
            !all.contains(secret),
            "`{secret}` leaked into a `pygrade ci` artefact"
        );
    }
    // The check has teeth: with `--reveal` the same artefacts do carry them.
    let repo = repository(Some(0.7));
    let (run, out) = run_everything(&repo, &["--reveal"]);
    let all = everything(&run, &repo, &out);
    assert!(
        SECRETS.iter().all(|s| all.contains(s)),
        "--reveal shows hidden tests"
    );
}

#[test]
fn syntax_errors_and_missing_entry_points_are_annotated() {
    let repo = repository(None);
    write(
        &repo.join("solutions/add.py"),
        "x = 1\ndef add(a, b)\n    return a + b\n",
    );
    write(
        &repo.join("solutions/shout.py"),
        "def yell(text):\n    return text\n",
    );
    let run = ci(&repo, &["ci"]);
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
    let stdout = text(&run.stdout);
    let annotations: Vec<&str> = stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(annotations.len(), 3, "{stdout}");
    assert!(
        annotations[0]
            .starts_with("::error file=solutions/shout.py,line=1,title=missing entry point::"),
        "{annotations:?}"
    );
    assert!(
        annotations[1].starts_with("::error file=solutions/add.py,line=2,col="),
        "{annotations:?}"
    );
    assert!(
        annotations[1].contains(",title=SyntaxError::"),
        "{annotations:?}"
    );
}

#[test]
fn private_challenges_replace_the_repository_copies() {
    let repo = repository(None);
    // The candidate's copy has no hidden test; the interviewer's has one.
    write(&repo.join("challenges/shout.toml"), SHOUT);
    let private = repo.join("../private");
    write(
        &private.join("shout.toml"),
        &format!("{SHOUT}{SHOUT_HIDDEN}"),
    );
    write(&private.join("add.toml"), ADD);
    let public = ci(&repo, &["ci"]);
    assert!(!text(&public.stdout).contains("secret_shout"));
    let graded = ci(&repo, &["ci", "--challenges", "../private"]);
    assert!(
        text(&graded.stdout).contains("secret_shout"),
        "{}",
        text(&graded.stdout)
    );
    // A challenge only the repository has is refused when grading with private challenges.
    std::fs::remove_file(private.join("add.toml")).expect("rm");
    let refused = ci(&repo, &["ci", "--challenges", "../private"]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("pygrade.toml:7:13") && stderr.contains("`add`"),
        "{stderr}"
    );
}

#[test]
fn manifest_problems_are_located_and_exit_2() {
    let cases = [
        (
            "[[grade]]\nchallenge = \"lru_cache\"\nfile = \"a.py\"\nwieght = 2\n",
            "pygrade.toml:4:1",
        ),
        (
            "[[grade]]\nchallenge = \"lru_cach\"\nfile = \"a.py\"\n",
            "pygrade.toml:2:13",
        ),
        (
            "[[grade]]\nchallenge = \"lru_cache\"\nfile = \"missing.py\"\n",
            "pygrade.toml:3:8",
        ),
        ("[[grade]\nchallenge = \"lru_cache\"\n", "pygrade.toml:1:"),
        (
            "[[grade]]\nchallenge = \"lru_cache\"\nfile = \"a.py\"\n[pass]\nthreshold = 7\n",
            "pygrade.toml:5:13",
        ),
    ];
    for (manifest, at) in cases {
        let repo = scratch_dir("ci-bad");
        write(&repo.join("pygrade.toml"), manifest);
        write(&repo.join("a.py"), "pass\n");
        let run = ci(&repo, &["ci"]);
        assert_eq!(run.status.code(), Some(2), "{manifest}");
        let stderr = text(&run.stderr);
        assert!(
            stderr.contains(at),
            "{manifest}\nexpected {at} in: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

/// Every file under `dir`, as text.
fn tree_text(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(&next).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("read");
                files.push((path, String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
    }
    files
}

#[test]
fn a_kit_grades_its_starter_code_and_a_correct_answer() {
    let kit = scratch_dir("kit").join("take-home");
    let made = crate::support::pygrade(&[
        "kit",
        "lru_cache",
        "group_anagrams",
        "--out",
        kit.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(made.status.code(), Some(0), "{}", text(&made.stderr));
    let starter = ci(&kit, &["ci"]);
    assert_eq!(starter.status.code(), Some(1), "the starter code fails");
    for id in ["lru_cache", "group_anagrams"] {
        let reference = root().join(format!("challenges/{id}/reference.py"));
        std::fs::copy(reference, kit.join(format!("solutions/{id}.py"))).expect("copy");
    }
    let answered = ci(&kit, &["ci"]);
    let stdout = text(&answered.stdout);
    assert_eq!(
        answered.status.code(),
        Some(0),
        "{stdout}{}",
        text(&answered.stderr)
    );
    // The repository's challenges are public copies: visible tests only.
    assert!(!stdout.contains("hidden"), "{stdout}");
    assert!(stdout.contains("TOTAL  100.0%"), "{stdout}");
}

#[test]
fn a_kit_writes_no_hidden_test() {
    let dir = scratch_dir("kit-secret");
    let challenge = dir.join("shout.toml");
    write(&challenge, &format!("{SHOUT}{SHOUT_HIDDEN}"));
    let add = dir.join("add.toml");
    write(&add, ADD);
    let kit = dir.join("kit");
    let private = dir.join("private");
    let path = |p: &Path| p.to_str().expect("utf-8 path").to_owned();
    let made = crate::support::pygrade(&[
        "kit",
        &path(&challenge),
        &path(&add),
        "lru_cache",
        "--out",
        &path(&kit),
        "--private",
        &path(&private),
    ]);
    assert_eq!(made.status.code(), Some(0), "{}", text(&made.stderr));
    let mut secrets: Vec<&str> = SECRETS.to_vec();
    secrets.extend([
        "secret_shout",
        "secret_numbers",
        "secret_text",
        "perf_large_cache_mixed_ops",
    ]);
    let written = tree_text(&kit);
    assert!(written.len() >= 6, "{written:?}");
    for (file, contents) in &written {
        for secret in &secrets {
            assert!(
                !contents.contains(secret),
                "`{secret}` is in {}",
                file.display()
            );
        }
    }
    let stdout = text(&made.stdout);
    assert!(secrets.iter().all(|s| !stdout.contains(s)), "{stdout}");
    // The interviewer's copies do hold them, and grade the kit's repository in full.
    let private_text: String = tree_text(&private).into_iter().map(|(_, t)| t).collect();
    assert!(SECRETS.iter().all(|s| private_text.contains(s)));
    let full = ci(&kit, &["ci", "--challenges", &path(&private)]);
    assert!(
        text(&full.stdout).contains("secret_shout"),
        "{}",
        text(&full.stdout)
    );
}
