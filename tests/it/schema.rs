//! `pygrade schema`: the JSON Schemas editors check TOML against. Every challenge and manifest the
//! loader accepts must validate, and documents the loader refuses for an unknown key, a wrong type
//! or a value out of range must not. Validation is Python's `jsonschema` over `tomllib`'s reading
//! of each document; without it the tests print a note and pass, unless
//! `PYGRADE_REQUIRE_PYTHON_TOOLS=1` (as in CI), when they fail.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use std::io::Write;

use pygrade::challenge::ChallengeSet;
use pygrade::manifest::Manifest;

use crate::support::{pygrade, python_tool_missing, root, scratch_dir, text};

/// How to get the schema checker.
const INSTALL: &str = "python3 -m pip install jsonschema";

/// Exit status of [`VALIDATE`] when `jsonschema` or `tomllib` cannot be imported.
const MISSING: i32 = 77;

/// Reads `{"schema": ..., "documents": [TOML text, ...]}` on stdin, checks the schema against
/// its meta-schema, and prints each document's validation errors (an empty list when valid).
const VALIDATE: &str = r#"
import json, sys
try:
    import jsonschema, tomllib
except ImportError as error:
    print(error, file=sys.stderr)
    sys.exit(77)
request = json.load(sys.stdin)
schema = request["schema"]
validator = jsonschema.validators.validator_for(schema)
validator.check_schema(schema)
checker = validator(schema)
json.dump([[e.message for e in checker.iter_errors(tomllib.loads(d))] for d in request["documents"]], sys.stdout)
"#;

/// A challenge the loader accepts, which variants below break one way each.
const CHALLENGE: &str = r#"id = "probe"
title = "Probe"
difficulty = "easy"
prompt = "p"
entry = ["f", "Box"]
starter = ""
"#;

/// Tests for [`CHALLENGE`] that use every kind and the literal forms of `args` and `ops`.
const TESTS: &str = r#"
[[tests]]
name = "a"
args = { py = "(1, None)" }
kwargs = { key = 1 }
expect = { py = "None" }
compare = "exact"
tolerance = 0.5

[[tests]]
name = "b"
kind = "ops"
class = "Box"
ops = [["put", 1], [{ py = "'put'" }, 2], { py = "('get',)" }]
expect = [1, 2, 3]
visibility = "visible"
weight = 3
time = 0.5

[[tests]]
name = "c"
kind = "raises"
ops = { py = "[('get', 1)]" }
raises = "KeyError"
message = "1"

[[tests]]
name = "d"
kind = "script"
script = "observe(1)"
expect = [1]
"#;

#[test]
fn schemas_are_draft_7_with_titles() {
    for (kind, title) in [
        ("challenge", "pygrade challenge"),
        ("manifest", "pygrade manifest"),
    ] {
        let schema = schema(kind);
        assert_eq!(schema["title"], title);
        assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
        assert_eq!(schema["additionalProperties"], false, "{kind}");
    }
}

#[test]
fn challenge_schema_accepts_what_the_loader_accepts() {
    let set = ChallengeSet::new(&[]).expect("the bank loads");
    let mut accepted: Vec<PathBuf> = toml_files()
        .into_iter()
        .filter(|path| set.resolve(&path.display().to_string()).is_ok())
        .collect();
    let banked = accepted
        .iter()
        .filter(|p| p.starts_with(root().join("challenges")));
    assert!(banked.count() >= 5, "the bank's challenges were not found");
    let every_form = write("challenge.toml", &format!("{CHALLENGE}{TESTS}"));
    if let Err(e) = set.resolve(&every_form.display().to_string()) {
        panic!("the loader refuses {CHALLENGE}{TESTS}\n{e}");
    }
    accepted.push(every_form);
    let Some(results) = validate("challenge", &read_all(&accepted)) else {
        return;
    };
    for (path, errors) in accepted.iter().zip(results) {
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    }
}

#[test]
fn challenge_schema_refuses_what_the_loader_refuses() {
    let test = "[[tests]]\nname = \"a\"\nexpect = 1\n";
    let variants = [
        format!("{CHALLENGE}expct = 1\n{test}"),
        format!("{CHALLENGE}{test}expct = 1\n"),
        format!("{CHALLENGE}{test}weight = \"1\"\n"),
        format!("{CHALLENGE}{test}kind = \"cal\"\n"),
        format!("{CHALLENGE}{test}args = 1\n"),
        format!("{CHALLENGE}{test}kwargs = [1]\n"),
        format!("{CHALLENGE}{test}time = 0\n"),
        format!("{CHALLENGE}[limits]\nmemory_mib = 16\n{test}"),
        format!("{CHALLENGE}[sandbox]\nallow_modules = [\"socket\"]\n{test}"),
        CHALLENGE.replace("\"easy\"", "\"extreme\"") + test,
        CHALLENGE.replace("[\"f\", \"Box\"]", "\"f\"") + test,
        CHALLENGE.replace("\"probe\"", "\"Probe\"") + test,
        CHALLENGE.to_owned(),
    ];
    let set = ChallengeSet::new(&[]).expect("the bank loads");
    for variant in &variants {
        let path = write("challenge.toml", variant);
        let loaded = set.resolve(&path.display().to_string());
        assert!(loaded.is_err(), "the loader accepts:\n{variant}");
    }
    let valid = format!("{CHALLENGE}{test}");
    assert!(
        set.resolve(&write("challenge.toml", &valid).display().to_string())
            .is_ok()
    );
    check_refused("challenge", &valid, &variants);
}

#[test]
fn manifest_schema_accepts_what_the_loader_accepts() {
    let dir = scratch_dir("schema-manifest");
    let local = dir.join("mine");
    std::fs::create_dir_all(&local).expect("create a challenge folder");
    let challenge = format!("{CHALLENGE}[[tests]]\nname = \"a\"\nexpect = 1\n");
    std::fs::write(local.join("challenge.toml"), challenge).expect("write a challenge");
    let manifests = [
        "[[grade]]\nchallenge = \"lru_cache\"\nfile = \"lru.py\"\n".to_owned(),
        "[[grade]]\nchallenge = \"lru_cache\"\nfile = \"src/lru.py\"\nweight = 1000\n\
         [[grade]]\nchallenge = \"./mine\"\nfile = \"mine.py\"\nweight = 1\n\
         [[grade]]\nchallenge = \"mine/challenge.toml\"\nfile = \"other.py\"\n\
         [pass]\nthreshold = 1.0\n"
            .to_owned(),
        "[[grade]]\nchallenge = \"pipeline\"\nfile = \"p.py\"\n[pass]\nthreshold = 0.01\n"
            .to_owned(),
        "[[grade]]\nchallenge = \"pipeline\"\nfile = \"p.py\"\n[pass]\n".to_owned(),
    ];
    let set = ChallengeSet::new(&[]).expect("the bank loads");
    for manifest in &manifests {
        let path = dir.join("pygrade.toml");
        std::fs::write(&path, manifest).expect("write a manifest");
        if let Err(e) = Manifest::load(&path, &set) {
            panic!("the loader refuses:\n{manifest}\n{e}");
        }
    }
    let Some(results) = validate("manifest", &manifests) else {
        return;
    };
    for (manifest, errors) in manifests.iter().zip(results) {
        assert!(errors.is_empty(), "{manifest}\n{errors:?}");
    }
}

#[test]
fn manifest_schema_refuses_what_the_loader_refuses() {
    let entry = "[[grade]]\nchallenge = \"lru_cache\"\nfile = \"lru.py\"\n";
    let variants = [
        format!("{entry}wieght = 2\n"),
        format!("{entry}weight = 0\n"),
        format!("{entry}weight = 1001\n"),
        format!("{entry}weight = \"2\"\n"),
        format!("{entry}[pass]\nthreshold = 0\n"),
        format!("{entry}[pass]\nthreshold = 1.5\n"),
        format!("{entry}[pass]\nshare = 0.5\n"),
        "[grade]\nchallenge = \"lru_cache\"\nfile = \"lru.py\"\n".to_owned(),
        "[[grade]]\nchallenge = \"lru_cache\"\n".to_owned(),
        "[[grade]]\nchallenge = \"\"\nfile = \"lru.py\"\n".to_owned(),
        "[pass]\nthreshold = 0.5\n".to_owned(),
        "grade = []\n".to_owned(),
    ];
    let dir = scratch_dir("schema-manifest-bad");
    let set = ChallengeSet::new(&[]).expect("the bank loads");
    for variant in &variants {
        let path = dir.join("pygrade.toml");
        std::fs::write(&path, variant).expect("write a manifest");
        assert!(
            Manifest::load(&path, &set).is_err(),
            "the loader accepts:\n{variant}"
        );
    }
    check_refused("manifest", entry, &variants);
}

/// Checks that `valid` validates against the `kind` schema and every one of `variants` does not.
fn check_refused(kind: &str, valid: &str, variants: &[String]) {
    let mut documents = vec![valid.to_owned()];
    documents.extend_from_slice(variants);
    let Some(results) = validate(kind, &documents) else {
        return;
    };
    assert!(results[0].is_empty(), "{valid}\n{:?}", results[0]);
    for (variant, errors) in variants.iter().zip(&results[1..]) {
        assert!(!errors.is_empty(), "the {kind} schema accepts:\n{variant}");
    }
}

/// The output of `pygrade schema <kind>`: one pretty JSON document and a newline.
fn schema(kind: &str) -> serde_json::Value {
    let output = pygrade(&["schema", kind]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.ends_with("}\n"), "{stdout}");
    serde_json::from_str(&stdout).expect("the schema is JSON")
}

/// Each TOML document's errors against the `kind` schema (empty when it is valid), or `None`
/// when Python's `jsonschema` is not there and not required.
fn validate(kind: &str, documents: &[String]) -> Option<Vec<Vec<String>>> {
    let request = serde_json::json!({ "schema": schema(kind), "documents": documents });
    let child = Command::new("python3")
        .args(["-c", VALIDATE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        return python_tool_missing("python3 is not installed", INSTALL);
    };
    let mut stdin = child.stdin.take().expect("piped stdin");
    stdin
        .write_all(request.to_string().as_bytes())
        .expect("write to python3");
    drop(stdin);
    let output = child.wait_with_output().expect("python3 runs");
    if output.status.code() == Some(MISSING) {
        return python_tool_missing(text(&output.stderr).trim(), INSTALL);
    }
    assert!(output.status.success(), "{}", text(&output.stderr));
    Some(serde_json::from_slice(&output.stdout).expect("python3 prints JSON"))
}

/// Every TOML file under `challenges/`, `tests/` and `fixtures/`, sorted.
fn toml_files() -> Vec<PathBuf> {
    let mut found = Vec::new();
    for dir in ["challenges", "tests", "fixtures"] {
        collect_toml(&root().join(dir), &mut found);
    }
    found.sort();
    found
}

fn collect_toml(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_toml(&path, found);
        } else if path.extension().is_some_and(|e| e == "toml") {
            found.push(path);
        }
    }
}

fn read_all(paths: &[PathBuf]) -> Vec<String> {
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("read a TOML file"))
        .collect()
}

/// Writes `text` to `name` in a fresh scratch folder.
fn write(name: &str, text: &str) -> PathBuf {
    let path = scratch_dir("schema").join(name);
    std::fs::write(&path, text).expect("write a scratch file");
    path
}
