//! Which candidates a batch has, and which file is each one's answer.
//!
//! An input is a `.py` file (one candidate), or a folder whose `.py` files are one candidate each
//! and whose subfolders are one candidate folder each. In a candidate folder the answer is, in
//! order: `--file NAME` (a path inside the folder), else the one file named `<challenge id>.py`
//! anywhere in it, else its single `.py` file. Hidden entries (`.git`, `.venv`, ...) and
//! `__pycache__` are skipped, and symlinked folders are not followed. A candidate folder where
//! the rule finds nothing, or finds several files, is still a candidate: its row says why.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// How deep a candidate folder is searched for its answer.
const MAX_DEPTH: usize = 8;
/// The most `.py` files looked at in one candidate folder.
const MAX_FILES: usize = 10_000;

/// One candidate: the label its row carries and where its answer is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The answer file (or the candidate folder when none was found), relative to its input,
    /// with `/` separators; prefixed with the input itself when a batch has several inputs.
    pub label: String,
    pub answer: Answer,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    File(PathBuf),
    /// No answer file by the rule: why, in pygrade's words.
    Missing(String),
    /// The candidate folder could not be listed.
    Unlistable(String),
}

/// How to find the answer inside a candidate folder.
#[derive(Clone, Copy, Debug)]
pub struct Rule<'a> {
    /// `--file NAME`.
    pub file: Option<&'a str>,
    pub challenge_id: &'a str,
}

/// Every candidate of `inputs`, sorted by label. An input that does not exist is an error; any
/// problem inside an input becomes a candidate's row.
pub fn discover(inputs: &[PathBuf], rule: Rule<'_>) -> Result<Vec<Candidate>, Error> {
    let mut candidates = Vec::new();
    for input in inputs {
        let prefix = (inputs.len() > 1).then(|| slashed(input));
        let metadata = std::fs::metadata(input).map_err(|e| Error::Read {
            path: input.display().to_string(),
            message: e.to_string(),
        })?;
        if metadata.is_dir() {
            candidates.extend(in_folder(input, prefix.as_deref(), rule)?);
        } else {
            candidates.push(Candidate {
                label: slashed(input),
                answer: Answer::File(input.clone()),
            });
        }
    }
    candidates.sort_by(|a, b| a.label.cmp(&b.label));
    if let Some(pair) = candidates.windows(2).find(|w| w[0].label == w[1].label) {
        return Err(Error::Usage(format!(
            "two candidates are both `{}`; give inputs with different names",
            crate::report::escape::line(&pair[0].label)
        )));
    }
    Ok(candidates)
}

/// The candidate folders of `inputs` (`--manifest`): each input's visible subfolders, as
/// `(label ending in "/", path)`, sorted by label.
pub fn folders(inputs: &[PathBuf]) -> Result<Vec<(String, PathBuf)>, Error> {
    let mut found = Vec::new();
    for input in inputs {
        let listed = entries(input).map_err(|e| Error::Read {
            path: input.display().to_string(),
            message: format!("{e} (with `--manifest`, give folders of candidate folders)"),
        })?;
        let prefix = (inputs.len() > 1).then(|| slashed(input));
        for (name, path, kind) in listed {
            if matches!(kind, Kind::Folder) {
                let label = match &prefix {
                    Some(prefix) => format!("{}/{name}/", prefix.trim_end_matches('/')),
                    None => format!("{name}/"),
                };
                found.push((label, path));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The candidates in one input folder: its `.py` files and its subfolders.
fn in_folder(folder: &Path, prefix: Option<&str>, rule: Rule<'_>) -> Result<Vec<Candidate>, Error> {
    let label = |name: &str| match prefix {
        Some(prefix) => format!("{}/{name}", prefix.trim_end_matches('/')),
        None => name.to_owned(),
    };
    let mut candidates = Vec::new();
    for (name, path, kind) in entries(folder).map_err(|e| Error::Read {
        path: folder.display().to_string(),
        message: e.to_string(),
    })? {
        match kind {
            Kind::Folder => {
                let answer = answer_in(&path, rule);
                let label = match &answer {
                    Answer::File(file) => label(&format!(
                        "{name}/{}",
                        slashed(file.strip_prefix(&path).unwrap_or(file))
                    )),
                    _ => label(&format!("{name}/")),
                };
                candidates.push(Candidate { label, answer });
            }
            Kind::Other if name.ends_with(".py") => candidates.push(Candidate {
                label: label(&name),
                answer: Answer::File(path),
            }),
            Kind::Other => {}
        }
    }
    Ok(candidates)
}

/// The answer inside one candidate folder, by the rule.
fn answer_in(folder: &Path, rule: Rule<'_>) -> Answer {
    if let Some(name) = rule.file {
        let path = folder.join(name);
        return if std::fs::symlink_metadata(&path).is_ok() {
            Answer::File(path)
        } else {
            Answer::Missing(format!("no `{name}` in this folder (`--file`)"))
        };
    }
    let mut files = Vec::new();
    if let Err(error) = python_files(folder, 0, &mut files) {
        return Answer::Unlistable(error.to_string());
    }
    let wanted = format!("{}.py", rule.challenge_id);
    let named: Vec<&PathBuf> = files
        .iter()
        .filter(|f| f.file_name().is_some_and(|n| n.to_string_lossy() == wanted))
        .collect();
    match (named.as_slice(), files.as_slice()) {
        ([one], _) => Answer::File((*one).clone()),
        ([], [one]) => Answer::File(one.clone()),
        ([], []) => Answer::Missing(format!("no `{wanted}` and no other `.py` file")),
        ([], many) => Answer::Missing(format!(
            "no `{wanted}`, and {} `.py` files to choose from; name the answer with `--file`",
            many.len()
        )),
        (several, _) => Answer::Missing(format!(
            "{} files named `{wanted}`; name the answer with `--file`",
            several.len()
        )),
    }
}

/// Every `.py` file under `folder`, depth-first in name order, within the search bounds.
fn python_files(folder: &Path, depth: usize, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for (name, path, kind) in entries(folder)? {
        if out.len() >= MAX_FILES {
            break;
        }
        match kind {
            Kind::Folder if depth + 1 < MAX_DEPTH => {
                // A subfolder that cannot be listed holds no answer we can find.
                let _ = python_files(&path, depth + 1, out);
            }
            Kind::Other if name.ends_with(".py") => out.push(path),
            _ => {}
        }
    }
    Ok(())
}

enum Kind {
    /// A real folder (not a symlink to one).
    Folder,
    Other,
}

/// The visible entries of a folder, sorted by name.
fn entries(folder: &Path) -> std::io::Result<Vec<(String, PathBuf, Kind)>> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name == "__pycache__" {
            continue;
        }
        let kind = match entry.file_type() {
            Ok(t) if t.is_dir() => Kind::Folder,
            _ => Kind::Other,
        };
        entries.push((name, entry.path(), kind));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(entries)
}

/// A path as a label: lossy UTF-8, `/` separators, no leading `./`.
fn slashed(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").unwrap_or(&text).to_owned()
}

#[cfg(test)]
mod tests {
    use super::{Answer, Rule, discover};

    #[test]
    fn finds_files_folders_and_missing_answers() {
        let root = std::env::temp_dir().join(format!("pygrade-discover-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for (path, text) in [
            ("b.py", "x = 1\n"),
            ("notes.txt", ""),
            ("alice/src/lru.py", ""),
            ("alice/src/helper.py", ""),
            ("alice/lru_cache.py", ""),
            ("bob/only.py", ""),
            ("carol/README.md", ""),
            ("dave/a.py", ""),
            ("dave/b.py", ""),
            (".git/x.py", ""),
        ] {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let rule = Rule {
            file: None,
            challenge_id: "lru_cache",
        };
        let found = discover(std::slice::from_ref(&root), rule).unwrap();
        let labels: Vec<&str> = found.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "alice/lru_cache.py",
                "b.py",
                "bob/only.py",
                "carol/",
                "dave/"
            ]
        );
        assert!(matches!(&found[3].answer, Answer::Missing(m) if m.contains("no `lru_cache.py`")));
        assert!(matches!(&found[4].answer, Answer::Missing(m) if m.contains("2 `.py` files")));
        let two = discover(&[root.join("bob"), root.join("b.py")], rule).unwrap();
        assert!(two[0].label.ends_with("/b.py") && two[1].label.ends_with("bob/only.py"));
        let _ = std::fs::remove_dir_all(&root);
    }
}
