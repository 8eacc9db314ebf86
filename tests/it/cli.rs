//! The command line as a user meets it: commands, exit codes, messages, formats.

use crate::support::{pygrade, scratch_dir, text};

#[test]
fn list_shows_the_bank() {
    let output = pygrade(&["list"]);
    assert!(output.status.success());
    let stdout = text(&output.stdout);
    for id in ["group_anagrams", "lru_cache", "memoize_ttl", "pipeline"] {
        assert!(
            stdout.lines().any(|l| l.starts_with(id)),
            "{id} missing from:\n{stdout}"
        );
    }
}

#[test]
fn show_gives_the_prompt_and_visible_examples_only() {
    let output = pygrade(&["show", "lru_cache"]);
    assert!(output.status.success());
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("LRUCache") && stdout.contains("example: example_basic"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("falsy_values_are_hits"),
        "a hidden test leaked into show:\n{stdout}"
    );
}

#[test]
fn init_writes_the_starter_which_then_fails() {
    let dir = scratch_dir("init");
    let path = dir.join("answer.py");
    let path = path.to_str().unwrap();
    assert!(pygrade(&["init", "pipeline", path]).status.success());
    let again = pygrade(&["init", "pipeline", path]);
    assert_eq!(
        again.status.code(),
        Some(2),
        "init must not overwrite without --force"
    );
    assert_eq!(pygrade(&["grade", "pipeline", path]).status.code(), Some(1));
}

#[test]
fn exit_codes_follow_the_verdict() {
    assert_eq!(
        pygrade(&[
            "grade",
            "lru_cache",
            "fixtures/lru_cache/pass/ordereddict_move_to_end.py"
        ])
        .status
        .code(),
        Some(0)
    );
    assert_eq!(
        pygrade(&[
            "grade",
            "lru_cache",
            "fixtures/lru_cache/fail/fifo_eviction.py"
        ])
        .status
        .code(),
        Some(1)
    );
}

#[test]
fn grader_errors_exit_2_with_a_clear_message() {
    let unknown = pygrade(&[
        "grade",
        "no_such_challenge",
        "fixtures/lru_cache/pass/ordereddict_move_to_end.py",
    ]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        text(&unknown.stderr).contains("unknown challenge `no_such_challenge`"),
        "{}",
        text(&unknown.stderr)
    );
    let missing = pygrade(&["grade", "lru_cache", "does/not/exist.py"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing.stderr).contains("cannot read `does/not/exist.py`"),
        "{}",
        text(&missing.stderr)
    );
}

#[test]
fn malformed_challenge_toml_names_file_line_and_column() {
    let dir = scratch_dir("toml");
    let path = dir.join("bad.toml");
    std::fs::write(&path, "id = \"bad\"\ntitle = \"Bad\"\ndifficulty = \"easy\"\nprompt = \"p\"\nentry = [\"f\"]\nstarter = \"\"\n[[tests]]\nname = \"t\"\nexpct = 1\n").unwrap();
    let output = pygrade(&[
        "grade",
        path.to_str().unwrap(),
        "fixtures/hostile/pass/benign_control.py",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!("{}:9:1: unknown field `expct`", path.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains("9 | expct = 1") && stderr.contains("  | ^^^^^"),
        "{stderr}"
    );
    std::fs::write(&path, "id = \"bad\"\ntitle = [\n").unwrap();
    let output = pygrade(&[
        "grade",
        path.to_str().unwrap(),
        "fixtures/hostile/pass/benign_control.py",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains(&format!("{}:3:1: invalid array", path.display())),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn a_syntax_error_is_a_graded_failure_with_a_caret() {
    let dir = scratch_dir("syntax");
    let path = dir.join("broken.py");
    std::fs::write(&path, "def solve(text):\n    return (text\n").unwrap();
    let output = pygrade(&[
        "grade",
        "fixtures/hostile/challenge.toml",
        path.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    // Same line, column and message as CPython 3.11.
    assert!(
        stdout.contains(&format!(
            "{}:2:12: SyntaxError: '(' was never closed",
            path.display()
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("2 |     return (text\n  |            ^"),
        "{stdout}"
    );
}

#[test]
fn json_has_the_documented_shape_and_hides_hidden_tests() {
    let args = [
        "grade",
        "fixtures/hostile/challenge.toml",
        "fixtures/hostile/pass/benign_control.py",
        "--format",
        "json",
    ];
    let output = pygrade(&args);
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON object");
    assert_eq!(report["schema_version"], 1);
    for key in [
        "challenge",
        "submission",
        "score",
        "max_score",
        "passed",
        "tests",
    ] {
        assert!(report.get(key).is_some(), "missing `{key}`");
    }
    let stdout = text(&output.stdout);
    assert!(
        !stdout.contains("HIDDEN-MARKER") && !stdout.contains("REKRAM"),
        "hidden data leaked:\n{stdout}"
    );
    for test in report["tests"].as_array().unwrap() {
        assert_eq!(
            test["details"].is_null(),
            test["visibility"] == "hidden",
            "{test}"
        );
    }
    let revealed = pygrade(&[&args[..], &["--reveal"]].concat());
    assert!(
        text(&revealed.stdout).contains("HIDDEN-MARKER"),
        "--reveal must show hidden expected values"
    );
}

#[test]
fn colour_only_when_asked() {
    let args = [
        "grade",
        "lru_cache",
        "fixtures/lru_cache/fail/fifo_eviction.py",
    ];
    assert!(
        !text(&pygrade(&args).stdout).contains('\x1b'),
        "NO_COLOR and a pipe mean no escape codes"
    );
    assert!(
        text(&pygrade(&[&args[..], &["--color", "always"]].concat()).stdout).contains("\x1b[31m")
    );
}

#[test]
fn readme_documents_every_allowed_and_excluded_module() {
    let readme =
        std::fs::read_to_string(crate::support::root().join("README.md")).expect("README.md");
    for module in pygrade::sandbox::modules::ALLOWED {
        assert!(
            readme.contains(&format!("`{module}`")),
            "README does not list the allowed module `{module}`"
        );
    }
    for (modules, reason) in pygrade::sandbox::modules::EXCLUDED {
        assert!(
            readme.contains(reason),
            "README does not give the reason: {reason}"
        );
        for module in *modules {
            assert!(
                readme.contains(&format!("`{module}`")),
                "README does not list the excluded module `{module}`"
            );
        }
    }
}
