//! Bad input on the command line and in challenges (issue 6): every case is a clear message that
//! names the file (and `line:col` where there is one), exit code 2, nothing on stdout, and never
//! a panic, a hang or unbounded memory.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{root, scratch_dir, text};

/// A challenge's required keys, lines 1 to 6.
const HEAD: &str = "id = \"bad\"\ntitle = \"Bad\"\ndifficulty = \"easy\"\nprompt = \"p\"\nentry = [\"solve\"]\nstarter = \"\"\n";
const TEST: &str = "[[tests]]\nname = \"a\"\nargs = [\"abc\"]\nexpect = \"cba\"\n";

/// Runs pygrade from the repository root. A run that outlives the guard (far beyond any normal
/// run, so machine speed does not matter) is a hang: it is killed and the test fails.
fn pygrade(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pygrade"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run pygrade");
    let guard = Instant::now();
    while child.try_wait().expect("wait for pygrade").is_none() {
        if guard.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("pygrade {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("collect pygrade's output")
}

/// Asserts a grader error: exit 2, nothing on stdout, no panic, and a one-line-headed message
/// starting with `error: <expected>`.
fn assert_refused(output: &Output, expected: &str) {
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stderr:\n{stderr}");
    assert!(
        output.stdout.is_empty(),
        "a report on stdout:\n{}",
        text(&output.stdout)
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("overflow"),
        "{stderr}"
    );
    assert!(
        stderr.starts_with(&format!("error: {expected}")),
        "got:\n{stderr}\nwanted prefix:\nerror: {expected}"
    );
}

/// A correct submission to the `bad` challenges, so that only the challenge is at fault.
fn good_submission() -> PathBuf {
    let path = scratch_dir("bad-input-submission").join("solve.py");
    std::fs::write(
        &path,
        "def solve(text):\n    return text[::-1]\n\nclass Solver:\n    def run(self):\n        return 1\n",
    )
    .expect("write submission");
    path
}

fn grade(challenge: &str, submission: &Path) -> Output {
    pygrade(&["grade", challenge, submission.to_str().expect("UTF-8 path")])
}

/// Grades a good submission against `tests/data/bad_challenges/<name>` and expects
/// `<that path>:<position_and_message>`.
fn check_bad_challenge(name: &str, position_and_message: &str) {
    let challenge = format!("tests/data/bad_challenges/{name}");
    let output = grade(&challenge, &good_submission());
    assert_refused(&output, &format!("{challenge}:{position_and_message}"));
}

/// Writes `text` as `<scratch>/bad.toml` and returns its path.
fn scratch_challenge(text: &[u8]) -> String {
    let path = scratch_dir("bad-input-challenge").join("bad.toml");
    std::fs::write(&path, text).expect("write challenge");
    path.display().to_string()
}

fn mkfifo(path: &Path) {
    let c_path = CString::new(path.as_os_str().as_bytes()).expect("no NUL in a temp path");
    // SAFETY: `c_path` is a valid NUL-terminated string that outlives the call.
    let result = unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) };
    assert_eq!(result, 0, "mkfifo {}", path.display());
}

#[test]
fn a_fifo_submission_is_refused_without_waiting_for_a_writer() {
    let path = scratch_dir("bad-input-fifo").join("answer.py");
    mkfifo(&path);
    let shown = path.display().to_string();
    let output = pygrade(&["grade", "lru_cache", &shown]);
    assert_refused(
        &output,
        &format!("cannot read `{shown}`: it is a named pipe (FIFO), not a regular file"),
    );
}

#[test]
fn a_fifo_challenge_is_refused_without_waiting_for_a_writer() {
    let path = scratch_dir("bad-input-fifo").join("challenge.toml");
    mkfifo(&path);
    let shown = path.display().to_string();
    let output = grade(&shown, &good_submission());
    assert_refused(
        &output,
        &format!("cannot read `{shown}`: it is a named pipe (FIFO), not a regular file"),
    );
    // Found by a directory scan, and loaded by `list`.
    let dir = path.parent().expect("scratch dir").display().to_string();
    let output = pygrade(&["--challenges", &dir, "list"]);
    assert_refused(
        &output,
        &format!("cannot read `{shown}`: it is a named pipe"),
    );
}

#[test]
fn dev_zero_is_neither_a_submission_nor_a_challenge() {
    let output = pygrade(&["grade", "lru_cache", "/dev/zero"]);
    assert_refused(
        &output,
        "cannot read `/dev/zero`: it is a character device, not a regular file",
    );
    let output = grade("/dev/zero", &good_submission());
    assert_refused(
        &output,
        "cannot read `/dev/zero`: it is a character device, not a regular file",
    );
    let link = scratch_dir("bad-input-zero").join("zero.toml");
    std::os::unix::fs::symlink("/dev/zero", &link).expect("symlink");
    let shown = link.display().to_string();
    assert_refused(
        &pygrade(&["show", &shown]),
        &format!("cannot read `{shown}`: it is a character device"),
    );
}

#[test]
fn a_directory_is_not_a_submission() {
    let dir = scratch_dir("bad-input-dir").join("answer.py");
    std::fs::create_dir(&dir).expect("create dir");
    let shown = dir.display().to_string();
    assert_refused(
        &pygrade(&["grade", "lru_cache", &shown]),
        &format!("cannot read `{shown}`: it is a directory, not a regular file"),
    );
}

#[test]
fn an_oversized_challenge_is_refused_unread() {
    let path = scratch_dir("bad-input-large").join("big.toml");
    let file = std::fs::File::create(&path).expect("create");
    // Sparse: 5 MiB that take no disk space, and that pygrade must not read (the cap is 4 MiB).
    file.set_len(5 << 20).expect("set_len");
    let shown = path.display().to_string();
    assert_refused(
        &grade(&shown, &good_submission()),
        &format!("cannot read `{shown}`: it is 5242880 bytes; pygrade reads at most 4194304"),
    );
}

#[test]
fn invalid_utf8_in_a_challenge_points_at_the_byte() {
    let mut bytes = HEAD
        .replace("title = \"Bad\"", "title = \"Ba\u{e9}d\"")
        .into_bytes();
    // Line 2 becomes `title = "Ba\xffd"`: the bad byte is the 12th character.
    let at = bytes.iter().position(|&b| b == 0xc3).expect("é");
    bytes.splice(at..at + 2, [0xff]);
    bytes.extend_from_slice(TEST.as_bytes());
    let path = scratch_challenge(&bytes);
    assert_refused(
        &grade(&path, &good_submission()),
        &format!("{path}:2:12: invalid UTF-8 (byte 0xff)"),
    );
}

#[test]
fn a_py_literal_with_another_key_is_an_error() {
    check_bad_challenge(
        "literal_extra_key.toml",
        "12:14: a `{ py = \"...\" }` literal cannot have other keys (found `extra`)",
    );
}

#[test]
fn a_deeply_nested_py_literal_is_an_error() {
    check_bad_challenge("literal_too_deep.toml", "12:10: bad Python literal `[[[[");
    // A megabyte of brackets, signs and subscripts: refused, not a stack overflow.
    for literal in [
        "[".repeat(1 << 20),
        format!("{}1", "-".repeat(1 << 20)),
        format!("[1]{}", "[0]".repeat(1 << 18)),
    ] {
        let text =
            format!("{HEAD}{TEST}[[tests]]\nname = \"b\"\nexpect = {{ py = \"{literal}\" }}\n");
        let path = scratch_challenge(text.as_bytes());
        assert_refused(
            &grade(&path, &good_submission()),
            &format!("{path}:13:10: bad Python literal"),
        );
    }
}

#[test]
fn deeply_nested_toml_is_an_error() {
    let toml = format!(
        "{HEAD}{TEST}[[tests]]\nname = \"b\"\nexpect = {}\n",
        "[".repeat(1 << 20)
    );
    let path = scratch_challenge(toml.as_bytes());
    let output = grade(&path, &good_submission());
    assert_refused(&output, &format!("{path}:13:89: recursion limit exceeded"));
    // The excerpt of a megabyte-long line is cut.
    assert!(output.stderr.len() < 1000, "{}", text(&output.stderr));
}

#[test]
fn tests_may_only_target_entry_points() {
    check_bad_challenge(
        "function_not_in_entry.toml",
        "11:12: test `a`: `function` `helper` is not in `entry` (`solve`, `Solver`)",
    );
    check_bad_challenge(
        "class_not_in_entry.toml",
        "12:9: test `a`: `class` `Other` is not in `entry` (`solve`, `Solver`)",
    );
}

#[test]
fn sandbox_file_keys_cannot_leave_the_working_directory() {
    check_bad_challenge(
        "file_key_parent.toml",
        "10:30: `files` key `../x` has a `.` or `..` component",
    );
    check_bad_challenge(
        "file_key_absolute.toml",
        "10:30: `files` keys are paths relative to `cwd`, not absolute paths like `/etc/x`",
    );
    check_bad_challenge(
        "file_key_climb.toml",
        "10:30: `files` key `a/../../x` has a `.` or `..` component",
    );
    check_bad_challenge(
        "cwd_parent.toml",
        "10:7: `cwd` `/workspace/../etc` has a `.` or `..` component",
    );
}
