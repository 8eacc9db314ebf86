//! The Python side of a worker: building the warm interpreter once per fork server
//! (`interpreter`), running a job's tests in it (`harness`), converting values (`convert`), and
//! pygrade's own sort (`sort`).

mod convert;
mod harness;
mod interpreter;
mod sort;

pub(crate) use harness::{JobEnd, run_job};
pub(crate) use interpreter::{Python, raise_new};
