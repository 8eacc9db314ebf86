//! `pygrade kit`: a take-home repository for a candidate. It holds a README with the prompts and
//! public examples, a starter file per challenge, `pygrade.toml`, a public copy of each challenge
//! (visible tests only) and a GitHub Actions workflow; `--private` also writes the full
//! challenges, hidden tests included, for the interviewer alone.
//!
//! Everything is built and checked in memory first (each public copy must load as its challenge
//! with exactly its visible tests), then the folders are checked, and only then is anything
//! written. Hidden tests never reach a file under `--out`.

mod public;
mod render;

use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use super::emit;
use crate::challenge::{Challenge, ChallengeSet};
use crate::cli::KitArgs;
use crate::error::Error;
use crate::report::escape;

/// The workflow's `uses:` when `--action` is not given: the action of this pygrade's release.
const DEFAULT_ACTION: &str = concat!("pygrade/pygrade@v", env!("CARGO_PKG_VERSION"));

/// One file to write: its path relative to its folder, with `/` separators, and its text.
struct File {
    path: String,
    text: String,
}

/// Everything a kit writes, built and checked before anything touches the disk.
struct Kit {
    /// The challenges' ids, in the order given.
    ids: Vec<String>,
    /// The candidate's repository (under `--out`).
    repository: Vec<File>,
    /// The full challenges (under `--private`), `<id>.toml` each.
    private: Vec<File>,
}

pub(super) fn run(set: &ChallengeSet, args: &KitArgs) -> Result<u8, Error> {
    emit(&make(set, args)?)?;
    Ok(0)
}

/// Builds, checks and writes the kit; returns the summary to print.
fn make(set: &ChallengeSet, args: &KitArgs) -> Result<String, Error> {
    let kit = build(set, args)?;
    check_out(&args.out)?;
    if let Some(private) = &args.private {
        check_private(private, &args.out, &kit.private)?;
        create_dir(private)?;
    }
    create_dir(&args.out)?;
    if let Some(private) = &args.private {
        // Again, now that both exist: a symlink made meanwhile cannot sneak hidden tests in.
        check_outside(private, &args.out)?;
        write_files(private, &kit.private)?;
    }
    write_files(&args.out, &kit.repository)?;
    Ok(summary(&kit, &args.out, args.private.as_deref()))
}

/// Loads the challenges and renders every file in memory.
fn build(set: &ChallengeSet, args: &KitArgs) -> Result<Kit, Error> {
    let threshold = check_threshold(args.threshold)?;
    let action = args.action.as_deref().unwrap_or(DEFAULT_ACTION);
    check_action(action)?;
    let mut challenges: Vec<Challenge> = Vec::new();
    let mut private = Vec::new();
    for id in &args.ids {
        let (challenge, text) = set.resolve_with_text(id)?;
        if challenges.iter().any(|c| c.id == challenge.id) {
            return Err(Error::Usage(format!(
                "challenge `{}` is given twice; name each challenge once",
                challenge.id
            )));
        }
        private.push(File {
            path: format!("{}.toml", challenge.id),
            text,
        });
        challenges.push(challenge);
    }
    let repository = repository(&challenges, &private, threshold, action)?;
    let ids = challenges.into_iter().map(|c| c.id).collect();
    Ok(Kit {
        ids,
        repository,
        private,
    })
}

/// The candidate's files: README, manifest, workflow, `.gitignore`, then per challenge its
/// starter and public copy (`texts` holds each challenge's full TOML, in the same order).
fn repository(
    challenges: &[Challenge],
    texts: &[File],
    threshold: Option<f64>,
    action: &str,
) -> Result<Vec<File>, Error> {
    let file = |path: &str, text: String| File {
        path: path.to_owned(),
        text,
    };
    let mut files = vec![
        file("README.md", render::readme(challenges)),
        file("pygrade.toml", render::manifest(challenges, threshold)),
        file(".github/workflows/pygrade.yml", render::workflow(action)),
        file(".gitignore", render::gitignore()),
    ];
    for (challenge, full) in challenges.iter().zip(texts) {
        files.push(file(
            &render::solution_path(challenge),
            challenge.starter.clone(),
        ));
        let public = public::public_copy(challenge, &full.text)?;
        files.push(file(&render::public_path(challenge), public));
    }
    Ok(files)
}

/// `--threshold`: a share of the total, more than 0 and at most 1.
fn check_threshold(threshold: Option<f64>) -> Result<Option<f64>, Error> {
    match threshold {
        Some(t) if !(t > 0.0 && t <= 1.0) => Err(Error::Usage(format!(
            "`--threshold {t}` must be a share of the total: more than 0 and at most 1 (0.7 is 70%)"
        ))),
        _ => Ok(threshold),
    }
}

/// `--action` goes into YAML unquoted, so it may only hold characters that mean nothing there.
fn check_action(action: &str) -> Result<(), Error> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./@:+".contains(c);
    let starts_plain = action.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '.');
    if starts_plain && action.contains('@') && action.chars().all(plain) {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "`--action {}` must look like `OWNER/REPO@REF`: letters, digits and `-_./@:+` only",
        escape::line(action)
    )))
}

/// `--out` must be a new or empty folder: a kit never overwrites or mixes with other files.
fn check_out(out: &Path) -> Result<(), Error> {
    let shown = escape::line(&out.display().to_string()).into_owned();
    if out.exists() && !out.is_dir() {
        return Err(Error::Usage(format!(
            "`--out {shown}` is not a folder; give a new or empty folder"
        )));
    }
    match std::fs::read_dir(out).map(|mut entries| entries.next().is_some()) {
        Ok(true) => Err(Error::Usage(format!(
            "`--out {shown}` is not empty; give a new or empty folder for the repository"
        ))),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::Read {
            path: out.display().to_string(),
            message: e.to_string(),
        }),
        _ => Ok(()),
    }
}

/// `--private` must lie outside `--out`, and may already hold a challenge only if it is the
/// same text (so one private folder serves every kit made from the same challenges).
fn check_private(private: &Path, out: &Path, files: &[File]) -> Result<(), Error> {
    check_outside(private, out)?;
    for file in files {
        let path = private.join(&file.path);
        let Ok(existing) = std::fs::read(&path) else {
            continue;
        };
        if existing != file.text.as_bytes() {
            return Err(Error::Usage(format!(
                "`{}` already exists and is another version of the challenge; move it away or \
                 give another `--private` folder",
                escape::line(&path.display().to_string())
            )));
        }
    }
    Ok(())
}

/// Refuses a `--private` folder that is `--out` or inside it: hidden tests would ship.
fn check_outside(private: &Path, out: &Path) -> Result<(), Error> {
    if !resolved(private)?.starts_with(resolved(out)?) {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "`--private {}` is inside `--out {}`; the full challenges hold the hidden tests, so \
         keep them outside the candidate's repository",
        escape::line(&private.display().to_string()),
        escape::line(&out.display().to_string())
    )))
}

/// `path` made absolute, symlinks resolved as far as it exists and the rest taken as written,
/// so that two paths compare as the system will see them, before either is created.
fn resolved(path: &Path) -> Result<PathBuf, Error> {
    let absolute = std::path::absolute(path).map_err(|e| Error::Read {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let mut real = PathBuf::from("/");
    for component in absolute.components() {
        match component {
            Component::Normal(name) => {
                real.push(name);
                if let Ok(canonical) = real.canonicalize() {
                    real = canonical;
                }
            }
            Component::ParentDir => {
                real.pop();
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    Ok(real)
}

fn create_dir(dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|e| write_error(dir, &e))
}

/// Writes each file under `dir`, making its folders first.
fn write_files(dir: &Path, files: &[File]) -> Result<(), Error> {
    for file in files {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            create_dir(parent)?;
        }
        std::fs::write(&path, &file.text).map_err(|e| write_error(&path, &e))?;
    }
    Ok(())
}

fn write_error(path: &Path, error: &std::io::Error) -> Error {
    Error::Write {
        path: path.display().to_string(),
        message: error.to_string(),
    }
}

/// What was written where, and what to do next. Names files only, never their contents.
fn summary(kit: &Kit, out: &Path, private: Option<&Path>) -> String {
    let shown = |path: &Path| escape::line(&path.display().to_string()).into_owned();
    let ids: Vec<String> = kit.ids.iter().map(|id| format!("`{id}`")).collect();
    let mut text = format!(
        "wrote a take-home repository for {} to `{}`:\n",
        ids.join(", "),
        shown(out)
    );
    for file in &kit.repository {
        let _ = writeln!(text, "  {}", file.path);
    }
    let out = shown(out);
    let Some(private) = private else {
        let _ = writeln!(
            text,
            "next: push `{out}` to a new repository for the candidate; grade their answers later \
             with `pygrade ci --challenges DIR` in a clone of it, where DIR holds the full \
             challenges (`--private DIR` writes them)"
        );
        return text;
    };
    let private = shown(private);
    let _ = writeln!(
        text,
        "wrote the full challenges, hidden tests included, for the interviewer only to \
         `{private}`:"
    );
    for file in &kit.private {
        let _ = writeln!(text, "  {}", file.path);
    }
    let _ = writeln!(
        text,
        "next: push `{out}` to a new repository for the candidate (never `{private}`); grade \
         their answers later with `pygrade ci --challenges {private}` in a clone of it"
    );
    text
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::{check_action, check_threshold, make};
    use crate::challenge::{ChallengeSet, Visibility};
    use crate::cli::KitArgs;
    use crate::error::Error;
    use crate::manifest::Manifest;

    const BANK: &[&str] = &[
        "lru_cache",
        "group_anagrams",
        "pipeline",
        "memoize_ttl",
        "change_dir",
    ];

    /// A fresh, empty, unique folder under the system temp dir.
    fn scratch(name: &str) -> PathBuf {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("pygrade-kit-{}-{name}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn args(ids: &[&str], out: PathBuf, private: Option<PathBuf>) -> KitArgs {
        KitArgs {
            ids: ids.iter().map(|id| (*id).to_owned()).collect(),
            out,
            private,
            action: None,
            threshold: None,
        }
    }

    /// Every file under `dir`, with its text.
    fn files_under(dir: &Path) -> Vec<(PathBuf, String)> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(files_under(&path));
            } else {
                let text = std::fs::read_to_string(&path).unwrap();
                found.push((path, text));
            }
        }
        found
    }

    fn usage_error(result: Result<String, Error>, wanted: &str) {
        match result {
            Err(Error::Usage(message)) => assert!(message.contains(wanted), "{message}"),
            other => panic!("wanted a usage error with {wanted:?}, got {other:?}"),
        }
    }

    #[test]
    fn hidden_tests_never_reach_the_repository() {
        let set = ChallengeSet::new(&[]).unwrap();
        let dir = scratch("bank");
        let (repo, private) = (dir.join("repo"), dir.join("private"));
        let summary = make(&set, &args(BANK, repo.clone(), Some(private))).unwrap();
        let written = files_under(&repo);
        assert_eq!(written.len(), 4 + 2 * BANK.len());
        for id in BANK {
            let challenge = set.resolve(id).unwrap();
            let hidden = challenge
                .tests
                .iter()
                .filter(|t| t.visibility == Visibility::Hidden);
            for test in hidden {
                let input = crate::grade::describe_action(&test.action);
                for (path, text) in &written {
                    let shown = path.display();
                    assert!(!text.contains(&test.name), "{shown} names `{}`", test.name);
                    // Short inputs (`f([])`) may be a visible test's too; long ones are its own.
                    assert!(
                        input.len() < 40 || !text.contains(&input),
                        "{shown}: {input}"
                    );
                }
                assert!(!summary.contains(&test.name));
            }
        }
    }

    #[test]
    fn public_copies_and_manifest_load() {
        let set = ChallengeSet::new(&[]).unwrap();
        let dir = scratch("load");
        let (repo, private) = (dir.join("repo"), dir.join("private"));
        let mut kit_args = args(BANK, repo.clone(), Some(private.clone()));
        kit_args.threshold = Some(0.5);
        make(&set, &kit_args).unwrap();
        for id in BANK {
            let original = set.resolve(id).unwrap();
            let path = repo.join(format!(".pygrade/challenges/{id}.toml"));
            let copy = set.resolve(&path.display().to_string()).unwrap();
            assert_eq!(copy.id, *id);
            let names = |tests: &[crate::challenge::TestCase]| -> Vec<String> {
                let visible = tests.iter().filter(|t| t.visibility == Visibility::Visible);
                visible.map(|t| t.name.clone()).collect()
            };
            assert!(!names(&copy.tests).is_empty());
            assert_eq!(names(&copy.tests), names(&original.tests));
            assert_eq!(
                copy.tests.len(),
                names(&copy.tests).len(),
                "{id}: only visible"
            );
            let solution = std::fs::read_to_string(repo.join(format!("solutions/{id}.py")));
            assert_eq!(solution.unwrap(), original.starter);
            let full = std::fs::read_to_string(private.join(format!("{id}.toml")));
            assert_eq!(full.unwrap(), set.resolve_with_text(id).unwrap().1);
        }
        let manifest = Manifest::load(&repo.join("pygrade.toml"), &set).unwrap();
        let ids: Vec<&str> = manifest
            .entries
            .iter()
            .map(|e| e.challenge.id.as_str())
            .collect();
        assert_eq!(ids, BANK);
        assert!(manifest.entries.iter().all(|e| e.weight == 1));
        assert_eq!(manifest.entries[0].file, "solutions/lru_cache.py");
        assert_eq!(manifest.threshold, Some(0.5));
    }

    #[test]
    fn refuses_before_writing() {
        let set = ChallengeSet::new(&[]).unwrap();
        let dir = scratch("refuse");
        let repo = dir.join("repo");
        let twice = args(&["lru_cache", "lru_cache"], repo.clone(), None);
        usage_error(make(&set, &twice), "given twice");
        let inside = args(&["lru_cache"], repo.clone(), Some(repo.join("x")));
        usage_error(make(&set, &inside), "is inside `--out");
        let same = args(&["lru_cache"], repo.clone(), Some(dir.join("a/../repo")));
        usage_error(make(&set, &same), "is inside `--out");
        let secret = dir.join("secret.toml");
        let text = "id = \"secret\"\ntitle = \"S\"\ndifficulty = \"easy\"\nprompt = \"p\"\n\
                    entry = [\"f\"]\nstarter = \"\"\n[[tests]]\nname = \"a\"\nexpect = 1\n";
        std::fs::write(&secret, text).unwrap();
        let hidden = args(&[secret.to_str().unwrap()], repo.clone(), None);
        usage_error(make(&set, &hidden), "`secret` has no visible tests");
        assert!(!repo.exists(), "nothing is written when refused");
        std::fs::create_dir_all(repo.join("old")).unwrap();
        usage_error(
            make(&set, &args(&["lru_cache"], repo, None)),
            "is not empty",
        );
    }

    #[test]
    fn private_folder_keeps_other_versions() {
        let set = ChallengeSet::new(&[]).unwrap();
        let dir = scratch("private");
        let private = dir.join("private");
        let first = args(&["lru_cache"], dir.join("one"), Some(private.clone()));
        make(&set, &first).unwrap();
        let again = args(&["lru_cache"], dir.join("two"), Some(private.clone()));
        make(&set, &again).unwrap();
        std::fs::write(private.join("lru_cache.toml"), "edited").unwrap();
        let third = args(&["lru_cache"], dir.join("three"), Some(private));
        usage_error(make(&set, &third), "another version");
    }

    #[test]
    fn checks_threshold_and_action() {
        for bad in [0.0, -1.0, 1.5, f64::NAN] {
            assert!(check_threshold(Some(bad)).is_err(), "{bad}");
        }
        assert_eq!(check_threshold(Some(1.0)).unwrap(), Some(1.0));
        assert!(check_action("pygrade/pygrade@v1.2.3").is_ok());
        assert!(check_action(super::DEFAULT_ACTION).is_ok());
        for bad in [
            "",
            "a/b",
            "a b@c",
            "a/b@v1\nrun: x",
            "*a@b",
            "a/b@v1#x",
            "a/b@'",
        ] {
            assert!(check_action(bad).is_err(), "{bad:?}");
        }
    }
}
