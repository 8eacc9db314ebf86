//! pygrade must not silently disagree with CPython: every core-challenge fixture and reference is
//! graded by both (CPython 3.11 through `tests/oracle/cpython_oracle.py`), test by test.
//! CPython is a test-time oracle only; pygrade never needs it. Without `python3` the test says so
//! and checks nothing.

use std::process::Command;

use pygrade::grade::GradeOptions;
use rayon::prelude::*;

use crate::support::{fixture_challenge, grade_path, root};

#[test]
fn pygrade_agrees_with_cpython_on_every_core_fixture() {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("python3 not found: skipping the CPython agreement check");
        return;
    }
    let mut cases = Vec::new();
    for id in ["lru_cache", "group_anagrams", "memoize_ttl", "pipeline"] {
        cases.push((id, root().join("challenges").join(id).join("reference.py")));
        for verdict in ["pass", "fail"] {
            for entry in std::fs::read_dir(root().join("fixtures").join(id).join(verdict)).expect("fixture dir").flatten() {
                cases.push((id, entry.path()));
            }
        }
    }
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().expect("pool");
    let disagreements: Vec<String> = pool.install(|| {
        cases
            .par_iter()
            .flat_map(|(id, path)| {
                let toml = root().join("challenges").join(id).join("challenge.toml");
                let output = Command::new("python3")
                    .arg(root().join("tests/oracle/cpython_oracle.py"))
                    .arg(&toml)
                    .arg(path)
                    .output()
                    .expect("run the oracle");
                let oracle: serde_json::Value = serde_json::from_slice(&output.stdout)
                    .unwrap_or_else(|e| panic!("oracle output for {}: {e}: {}", path.display(), String::from_utf8_lossy(&output.stderr)));
                let report = grade_path(&fixture_challenge(id), path, GradeOptions::default());
                report
                    .tests
                    .iter()
                    .filter_map(|test| {
                        let cpython = oracle["tests"][&test.name].as_str().unwrap_or("missing");
                        ((cpython == "pass") != (test.status.as_str() == "pass")).then(|| {
                            format!("{} {}: CPython {cpython}, pygrade {}", path.display(), test.name, test.status.as_str())
                        })
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    });
    assert!(disagreements.is_empty(), "pygrade and CPython disagree:\n{}", disagreements.join("\n"));
}
