//! The grading engine: read a submission and check it statically (`submission`), build the job
//! the sandbox runs (`plan`), and turn what ran into a [`Report`] (`run`, `outcome`). It never
//! prints; reporters render the report.

mod judge;
mod outcome;
mod plan;
mod run;
mod submission;

pub(crate) use judge::describe_input as describe_action;
pub use outcome::{
    ChallengeInfo, Details, ExceptionReport, Problem, Report, SCHEMA_VERSION, Status, TestReport,
};
pub use plan::LimitOverrides;
pub use run::{GradeOptions, grade, ungraded};
pub use submission::{MAX_SOURCE_BYTES, Submission};
