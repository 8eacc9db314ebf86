//! `pygrade grade`: one submission, one report.

use super::{emit, use_color};
use crate::challenge::ChallengeSet;
use crate::cli::{ColorChoice, GradeArgs, LimitArgs};
use crate::error::Error;
use crate::grade::{self, GradeOptions, LimitOverrides, Submission};
use crate::report::{self, human::Style};
use crate::sandbox::ProcessSandbox;

pub(super) fn run(set: &ChallengeSet, args: &GradeArgs, color: ColorChoice) -> Result<u8, Error> {
    let challenge = set.resolve(&args.challenge)?;
    let options = grade_options(args.limits)?;
    let submission = Submission::read(&args.submission)?;
    let sandbox = sandbox()?;
    let report = grade::grade(&challenge, &submission, &sandbox, options)?;
    emit(&report::render(
        args.format,
        &report,
        &Style::new(use_color(color)),
    ))?;
    Ok(u8::from(!report.passed))
}

/// The sandbox every grading command uses: fork servers started from this executable.
pub(super) fn sandbox() -> Result<ProcessSandbox, Error> {
    let executable = std::env::current_exe()
        .map_err(|e| Error::Internal(format!("cannot find the pygrade executable: {e}")))?;
    Ok(ProcessSandbox::new(executable))
}

/// `--reveal` and the limit overrides, checked.
pub(super) fn grade_options(args: LimitArgs) -> Result<GradeOptions, Error> {
    let limits = LimitOverrides {
        time: args.time_limit,
        memory_mib: args.memory_limit,
        output_kib: args.output_limit,
    };
    if limits
        .time
        .is_some_and(|t| !(t.is_finite() && t > 0.0 && t <= 600.0))
    {
        return Err(Error::Usage(
            "`--time-limit` must be more than 0 and at most 600 seconds".into(),
        ));
    }
    if limits
        .memory_mib
        .is_some_and(|m| !(32..=65_536).contains(&m))
    {
        return Err(Error::Usage(
            "`--memory-limit` must be between 32 and 65536 MiB".into(),
        ));
    }
    if limits
        .output_kib
        .is_some_and(|o| !(1..=1_048_576).contains(&o))
    {
        return Err(Error::Usage(
            "`--output-limit` must be between 1 and 1048576 KiB".into(),
        ));
    }
    Ok(GradeOptions {
        reveal: args.reveal,
        limits,
    })
}
