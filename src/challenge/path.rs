//! Paths a challenge writes into the sandbox's virtual filesystem: `[sandbox] files` keys and
//! `cwd`. Each is a plain path of normal components (no `.`, `..`, empty components, control
//! characters), bounded in length, so that what a challenge says is where a file lands:
//! `../../etc/x` must not become `/etc/x`.

use std::collections::BTreeSet;

/// Longest path, in bytes.
const MAX_PATH_BYTES: usize = 1024;
/// Longest component, in bytes (as on most filesystems).
const MAX_COMPONENT_BYTES: usize = 255;

/// Checks a `files` key: a relative path (placed under `cwd`).
pub(super) fn check_file_key(path: &str) -> Result<(), String> {
    if path.starts_with('/') {
        return Err(format!(
            "`files` keys are paths relative to `cwd`, not absolute paths like `{}`",
            shown(path)
        ));
    }
    check_components(path).map_err(|why| format!("`files` key `{}` {why}", shown(path)))
}

/// Checks `cwd`: an absolute path (`/` itself is fine).
pub(super) fn check_cwd(path: &str) -> Result<(), String> {
    let Some(relative) = path.strip_prefix('/') else {
        return Err("`cwd` must be an absolute path".into());
    };
    if relative.is_empty() {
        return Ok(());
    }
    check_components(relative).map_err(|why| format!("`cwd` `{}` {why}", shown(path)))
}

/// Of `files` keys, one that would need another (a file) to be a directory: `(file, inside)`.
pub(super) fn nested_in_file<'a>(keys: &[&'a str]) -> Option<(&'a str, &'a str)> {
    let files: BTreeSet<&str> = keys.iter().copied().collect();
    keys.iter().find_map(|inside| {
        inside
            .match_indices('/')
            .map(|(at, _)| &inside[..at])
            .find(|prefix| files.contains(prefix))
            .map(|file| (file, *inside))
    })
}

/// Checks a plain relative path: bounded, no control characters, no empty, `.` or `..`
/// components. The error completes a sentence whose subject is the path.
pub(crate) fn check_components(path: &str) -> Result<(), &'static str> {
    if path.len() > MAX_PATH_BYTES {
        return Err("is too long (at most 1024 bytes)");
    }
    if path.chars().any(char::is_control) {
        return Err("contains a control character");
    }
    for component in path.split('/') {
        match component {
            "" => return Err("has an empty component (`//`, or `/` at the start or end)"),
            "." | ".." => return Err("has a `.` or `..` component; write the plain path"),
            _ if component.len() > MAX_COMPONENT_BYTES => {
                return Err("has a component longer than 255 bytes");
            }
            _ => {}
        }
    }
    Ok(())
}

/// A path for a message: at most 80 characters, control characters escaped.
pub(crate) fn shown(path: &str) -> String {
    let mut text: String = path.chars().take(80).flat_map(char::escape_debug).collect();
    if path.chars().nth(80).is_some() {
        text.push_str("...");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::{check_cwd, check_file_key, nested_in_file};

    #[test]
    fn file_keys_are_plain_relative_paths() {
        for good in ["a.txt", "data/words.txt", "a b/.hidden", "x..y/z"] {
            assert_eq!(check_file_key(good), Ok(()), "{good}");
        }
        for (bad, why) in [
            ("/etc/x", "not absolute paths like `/etc/x`"),
            ("../x", "has a `.` or `..` component"),
            ("a/../../x", "has a `.` or `..` component"),
            ("./x", "has a `.` or `..` component"),
            ("a//b", "has an empty component"),
            ("a/", "has an empty component"),
            ("", "has an empty component"),
            ("a\0b", "`a\\0b` contains a control character"),
        ] {
            let message = check_file_key(bad).unwrap_err();
            assert!(message.contains(why), "{bad}: {message}");
        }
        assert!(check_file_key(&"a/".repeat(600)).is_err());
        assert!(check_file_key(&"a".repeat(256)).is_err());
    }

    #[test]
    fn cwd_is_a_plain_absolute_path() {
        assert_eq!(check_cwd("/"), Ok(()));
        assert_eq!(check_cwd("/workspace/build"), Ok(()));
        for bad in ["workspace", "/workspace/../etc", "/a/", "//a", "/a/./b"] {
            assert!(check_cwd(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_file_cannot_be_a_directory() {
        assert_eq!(nested_in_file(&["a", "b/c", "ab/c"]), None);
        assert_eq!(nested_in_file(&["a", "a/b/c"]), Some(("a", "a/b/c")));
    }
}
