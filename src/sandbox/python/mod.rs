//! The Python side of a worker: building the warm interpreter once per fork server
//! (`interpreter`), running one test in a forked copy of it (`harness`), describing what the
//! submission raised (`describe`), converting values (`convert`), pygrade's own sort (`sort`), and
//! determinism: the virtual clock (`clock`), no entropy (`entropy`), address-free ids, hashes
//! and reprs (`identity`).

mod clock;
mod convert;
mod describe;
mod entropy;
mod harness;
mod identity;
mod imports;
mod interpreter;
mod sort;

pub(crate) use harness::run_test;
pub(crate) use interpreter::{Python, raise_new};
