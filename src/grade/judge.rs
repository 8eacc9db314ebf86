//! One test's verdict: compare what the worker reported with the expectation, on the host, and
//! say why it did not pass.
//!
//! A hidden test's message comes from a closed set pygrade owns ([`Said`]): it is built from
//! pygrade's own words and the challenge's limits, never from anything the submission chose (an
//! exception or type name, a message, an op index), so a submission cannot spell a hidden input
//! into its report. Visible tests, and every test under `--reveal`, get the detailed message.

use super::outcome::{Details, ExceptionReport, Status, TestReport};
use crate::challenge::{Action, Expectation, TestCase, Visibility};
use crate::diff;
use crate::sandbox::protocol::{ExceptionInfo, Outcome, TestLimits, TestRun};
use crate::value::{CompareOptions, Value, align_unordered, matches};

/// Width for pretty-printing values in details and diffs.
const PRETTY_WIDTH: usize = 72;

/// Everything a hidden test's report may say about why it did not pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Said {
    Passed,
    Differs,
    Uncomparable,
    Raised,
    RaisedEarly,
    WrongException,
    WrongMessage,
    NotRaised,
    Missing,
    NotCompiled,
    Timeout,
    MemoryLimit,
    OutputLimit,
    Crashed,
}

impl Said {
    fn text(self, limits: &TestLimits) -> String {
        match self {
            Said::Passed => String::new(),
            Said::Differs => "the result differs from the expected value".into(),
            Said::Uncomparable => "returned a value of a type pygrade does not compare".into(),
            Said::Raised => "raised an exception".into(),
            Said::RaisedEarly => "raised an exception before the last op".into(),
            Said::WrongException => "raised an exception, not the expected one".into(),
            Said::WrongMessage => "raised the expected exception with a different message".into(),
            Said::NotRaised => "the expected exception was not raised".into(),
            Said::Missing => {
                "the function or class this test calls is missing or not callable".into()
            }
            Said::NotCompiled => "not run: the submission does not compile".into(),
            Said::Timeout => format!("exceeded the time limit ({} s of CPU)", limits.cpu_seconds),
            Said::MemoryLimit => {
                format!(
                    "exceeded the memory limit ({} MiB)",
                    limits.memory_bytes >> 20
                )
            }
            Said::OutputLimit => format!(
                "printed more than the output limit ({} KiB)",
                limits.output_bytes >> 10
            ),
            Said::Crashed => "crashed".into(),
        }
    }
}

/// A verdict: the status, what a hidden test may say, and the detail a visible test shows.
struct Verdict {
    status: Status,
    said: Said,
    detail: Option<String>,
}

impl Verdict {
    fn new(status: Status, said: Said) -> Self {
        Verdict {
            status,
            said,
            detail: None,
        }
    }

    fn with(mut self, detail: String) -> Self {
        self.detail = Some(detail);
        self
    }
}

/// One test's report: verdict, message and (if it may be shown) details.
pub(crate) fn judge(
    test: &TestCase,
    mut run: TestRun,
    limits: TestLimits,
    reveal: bool,
) -> TestReport {
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
    let verdict = verdict(test, &run.outcome, visible, &mut details);
    if visible
        && let (Expectation::Value { expect, .. }, None) = (&test.expectation, &details.expected)
    {
        details.expected = Some(expect.pretty(PRETTY_WIDTH));
    }
    let message = match (visible, verdict.detail) {
        _ if verdict.status == Status::Pass => None,
        (true, Some(detail)) => Some(detail),
        _ => Some(verdict.said.text(&limits)),
    };
    TestReport {
        name: test.name.clone(),
        visibility: test.visibility,
        status: verdict.status,
        weight: test.weight,
        score: if verdict.status == Status::Pass {
            test.weight
        } else {
            0
        },
        message,
        // CPU time is a channel the submission controls: hidden tests do not report it.
        cpu_ms: visible.then_some(run.cpu_ms),
        // A test that never ran has nothing to show beyond the submission's problem.
        details: (visible && run.outcome != Outcome::NotRun).then_some(details),
    }
}

/// The verdict; `shown` says whether the details will be shown (laying out and diffing values
/// is skipped for a hidden test, whose details are dropped).
fn verdict(test: &TestCase, outcome: &Outcome, shown: bool, details: &mut Details) -> Verdict {
    match (&test.expectation, outcome) {
        (Expectation::Value { expect, options }, Outcome::Returned { value }) => {
            let per_element = matches!(test.action, Action::Ops { .. } | Action::Script { .. });
            let verdict = compare_value(expect, value, *options);
            if shown {
                let differs = verdict.status != Status::Pass;
                show_values(expect, value, *options, per_element, differs, details);
            }
            verdict
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
            judge_raised(exception, message.as_deref(), raised, *step, &test.action)
        }
        (Expectation::Raises { exception, message }, Outcome::Returned { value }) => {
            details.expected = Some(expected_exception(exception, message.as_deref()));
            details.actual = Some(value.pretty(PRETTY_WIDTH));
            Verdict::new(Status::Fail, Said::NotRaised)
        }
        (Expectation::Value { expect, .. }, Outcome::Raised { exception, step }) => {
            details.expected = Some(expect.pretty(PRETTY_WIDTH));
            details.exception = Some(exception_report(exception));
            let at = step.map_or_else(String::new, |s| format!(" at op {}", s + 1));
            Verdict::new(Status::Error, Said::Raised).with(format!(
                "raised `{}`{at}: {}",
                exception.name,
                one_line(&exception.message)
            ))
        }
        (_, Outcome::Missing { message }) => {
            Verdict::new(Status::Error, Said::Missing).with(message.clone())
        }
        (_, Outcome::NotRun) => Verdict::new(Status::Error, Said::NotCompiled),
        (_, Outcome::Timeout) => Verdict::new(Status::Timeout, Said::Timeout),
        (_, Outcome::MemoryLimit) => Verdict::new(Status::MemoryLimit, Said::MemoryLimit),
        (_, Outcome::OutputLimit) => Verdict::new(Status::OutputLimit, Said::OutputLimit),
        (_, Outcome::Crashed { detail }) => {
            Verdict::new(Status::Crashed, Said::Crashed).with(format!("crashed: {detail}"))
        }
    }
}

fn compare_value(expect: &Value, actual: &Value, options: CompareOptions) -> Verdict {
    if matches(expect, actual, options) {
        Verdict::new(Status::Pass, Said::Passed)
    } else if let Value::Opaque(_) = actual {
        Verdict::new(Status::Fail, Said::Uncomparable).with(format!(
            "returned a value of a type pygrade does not compare ({})",
            one_line(&actual.repr_cut(MAX_ONE_LINE_BYTES))
        ))
    } else {
        Verdict::new(Status::Fail, Said::Differs)
    }
}

/// The expected and actual values as shown (an unordered result in the expected order where
/// they agree), and their diff if they differ. Layouts are cut at a fixed size, so this is
/// bounded whatever the values' size.
fn show_values(
    expect: &Value,
    actual: &Value,
    options: CompareOptions,
    per_element: bool,
    differs: bool,
    details: &mut Details,
) {
    let aligned = options
        .unordered
        .then(|| align_unordered(expect, actual))
        .flatten();
    let layout = |value: &Value| {
        if per_element {
            value.pretty_per_element(PRETTY_WIDTH)
        } else {
            value.pretty(PRETTY_WIDTH)
        }
    };
    let expected_text = layout(expect);
    let actual_text = layout(aligned.as_ref().unwrap_or(actual));
    if differs {
        details.diff = diff::unified(&expected_text, &actual_text);
    }
    details.expected = Some(expected_text);
    details.actual = Some(actual_text);
}

fn judge_raised(
    want: &str,
    want_message: Option<&str>,
    raised: &ExceptionInfo,
    step: Option<usize>,
    action: &Action,
) -> Verdict {
    let got = format!("`{}`", raised.name);
    if let (Action::Ops { ops, .. }, Some(step)) = (action, step)
        && step + 1 != ops.len()
    {
        return Verdict::new(Status::Fail, Said::RaisedEarly).with(format!(
            "raised {got} at op {} of {}, before the last op",
            step + 1,
            ops.len()
        ));
    }
    if !raised.mro.iter().any(|name| name == want) {
        return Verdict::new(Status::Fail, Said::WrongException)
            .with(format!("raised {got}, not `{want}`"));
    }
    match want_message {
        Some(message) if message != raised.message => {
            Verdict::new(Status::Fail, Said::WrongMessage)
                .with(format!("raised {got} with a different message"))
        }
        _ => Verdict::new(Status::Pass, Said::Passed),
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

/// How much of a repr a one-line message quotes at most (before cutting to characters).
const MAX_ONE_LINE_BYTES: usize = 1_000;

/// The first line of `text`, cut to 120 characters.
fn one_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    match line.char_indices().nth(120) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_owned(),
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
    use super::judge;
    use crate::challenge::Challenge;
    use crate::grade::Status;
    use crate::sandbox::protocol::{Outcome, TestLimits, TestRun};
    use crate::value::{MAX_NODES, Value};

    const LIMITS: TestLimits = TestLimits {
        cpu_seconds: 1.0,
        memory_bytes: 1 << 27,
        output_bytes: 1 << 16,
        recursion: 1000,
    };

    fn challenge() -> Challenge {
        crate::challenge::parse_for_tests(
            r#"
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
expect = [[1, 2], [3]]
compare = "unordered"
[[tests]]
name = "secret"
args = [2]
expect = [[1, 2], [3]]
"#,
        )
    }

    /// A result at the converter's budget: wide, with long text in it.
    fn flood() -> Value {
        let mut items: Vec<Value> = (0..MAX_NODES as i64 - 10).map(Value::int).collect();
        items[7] = Value::str("\u{1}".repeat(1 << 20));
        Value::List(items)
    }

    #[test]
    fn a_flood_of_a_result_gives_a_bounded_report() {
        let challenge = challenge();
        for reveal in [false, true] {
            for test in &challenge.tests {
                let run = TestRun::bare(Outcome::Returned { value: flood() });
                let report = judge(test, run, LIMITS, reveal);
                assert_eq!(report.status, Status::Fail);
                let shown = serde_json::to_string(&report).unwrap();
                assert!(shown.len() < 400 << 10, "{} bytes", shown.len());
                if let Some(details) = &report.details {
                    let diff = details.diff.as_deref().unwrap_or_default();
                    assert!(diff.lines().count() < 5_000 && diff.len() < 300 << 10);
                }
            }
        }
    }

    #[test]
    fn an_unordered_result_is_shown_in_the_expected_order() {
        let test = &challenge().tests[0];
        let actual = Value::List(vec![
            Value::List(vec![Value::int(3)]),
            Value::List(vec![Value::int(2), Value::int(1)]),
        ]);
        let report = judge(
            test,
            TestRun::bare(Outcome::Returned { value: actual }),
            LIMITS,
            false,
        );
        let details = report.details.unwrap();
        assert_eq!(details.actual.as_deref(), Some("[[3], [2, 1]]"));
        assert_eq!(details.expected.as_deref(), Some("[[1, 2], [3]]"));
        let report = judge(
            test,
            TestRun::bare(Outcome::Returned {
                value: Value::List(vec![
                    Value::List(vec![Value::int(3)]),
                    Value::List(vec![Value::int(1), Value::int(2)]),
                ]),
            }),
            LIMITS,
            false,
        );
        assert_eq!(report.status, Status::Pass);
        assert_eq!(
            report.details.unwrap().actual.as_deref(),
            Some("[[1, 2], [3]]")
        );
    }
}
