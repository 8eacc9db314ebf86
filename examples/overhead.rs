//! Measures the worker design's cost per submission: cold (a new fork server: process start,
//! interpreter, stdlib imports, then one fork) and warm (a fork from a running fork server).
//!
//! `cargo run --release --locked --example overhead -- [SUBMISSIONS]` (build the binary first:
//! `cargo build --release --locked`). Grades the benign hostile-probe control (three tiny tests).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use pygrade::challenge::ChallengeSet;
use pygrade::grade::{GradeOptions, Submission, grade};
use pygrade::sandbox::ProcessSandbox;

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let executable = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent()?.parent().map(|dir| dir.join("pygrade")))
        .expect("the example runs from target/<profile>/examples");
    let challenge = ChallengeSet::new(&[])
        .and_then(|set| {
            set.resolve(
                &root
                    .join("fixtures/hostile/challenge.toml")
                    .display()
                    .to_string(),
            )
        })
        .expect("the probe challenge");
    let source =
        std::fs::read(root.join("fixtures/hostile/pass/benign_control.py")).expect("the control");
    let submission = Submission::from_bytes("benign_control.py", &source);
    let options = GradeOptions::default();

    let mut cold = Vec::new();
    for _ in 0..5 {
        let sandbox = ProcessSandbox::new(executable.clone());
        let started = Instant::now();
        let report = grade(&challenge, &submission, &sandbox, options).expect("grades");
        cold.push(started.elapsed());
        assert!(report.passed);
    }
    let sandbox = ProcessSandbox::new(executable);
    grade(&challenge, &submission, &sandbox, options).expect("warm-up");
    let mut warm = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        let report = grade(&challenge, &submission, &sandbox, options).expect("grades");
        warm.push(started.elapsed());
        assert!(report.passed);
    }
    let report = |name: &str, times: &mut Vec<Duration>| {
        times.sort();
        let mean = times.iter().sum::<Duration>() / u32::try_from(times.len()).unwrap_or(1);
        let line = format!(
            "{name}: n={} mean={:.1} ms median={:.1} ms p95={:.1} ms\n",
            times.len(),
            mean.as_secs_f64() * 1e3,
            times[times.len() / 2].as_secs_f64() * 1e3,
            times[times.len() * 95 / 100].as_secs_f64() * 1e3
        );
        std::io::Write::write_all(&mut std::io::stdout(), line.as_bytes()).expect("stdout");
    };
    report("cold (new fork server per submission)", &mut cold);
    report("warm (fork per submission)", &mut warm);
}
