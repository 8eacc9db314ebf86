//! pygrade's integration tests: one binary (see STYLE.md).

mod cli;
mod fixtures;
mod guarantees;
mod hostile;
mod oracle;
mod support;
mod vm_policy;
