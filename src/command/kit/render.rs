//! The text files of a take-home repository: README, `pygrade.toml`, the GitHub Actions workflow
//! and `.gitignore`. Pure functions of the challenges; only visible tests are ever read here.

use std::fmt::Write as _;

use crate::challenge::{Challenge, Expectation, TestCase, Visibility};

/// Where the candidate's answer to `challenge` goes, relative to the repository root.
pub(super) fn solution_path(challenge: &Challenge) -> String {
    format!("solutions/{}.py", challenge.id)
}

/// Where the public copy of `challenge` goes, relative to the repository root.
pub(super) fn public_path(challenge: &Challenge) -> String {
    format!(".pygrade/challenges/{}.toml", challenge.id)
}

/// The JUnit file the workflow writes and uploads.
const JUNIT: &str = "pygrade-junit.xml";

/// `pygrade.toml`: one `[[grade]]` per challenge, weight 1, and the threshold if any.
pub(super) fn manifest(challenges: &[Challenge], threshold: Option<f64>) -> String {
    let mut out = String::from(
        "# Which file each challenge grades; `pygrade ci` reads it. Written by `pygrade kit`.\n",
    );
    // Ids are lowercase letters, digits and `_` (checked on load), so they need no escaping.
    for challenge in challenges {
        let _ = write!(
            out,
            "\n[[grade]]\nchallenge = \"{}\"\nfile = \"{}\"\n",
            public_path(challenge),
            solution_path(challenge)
        );
    }
    if let Some(threshold) = threshold {
        // `Debug` always writes a TOML float (`1.0`, not `1`).
        let _ = write!(out, "\n[pass]\nthreshold = {threshold:?}\n");
    }
    out
}

/// The GitHub Actions workflow: check out, grade with `action`, upload the JUnit report.
pub(super) fn workflow(action: &str) -> String {
    format!(
        "# Grades the files under solutions/ with the challenges' public tests.\n\
         name: pygrade\n\
         on:\n  push:\n  pull_request:\n\
         jobs:\n  grade:\n    runs-on: ubuntu-latest\n    steps:\n\
         \x20     - uses: actions/checkout@v4\n\
         \x20     - uses: {action}\n        with:\n          manifest: pygrade.toml\n\
         \x20         junit: {JUNIT}\n\
         \x20     - uses: actions/upload-artifact@v4\n        if: always()\n        with:\n\
         \x20         name: pygrade-junit\n          path: {JUNIT}\n"
    )
}

/// `.gitignore`: what grading leaves behind.
pub(super) fn gitignore() -> String {
    format!("{JUNIT}\n__pycache__/\n")
}

/// `README.md`: how the take-home works, then each challenge with its public examples.
pub(super) fn readme(challenges: &[Challenge]) -> String {
    let mut out = String::from("# Take-home exercise\n\n");
    out.push_str(&how_it_works(challenges.len()));
    out.push_str("\n## Challenges\n\n| # | Challenge | Difficulty | File |\n|---|---|---|---|\n");
    for (number, challenge) in challenges.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | `{}` |",
            number + 1,
            challenge.title.replace('|', "\\|"),
            challenge.difficulty.as_str(),
            solution_path(challenge)
        );
    }
    for (number, challenge) in challenges.iter().enumerate() {
        out.push_str(&section(number + 1, challenge));
    }
    out
}

fn how_it_works(count: usize) -> String {
    let (noun, each) = if count == 1 {
        ("challenge", "its")
    } else {
        ("challenges", "each challenge's")
    };
    format!(
        "This repository holds {count} Python {noun}. For each one:\n\n\
         1. Read the prompt below and write your answer in its file under `solutions/`. The file \
         starts with the names you must define; keep them.\n\
         2. Commit and push. CI (`.github/workflows/pygrade.yml`) grades your files with {each} \
         public tests (the examples below) and shows the results in the workflow's log and \
         summary.\n\
         3. If you have pygrade installed, run `pygrade ci` in this folder to run the same tests \
         locally.\n\n\
         Your code runs in a sandboxed Python interpreter (RustPython): no network, a limited set \
         of standard-library modules, and a time and memory limit per test.\n\n\
         **The public tests are only examples.** The interviewer grades your final answers with \
         further hidden tests, so test edge cases and performance yourself. Do not edit \
         `pygrade.toml` or the files under `.pygrade/`.\n"
    )
}

/// One challenge: heading, file, entry points, limits, the prompt verbatim, public examples.
fn section(number: usize, challenge: &Challenge) -> String {
    let mut out = format!(
        "\n## {number}. {} ({})\n\n",
        challenge.title,
        challenge.difficulty.as_str()
    );
    let entry: Vec<String> = challenge.entry.iter().map(|e| format!("`{e}`")).collect();
    let limits = challenge.limits;
    let _ = write!(
        out,
        "- File to edit: `{}`\n- Entry point{}: {}\n- Limits per test: {} s CPU, {} MiB memory\n\n",
        solution_path(challenge),
        if entry.len() > 1 { "s" } else { "" },
        entry.join(", "),
        limits.time,
        limits.memory_mib
    );
    out.push_str(challenge.prompt.trim());
    out.push_str("\n\n### Public examples\n");
    for test in challenge
        .tests
        .iter()
        .filter(|t| t.visibility == Visibility::Visible)
    {
        out.push_str(&example(test));
    }
    out
}

/// A visible test as `pygrade show` renders it: what runs, then what must come back.
fn example(test: &TestCase) -> String {
    let mut out = format!("\n#### `{}`\n\n", test.name);
    out.push_str(&fenced(
        &crate::grade::describe_action(&test.action),
        "python",
    ));
    match &test.expectation {
        Expectation::Value { expect, options } => {
            let order = if options.unordered {
                " (in any order)"
            } else {
                ""
            };
            let _ = write!(out, "\nExpected{order}:\n\n");
            out.push_str(&fenced(&expect.pretty(72), "python"));
        }
        Expectation::Raises { exception, .. } => {
            let _ = write!(out, "\nRaises `{exception}`.\n");
        }
    }
    out
}

/// `text` in a Markdown code block whose fence is longer than any run of backticks inside.
fn fenced(text: &str, language: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!(
        "{fence}{language}\n{}\n{fence}\n",
        text.trim_end_matches('\n')
    )
}

#[cfg(test)]
mod tests {
    use super::fenced;

    #[test]
    fn fences_outgrow_backticks_inside() {
        assert_eq!(fenced("x\n", "python"), "```python\nx\n```\n");
        assert_eq!(fenced("a ```` b", ""), "`````\na ```` b\n`````\n");
    }
}
