//! Verdicts must not depend on how busy the machine is: CPU time decides a timeout, and a worker
//! that makes CPU progress is never killed by a wall clock. This grades the same submissions
//! twice through the real command line, first one at a time, then heavily oversubscribed (many
//! more graders than cores, plus CPU-burning processes this test starts), and requires identical
//! per-test statuses. A correctness test: nothing here measures or asserts time.
//!
//! The submissions are every core-challenge fixture and every hostile fixture whose verdict a
//! limit decides (`timeout/`, `memory_limit/`, `output_limit/`), the ones a busy machine used to
//! flip. It takes a few minutes of CPU, so it runs when `PYGRADE_SLOW_TESTS=1` (`.ci/run` sets it).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use rayon::prelude::*;

use crate::support::{BANK, fixture_files, root, scratch_dir};

/// Concurrent graders in the loaded phase (each with its own fork server and workers).
const LOADED_GRADERS: usize = 12;
/// CPU-burning processes per core during the loaded phase.
const BURNERS_PER_CORE: usize = 2;
/// Hostile fixture folders whose verdict a limit decides.
const LIMIT_VERDICTS: &[&str] = &["timeout", "memory_limit", "output_limit"];

#[test]
fn verdicts_are_identical_idle_and_oversubscribed() {
    // Skipped unless asked for; `.ci/run` asks.
    if std::env::var_os("PYGRADE_SLOW_TESTS").is_none_or(|v| v != "1") {
        return;
    }
    let cases = cases();
    let workdir = scratch_dir("load");
    let idle: Vec<Vec<String>> = cases.iter().map(|case| statuses(case, &workdir)).collect();
    let loaded: Vec<Vec<String>> = {
        let _burners = Burners::start();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(LOADED_GRADERS)
            .build()
            .expect("a thread pool");
        pool.install(|| {
            cases
                .par_iter()
                .map(|case| statuses(case, &workdir))
                .collect()
        })
    };
    let differences: Vec<String> = cases
        .iter()
        .zip(idle.iter().zip(&loaded))
        .filter(|(_, (idle, loaded))| idle != loaded)
        .map(|(case, (idle, loaded))| {
            format!(
                "{}: idle {idle:?}, loaded {loaded:?}",
                case.submission.display()
            )
        })
        .collect();
    assert!(
        differences.is_empty(),
        "verdicts changed under load:\n{}",
        differences.join("\n")
    );
}

/// One submission and the challenge it is graded against.
struct Case {
    challenge: String,
    submission: PathBuf,
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for &id in BANK {
        for (_, path) in fixture_files(id) {
            cases.push(Case {
                challenge: id.to_owned(),
                submission: path,
            });
        }
    }
    let hostile = root().join("fixtures/hostile/challenge.toml");
    for (verdict, path) in fixture_files("hostile") {
        if LIMIT_VERDICTS.contains(&verdict.as_str()) {
            cases.push(Case {
                challenge: hostile.display().to_string(),
                submission: path,
            });
        }
    }
    assert!(cases.len() > 50, "the load test found too few fixtures");
    cases
}

/// Per-test statuses from `pygrade grade --format json`, or the failure to get them.
fn statuses(case: &Case, workdir: &Path) -> Vec<String> {
    let output = Command::new(env!("CARGO_BIN_EXE_pygrade"))
        .args(["grade", &case.challenge])
        .arg(&case.submission)
        .args(["--format", "json"])
        .current_dir(workdir)
        .output()
        .expect("run pygrade");
    let report: serde_json::Value = match serde_json::from_slice(&output.stdout) {
        Ok(report) => report,
        Err(_) => {
            return vec![format!(
                "no report (exit {:?}): {}",
                output.status.code(),
                String::from_utf8_lossy(&output.stderr)
            )];
        }
    };
    report["tests"]
        .as_array()
        .map(|tests| {
            tests
                .iter()
                .map(|t| t["status"].as_str().unwrap_or("?").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// CPU-burning child processes, killed when dropped (also when the test panics).
struct Burners(Vec<Child>);

impl Burners {
    fn start() -> Burners {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        let children = (0..cores * BURNERS_PER_CORE)
            .map(|_| {
                Command::new("sh")
                    .args(["-c", "while :; do :; done"])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("start a CPU burner")
            })
            .collect();
        Burners(children)
    }
}

impl Drop for Burners {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
