//! The Python side of a worker: building the warm interpreter once per fork server
//! (`interpreter`), running one test in a forked copy of it (`harness`), describing what the
//! submission raised (`describe`), converting values (`convert`), and pygrade's own sort (`sort`).

mod convert;
mod describe;
mod harness;
mod imports;
mod interpreter;
mod sort;

pub(crate) use harness::run_test;
pub(crate) use interpreter::{Python, raise_new};
