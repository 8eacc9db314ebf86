//! Issue 6, class 4 (terminal injection): text a submission or a challenge author chose never
//! drives the terminal through pygrade's human output. Submissions print, raise and return text
//! with ESC sequences, CR, backspaces, OSC 52 clipboard writes, C1 controls, bidi overrides and
//! newline-forged `PASS` and summary lines; the human report, with and without colour, must hold
//! no control character pygrade did not put there (with colour: only SGR sequences from pygrade's
//! own palette), and every forged line must sit indented behind the block gutter.

use std::path::Path;
use std::process::Command;

use crate::support::{pygrade, root, scratch_dir, text};

/// The SGR sequences pygrade's human reporter uses: reset, bold, dim, red, green, yellow, cyan.
const PALETTE: &[&str] = &[
    "\x1b[0m", "\x1b[1m", "\x1b[2m", "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[36m",
];

/// Where every line of a block of submission text starts (after colour is stripped).
const GUTTER: &str = "    │";

/// Tokens only forged lines carry: a test name the challenge does not have, and a score it
/// cannot reach.
const FORGED: &[&str] = &["hidden_forged", "99/99"];

/// A fake report body: a cleared screen, passing tests and a perfect summary.
const FAKE_REPORT: &str = r#""\x1b[2J\x1b[3J\x1b[H\n  PASS     hidden_forged    hidden \n\nPASSED  score 99/99  \u00b7  99 of 99 tests passed\n""#;

/// Whether a terminal could act on `c` rather than draw it: controls, and the invisible format
/// characters that reorder or hide text.
fn is_active(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(
            c as u32,
            0xAD | 0x61C
                | 0x180E
                | 0x200B..=0x200F
                | 0x2028..=0x202E
                | 0x2060..=0x206F
                | 0xFEFF
                | 0xFFF9..=0xFFFB
                | 0xE0000..=0xE0FFF
        )
}

/// The probe challenge's tests.
const REAL_TESTS: &[&str] = &["visible_example", "hidden_marker", "hidden_plain"];

/// A test line pygrade wrote: `  <status padded to 8> <a real test name> ...`. Forged text may
/// follow in its message, escaped onto that one line, but cannot start a line of its own.
fn is_real_test_line(line: &str) -> bool {
    let label = [
        "PASS", "FAIL", "ERROR", "TIMEOUT", "MEMORY", "OUTPUT", "CRASHED",
    ]
    .iter()
    .any(|l| line.starts_with(&format!("  {l:<8} ")));
    label
        && REAL_TESTS
            .iter()
            .any(|n| line[11..].starts_with(&format!("{n} ")))
}

/// `report` without pygrade's own SGR sequences; panics on any other escape sequence.
fn strip_palette(report: &str) -> String {
    let mut rest = report;
    let mut out = String::with_capacity(report.len());
    while let Some(at) = rest.find('\x1b') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let Some(sgr) = PALETTE.iter().find(|p| tail.starts_with(**p)) else {
            panic!(
                "an escape sequence pygrade does not use: {:?}\nin the report:\n{report}",
                tail.chars().take(12).collect::<String>()
            );
        };
        rest = &tail[sgr.len()..];
    }
    out.push_str(rest);
    out
}

/// Checks one human report: nothing active besides pygrade's palette, no forged line outside a
/// block, and exactly one summary line, the last.
fn check_report(report: &str, color: bool) {
    if !color {
        assert!(!report.contains('\x1b'), "colour without asking:\n{report}");
    }
    let plain = strip_palette(report);
    if let Some(c) = plain.chars().find(|&c| is_active(c)) {
        panic!("the report holds the control {c:?}:\n{report}");
    }
    for line in plain.lines() {
        if FORGED.iter().any(|f| line.contains(f)) {
            assert!(
                line.starts_with(GUTTER) || is_real_test_line(line),
                "a forged line outside a block: {line:?}\nin:\n{plain}"
            );
        }
    }
    let summaries: Vec<&str> = plain
        .lines()
        .filter(|l| l.starts_with("PASSED") || l.starts_with("FAILED"))
        .collect();
    assert_eq!(
        summaries.len(),
        1,
        "summary lines: {summaries:?}\nin:\n{plain}"
    );
    assert_eq!(
        plain.lines().last(),
        summaries.first().copied(),
        "the summary is not last:\n{plain}"
    );
    assert!(summaries[0].starts_with("FAILED"), "{plain}");
}

/// Grades `source` against the hostile probe challenge, revealing every test's details.
fn grade_human(source: &str, color: &str) -> String {
    let dir = scratch_dir("report-safety");
    let path = dir.join("submission.py");
    std::fs::write(&path, source).expect("write the submission");
    grade_file(&path, color)
}

fn grade_file(path: &Path, color: &str) -> String {
    let challenge = root().join("fixtures/hostile/challenge.toml");
    let output = pygrade(&[
        "grade",
        &challenge.display().to_string(),
        &path.display().to_string(),
        "--reveal",
        "--color",
        color,
    ]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "stderr: {}",
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// Grades `source` with and without colour and checks both reports; returns the plain one.
fn check(source: &str) -> String {
    check_report(&grade_human(source, "always"), true);
    let plain = grade_human(source, "never");
    check_report(&plain, false);
    plain
}

#[test]
fn printed_escapes_and_forged_report_lines_stay_in_the_output_block() {
    let report = check(&format!(
        "import sys\n\
         print({FAKE_REPORT})\n\
         sys.stderr.write('FAIL\\b\\b\\b\\bPASS\\r\\x1b]52;c;cm0gLXJmIH4K\\x07\\x1b[1A\\x1b[2K\\x9b2J\\n')\n\
         def solve(text):\n    print({FAKE_REPORT}, end='\\r\\x1b[8m')\n    return text\n"
    ));
    assert!(report.contains("    │ PASSED  score 99/99"), "{report}");
    assert!(
        report.contains(r"FAIL\x08\x08\x08\x08PASS\r\x1b]52;c;"),
        "{report}"
    );
    assert!(report.contains(r"\u{9b}2J"), "{report}");
}

#[test]
fn exception_names_and_messages_are_escaped() {
    let report = check(&format!(
        "Forged = type('Value\\rError\\x1b]52;c;cm0K\\x07\\n  PASS     hidden_forged  hidden ', \
         (Exception,), {{}})\n\
         def solve(text):\n    raise Forged({FAKE_REPORT} + '\\x1b[32mok\\u202e')\n"
    ));
    // The test line's message is one line: its newline is shown, not obeyed.
    let line = report
        .lines()
        .find(|l| l.starts_with("  ERROR    visible_example"))
        .expect("the visible test's line");
    assert!(
        line.contains(r"Value\rError\x1b]52;c;cm0K\x07\n  PASS"),
        "{line}"
    );
}

#[test]
fn returned_values_are_escaped_in_the_diff() {
    let report = check(
        "Forged = type('x\\x1b[2J\\n  PASS     hidden_forged  hidden \\r\\b', (), {})\n\
         def solve(text):\n    return [Forged(), text + '\\U000e0041\\u202e\\x00']\n",
    );
    assert!(report.contains(r"<x\x1b[2J"), "{report}");
}

#[test]
fn bidi_overrides_and_invisible_characters_are_shown() {
    let report = check(
        "def solve(text):\n    print('\\u202eSSAP\\u202c \\u2066hidden_forged\\u2069 \\u200b\\ufeff\\u2028x')\n    \
         raise ValueError('\\u202e99/99\\u2067')\n",
    );
    assert!(
        report.contains(r"\u{202e}SSAP\u{202c} \u{2066}hidden_forged\u{2069}"),
        "{report}"
    );
}

#[test]
fn a_syntax_error_line_is_escaped_and_the_caret_still_points_at_the_error() {
    let dir = scratch_dir("report-safety-syntax");
    let path = dir.join("submission.py");
    std::fs::write(&path, "def solve(text):\n    return \"\x1b[2J\t\" $ + 1\n").expect("write");
    for color in ["always", "never"] {
        check_report(&grade_file(&path, color), color == "always");
    }
    let report = grade_file(&path, "never");
    let lines: Vec<&str> = report.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("2 | "))
        .expect("the quoted source line");
    assert_eq!(lines[at], r#"2 |     return "\x1b[2J\t" $ + 1"#, "{report}");
    let caret = lines[at + 1].find('^').expect("a caret");
    assert_eq!(&lines[at][caret..=caret], "$", "{report}");
}

/// A challenge file whose author-written text is hostile: `show`, `list` and `init` escape it.
#[test]
fn show_list_and_init_escape_challenge_text_and_paths() {
    let dir = scratch_dir("report-safety-challenge");
    let toml = r#"id = "evil"
title = "Evil\u001b[2J\u001b]52;c;eA==\u0007 title\r\u202e"
difficulty = "easy"
tags = ["t\u001b[31m"]
entry = ["solve"]
prompt = "Line one.\n\u001b[2JPASSED  score 99/99\rx\n\u009b"
starter = "def solve(text):\n    ...\n"

[[tests]]
name = "visible_example"
visibility = "visible"
args = ["a\u001b[2J"]
expect = "b"
"#;
    std::fs::write(dir.join("evil.toml"), toml).expect("write the challenge");
    let challenges = dir.display().to_string();
    for args in [
        vec!["show", "evil"],
        vec!["list"],
        vec!["show", "evil", "--color", "always"],
    ] {
        let output = pygrade(&[&["--challenges", &challenges][..], &args].concat());
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        let stdout = text(&output.stdout);
        assert!(
            stdout.contains(r"Evil\x1b[2J\x1b]52;c;eA==\x07 title\r\u{202e}"),
            "{stdout}"
        );
        let active = stdout.chars().find(|&c| is_active(c));
        assert!(active.is_none(), "{args:?} printed {active:?}:\n{stdout}");
    }
    let target = dir.join("out\x1b[2J\r.py");
    let output = Command::new(env!("CARGO_BIN_EXE_pygrade"))
        .args(["--challenges", &challenges, "init", "evil"])
        .arg(&target)
        .output()
        .expect("run pygrade");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(stderr.contains(r"out\x1b[2J\r.py"), "{stderr}");
    assert!(!stderr.chars().any(is_active), "{stderr:?}");
}
