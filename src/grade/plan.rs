//! Builds the [`Job`] for a submission: its source and each test's action and resolved limits.
//! Expected values are not part of a job; they stay with the grader.

use crate::challenge::{Challenge, TestCase, Visibility};
use crate::sandbox::protocol::{Job, JobTest, TestLimits};

/// Limits from the command line; each replaces the challenge's value for every test.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LimitOverrides {
    pub time: Option<f64>,
    pub memory_mib: Option<u64>,
    pub output_kib: Option<u64>,
}

/// The order tests run in: visible tests first, each group in challenge order.
pub(crate) fn visible_first(challenge: &Challenge) -> Vec<usize> {
    let mut order: Vec<usize> = (0..challenge.tests.len()).collect();
    order.sort_by_key(|&i| challenge.tests[i].visibility != Visibility::Visible);
    order
}

/// Puts results that came back in `order` back into challenge order.
pub(crate) fn restore_order<T>(order: &[usize], results: Vec<T>) -> Vec<T> {
    let mut slots: Vec<Option<T>> = std::iter::repeat_with(|| None).take(order.len()).collect();
    for (&index, result) in order.iter().zip(results) {
        slots[index] = Some(result);
    }
    slots.into_iter().flatten().collect()
}

/// The job for `source`, its tests in `order` (indices into the challenge's tests).
pub(crate) fn job(
    challenge: &Challenge,
    order: &[usize],
    source: &str,
    filename: &str,
    overrides: LimitOverrides,
) -> Job {
    Job {
        source: source.to_owned(),
        filename: filename.to_owned(),
        tests: order
            .iter()
            .map(|&i| &challenge.tests[i])
            .map(|test| JobTest {
                action: test.action.clone(),
                limits: limits(challenge, test, overrides),
            })
            .collect(),
        sandbox: challenge.sandbox.clone(),
        first: 0,
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

#[cfg(test)]
mod tests {
    use super::restore_order;

    #[test]
    fn results_return_to_challenge_order() {
        let order = [1, 3, 0, 2];
        assert_eq!(
            restore_order(&order, vec!["b", "d", "a", "c"]),
            ["a", "b", "c", "d"]
        );
    }
}
