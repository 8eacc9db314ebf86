//! pygrade must not silently disagree with CPython: every core-challenge fixture and reference is
//! graded by both (CPython 3.11 through `tests/oracle/cpython_oracle.py`), test by test.
//! CPython is a test-time oracle only; pygrade never needs it. The test needs `python3` (3.11)
//! unless `PYGRADE_SKIP_CPYTHON=1` says to skip it.

use std::process::Command;

use pygrade::grade::GradeOptions;
use rayon::prelude::*;

use crate::support::{fixture_challenge, fixture_files, grade_path, root};

#[test]
fn pygrade_agrees_with_cpython_on_every_core_fixture() {
    if std::env::var_os("PYGRADE_SKIP_CPYTHON").is_some_and(|v| v == "1") {
        return;
    }
    assert!(
        Command::new("python3")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success()),
        "this test needs python3 (CPython 3.11) as an oracle; set PYGRADE_SKIP_CPYTHON=1 to skip it"
    );
    let mut cases = Vec::new();
    for &id in crate::support::BANK {
        cases.push((id, root().join("challenges").join(id).join("reference.py")));
        cases.extend(fixture_files(id).into_iter().map(|(_, path)| (id, path)));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("pool");
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
                    .unwrap_or_else(|e| {
                        panic!(
                            "oracle output for {}: {e}: {}",
                            path.display(),
                            String::from_utf8_lossy(&output.stderr)
                        )
                    });
                let report = grade_path(&fixture_challenge(id), path, GradeOptions::default());
                report
                    .tests
                    .iter()
                    .filter_map(|test| {
                        let cpython = oracle["tests"][&test.name].as_str().unwrap_or("missing");
                        ((cpython == "pass") != (test.status.as_str() == "pass")).then(|| {
                            format!(
                                "{} {}: CPython {cpython}, pygrade {}",
                                path.display(),
                                test.name,
                                test.status.as_str()
                            )
                        })
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    });
    assert!(
        disagreements.is_empty(),
        "pygrade and CPython disagree:\n{}",
        disagreements.join("\n")
    );
}
