//! Walks `fixtures/<challenge>/<expected-verdict>/*.py` and asserts every verdict from its folder:
//! `pass` means every test passes; any other folder means the submission fails and, unless the
//! folder is `fail`, at least one test has exactly that status (`timeout`, `error`, ...).
//! Adding a fixture needs no Rust. Snapshots pin the rendered reports of a few fixtures.
//! `fixtures/hostile/` is walked by `hostile.rs`, which checks more about each.

use std::path::PathBuf;

use pygrade::grade::{GradeOptions, Status};
use pygrade::report;
use rayon::prelude::*;

use crate::support::{fixture_challenge, fixture_files, grade_path, root, statuses};

fn all_fixtures() -> Vec<(String, String, PathBuf)> {
    let mut found = Vec::new();
    for challenge in std::fs::read_dir(root().join("fixtures"))
        .expect("fixtures/")
        .flatten()
    {
        let challenge_name = challenge.file_name().to_string_lossy().into_owned();
        if challenge_name != "hostile" {
            found.extend(
                fixture_files(&challenge_name)
                    .into_iter()
                    .map(|(verdict, path)| (challenge_name.clone(), verdict, path)),
            );
        }
    }
    found.sort();
    found
}

#[test]
fn every_fixture_gets_the_verdict_its_folder_names() {
    let fixtures = all_fixtures();
    assert!(
        fixtures.len() >= 50,
        "only {} fixtures found",
        fixtures.len()
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("pool");
    let mismatches: Vec<String> = pool.install(|| {
        fixtures
            .par_iter()
            .filter_map(|(challenge, verdict, path)| {
                let report =
                    grade_path(&fixture_challenge(challenge), path, GradeOptions::default());
                let ok = match verdict.as_str() {
                    "pass" => report.passed,
                    "fail" => !report.passed,
                    status => {
                        !report.passed && report.tests.iter().any(|t| t.status.as_str() == status)
                    }
                };
                (!ok).then(|| {
                    format!(
                        "{}: folder says {verdict}, got {:?}",
                        path.display(),
                        statuses(&report)
                    )
                })
            })
            .collect()
    });
    assert!(
        mismatches.is_empty(),
        "{} fixture(s) got the wrong verdict:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn every_core_challenge_has_enough_fixtures() {
    for &id in crate::support::BANK {
        let count = |verdict: &str| {
            std::fs::read_dir(root().join("fixtures").join(id).join(verdict))
                .map_or(0, |d| d.count())
        };
        assert!(count("pass") >= 4, "{id}: fewer than 4 correct fixtures");
        assert!(count("fail") >= 6, "{id}: fewer than 6 wrong fixtures");
    }
}

#[test]
fn reference_solutions_pass_and_starters_fail() {
    for &id in crate::support::BANK {
        let challenge = fixture_challenge(id);
        let reference = root().join("challenges").join(id).join("reference.py");
        let report = grade_path(&challenge, &reference, GradeOptions::default());
        assert!(report.passed, "{id} reference: {:?}", statuses(&report));
        let starter =
            pygrade::grade::Submission::from_bytes("starter.py", challenge.starter.as_bytes());
        let report = pygrade::grade::grade(
            &challenge,
            &starter,
            crate::support::sandbox(),
            GradeOptions::default(),
        )
        .unwrap();
        assert!(!report.passed, "{id}: the starter code passes");
    }
}

fn snapshot(fixture: &str) {
    let path = root().join("fixtures").join(fixture);
    let challenge = fixture_challenge(fixture.split('/').next().unwrap());
    let report = grade_path(&challenge, &path, GradeOptions::default());
    let name = fixture.trim_end_matches(".py").replace('/', "__");
    insta::assert_snapshot!(
        format!("{name}.human"),
        report::human::render(&report, &report::human::Style::new(false))
    );
    let mut json = serde_json::to_value(&report).expect("the report serialises");
    for test in json["tests"].as_array_mut().expect("tests") {
        if !test["cpu_ms"].is_null() {
            test["cpu_ms"] = "[cpu_ms]".into(); // The one non-deterministic field.
        }
    }
    insta::assert_json_snapshot!(format!("{name}.json"), json);
    assert!(report.tests.iter().all(|t| t.status == Status::Pass) == report.passed);
}

#[test]
fn snapshot_lru_fifo_eviction() {
    snapshot("lru_cache/fail/fifo_eviction.py");
}

#[test]
fn snapshot_anagrams_case_sensitive() {
    snapshot("group_anagrams/fail/case_sensitive_key.py");
}

#[test]
fn snapshot_memoize_pass() {
    snapshot("memoize_ttl/pass/monotonic_import.py");
}

#[test]
fn snapshot_pipeline_right_to_left() {
    snapshot("pipeline/fail/right_to_left.py");
}
