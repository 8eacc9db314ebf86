//! Grades one submission: run the job in the sandbox, compare every result with its expectation
//! on the host, score, and build the [`Report`] with hidden details left out.

use super::outcome::{
    ChallengeInfo, Details, ExceptionReport, Problem, Report, SCHEMA_VERSION, Status, TestReport,
};
use super::plan::{self, LimitOverrides};
use super::submission::Submission;
use crate::challenge::{Action, Challenge, Expectation, TestCase, Visibility};
use crate::diff;
use crate::error::Error;
use crate::sandbox::Sandbox;
use crate::sandbox::protocol::{ExceptionInfo, Outcome, TestLimits, TestRun};
use crate::value::{CompareOptions, Value, align_unordered, matches};

/// Width for pretty-printing values in details and diffs.
const PRETTY_WIDTH: usize = 72;

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
    let mut report = Report {
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
        revealed: options.reveal,
        tests: Vec::new(),
    };
    let runs: Vec<TestRun> = match &submission.source {
        Err(problem) => {
            report.problem = Some(problem.clone());
            not_compiled(challenge)
        }
        Ok(source) => {
            // Visible tests run first, so nothing a hidden test's input could leave behind in the
            // worker can show up in a visible test's output; the report keeps challenge order.
            let order = plan::visible_first(challenge);
            let job = plan::job(challenge, &order, source, &submission.path, options.limits);
            let mut execution = sandbox.execute(&job)?;
            execution.runs = plan::restore_order(&order, execution.runs);
            if let Some(error) = execution.compile_error {
                let source_line = source
                    .lines()
                    .nth(error.line.saturating_sub(1))
                    .map(str::to_owned);
                report.problem = Some(Problem {
                    source_line,
                    ..Problem::new(&error.kind, error.message, error.line, error.column)
                });
                not_compiled(challenge)
            } else {
                execution.runs
            }
        }
    };
    for (test, run) in challenge.tests.iter().zip(runs) {
        let limits = plan::limits(challenge, test, options.limits);
        report.tests.push(judge(test, run, limits, options.reveal));
    }
    report.score = report.tests.iter().map(|t| t.score).sum();
    report.tests_passed = report
        .tests
        .iter()
        .filter(|t| t.status == Status::Pass)
        .count();
    report.passed = report.problem.is_none() && report.tests_passed == report.tests_total;
    Ok(report)
}

fn not_compiled(challenge: &Challenge) -> Vec<TestRun> {
    challenge
        .tests
        .iter()
        .map(|_| TestRun::bare(Outcome::NotRun))
        .collect()
}

/// One test's verdict, message and (if it may be shown) details.
fn judge(test: &TestCase, mut run: TestRun, limits: TestLimits, reveal: bool) -> TestReport {
    let visible = reveal || test.visibility == Visibility::Visible;
    let mut details = Details {
        input: describe_input(&test.action),
        expected: None,
        actual: None,
        diff: None,
        exception: None,
        output: std::mem::take(&mut run.output),
        output_truncated: run.output_truncated,
    };
    let (status, message) = match (&test.expectation, &run.outcome) {
        (Expectation::Value { expect, options }, Outcome::Returned { value }) => {
            let per_element = matches!(test.action, Action::Ops { .. } | Action::Script { .. });
            compare_value(expect, value, *options, per_element, visible, &mut details)
        }
        (
            Expectation::Raises { exception, message },
            Outcome::Raised {
                exception: raised,
                step,
            },
        ) => {
            details.expected = Some(expected_exception(exception, message.as_deref()));
            details.exception = Some(exception_report(raised));
            judge_raised(
                exception,
                message.as_deref(),
                raised,
                *step,
                &test.action,
                visible,
            )
        }
        (Expectation::Raises { exception, message }, Outcome::Returned { value }) => {
            details.expected = Some(expected_exception(exception, message.as_deref()));
            details.actual = Some(value.pretty(PRETTY_WIDTH));
            (
                Status::Fail,
                "the expected exception was not raised".to_owned(),
            )
        }
        (Expectation::Value { expect, .. }, Outcome::Raised { exception, step }) => {
            details.expected = Some(expect.pretty(PRETTY_WIDTH));
            details.exception = Some(exception_report(exception));
            let at = step.map_or_else(String::new, |s| format!(" at op {}", s + 1));
            if visible {
                (
                    Status::Error,
                    format!(
                        "raised `{}`{at}: {}",
                        exception.name,
                        one_line(&exception.message)
                    ),
                )
            } else {
                // The exception's name is the submission's choice: a hidden test's message must not
                // carry anything the submission chose, or it could spell out the hidden input.
                (Status::Error, format!("raised an exception{at}"))
            }
        }
        (_, Outcome::Missing { message }) => (Status::Error, message.clone()),
        (_, Outcome::NotRun) => (
            Status::Error,
            "not run: the submission does not compile".to_owned(),
        ),
        (_, Outcome::Timeout) => (
            Status::Timeout,
            format!("exceeded the time limit ({} s of CPU)", limits.cpu_seconds),
        ),
        (_, Outcome::MemoryLimit) => (
            Status::MemoryLimit,
            format!(
                "exceeded the memory limit ({} MiB)",
                limits.memory_bytes >> 20
            ),
        ),
        (_, Outcome::OutputLimit) => (
            Status::OutputLimit,
            format!(
                "printed more than the output limit ({} KiB)",
                limits.output_bytes >> 10
            ),
        ),
        (_, Outcome::Crashed { detail }) => (Status::Crashed, format!("crashed: {detail}")),
    };
    if let (Expectation::Value { expect, .. }, None) = (&test.expectation, &details.expected) {
        details.expected = Some(expect.pretty(PRETTY_WIDTH));
    }
    TestReport {
        name: test.name.clone(),
        visibility: test.visibility,
        status,
        weight: test.weight,
        score: if status == Status::Pass {
            test.weight
        } else {
            0
        },
        message: (status != Status::Pass).then_some(message),
        // CPU time is a channel the submission controls: hidden tests do not report it.
        cpu_ms: visible.then_some(run.cpu_ms),
        // A test that never ran has nothing to show beyond the submission's problem.
        details: (visible && run.outcome != Outcome::NotRun).then_some(details),
    }
}

fn compare_value(
    expect: &Value,
    actual: &Value,
    options: CompareOptions,
    per_element: bool,
    visible: bool,
    details: &mut Details,
) -> (Status, String) {
    let shown = if options.unordered {
        align_unordered(expect, actual, options.tolerance)
    } else {
        actual.clone()
    };
    let layout = |value: &Value| {
        if per_element {
            value.pretty_per_element(PRETTY_WIDTH)
        } else {
            value.pretty(PRETTY_WIDTH)
        }
    };
    let expected_text = layout(expect);
    let actual_text = layout(&shown);
    details.diff = diff::unified(&expected_text, &actual_text);
    details.expected = Some(expected_text);
    details.actual = Some(actual_text);
    if matches(expect, actual, options) {
        details.diff = None;
        (Status::Pass, String::new())
    } else if let Value::Opaque(_) = actual {
        let what = if visible {
            format!(" ({})", one_line(&actual.repr()))
        } else {
            String::new()
        };
        (
            Status::Fail,
            format!("returned a value of a type pygrade does not compare{what}"),
        )
    } else {
        (
            Status::Fail,
            "the result differs from the expected value".to_owned(),
        )
    }
}

fn judge_raised(
    want: &str,
    want_message: Option<&str>,
    raised: &ExceptionInfo,
    step: Option<usize>,
    action: &Action,
    visible: bool,
) -> (Status, String) {
    // Names are the submission's choice: a hidden test's message names none of them.
    let got = if visible {
        format!("`{}`", raised.name)
    } else {
        "an exception".to_owned()
    };
    if let (Action::Ops { ops, .. }, Some(step)) = (action, step)
        && step + 1 != ops.len()
    {
        return (
            Status::Fail,
            format!(
                "raised {got} at op {} of {}, before the last op",
                step + 1,
                ops.len()
            ),
        );
    }
    if !raised.mro.iter().any(|name| name == want) {
        let expected = if visible {
            format!("`{want}`")
        } else {
            "the expected exception".to_owned()
        };
        return (Status::Fail, format!("raised {got}, not {expected}"));
    }
    match want_message {
        Some(message) if message != raised.message => (
            Status::Fail,
            format!("raised {got} with a different message"),
        ),
        _ => (Status::Pass, String::new()),
    }
}

fn expected_exception(name: &str, message: Option<&str>) -> String {
    match message {
        Some(message) => format!("raises {name}: {message}"),
        None => format!("raises {name}"),
    }
}

fn exception_report(info: &ExceptionInfo) -> ExceptionReport {
    ExceptionReport {
        name: info.name.clone(),
        message: info.message.clone(),
        traceback: info.traceback.clone(),
    }
}

fn one_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    if line.chars().count() > 120 {
        format!("{}…", line.chars().take(120).collect::<String>())
    } else {
        line.to_owned()
    }
}

/// The test's input as Python a candidate can paste into a REPL.
pub(crate) fn describe_input(action: &Action) -> String {
    fn call(name: &str, args: &[Value], kwargs: &[(String, Value)]) -> String {
        let parts: Vec<String> = args
            .iter()
            .map(Value::repr)
            .chain(kwargs.iter().map(|(k, v)| format!("{k}={}", v.repr())))
            .collect();
        format!("{name}({})", parts.join(", "))
    }
    match action {
        Action::Call {
            function,
            args,
            kwargs,
        } => call(function, args, kwargs),
        Action::Ops {
            class,
            args,
            kwargs,
            ops,
        } => {
            let mut lines = vec![format!("obj = {}", call(class, args, kwargs))];
            lines.extend(
                ops.iter()
                    .map(|op| format!("obj.{}", call(&op.method, &op.args, &[]))),
            );
            lines.join("\n")
        }
        Action::Script { code } => code.trim_end().to_owned(),
    }
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
