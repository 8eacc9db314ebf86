//! `pygrade completions`: scripts generated from the clap definition, for each shell.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::support::{pygrade, text};

/// The completion script for `shell`, which must be produced without error.
fn script(shell: &str) -> String {
    let output = pygrade(&["completions", shell]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(output.stderr.is_empty(), "{}", text(&output.stderr));
    text(&output.stdout)
}

#[test]
fn bash_completions_parse_and_know_the_commands() {
    let script = script("bash");
    for command in ["batch", "ci", "schema", "completions"] {
        assert!(
            script.contains(command),
            "bash completions lack `{command}`"
        );
    }
    assert!(
        !script.contains("__forkserver"),
        "the hidden command leaked"
    );
    let mut bash = Command::new("bash")
        .arg("-n")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run bash");
    let mut stdin = bash.stdin.take().expect("piped stdin");
    stdin.write_all(script.as_bytes()).expect("write to bash");
    drop(stdin);
    let output = bash.wait_with_output().expect("bash runs");
    assert!(output.status.success(), "bash -n: {}", text(&output.stderr));
}

#[test]
fn zsh_fish_and_powershell_completions_are_written() {
    assert!(script("zsh").starts_with("#compdef pygrade"));
    assert!(script("fish").contains("ci"));
    assert!(script("powershell").contains("pygrade"));
}

#[test]
fn no_shell_offers_the_hidden_fork_server() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        assert!(
            !script(shell).contains("forkserver"),
            "{shell} completions offer `__forkserver`"
        );
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let output = pygrade(&["completions", "tcsh"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(
        text(&output.stderr).contains("bash"),
        "{}",
        text(&output.stderr)
    );
}
