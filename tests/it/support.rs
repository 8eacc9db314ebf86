//! Shared helpers: the real process sandbox, grading a file or inline source, running the CLI.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use pygrade::challenge::{Challenge, ChallengeSet};
use pygrade::grade::{GradeOptions, Report, Submission, grade};
use pygrade::sandbox::ProcessSandbox;

/// The challenges in the bank that ship reference solutions and fixtures.
pub(crate) const BANK: &[&str] = &[
    "change_dir",
    "group_anagrams",
    "lru_cache",
    "memoize_ttl",
    "pipeline",
];

pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One sandbox (a pool of fork servers) for the whole test binary.
pub(crate) fn sandbox() -> &'static ProcessSandbox {
    static SANDBOX: OnceLock<ProcessSandbox> = OnceLock::new();
    SANDBOX.get_or_init(|| ProcessSandbox::new(PathBuf::from(env!("CARGO_BIN_EXE_pygrade"))))
}

/// The submissions under `fixtures/<dir>/`, as `(verdict folder, path)`, sorted.
pub(crate) fn fixture_files(dir: &str) -> Vec<(String, PathBuf)> {
    let mut found = Vec::new();
    let Ok(verdicts) = std::fs::read_dir(root().join("fixtures").join(dir)) else {
        return found;
    };
    for verdict in verdicts.flatten().filter(|e| e.path().is_dir()) {
        let name = verdict.file_name().to_string_lossy().into_owned();
        for file in std::fs::read_dir(verdict.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if file.path().extension().is_some_and(|e| e == "py") {
                found.push((name.clone(), file.path()));
            }
        }
    }
    found.sort();
    found
}

/// The challenge a fixture folder is graded against: `fixtures/<dir>/challenge.toml` if present,
/// else the bank challenge with that id.
pub(crate) fn fixture_challenge(dir: &str) -> Challenge {
    let set = ChallengeSet::new(&[]).expect("the bank loads");
    let local = root().join("fixtures").join(dir).join("challenge.toml");
    let id = if local.is_file() {
        local.display().to_string()
    } else {
        dir.to_owned()
    };
    set.resolve(&id)
        .unwrap_or_else(|e| panic!("challenge for fixtures/{dir}: {e}"))
}

pub(crate) fn grade_path(challenge: &Challenge, path: &Path, options: GradeOptions) -> Report {
    let shown = path
        .strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string();
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {shown}: {e}"));
    let submission = Submission::from_bytes(&shown, &bytes);
    grade(challenge, &submission, sandbox(), options)
        .unwrap_or_else(|e| panic!("grading {shown}: {e}"))
}

/// Grades inline source against a challenge given as inline TOML.
pub(crate) fn grade_source(challenge_toml: &str, source: &str) -> Report {
    let dir = scratch_dir("inline");
    let path = dir.join("challenge.toml");
    std::fs::write(&path, challenge_toml).expect("write challenge");
    let challenge = ChallengeSet::new(&[])
        .unwrap()
        .resolve(&path.display().to_string())
        .expect("valid inline challenge");
    let submission = Submission::from_bytes("submission.py", source.as_bytes());
    grade(
        &challenge,
        &submission,
        sandbox(),
        GradeOptions {
            reveal: true,
            ..GradeOptions::default()
        },
    )
    .expect("grades")
}

/// A probe challenge with entry `f`, a CPU limit of `time` seconds and the given extra TOML
/// (usually `[[tests]]` tables), for `grade_source`.
pub(crate) fn probe_challenge(time: f64, tests: &str) -> String {
    format!(
        "id = \"probe\"\ntitle = \"Probe\"\ndifficulty = \"easy\"\nprompt = \"p\"\nentry = [\"f\"]\nstarter = \"\"\n\
         [limits]\ntime = {time:?}\n{tests}"
    )
}

/// The `actual` value shown for test number `test` (empty when there is none).
pub(crate) fn actual(report: &Report, test: usize) -> String {
    report.tests[test]
        .details
        .as_ref()
        .and_then(|d| d.actual.clone())
        .unwrap_or_default()
}

/// A fresh empty directory under the system temp dir.
pub(crate) fn scratch_dir(name: &str) -> PathBuf {
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("pygrade-it-{}-{name}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Runs the pygrade binary from the repository root, without colour.
pub(crate) fn pygrade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pygrade"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run pygrade")
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Statuses of a report's tests, in order.
pub(crate) fn statuses(report: &Report) -> Vec<&'static str> {
    report.tests.iter().map(|t| t.status.as_str()).collect()
}

/// Whether a submission whose tests got `statuses` has the verdict a fixture folder names: `pass`
/// when every test passed; otherwise the submission failed and some test has exactly that status
/// (a `fail/` fixture must have a test that is `fail`, not merely one that did not pass).
pub(crate) fn verdict_holds(verdict: &str, statuses: &[&str]) -> bool {
    if verdict == "pass" {
        statuses.iter().all(|s| *s == "pass")
    } else {
        statuses.contains(&verdict)
    }
}

/// A test whose Python tool (an independent checker from PyPI) is missing: says why and skips,
/// unless `PYGRADE_REQUIRE_PYTHON_TOOLS=1` (as in `.ci/run`, which installs them), when it fails.
#[expect(clippy::print_stderr, reason = "a skipped test says why")]
pub(crate) fn python_tool_missing<T>(why: &str, install: &str) -> Option<T> {
    let required = std::env::var("PYGRADE_REQUIRE_PYTHON_TOOLS").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "PYGRADE_REQUIRE_PYTHON_TOOLS=1 but {why}; `{install}`"
    );
    eprintln!("SKIPPED: {why} (`{install}`)");
    None
}
