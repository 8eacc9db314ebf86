//! `pygrade show`: a challenge's prompt, entry points, limits and visible examples as text.

use std::fmt::Write as _;

use crate::challenge::{Challenge, Expectation, Visibility};

pub fn show(challenge: &Challenge) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {} ({}, {})",
        challenge.title,
        challenge.id,
        challenge.difficulty.as_str()
    );
    if !challenge.tags.is_empty() {
        let _ = writeln!(out, "tags: {}", challenge.tags.join(", "));
    }
    let _ = writeln!(out, "\n{}", challenge.prompt.trim());
    let _ = writeln!(
        out,
        "\nentry point{}: {}",
        if challenge.entry.len() > 1 { "s" } else { "" },
        challenge.entry.join(", ")
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
        let _ = writeln!(out, "\n## example: {}", test.name);
        let input = crate::grade::describe_action(&test.action);
        for line in input.lines() {
            let _ = writeln!(out, "    {line}");
        }
        match &test.expectation {
            Expectation::Value { expect, .. } => {
                let _ = writeln!(out, "  expected:");
                for line in expect.pretty(72).lines() {
                    let _ = writeln!(out, "    {line}");
                }
            }
            Expectation::Raises { exception, .. } => {
                let _ = writeln!(out, "  raises {exception}");
            }
        }
    }
    out
}
