//! Grades one submission: run the job in the sandbox, compare every result with its expectation
//! on the host, score, and build the [`Report`] with hidden details left out.

use super::judge::judge;
use super::outcome::{ChallengeInfo, Problem, Report, SCHEMA_VERSION, Status, TestReport};
use super::plan::{self, LimitOverrides};
use super::submission::Submission;
use crate::challenge::Challenge;
use crate::error::Error;
use crate::sandbox::Sandbox;
use crate::sandbox::protocol::{Outcome, TestRun};

#[derive(Clone, Copy, Debug, Default)]
pub struct GradeOptions {
    /// Include hidden tests' inputs, expected values and output (authors and interviewers).
    pub reveal: bool,
    pub limits: LimitOverrides,
}

/// Grades `submission` against `challenge`. `Err` only when the sandbox itself fails.
pub fn grade(
    challenge: &Challenge,
    submission: &Submission,
    sandbox: &dyn Sandbox,
    options: GradeOptions,
) -> Result<Report, Error> {
    let mut report = blank(challenge, submission, options.reveal);
    // Each run is judged as soon as it arrives, so the grader holds one test's result at a time.
    let mut judged = Vec::with_capacity(challenge.tests.len());
    let mut settle = |index: usize, run: TestRun| {
        if let Some(test) = challenge.tests.get(index) {
            let limits = plan::limits(challenge, test, options.limits);
            judged.push(judge(test, run, limits, options.reveal));
        }
    };
    let compile_error = match &submission.source {
        Err(problem) => {
            report.problem = Some(problem.clone());
            None
        }
        Ok(source) => {
            // Every test runs in its own fresh worker, so no test's input can reach another's.
            let job = plan::job(challenge, source, &submission.path, options.limits);
            sandbox.execute_each(&job, &mut settle)?
        }
    };
    if let (Some(error), Ok(source)) = (compile_error, &submission.source) {
        let source_line = source
            .lines()
            .nth(error.line.saturating_sub(1))
            .map(str::to_owned);
        report.problem = Some(Problem {
            source_line,
            ..Problem::new(&error.kind, error.message, error.line, error.column)
        });
    }
    report.tests = if report.problem.is_some() {
        let not_run = not_compiled(challenge);
        challenge
            .tests
            .iter()
            .zip(not_run)
            .map(|(test, run)| {
                let limits = plan::limits(challenge, test, options.limits);
                judge(test, run, limits, options.reveal)
            })
            .collect()
    } else {
        judged
    };
    report.score = report.tests.iter().map(|t| t.score).sum();
    report.tests_passed = report
        .tests
        .iter()
        .filter(|t| t.status == Status::Pass)
        .count();
    report.passed = report.problem.is_none() && report.tests_passed == report.tests_total;
    Ok(report)
}

/// The report of a submission that could not be graded at all (a batch candidate with no
/// readable answer): every test `error` with the closed-set message `message`, score 0.
pub fn ungraded(challenge: &Challenge, path: &str, reveal: bool, message: &'static str) -> Report {
    let submission = Submission {
        path: path.to_owned(),
        source: Ok(String::new()),
        imports: Vec::new(),
        defined: None,
    };
    let mut report = blank(challenge, &submission, reveal);
    report.tests = challenge
        .tests
        .iter()
        .map(|test| TestReport {
            name: test.name.clone(),
            visibility: test.visibility,
            status: Status::Error,
            weight: test.weight,
            score: 0,
            message: Some(message.to_owned()),
            cpu_ms: None,
            details: None,
        })
        .collect();
    report
}

/// A report with every field but the tests and the totals filled in.
fn blank(challenge: &Challenge, submission: &Submission, reveal: bool) -> Report {
    Report {
        schema_version: SCHEMA_VERSION,
        challenge: ChallengeInfo {
            id: challenge.id.clone(),
            title: challenge.title.clone(),
        },
        submission: submission.path.clone(),
        passed: false,
        score: 0,
        max_score: challenge.tests.iter().map(|t| t.weight).sum(),
        tests_passed: 0,
        tests_total: challenge.tests.len(),
        problem: None,
        imports: submission.imports.clone(),
        missing_entry_points: submission
            .defined
            .as_ref()
            .map_or_else(Vec::new, |defined| {
                challenge
                    .entry
                    .iter()
                    .filter(|e| !defined.contains(e))
                    .cloned()
                    .collect()
            }),
        revealed: reveal,
        tests: Vec::new(),
    }
}

fn not_compiled(challenge: &Challenge) -> Vec<TestRun> {
    challenge
        .tests
        .iter()
        .map(|_| TestRun::bare(Outcome::NotRun))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{GradeOptions, grade};
    use crate::challenge::Challenge;
    use crate::grade::{Status, Submission};
    use crate::sandbox::Execution;
    use crate::sandbox::fake::FakeSandbox;
    use crate::sandbox::protocol::{ExceptionInfo, Outcome, TestRun};
    use crate::value::Value;

    fn challenge() -> Challenge {
        let text = r#"
id = "t"
title = "T"
difficulty = "easy"
prompt = "p"
entry = ["f"]
starter = ""
[[tests]]
name = "shown"
visibility = "visible"
args = [1]
expect = [1, 2]
[[tests]]
name = "secret"
args = ["hidden-input"]
expect = "hidden-expected"
weight = 3
[[tests]]
name = "boom"
kind = "raises"
args = [0]
raises = "LookupError"
"#;
        crate::challenge::parse_for_tests(text)
    }

    fn run_with(outcomes: Vec<Outcome>, reveal: bool) -> crate::grade::Report {
        let submission = Submission::from_bytes("s.py", b"def f(x): pass\n");
        let sandbox = FakeSandbox(move |_: &crate::sandbox::protocol::Job| Execution {
            compile_error: None,
            runs: outcomes.iter().cloned().map(TestRun::bare).collect(),
        });
        grade(
            &challenge(),
            &submission,
            &sandbox,
            GradeOptions {
                reveal,
                ..GradeOptions::default()
            },
        )
        .unwrap()
    }

    fn key_error() -> Outcome {
        let mro = [
            "KeyError",
            "LookupError",
            "Exception",
            "BaseException",
            "object",
        ]
        .map(String::from)
        .to_vec();
        Outcome::Raised {
            exception: ExceptionInfo {
                name: "KeyError".into(),
                mro,
                message: "'k'".into(),
                traceback: String::new(),
            },
            step: None,
        }
    }

    #[test]
    fn scores_by_weight_and_matches_exceptions_by_mro() {
        let report = run_with(
            vec![
                Outcome::Returned {
                    value: Value::List(vec![Value::int(1), Value::int(2)]),
                },
                Outcome::Returned {
                    value: Value::str("wrong"),
                },
                key_error(),
            ],
            false,
        );
        let statuses: Vec<Status> = report.tests.iter().map(|t| t.status).collect();
        assert_eq!(statuses, [Status::Pass, Status::Fail, Status::Pass]);
        assert_eq!(
            (report.score, report.max_score, report.passed),
            (2, 5, false)
        );
    }

    #[test]
    fn hidden_tests_reveal_nothing_without_reveal() {
        let outcomes = vec![
            Outcome::Timeout,
            Outcome::Returned {
                value: Value::str("wrong"),
            },
            Outcome::Returned { value: Value::None },
        ];
        let hidden = serde_json::to_string(&run_with(outcomes.clone(), false)).unwrap();
        assert!(
            !hidden.contains("hidden-input") && !hidden.contains("hidden-expected"),
            "{hidden}"
        );
        assert!(
            !hidden.contains("LookupError"),
            "the expected exception of a hidden test leaked: {hidden}"
        );
        let revealed = serde_json::to_string(&run_with(outcomes, true)).unwrap();
        assert!(revealed.contains("hidden-input") && revealed.contains("hidden-expected"));
    }
}
