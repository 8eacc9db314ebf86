//! Where challenges come from and how a file becomes a validated [`Challenge`].
//!
//! The bank under `challenges/` is compiled into the binary (see `build.rs`), so an installed
//! pygrade works from any directory. `--challenges DIR` adds (or overrides) challenges from
//! `DIR/<id>/challenge.toml` or `DIR/<id>.toml`, and a path to a TOML file is accepted wherever an
//! id is. Only the challenge asked for is parsed, except by `load_all` (`pygrade list`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use toml::Spanned;

use super::model::{
    Action, Challenge, DEFAULT_CWD, Expectation, Limits, Op, SandboxSetup, TestCase, Visibility,
};
use super::node::{self, Node};
use super::path;
use super::spec::{ChallengeSpec, CompareMode, Kind, LimitsSpec, SandboxSpec, TestSpec};
use crate::error::{ChallengeError, Error};
use crate::input;
use crate::value::{CompareOptions, Value};

/// Larger challenge files are refused without being read in full. The TOML parser needs about 57
/// bytes of memory per byte of input (measured), so 4 MiB bounds loading at about 230 MB; the
/// largest challenge in the bank is under 10 KB.
const MAX_CHALLENGE_BYTES: u64 = 4 << 20;
/// The most the weights of a challenge's tests may add up to (scores are `u32`).
const MAX_TOTAL_WEIGHT: u32 = 1_000_000;

include!(concat!(env!("OUT_DIR"), "/bank.rs"));

/// Where one challenge's TOML lives.
#[derive(Clone, Debug)]
pub enum ChallengeSource {
    Builtin {
        id: &'static str,
        text: &'static str,
    },
    File(PathBuf),
}

/// The challenges pygrade knows about, by id.
#[derive(Clone, Debug, Default)]
pub struct ChallengeSet {
    sources: BTreeMap<String, ChallengeSource>,
}

impl ChallengeSet {
    /// The built-in bank plus every challenge found in `dirs` (a later source with the same id wins).
    pub fn new(dirs: &[PathBuf]) -> Result<Self, Error> {
        let mut sources: BTreeMap<String, ChallengeSource> = BANK
            .iter()
            .map(|&(id, text)| (id.to_owned(), ChallengeSource::Builtin { id, text }))
            .collect();
        for dir in dirs {
            let entries = std::fs::read_dir(dir).map_err(|e| Error::Read {
                path: dir.display().to_string(),
                message: e.to_string(),
            })?;
            let mut found: Vec<(String, PathBuf)> = Vec::new();
            for entry in entries.flatten() {
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().into_owned();
                if path.join("challenge.toml").is_file() {
                    found.push((name, path.join("challenge.toml")));
                } else if let Some(stem) = name.strip_suffix(".toml") {
                    found.push((stem.to_owned(), path));
                }
            }
            found.sort();
            sources.extend(
                found
                    .into_iter()
                    .map(|(id, path)| (id, ChallengeSource::File(path))),
            );
        }
        Ok(ChallengeSet { sources })
    }

    /// Known ids, sorted.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.sources.keys().map(String::as_str)
    }

    /// Loads a challenge by id, or from a path when the argument names a TOML file.
    pub fn resolve(&self, id_or_path: &str) -> Result<Challenge, Error> {
        self.resolve_with_text(id_or_path)
            .map(|(challenge, _)| challenge)
    }

    /// As [`resolve`](Self::resolve), with the TOML text the challenge was parsed from (read
    /// once), so that a copy of exactly that file can be written elsewhere.
    pub fn resolve_with_text(&self, id_or_path: &str) -> Result<(Challenge, String), Error> {
        let (source, check_id) = self.locate(id_or_path)?;
        load(id_or_path, &source, check_id)
    }

    /// Where `id_or_path` leads, and whether the challenge's id must match it.
    fn locate(&self, id_or_path: &str) -> Result<(ChallengeSource, bool), Error> {
        if let Some(source) = self.sources.get(id_or_path) {
            return Ok((source.clone(), true));
        }
        let path = Path::new(id_or_path);
        // Ids have no `/`: anything with one is a path, and is read as such (or refused).
        if id_or_path.ends_with(".toml") || id_or_path.contains('/') || path.is_file() {
            return Ok((ChallengeSource::File(path.to_owned()), false));
        }
        Err(Error::UnknownChallenge {
            id: id_or_path.to_owned(),
            known: self
                .ids()
                .map(|id| format!("`{id}`"))
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    /// Loads and validates every known challenge, in id order.
    pub fn load_all(&self) -> Result<Vec<Challenge>, Error> {
        self.sources
            .iter()
            .map(|(id, source)| load(id, source, true).map(|(challenge, _)| challenge))
            .collect()
    }
}

fn load(id: &str, source: &ChallengeSource, check_id: bool) -> Result<(Challenge, String), Error> {
    let (origin, text) = read_source(source)?;
    let challenge = parse(&origin, &text)?;
    if check_id && challenge.id != id {
        let spec: Option<ChallengeSpec> = toml::from_str(&text).ok();
        let span = spec.map(|s| s.id.span());
        return Err(ChallengeError::at(
            &origin,
            &text,
            span,
            format!("id `{}` must match its file name `{id}`", challenge.id),
        )
        .into());
    }
    Ok((challenge, text))
}

/// A challenge's origin (for messages) and TOML text: a regular file of at most
/// [`MAX_CHALLENGE_BYTES`], UTF-8.
fn read_source(source: &ChallengeSource) -> Result<(String, String), Error> {
    match source {
        ChallengeSource::Builtin { id, text } => Ok((
            format!("challenges/{id}/challenge.toml"),
            (*text).to_owned(),
        )),
        ChallengeSource::File(path) => {
            let origin = path.display().to_string();
            let bytes =
                input::read_regular(path, MAX_CHALLENGE_BYTES).map_err(|e| Error::Read {
                    path: origin.clone(),
                    message: e.to_string(),
                })?;
            let text = String::from_utf8(bytes).map_err(|e| not_utf8(&origin, &e))?;
            Ok((origin, text))
        }
    }
}

/// Points at the first byte that is not UTF-8.
fn not_utf8(origin: &str, error: &std::string::FromUtf8Error) -> ChallengeError {
    let bytes = error.as_bytes();
    let at = error.utf8_error().valid_up_to();
    // The lossy text keeps the valid prefix byte for byte, so `at` is still the offset.
    let text = String::from_utf8_lossy(bytes);
    ChallengeError::at(
        origin,
        &text,
        Some(at..at + 1),
        format!(
            "invalid UTF-8 (byte 0x{:02x}); a challenge file must be UTF-8",
            bytes[at]
        ),
    )
}

/// Parses and validates one challenge file.
pub(crate) fn parse(origin: &str, text: &str) -> Result<Challenge, ChallengeError> {
    let spec: ChallengeSpec = toml::from_str(text)
        .map_err(|e| ChallengeError::at(origin, text, e.span(), e.message().trim_end()))?;
    let err = |span: std::ops::Range<usize>, message: String| {
        ChallengeError::at(origin, text, Some(span), message)
    };

    if !is_identifier_like(spec.id.get_ref()) {
        return Err(err(
            spec.id.span(),
            "`id` must be lowercase letters, digits and `_`".into(),
        ));
    }
    if spec.entry.get_ref().is_empty() || spec.entry.get_ref().iter().any(|e| !is_python_name(e)) {
        return Err(err(
            spec.entry.span(),
            "`entry` must list at least one Python name".into(),
        ));
    }
    let limits = limits(spec.limits.as_ref(), &err)?;
    let sandbox = sandbox(spec.sandbox.as_ref(), &err)?;
    let entry = spec.entry.get_ref().clone();
    if spec.tests.get_ref().is_empty() {
        return Err(err(
            spec.tests.span(),
            "a challenge needs at least one `[[tests]]`".into(),
        ));
    }
    let mut tests: Vec<TestCase> = Vec::new();
    // A set, not a scan of `tests`: a 16 MiB file holds half a million tests.
    let mut names = BTreeSet::new();
    let mut total_weight = 0u32;
    for test in spec.tests.get_ref() {
        let case = test_case(test, &entry, &err)?;
        if !names.insert(case.name.clone()) {
            return Err(err(
                test.get_ref().name.span(),
                format!("duplicate test name `{}`", case.name),
            ));
        }
        total_weight = add_weight(total_weight, test, case.weight, &err)?;
        tests.push(case);
    }
    Ok(Challenge {
        id: spec.id.into_inner(),
        title: spec.title,
        difficulty: spec.difficulty,
        tags: spec.tags,
        prompt: spec.prompt,
        entry,
        starter: spec.starter,
        limits,
        sandbox,
        tests,
        origin: origin.to_owned(),
        sha256: crate::digest::sha256_hex(text.as_bytes()),
    })
}

type ErrAt<'a> = dyn Fn(std::ops::Range<usize>, String) -> ChallengeError + 'a;

/// `total + weight`, within [`MAX_TOTAL_WEIGHT`] (so a score never overflows).
fn add_weight(
    total: u32,
    test: &Spanned<TestSpec>,
    weight: u32,
    err: &ErrAt<'_>,
) -> Result<u32, ChallengeError> {
    total
        .checked_add(weight)
        .filter(|total| *total <= MAX_TOTAL_WEIGHT)
        .ok_or_else(|| {
            let span = test
                .get_ref()
                .weight
                .as_ref()
                .map_or(test.span(), Spanned::span);
            err(
                span,
                format!("the tests' weights must add up to at most {MAX_TOTAL_WEIGHT}"),
            )
        })
}

fn limits(spec: Option<&LimitsSpec>, err: &ErrAt<'_>) -> Result<Limits, ChallengeError> {
    let mut limits = Limits::default();
    let Some(spec) = spec else { return Ok(limits) };
    if let Some(time) = &spec.time {
        limits.time = seconds(time, err)?;
    }
    if let Some(memory) = &spec.memory_mib {
        if !(32..=65_536).contains(memory.get_ref()) {
            return Err(err(
                memory.span(),
                "`memory_mib` must be between 32 and 65536".into(),
            ));
        }
        limits.memory_mib = *memory.get_ref();
    }
    if let Some(output) = &spec.output_kib {
        if !(1..=1_048_576).contains(output.get_ref()) {
            return Err(err(
                output.span(),
                "`output_kib` must be between 1 and 1048576".into(),
            ));
        }
        limits.output_kib = *output.get_ref();
    }
    if let Some(recursion) = &spec.recursion {
        if !(50..=1_000_000).contains(recursion.get_ref()) {
            return Err(err(
                recursion.span(),
                "`recursion` must be between 50 and 1000000".into(),
            ));
        }
        limits.recursion = *recursion.get_ref();
    }
    Ok(limits)
}

fn sandbox(spec: Option<&SandboxSpec>, err: &ErrAt<'_>) -> Result<SandboxSetup, ChallengeError> {
    let Some(spec) = spec else {
        return Ok(SandboxSetup::default());
    };
    let allow = spec.allow_modules.as_ref();
    if let Some(allow) = allow
        && let Some(unknown) = allow
            .get_ref()
            .iter()
            .find(|m| !crate::sandbox::modules::ALLOWED.contains(&m.as_str()))
    {
        return Err(err(
            allow.span(),
            format!("`allow_modules` can only narrow the default list; `{unknown}` is not on it"),
        ));
    }
    let cwd = match &spec.cwd {
        Some(cwd) => {
            path::check_cwd(cwd.get_ref()).map_err(|m| err(cwd.span(), m))?;
            cwd.get_ref().clone()
        }
        None => DEFAULT_CWD.to_owned(),
    };
    check_files(&spec.files, err)?;
    Ok(SandboxSetup {
        modules: crate::sandbox::modules::effective(
            allow.map(|a| a.get_ref().as_slice()),
            &spec.deny_modules,
        ),
        files: spec
            .files
            .iter()
            .map(|(path, content)| (path.get_ref().clone(), content.clone()))
            .collect(),
        cwd,
    })
}

/// `[sandbox] files` keys are plain relative paths, and no file is another's directory.
fn check_files(
    files: &BTreeMap<Spanned<String>, String>,
    err: &ErrAt<'_>,
) -> Result<(), ChallengeError> {
    for key in files.keys() {
        path::check_file_key(key.get_ref()).map_err(|m| err(key.span(), m))?;
    }
    let keys: Vec<&str> = files.keys().map(|k| k.get_ref().as_str()).collect();
    let Some((file, inside)) = path::nested_in_file(&keys) else {
        return Ok(());
    };
    let span = files
        .keys()
        .find(|k| k.get_ref() == inside)
        .map(Spanned::span);
    Err(err(
        span.unwrap_or_default(),
        format!("`files` has `{file}` as a file, so `{inside}` cannot be inside it"),
    ))
}

fn seconds(value: &Spanned<f64>, err: &ErrAt<'_>) -> Result<f64, ChallengeError> {
    let seconds = *value.get_ref();
    if seconds.is_finite() && seconds > 0.0 && seconds <= 600.0 {
        Ok(seconds)
    } else {
        Err(err(
            value.span(),
            "a time limit must be more than 0 and at most 600 seconds".into(),
        ))
    }
}

fn test_case(
    spanned: &Spanned<TestSpec>,
    entry: &[String],
    err: &ErrAt<'_>,
) -> Result<TestCase, ChallengeError> {
    let test = spanned.get_ref();
    let name = test.name.get_ref().clone();
    if !is_identifier_like(&name) {
        return Err(err(
            test.name.span(),
            "test names must be lowercase letters, digits and `_`".into(),
        ));
    }
    let kind = test.kind.unwrap_or(Kind::Call);
    let here = spanned.span();
    let forbid = |present: bool, key: &str| -> Result<(), ChallengeError> {
        if present {
            Err(err(
                here.clone(),
                format!("test `{name}`: `{key}` does not apply to this kind of test"),
            ))
        } else {
            Ok(())
        }
    };
    let require = |present: bool, key: &str| -> Result<(), ChallengeError> {
        if present {
            Ok(())
        } else {
            Err(err(here.clone(), format!("test `{name}`: missing `{key}`")))
        }
    };

    let uses_ops = test.ops.is_some();
    let action = match kind {
        Kind::Script => {
            forbid(test.function.is_some(), "function")?;
            forbid(test.class.is_some(), "class")?;
            forbid(test.args.is_some() || test.kwargs.is_some(), "args")?;
            forbid(uses_ops, "ops")?;
            let script = test
                .script
                .as_ref()
                .ok_or_else(|| err(here.clone(), format!("test `{name}`: missing `script`")))?;
            Action::Script {
                code: script.get_ref().clone(),
            }
        }
        Kind::Ops | Kind::Raises if uses_ops || kind == Kind::Ops => {
            require(uses_ops, "ops")?;
            forbid(test.function.is_some(), "function")?;
            forbid(test.script.is_some(), "script")?;
            let class = target(test.class.as_ref(), "class", &name, entry, err)?;
            let ops_value = test.ops.as_ref().map(|o| (value(o, err), o.span()));
            let ops = match ops_value {
                Some((v, span)) => ops(v?, &name).map_err(|m| err(span, m))?,
                None => Vec::new(),
            };
            Action::Ops {
                class,
                args: args(test.args.as_ref(), err)?,
                kwargs: kwargs(test.kwargs.as_ref(), err)?,
                ops,
            }
        }
        Kind::Call | Kind::Raises | Kind::Ops => {
            forbid(test.class.is_some(), "class")?;
            forbid(test.script.is_some(), "script")?;
            let function = target(test.function.as_ref(), "function", &name, entry, err)?;
            Action::Call {
                function,
                args: args(test.args.as_ref(), err)?,
                kwargs: kwargs(test.kwargs.as_ref(), err)?,
            }
        }
    };

    let expectation = if kind == Kind::Raises {
        forbid(test.expect.is_some(), "expect")?;
        forbid(
            test.compare.is_some() || test.tolerance.is_some(),
            "compare",
        )?;
        let raises = test
            .raises
            .as_ref()
            .ok_or_else(|| err(here.clone(), format!("test `{name}`: missing `raises`")))?;
        if !is_python_name(raises.get_ref()) {
            return Err(err(
                raises.span(),
                "`raises` must be an exception class name such as `KeyError`".into(),
            ));
        }
        Expectation::Raises {
            exception: raises.get_ref().clone(),
            message: test.message.clone(),
        }
    } else {
        forbid(test.raises.is_some(), "raises")?;
        forbid(test.message.is_some(), "message")?;
        let expect_spec = test
            .expect
            .as_ref()
            .ok_or_else(|| err(here.clone(), format!("test `{name}`: missing `expect`")))?;
        let expect = value(expect_spec, err)?;
        crate::value::check_expected(&expect).map_err(|m| err(expect_spec.span(), m))?;
        let unordered = test
            .compare
            .as_ref()
            .is_some_and(|c| *c.get_ref() == CompareMode::Unordered);
        if unordered && !matches!(expect, Value::List(_) | Value::Tuple(_)) {
            return Err(err(
                expect_spec.span(),
                "`compare = \"unordered\"` needs `expect` to be a list or tuple".into(),
            ));
        }
        if matches!(kind, Kind::Script | Kind::Ops) && !matches!(expect, Value::List(_)) {
            return Err(err(
                expect_spec.span(),
                "`expect` must be a list: one value per op or observation".into(),
            ));
        }
        let tolerance = match &test.tolerance {
            Some(t) if !(t.get_ref().is_finite() && *t.get_ref() >= 0.0) => {
                return Err(err(
                    t.span(),
                    "`tolerance` must be a non-negative number".into(),
                ));
            }
            Some(t) => Some(*t.get_ref()),
            None => None,
        };
        Expectation::Value {
            expect,
            options: CompareOptions {
                unordered,
                tolerance,
            },
        }
    };

    Ok(TestCase {
        name,
        visibility: test.visibility.unwrap_or(Visibility::Hidden),
        weight: test.weight.as_ref().map_or(1, |w| *w.get_ref()),
        action,
        expectation,
        time: test.time.as_ref().map(|t| seconds(t, err)).transpose()?,
    })
}

/// What a test calls or builds: `entry[0]` unless named, and a name only from `entry`, since
/// `entry` is what the submission is checked for and what the report calls missing.
fn target(
    named: Option<&Spanned<String>>,
    key: &str,
    test: &str,
    entry: &[String],
    err: &ErrAt<'_>,
) -> Result<String, ChallengeError> {
    let Some(named) = named else {
        // `parse` has checked that `entry` is not empty.
        return Ok(entry[0].clone());
    };
    if entry.contains(named.get_ref()) {
        return Ok(named.get_ref().clone());
    }
    let listed: Vec<String> = entry.iter().map(|e| format!("`{e}`")).collect();
    Err(err(
        named.span(),
        format!(
            "test `{test}`: `{key}` `{}` is not in `entry` ({}); add it there",
            named.get_ref().escape_debug(),
            listed.join(", ")
        ),
    ))
}

/// A TOML value as a Python value; a table `{ py = "..." }` is a Python literal.
fn value(spanned: &Spanned<Node>, err: &ErrAt<'_>) -> Result<Value, ChallengeError> {
    node::to_value(spanned).map_err(|(span, message)| err(span, message))
}

fn args(spec: Option<&Spanned<Node>>, err: &ErrAt<'_>) -> Result<Vec<Value>, ChallengeError> {
    let Some(spec) = spec else {
        return Ok(Vec::new());
    };
    match value(spec, err)? {
        Value::List(items) | Value::Tuple(items) => Ok(items),
        _ => Err(err(
            spec.span(),
            "`args` must be an array of positional arguments".into(),
        )),
    }
}

fn kwargs(
    spec: Option<&Spanned<Node>>,
    err: &ErrAt<'_>,
) -> Result<Vec<(String, Value)>, ChallengeError> {
    let Some(spec) = spec else {
        return Ok(Vec::new());
    };
    let Value::Dict(pairs) = value(spec, err)? else {
        return Err(err(
            spec.span(),
            "`kwargs` must be a table of keyword arguments".into(),
        ));
    };
    pairs
        .into_iter()
        .map(|(key, value)| match key {
            Value::Str(name) if is_python_name(&name) => Ok((name, value)),
            other => Err(err(
                spec.span(),
                format!(
                    "keyword argument name {} is not a Python name",
                    other.repr()
                ),
            )),
        })
        .collect()
}

fn ops(value: Value, test: &str) -> Result<Vec<Op>, String> {
    let (Value::List(items) | Value::Tuple(items)) = value else {
        return Err(format!(
            "test `{test}`: `ops` must be an array of [\"method\", args...] arrays"
        ));
    };
    items
        .into_iter()
        .map(|item| match item {
            Value::List(mut parts) | Value::Tuple(mut parts) if matches!(parts.first(), Some(Value::Str(m)) if is_python_name(m)) => {
                let Value::Str(method) = parts.remove(0) else { unreachable!("checked by the guard") };
                Ok(Op { method, args: parts })
            }
            other => Err(format!("test `{test}`: each op must be [\"method\", args...], not {}", other.repr())),
        })
        .collect()
}

fn is_identifier_like(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_python_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::parse;
    use crate::challenge::{Action, Expectation};

    const HEAD: &str = "id = \"t\"\ntitle = \"T\"\ndifficulty = \"easy\"\nprompt = \"p\"\nentry = [\"f\"]\nstarter = \"\"\n";

    fn check_error(tests: &str, expected: &str) {
        let text = format!("{HEAD}{tests}");
        let message = parse("t.toml", &text).map(|_| ()).unwrap_err().to_string();
        assert!(
            message.starts_with(expected),
            "got:\n{message}\nwanted prefix:\n{expected}"
        );
    }

    #[test]
    fn parses_each_kind() {
        let text = format!(
            "{HEAD}[[tests]]\nname = \"a\"\nargs = [1, {{ py = \"(2, None)\" }}]\nexpect = {{ py = \"None\" }}\n\
             [[tests]]\nname = \"b\"\nkind = \"ops\"\nargs = [2]\nops = [[\"put\", 1, 1], [\"get\", 1]]\nexpect = {{ py = \"[None, 1]\" }}\n\
             [[tests]]\nname = \"c\"\nkind = \"raises\"\nargs = [\"x\"]\nraises = \"ValueError\"\n\
             [[tests]]\nname = \"d\"\nkind = \"script\"\nscript = \"observe(1)\"\nexpect = [1]\nvisibility = \"visible\"\n"
        );
        let challenge = parse("t.toml", &text).unwrap();
        assert_eq!(challenge.tests.len(), 4);
        let Action::Call { args, .. } = &challenge.tests[0].action else {
            panic!("a is a call")
        };
        assert_eq!(args[1].repr(), "(2, None)");
        let Action::Ops { ops, class, .. } = &challenge.tests[1].action else {
            panic!("b is ops")
        };
        assert_eq!(
            (class.as_str(), ops.len(), ops[1].method.as_str()),
            ("f", 2, "get")
        );
        assert!(
            matches!(&challenge.tests[2].expectation, Expectation::Raises { exception, .. } if exception == "ValueError")
        );
    }

    #[test]
    fn errors_name_line_and_column() {
        check_error(
            "[[tests]]\nname = \"a\"\nexpct = 1\n",
            "t.toml:9:1: unknown field `expct`",
        );
        check_error(
            "[[tests]]\nname = \"a\"\n",
            "t.toml:7:1: test `a`: missing `expect`",
        );
        check_error(
            "[[tests]]\nname = \"a\"\nexpect = { py = \"os.system('x')\" }\n",
            "t.toml:9:10: bad Python literal",
        );
        check_error(
            "[[tests]]\nname = \"a\"\nkind = \"ops\"\nops = [[1]]\nexpect = []\n",
            "t.toml:10:7: test `a`: each op must be",
        );
        check_error(
            "[[tests]]\nname = \"a\"\nexpect = 1\n[[tests]]\nname = \"a\"\nexpect = 1\n",
            "t.toml:11:8: duplicate test name `a`",
        );
    }

    #[test]
    fn refuses_what_would_misbehave_later() {
        check_error(
            "[[tests]]\nname = \"a\"\nweight = 4000000000\nexpect = 1\n",
            "t.toml:9:10: the tests' weights must add up to at most 1000000",
        );
        check_error(
            "[sandbox]\nfiles = { \"a\" = \"\", \"a/b\" = \"\" }\n[[tests]]\nname = \"a\"\nexpect = 1\n",
            "t.toml:8:21: `files` has `a` as a file, so `a/b` cannot be inside it",
        );
        check_error(
            "[[tests]]\nname = \"a\"\nexpect = { x = [{ py = \"1\", y = 2 }] }\n",
            "t.toml:9:17: a `{ py = \"...\" }` literal cannot have other keys (found `y`)",
        );
    }
}
