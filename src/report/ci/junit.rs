//! JUnit XML, as GitHub, GitLab (`artifacts:reports:junit`) and Jenkins read it: a `testsuite` per
//! manifest entry (its properties say what graded it) and a `testcase` per test. A failed test is
//! a `failure` (wrong answer) or an `error` (raised, timed out, over a limit, crashed), with
//! pygrade's message; a visible test's text also has its diff, expected and actual values,
//! exception and output.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::graded;
use crate::batch::Entry;
use crate::batch::combined::{CombinedReport, Part};
use crate::grade::{Status, TestReport};

/// The whole JUnit document.
pub fn render(report: &CombinedReport) -> String {
    let mut junit = Report::new("pygrade");
    for (part, entry) in graded(report) {
        junit.add_test_suite(suite(report, part, entry));
    }
    junit
        .to_string()
        .unwrap_or_else(|e| format!("<!-- cannot write JUnit XML: {e} -->\n"))
}

fn suite(report: &CombinedReport, part: &Part, entry: &Entry) -> TestSuite {
    let mut suite = TestSuite::new(part.challenge.as_str());
    suite.add_properties([
        ("pygrade.version", report.pygrade_version.as_str()),
        ("challenge", part.challenge.as_str()),
        ("challenge.sha256", part.challenge_sha256.as_str()),
        ("file", part.file.as_str()),
        ("file.sha256", entry.hash.as_deref().unwrap_or("")),
        ("status", entry.status.as_str()),
    ]);
    if let Some(problem) = &entry.report.problem {
        suite.set_system_err(format!(
            "{}:{}:{}: {}: {}",
            entry.report.submission, problem.line, problem.column, problem.kind, problem.message
        ));
    }
    let cpu: u64 = entry.report.tests.iter().filter_map(|t| t.cpu_ms).sum();
    suite.set_time(Duration::from_millis(cpu));
    for test in &entry.report.tests {
        suite.add_test_case(case(part, test));
    }
    suite
}

fn case(part: &Part, test: &TestReport) -> TestCase {
    let status = if test.status == Status::Pass {
        TestCaseStatus::success()
    } else {
        let kind = if test.status == Status::Fail {
            NonSuccessKind::Failure
        } else {
            NonSuccessKind::Error
        };
        let mut status = TestCaseStatus::non_success(kind);
        status.set_type(test.status.as_str());
        let message = test.message.as_deref().unwrap_or(test.status.as_str());
        status.set_message(message);
        if let Some(details) = &test.details {
            status.set_description(super::description(details));
        }
        status
    };
    let mut case = TestCase::new(test.name.as_str(), status);
    case.set_classname(format!("{}.{}", part.challenge, test.visibility.as_str()));
    if let Some(ms) = test.cpu_ms {
        case.set_time(Duration::from_millis(ms));
    }
    case
}
