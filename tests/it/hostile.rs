//! `fixtures/hostile/`: submissions that attack the grader. Each is graded through the real CLI
//! and must get its folder's verdict (`pass` only for the benign control), with exit code 1 (0 for
//! the control) and never 2, within its tests' limits plus one second each, without creating any
//! file on the host and without any planted secret showing up in the output, even with `--reveal`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

// A dead worker's CPU time comes from the fork server's `wait4`, so even a test that was killed
// reports how much CPU it used.

use rayon::prelude::*;

use crate::support::{fixture_files, root, text};

const SECRET_ENV: &str = "planted-env-value-42";
const SECRET_FILE_CONTENT: &str = "planted-file-value-43";
/// Per test: the probe challenge's 1 s CPU limit plus one second. Limits are CPU time (so a
/// verdict does not depend on machine load); this is checked against each test's measured CPU.
const PER_TEST_CPU_MS: u64 = 2_000;
/// Wall time per test that counts as a hang even on a loaded machine (the backstop is 3 s).
const PER_TEST_WALL: Duration = Duration::from_secs(6);

/// Host paths the fixtures try to create, from their source (`/tmp/...` literals).
fn targeted_paths(fixtures: &[(String, PathBuf)]) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for (_, path) in fixtures {
        let source = String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned();
        for (at, _) in source.match_indices("/tmp/") {
            let name: String = source[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || "/_.-".contains(*c))
                .collect();
            if name.len() > "/tmp/".len() && !name.contains("planted") {
                paths.push(PathBuf::from(name));
            }
        }
    }
    paths.sort();
    paths.dedup();
    paths
}

#[test]
fn hostile_submissions_get_verdicts_and_touch_nothing() {
    let fixtures = fixture_files("hostile");
    assert!(
        fixtures.len() >= 40,
        "only {} hostile fixtures",
        fixtures.len()
    );
    let targets = targeted_paths(&fixtures);
    for target in &targets {
        let _ = std::fs::remove_file(target);
        let _ = std::fs::remove_dir_all(target);
    }
    let secret_file = std::env::temp_dir().join("pygrade_planted_secret.txt");
    std::fs::write(&secret_file, SECRET_FILE_CONTENT).expect("plant the secret file");
    let workdir = crate::support::scratch_dir("hostile-cwd");

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("pool");
    let problems: Vec<String> = pool.install(|| {
        fixtures
            .par_iter()
            .filter_map(|(verdict, path)| check_one(verdict, path, &workdir).err())
            .collect()
    });

    let created: Vec<String> = targets
        .iter()
        .filter(|t| t.exists())
        .map(|t| t.display().to_string())
        .collect();
    let left_in_cwd = std::fs::read_dir(&workdir).map(|d| d.count()).unwrap_or(0);
    assert!(
        created.is_empty(),
        "hostile submissions created host files: {created:?}"
    );
    assert_eq!(
        left_in_cwd, 0,
        "hostile submissions created files in the grader's working directory"
    );
    assert!(
        problems.is_empty(),
        "{} hostile fixture(s) misbehaved:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

fn check_one(verdict: &str, path: &Path, workdir: &Path) -> Result<(), String> {
    let shown = path
        .strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string();
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_pygrade"))
        .args([
            "grade",
            &root()
                .join("fixtures/hostile/challenge.toml")
                .display()
                .to_string(),
        ])
        .arg(path)
        .args(["--format", "json", "--reveal"])
        .current_dir(workdir)
        .env("PYGRADE_PLANTED_SECRET", SECRET_ENV)
        .output()
        .map_err(|e| format!("{shown}: cannot run pygrade: {e}"))?;
    let elapsed = started.elapsed();
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    let report: serde_json::Value = serde_json::from_str(&stdout)
        .map_err(|e| format!("{shown}: no JSON report ({e}); stderr: {stderr}"))?;
    let statuses: Vec<&str> = report["tests"].as_array().map_or_else(Vec::new, |tests| {
        tests.iter().filter_map(|t| t["status"].as_str()).collect()
    });
    let expected_code = if verdict == "pass" { 0 } else { 1 };
    if output.status.code() != Some(expected_code) {
        return Err(format!(
            "{shown}: exit {:?}, expected {expected_code}; stderr: {stderr}",
            output.status.code()
        ));
    }
    let verdict_ok = match verdict {
        "pass" => report["passed"] == true,
        "fail" => report["passed"] == false,
        status => report["passed"] == false && statuses.contains(&status),
    };
    if !verdict_ok {
        return Err(format!("{shown}: folder says {verdict}, got {statuses:?}"));
    }
    for test in report["tests"].as_array().into_iter().flatten() {
        let cpu_ms = test["cpu_ms"].as_u64().unwrap_or(0);
        if cpu_ms > PER_TEST_CPU_MS {
            return Err(format!(
                "{shown}: test {} used {cpu_ms} ms of CPU, more than its limit plus one second",
                test["name"]
            ));
        }
    }
    let hang = PER_TEST_WALL * u32::try_from(statuses.len()).unwrap_or(3);
    if elapsed > hang {
        return Err(format!(
            "{shown}: took {elapsed:?} of wall time, more than {hang:?}"
        ));
    }
    for secret in [SECRET_ENV, SECRET_FILE_CONTENT] {
        if stdout.contains(secret) || stderr.contains(secret) {
            return Err(format!(
                "{shown}: the planted secret `{secret}` leaked into the output"
            ));
        }
    }
    Ok(())
}
