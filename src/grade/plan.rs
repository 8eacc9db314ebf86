//! Builds the [`Job`] for a submission: its source and each test's action and resolved limits.
//! Expected values are not part of a job; they stay with the grader.

use crate::challenge::{Challenge, TestCase};
use crate::sandbox::protocol::{Job, JobTest, TestLimits};

/// Limits from the command line; each replaces the challenge's value for every test.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LimitOverrides {
    pub time: Option<f64>,
    pub memory_mib: Option<u64>,
    pub output_kib: Option<u64>,
}

/// The job for `source`: every test's action and limits, in challenge order.
pub(crate) fn job(
    challenge: &Challenge,
    source: &str,
    filename: &str,
    overrides: LimitOverrides,
) -> Job {
    Job {
        source: source.to_owned(),
        filename: filename.to_owned(),
        tests: challenge
            .tests
            .iter()
            .map(|test| JobTest {
                action: test.action.clone(),
                limits: limits(challenge, test, overrides),
            })
            .collect(),
        sandbox: challenge.sandbox.clone(),
    }
}

pub(crate) fn limits(
    challenge: &Challenge,
    test: &TestCase,
    overrides: LimitOverrides,
) -> TestLimits {
    let base = challenge.limits;
    TestLimits {
        cpu_seconds: overrides.time.or(test.time).unwrap_or(base.time),
        memory_bytes: overrides.memory_mib.unwrap_or(base.memory_mib) << 20,
        output_bytes: overrides.output_kib.unwrap_or(base.output_kib) << 10,
        recursion: base.recursion,
    }
}
