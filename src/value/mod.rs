//! The host value model: what a Python result becomes once it leaves the VM.
//!
//! Expected values never enter the VM; observations come out of it as [`Value`]s and are compared
//! here, on the host, with Python-like but strict semantics.

mod budget;
mod compare;
mod literal;
mod model;

pub use budget::{MAX_DEPTH, MAX_NODES, MAX_TEXT_BYTES, RESULT_LIMIT, Size, check_expected};
pub use compare::{CompareOptions, align_unordered, matches};
pub use literal::{LiteralError, parse_literal};
pub use model::{Value, dismantle};
