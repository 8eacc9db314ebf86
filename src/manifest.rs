//! `pygrade.toml`: which challenges grade which of a candidate's files, how much each counts, and
//! what share of the total passes. Used by `pygrade batch --manifest` (every candidate folder
//! against every entry) and by `pygrade ci` (a take-home repository against its own manifest).
//!
//! ```toml
//! [[grade]]
//! challenge = "lru_cache"          # a bank id, or a path to a challenge TOML or folder
//! file = "solutions/lru_cache.py"  # relative to the candidate folder / repository root
//! weight = 2                       # optional, default 1
//! [pass]
//! threshold = 0.7                  # optional: the share of the total needed to pass
//! ```
//!
//! A `challenge` that contains `/` or ends in `.toml` is a path, relative to the manifest's
//! folder (a folder means its `challenge.toml`). Otherwise it is an id, and a known id wins over a
//! folder of the same name next to the manifest: a file a candidate adds to a repository cannot
//! replace a bank challenge. A bare name that is no id but a folder with a `challenge.toml` is
//! that folder. Every problem in the manifest is reported at `file:line:col` with a caret.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Deserialize;
use toml::Spanned;

use crate::challenge::path::{self, shown};
use crate::challenge::{Challenge, ChallengeSet};
use crate::error::{ChallengeError, Error};
use crate::input;

/// Larger manifests are refused unread; a real one is a few hundred bytes.
const MAX_MANIFEST_BYTES: u64 = 1 << 20;
/// The largest `weight` one entry may have.
const MAX_WEIGHT: i64 = 1000;
/// How many known ids an unknown-challenge message lists.
const KNOWN_SHOWN: usize = 8;
/// Slack when comparing a total with the threshold, so that float rounding never fails a pass.
const PASS_EPSILON: f64 = 1e-9;

/// A loaded and validated manifest.
#[derive(Clone, Debug)]
pub struct Manifest {
    /// Where the manifest was read from, as given.
    pub path: PathBuf,
    /// The `[[grade]]` entries, in file order.
    pub entries: Vec<ManifestEntry>,
    /// `[pass] threshold`: the share of the total (in `(0, 1]`) needed to pass, if set.
    pub threshold: Option<f64>,
    /// The manifest's text, for errors found after loading.
    source: String,
    /// Where each entry's values are in `source`, parallel to `entries`.
    spans: Vec<EntrySpans>,
}

/// One `[[grade]]` entry: a challenge, the candidate's file it grades, and its weight.
#[derive(Clone, Debug)]
pub struct ManifestEntry {
    /// The loaded challenge.
    pub challenge: Challenge,
    /// The candidate's file: a plain relative path with `/` separators (no `.`, `..` or empty
    /// components), relative to the candidate folder or repository root.
    pub file: String,
    /// This entry's share of the total, 1..=1000.
    pub weight: u32,
}

#[derive(Clone, Debug)]
struct EntrySpans {
    challenge: Range<usize>,
    file: Range<usize>,
}

/// A pygrade manifest: which challenges grade which of a candidate's files.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ManifestSpec {
    /// The entries, at least one; each challenge and file pair appears once.
    #[schemars(with = "Vec<GradeSpec>", length(min = 1))]
    grade: Option<Spanned<Vec<Spanned<GradeSpec>>>>,
    /// When a candidate passes.
    pass: Option<PassSpec>,
}

/// One entry: a challenge, the candidate's file it grades, and its weight.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct GradeSpec {
    /// A bank id, or a path (containing `/` or ending in `.toml`) to a challenge TOML or to a
    /// folder holding `challenge.toml`, relative to the manifest's folder.
    #[schemars(with = "String", length(min = 1))]
    challenge: Spanned<String>,
    /// The candidate's file, relative to the candidate folder or repository root: `/`
    /// separators, no leading `/`, no `.` or `..` parts.
    #[schemars(with = "String", length(min = 1))]
    file: Spanned<String>,
    /// This entry's share of the total, 1 to 1000 (default 1).
    #[schemars(with = "Option<i64>", range(min = 1, max = 1000))]
    weight: Option<Spanned<i64>>,
}

/// When a candidate passes.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct PassSpec {
    /// The share of the weighted total needed to pass: more than 0, at most 1 (0.7 is 70%).
    /// Without it, every test of every entry must pass.
    #[schemars(with = "Option<f64>", extend("exclusiveMinimum" = 0, "maximum" = 1))]
    threshold: Option<Spanned<f64>>,
}

impl Manifest {
    /// Reads, parses and validates the manifest at `path`, loading every challenge it names
    /// from `set` or from disk. A problem in the manifest is an `Error::Challenge` at its
    /// `file:line:col` with a caret; one inside a named challenge file points into that file
    /// and names the manifest entry. A manifest that cannot be read at all is `Error::Read`.
    pub fn load(path: &Path, set: &ChallengeSet) -> Result<Manifest, Error> {
        let origin = path.display().to_string();
        let text = read_text(path, &origin)?;
        let spec: ManifestSpec = toml::from_str(&text)
            .map_err(|e| ChallengeError::at(&origin, &text, e.span(), e.message().trim_end()))?;
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
            _ => PathBuf::from("."),
        };
        let mut loader = Loader {
            origin: &origin,
            text: &text,
            dir,
            set,
            cache: BTreeMap::new(),
        };
        let (entries, spans) = loader.entries(spec.grade)?;
        let threshold = loader.threshold(spec.pass)?;
        Ok(Manifest {
            path: path.to_owned(),
            entries,
            threshold,
            source: text,
            spans,
        })
    }

    /// For `ci`: checks that every entry's file exists under `root` as a regular file (a symlink
    /// is followed, but must stay inside `root`). Otherwise an error at that entry's `file`.
    pub fn check_files(&self, root: &Path) -> Result<(), Error> {
        let real_root = root.canonicalize().map_err(|e| Error::Read {
            path: root.display().to_string(),
            message: e.to_string(),
        })?;
        for (index, entry) in self.entries.iter().enumerate() {
            if let Err(why) = file_under(&real_root, &root.join(&entry.file)) {
                let shown = shown(&entry.file);
                let root = root.display();
                return Err(self.file_error(index, format!("`{shown}` {why} in `{root}`")));
            }
        }
        Ok(())
    }

    /// An error pointing at entry `index`'s `file` value, for problems found after loading
    /// (a candidate's file missing, say). An `index` out of range points at no position.
    pub fn file_error(&self, index: usize, message: impl Into<String>) -> Error {
        let span = self.spans.get(index).map(|s| s.file.clone());
        let origin = self.path.display().to_string();
        ChallengeError::at(&origin, &self.source, span, message).into()
    }

    /// An error pointing at entry `index`'s `challenge` value.
    pub fn challenge_error(&self, index: usize, message: impl Into<String>) -> Error {
        let span = self.spans.get(index).map(|s| s.challenge.clone());
        let origin = self.path.display().to_string();
        ChallengeError::at(&origin, &self.source, span, message).into()
    }

    /// The weighted total share, `0.0..=1.0`, from each entry's `(score, max_score)` in entry
    /// order. An entry scored out of 0, or without a score, counts as 0 of its weight.
    pub fn total(&self, scores: &[(u32, u32)]) -> f64 {
        let weights: u64 = self.entries.iter().map(|e| u64::from(e.weight)).sum();
        if weights == 0 {
            return 0.0;
        }
        let earned: f64 = self
            .entries
            .iter()
            .zip(scores)
            .filter(|(_, (_, max))| *max > 0)
            .map(|(entry, &(score, max))| {
                f64::from(entry.weight) * f64::from(score.min(max)) / f64::from(max)
            })
            .sum();
        (earned / weights as f64).clamp(0.0, 1.0)
    }

    /// Whether `total` (from [`Manifest::total`]) reaches the threshold; `None` without one.
    pub fn passed(&self, total: f64) -> Option<bool> {
        self.threshold.map(|t| total + PASS_EPSILON >= t)
    }
}

/// The JSON Schema of `pygrade.toml` (`pygrade schema manifest`), as a root schema from
/// `generator`'s settings.
pub fn schema(generator: SchemaGenerator) -> Schema {
    generator.into_root_schema_for::<ManifestSpec>()
}

/// The manifest's text: a regular file, bounded, UTF-8.
fn read_text(path: &Path, origin: &str) -> Result<String, Error> {
    let bytes = input::read_regular(path, MAX_MANIFEST_BYTES).map_err(|e| Error::Read {
        path: origin.to_owned(),
        message: e.to_string(),
    })?;
    String::from_utf8(bytes).map_err(|e| not_utf8(origin, &e).into())
}

/// Points at the first byte that is not UTF-8.
fn not_utf8(origin: &str, error: &std::string::FromUtf8Error) -> ChallengeError {
    let bytes = error.as_bytes();
    let at = error.utf8_error().valid_up_to();
    // The lossy text keeps the valid prefix byte for byte, so `at` is still the offset.
    let text = String::from_utf8_lossy(bytes);
    let message = format!(
        "invalid UTF-8 (byte 0x{:02x}); a manifest must be UTF-8",
        bytes[at]
    );
    ChallengeError::at(origin, &text, Some(at..at + 1), message)
}

/// Where a `challenge` value leads.
enum Located {
    /// A challenge in the set, by id.
    Id(String),
    /// A challenge TOML file on disk.
    File(PathBuf),
}

/// Validates entries against the manifest's text, loading each challenge once.
struct Loader<'a> {
    origin: &'a str,
    text: &'a str,
    /// The manifest's folder: relative challenge paths start here.
    dir: PathBuf,
    set: &'a ChallengeSet,
    /// Challenges loaded so far, by id or path, so that repeated ones are parsed once.
    cache: BTreeMap<String, Challenge>,
}

impl Loader<'_> {
    fn err(&self, span: Option<Range<usize>>, message: impl Into<String>) -> ChallengeError {
        ChallengeError::at(self.origin, self.text, span, message)
    }

    fn entries(
        &mut self,
        grade: Option<Spanned<Vec<Spanned<GradeSpec>>>>,
    ) -> Result<(Vec<ManifestEntry>, Vec<EntrySpans>), ChallengeError> {
        let none = "no `[[grade]]` entries; a manifest needs at least one `[[grade]]` with \
                    `challenge` and `file`";
        let Some(grade) = grade else {
            return Err(self.err(None, none));
        };
        if grade.get_ref().is_empty() {
            return Err(self.err(Some(grade.span()), none));
        }
        let mut entries = Vec::new();
        let mut spans = Vec::new();
        // (challenge id, file) → the line of the entry that has it.
        let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
        for spec in grade.into_inner() {
            let (entry, at) = self.entry(spec.into_inner())?;
            let key = (entry.challenge.id.clone(), entry.file.clone());
            if let Some(line) = seen.get(&key) {
                let message = format!(
                    "challenge `{}` already grades `{}` (the entry at line {line}); each \
                     challenge and file pair appears once",
                    key.0,
                    shown(&key.1)
                );
                return Err(self.err(Some(at.challenge), message));
            }
            seen.insert(key, line_of(self.text, at.challenge.start));
            entries.push(entry);
            spans.push(at);
        }
        Ok((entries, spans))
    }

    fn entry(&mut self, spec: GradeSpec) -> Result<(ManifestEntry, EntrySpans), ChallengeError> {
        let file = spec.file;
        check_file(file.get_ref()).map_err(|m| self.err(Some(file.span()), m))?;
        let weight = match &spec.weight {
            Some(w) if !(1..=MAX_WEIGHT).contains(w.get_ref()) => {
                let message = format!("`weight` must be between 1 and {MAX_WEIGHT}");
                return Err(self.err(Some(w.span()), message));
            }
            Some(w) => u32::try_from(*w.get_ref()).unwrap_or(1),
            None => 1,
        };
        let challenge = self.challenge(&spec.challenge)?;
        let spans = EntrySpans {
            challenge: spec.challenge.span(),
            file: file.span(),
        };
        let entry = ManifestEntry {
            challenge,
            file: file.into_inner(),
            weight,
        };
        Ok((entry, spans))
    }

    fn threshold(&self, pass: Option<PassSpec>) -> Result<Option<f64>, ChallengeError> {
        let Some(threshold) = pass.and_then(|p| p.threshold) else {
            return Ok(None);
        };
        let value = *threshold.get_ref();
        if value > 0.0 && value <= 1.0 {
            return Ok(Some(value));
        }
        Err(self.err(
            Some(threshold.span()),
            "`threshold` is a share of the total: more than 0 and at most 1 (0.7 is 70%)",
        ))
    }

    /// Loads the challenge a `challenge` value names (once per id or path).
    fn challenge(&mut self, value: &Spanned<String>) -> Result<Challenge, ChallengeError> {
        let (key, located) = self.locate(value)?;
        if let Some(challenge) = self.cache.get(&key) {
            return Ok(challenge.clone());
        }
        let loaded = match &located {
            Located::Id(id) => self.set.resolve(id),
            Located::File(path) => match path.to_str() {
                Some(path) => self.set.resolve(path),
                None => Err(Error::Usage(format!(
                    "its path `{}` is not UTF-8",
                    path.display()
                ))),
            },
        };
        let challenge = loaded.map_err(|e| self.wrap(value, e))?;
        self.cache.insert(key, challenge.clone());
        Ok(challenge)
    }

    /// Decides whether `value` is a path or an id; returns a cache key with it.
    fn locate(&self, value: &Spanned<String>) -> Result<(String, Located), ChallengeError> {
        let name = value.get_ref();
        if name.is_empty() || name.chars().any(char::is_control) {
            let message =
                "`challenge` must be a challenge id or a path, without control characters";
            return Err(self.err(Some(value.span()), message));
        }
        let here = self.dir.join(name);
        let file = if name.contains('/') || name.ends_with(".toml") {
            if here.is_dir() {
                here.join("challenge.toml")
            } else {
                here
            }
        } else if self.set.ids().any(|id| id == name) {
            return Ok((format!("id:{name}"), Located::Id(name.clone())));
        } else if here.join("challenge.toml").is_file() {
            here.join("challenge.toml")
        } else {
            return Err(self.unknown(value));
        };
        Ok((format!("path:{}", file.display()), Located::File(file)))
    }

    /// The error for a bare name that is neither a known id nor a challenge folder.
    fn unknown(&self, value: &Spanned<String>) -> ChallengeError {
        let ids: Vec<&str> = self.set.ids().collect();
        let mut known: Vec<String> = ids
            .iter()
            .take(KNOWN_SHOWN)
            .map(|id| format!("`{id}`"))
            .collect();
        if ids.len() > KNOWN_SHOWN {
            known.push(format!(
                "and {} more (`pygrade list`)",
                ids.len() - KNOWN_SHOWN
            ));
        }
        let message = format!(
            "unknown challenge `{}` (known: {}); a path to a challenge TOML or folder works too",
            shown(value.get_ref()),
            known.join(", ")
        );
        self.err(Some(value.span()), message)
    }

    /// A named challenge that did not load: an error inside its file stays there (naming this
    /// entry); any other points at the `challenge` value.
    fn wrap(&self, value: &Spanned<String>, error: Error) -> ChallengeError {
        let name = shown(value.get_ref());
        match error {
            Error::Challenge(mut inner) => {
                let at = self.err(Some(value.span()), "");
                inner.message = format!(
                    "in the challenge named at {}:{}:{}: {}",
                    self.origin, at.line, at.column, inner.message
                );
                inner
            }
            other => {
                let message = format!("challenge `{name}` does not load: {other}");
                self.err(Some(value.span()), message)
            }
        }
    }
}

/// Checks a `file` value: a plain relative path, so that it stays inside the candidate's folder
/// and one file has one spelling.
fn check_file(file: &str) -> Result<(), String> {
    if file.starts_with('/') {
        return Err(format!(
            "`file` is relative to the candidate's folder, not an absolute path like `{}`",
            shown(file)
        ));
    }
    path::check_components(file).map_err(|why| {
        // A path too long or holding controls is not worth echoing.
        if why.starts_with("is too long") || why.starts_with("contains") {
            format!("`file` {why}")
        } else {
            format!("`file` `{}` {why}", shown(file))
        }
    })
}

/// Why `path` is not a regular file inside `real_root` (already canonical), if it is not.
fn file_under(real_root: &Path, path: &Path) -> Result<(), &'static str> {
    let metadata = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "does not exist",
        _ => "cannot be read",
    })?;
    if !metadata.is_file() {
        return Err("is not a regular file");
    }
    match path.canonicalize() {
        Ok(real) if real.starts_with(real_root) => Ok(()),
        Ok(_) => Err("is a symlink to outside the folder"),
        Err(_) => Err("cannot be read"),
    }
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::Manifest;
    use crate::challenge::ChallengeSet;

    const CHALLENGE: &str = "id = \"local\"\ntitle = \"T\"\ndifficulty = \"easy\"\nprompt = \"p\"\n\
                             entry = [\"f\"]\nstarter = \"\"\n[[tests]]\nname = \"a\"\nexpect = 1\n";

    /// A scratch folder, removed when dropped.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Self {
            let pid = std::process::id();
            let path = std::env::temp_dir().join(format!("pygrade-manifest-{pid}-{name}"));
            let _ = std::fs::remove_dir_all(&path);
            std::fs::create_dir_all(path.join("local")).unwrap();
            std::fs::write(path.join("local/challenge.toml"), CHALLENGE).unwrap();
            Scratch(path)
        }

        fn write(&self, relative: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
            let path = self.0.join(relative);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, bytes).unwrap();
            path
        }

        fn load(&self, text: impl AsRef<[u8]>) -> Result<Manifest, String> {
            let path = self.write("pygrade.toml", text);
            let set = ChallengeSet::new(&[]).unwrap();
            Manifest::load(&path, &set).map_err(|e| e.to_string())
        }

        /// Checks that loading `text` fails with a message starting `expected`, where `D`
        /// stands for the scratch folder.
        fn check_error(&self, text: &str, expected: &str) {
            let message = self.load(text).map(|_| ()).unwrap_err();
            let expected = expected.replace('D', &self.0.display().to_string());
            assert!(
                message.starts_with(&expected),
                "got:\n{message}\nwanted prefix:\n{expected}"
            );
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const LRU: &str = "[[grade]]\nchallenge = \"lru_cache\"\nfile = \"a.py\"\n";

    #[test]
    fn loads_entries_weights_and_threshold() {
        let scratch = Scratch::new("valid");
        let text = "[[grade]]\nchallenge = \"lru_cache\"\nfile = \"solutions/lru_cache.py\"\n\
                    weight = 2\n\n[[grade]]\nchallenge = \"local\"\nfile = \"b.py\"\n\n\
                    [[grade]]\nchallenge = \"local/challenge.toml\"\nfile = \"c.py\"\n\
                    [pass]\nthreshold = 0.7\n";
        let manifest = scratch.load(text).unwrap();
        let got: Vec<(&str, &str, u32)> = manifest
            .entries
            .iter()
            .map(|e| (e.challenge.id.as_str(), e.file.as_str(), e.weight))
            .collect();
        assert_eq!(
            got,
            [
                ("lru_cache", "solutions/lru_cache.py", 2),
                ("local", "b.py", 1),
                ("local", "c.py", 1)
            ]
        );
        assert_eq!(manifest.threshold, Some(0.7));
        assert_eq!(manifest.passed(0.7), Some(true));
        assert_eq!(manifest.passed(0.69), Some(false));
        let bare = scratch.load(LRU).unwrap();
        assert_eq!((bare.threshold, bare.passed(1.0)), (None, None));
    }

    #[test]
    fn refuses_bad_toml_and_bad_values() {
        let s = Scratch::new("values");
        s.check_error(
            &format!("{LRU}wieght = 2\n"),
            "D/pygrade.toml:4:1: unknown field `wieght`",
        );
        s.check_error(
            &format!("{LRU}weight = \"2\"\n"),
            "D/pygrade.toml:4:10: invalid type",
        );
        s.check_error(
            "[[grade]]\nchallenge = \"lru_cache\"\n",
            "D/pygrade.toml:1:1: missing field `file`",
        );
        s.check_error(
            "[[grade]]\nfile = \"a.py\"\n",
            "D/pygrade.toml:1:1: missing field `challenge`",
        );
        s.check_error(
            "[pass]\nthreshold = 0.5\n",
            "D/pygrade.toml:1:1: no `[[grade]]`",
        );
        s.check_error("grade = []\n", "D/pygrade.toml:1:9: no `[[grade]]`");
        s.check_error(
            &format!("{LRU}weight = 0\n"),
            "D/pygrade.toml:4:10: `weight` must be",
        );
        s.check_error(
            &format!("{LRU}weight = 1001\n"),
            "D/pygrade.toml:4:10: `weight` must be",
        );
        s.check_error(
            &format!("{LRU}[pass]\nthreshold = 0\n"),
            "D/pygrade.toml:5:13: `threshold` is a share",
        );
        s.check_error(
            &format!("{LRU}[pass]\nthreshold = 1.5\n"),
            "D/pygrade.toml:5:13: `threshold` is a share",
        );
        s.check_error(
            &format!("{LRU}[[grade]]\nchallenge = \"lru_cache\"\nfile = \"a.py\"\n"),
            "D/pygrade.toml:5:13: challenge `lru_cache` already grades `a.py` (the entry at line 2)",
        );
        s.check_error(
            "[[grade]]\nchallenge = \"lru_cach\"\nfile = \"a.py\"\n",
            "D/pygrade.toml:2:13: unknown challenge `lru_cach` (known: `change_dir`,",
        );
        let bad = [b"[[grade]]\nfile = \"a".as_slice(), &[0xff], b"\"\n"].concat();
        let message = s.load(bad).map(|_| ()).unwrap_err();
        assert!(
            message.contains("pygrade.toml:2:10: invalid UTF-8 (byte 0xff)"),
            "{message}"
        );
    }

    #[test]
    fn refuses_files_outside_the_candidate_folder() {
        let s = Scratch::new("files");
        let with =
            |file: &str| format!("[[grade]]\nchallenge = \"lru_cache\"\nfile = \"{file}\"\n");
        for (file, why) in [
            (
                "/etc/passwd",
                "`file` is relative to the candidate's folder",
            ),
            ("../a.py", "`file` `../a.py` has a `.` or `..` component"),
            ("a//b.py", "`file` `a//b.py` has an empty component"),
            ("", "`file` `` has an empty component"),
            ("a\\u0000.py", "`file` contains a control character"),
            ("a\\n.py", "`file` contains a control character"),
        ] {
            s.check_error(&with(file), &format!("D/pygrade.toml:3:8: {why}"));
        }
        let long = "a/".repeat(600);
        s.check_error(&with(&long), "D/pygrade.toml:3:8: `file` is too long");
    }

    #[test]
    fn challenge_paths_resolve_next_to_the_manifest() {
        let s = Scratch::new("paths");
        s.write(
            "sub/broken.toml",
            CHALLENGE.replace("expect = 1", "expct = 1"),
        );
        s.check_error(
            "[[grade]]\nchallenge = \"sub/broken.toml\"\nfile = \"a.py\"\n",
            "D/sub/broken.toml:9:1: in the challenge named at D/pygrade.toml:2:13: unknown field \
             `expct`, expected one of",
        );
        s.check_error(
            "[[grade]]\nchallenge = \"sub/missing.toml\"\nfile = \"a.py\"\n",
            "D/pygrade.toml:2:13: challenge `sub/missing.toml` does not load: cannot read \
             `D/sub/missing.toml`",
        );
        // A folder path means its challenge.toml; a known id wins over a folder of that name.
        s.write("lru_cache/challenge.toml", CHALLENGE);
        let text = "[[grade]]\nchallenge = \"sub/../local/\"\nfile = \"a.py\"\n\
                    [[grade]]\nchallenge = \"lru_cache\"\nfile = \"a.py\"\n";
        let manifest = s.load(text).unwrap();
        let ids: Vec<&str> = manifest
            .entries
            .iter()
            .map(|e| e.challenge.id.as_str())
            .collect();
        assert_eq!(ids, ["local", "lru_cache"]);
    }

    #[test]
    fn check_files_wants_regular_files_inside_the_root() {
        let s = Scratch::new("check");
        let manifest = s
            .load("[[grade]]\nchallenge = \"lru_cache\"\nfile = \"repo/sol/a.py\"\n")
            .unwrap();
        let root = Path::new(&s.0);
        let error = manifest.check_files(root).unwrap_err().to_string();
        let expected = format!(
            "{0}/pygrade.toml:3:8: `repo/sol/a.py` does not exist in `{0}`\n  |\n3 | file = \
             \"repo/sol/a.py\"\n  |        ^^^^^^^^^^^^^^^",
            s.0.display()
        );
        assert_eq!(error, expected);
        s.write("repo/sol/a.py", "x = 1\n");
        assert!(manifest.check_files(root).is_ok());
        std::fs::remove_file(s.0.join("repo/sol/a.py")).unwrap();
        std::fs::create_dir(s.0.join("repo/sol/a.py")).unwrap();
        let error = manifest.check_files(root).unwrap_err().to_string();
        assert!(error.contains("is not a regular file"), "{error}");
        let inner = s.0.join("repo");
        std::fs::remove_dir(s.0.join("repo/sol/a.py")).unwrap();
        std::os::unix::fs::symlink(s.0.join("pygrade.toml"), s.0.join("repo/sol/a.py")).unwrap();
        assert!(manifest.check_files(&s.0).is_ok());
        let manifest = s
            .load("[[grade]]\nchallenge = \"lru_cache\"\nfile = \"sol/a.py\"\n")
            .unwrap();
        let error = manifest.check_files(&inner).unwrap_err().to_string();
        assert!(
            error.contains("is a symlink to outside the folder"),
            "{error}"
        );
    }

    #[test]
    fn total_is_weighted_by_entry() {
        let s = Scratch::new("total");
        let text = "[[grade]]\nchallenge = \"lru_cache\"\nfile = \"a.py\"\nweight = 2\n\
                    [[grade]]\nchallenge = \"local\"\nfile = \"b.py\"\n";
        let manifest = s.load(text).unwrap();
        assert!((manifest.total(&[(10, 10), (0, 5)]) - 2.0 / 3.0).abs() < 1e-12);
        assert!((manifest.total(&[(5, 10), (5, 5)]) - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(manifest.total(&[(10, 10), (5, 5)]), 1.0);
        assert_eq!(manifest.total(&[(0, 0), (0, 5)]), 0.0);
        assert_eq!(manifest.total(&[(10, 10)]), 2.0 / 3.0);
    }
}
