//! `pygrade show`: a challenge's prompt, entry points, limits and visible examples as text.
//!
//! Everything the challenge author wrote goes through [`escape`], so a challenge file cannot
//! drive the terminal; the prompt keeps its lines (and its place at column 0: it is the body of
//! this output, written by whoever wrote the rest of the challenge).

use std::fmt::Write as _;

use super::escape;

use crate::challenge::{Challenge, Expectation, Visibility};

/// The challenge as text for a terminal.
pub fn show(challenge: &Challenge) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {} ({}, {})",
        escape::line(&challenge.title),
        escape::line(&challenge.id),
        challenge.difficulty.as_str()
    );
    if !challenge.tags.is_empty() {
        let _ = writeln!(out, "tags: {}", escape::line(&challenge.tags.join(", ")));
    }
    let _ = writeln!(out);
    for line in escape::lines(challenge.prompt.trim()) {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(
        out,
        "\nentry point{}: {}",
        if challenge.entry.len() > 1 { "s" } else { "" },
        escape::line(&challenge.entry.join(", "))
    );
    let limits = challenge.limits;
    let _ = writeln!(
        out,
        "limits: {} s CPU per test, {} MiB memory, {} KiB output",
        limits.time, limits.memory_mib, limits.output_kib
    );
    let hidden = challenge
        .tests
        .iter()
        .filter(|t| t.visibility == Visibility::Hidden)
        .count();
    let _ = writeln!(out, "tests: {} ({} hidden)", challenge.tests.len(), hidden);
    for test in challenge
        .tests
        .iter()
        .filter(|t| t.visibility == Visibility::Visible)
    {
        let _ = writeln!(out, "\n## example: {}", escape::line(&test.name));
        let input = crate::grade::describe_action(&test.action);
        for line in escape::lines(&input) {
            let _ = writeln!(out, "    {line}");
        }
        match &test.expectation {
            Expectation::Value { expect, .. } => {
                let _ = writeln!(out, "  expected:");
                for line in escape::lines(&expect.pretty(72)) {
                    let _ = writeln!(out, "    {line}");
                }
            }
            Expectation::Raises { exception, .. } => {
                let _ = writeln!(out, "  raises {}", escape::line(exception));
            }
        }
    }
    out
}
