//! pygrade's integration tests: one binary (see STYLE.md).

mod bad_input;
mod cli;
mod fixtures;
mod guarantees;
mod hostile;
mod oracle;
mod support;
