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

/// The job for `source`: every test's action and limits, in challenge order. `filename` is the
/// path as given; the job carries only its final component (see [`vm_filename`]).
pub(crate) fn job(
    challenge: &Challenge,
    source: &str,
    filename: &str,
    overrides: LimitOverrides,
) -> Job {
    Job {
        source: source.to_owned(),
        filename: vm_filename(filename),
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

/// The file name the VM compiles the submission under (tracebacks, `co_filename`, reprs of code
/// objects): the file's own name, not the path typed on the command line, so what a submission
/// can observe does not depend on the machine or the checkout. A name that does not end in `.py`
/// (or is very long) becomes `submission.py`: it must never look like a stdlib module's name.
fn vm_filename(path: &str) -> String {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    if name.len() > 3 && name.len() <= 100 && name.ends_with(".py") && !name.starts_with('<') {
        name.to_owned()
    } else {
        "submission.py".to_owned()
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
    use super::vm_filename;

    #[test]
    fn the_vm_sees_the_file_name_not_the_path() {
        assert_eq!(vm_filename("/home/a/answers/lru.py"), "lru.py");
        assert_eq!(vm_filename("lru.py"), "lru.py");
        assert_eq!(vm_filename("answers/json"), "submission.py");
        assert_eq!(vm_filename("x/.py"), "submission.py");
        assert_eq!(vm_filename("x/<frozen json>.py"), "submission.py");
    }
}
