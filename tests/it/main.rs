//! pygrade's integration tests: one binary (see STYLE.md).

mod bad_input;
mod batch;
mod batch_html;
mod ci;
mod cli;
mod completions;
mod fixtures;
mod guarantees;
mod hostile;
mod kit;
mod load;
mod oracle;
mod report_safety;
mod schema;
mod support;
mod vm_determinism;
mod vm_policy;
