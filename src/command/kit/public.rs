//! The public copy of a challenge: its TOML with every hidden test removed, checked to load as
//! the same challenge with exactly the original's visible tests before anyone writes it.

use toml::{Table, Value};

use crate::challenge::{Challenge, TestCase, Visibility};
use crate::error::Error;

/// The TOML text a candidate's repository holds for `challenge` (whose file text is `text`):
/// every key kept except the hidden `[[tests]]`, and no comments (they may describe hidden tests).
pub(super) fn public_copy(challenge: &Challenge, text: &str) -> Result<String, Error> {
    let mut table: Table = toml::from_str(text).map_err(|e| internal(challenge, &e))?;
    let Some(Value::Array(tests)) = table.get_mut("tests") else {
        return Err(internal(challenge, &"`tests` is not an array"));
    };
    // A test without `visibility` is hidden (see `challenge::load`), so keep only the ones that
    // say `visible`; `verify` checks the result against the loaded challenge.
    tests.retain(|test| test.get("visibility").and_then(Value::as_str) == Some("visible"));
    if tests.is_empty() {
        return Err(Error::Usage(format!(
            "challenge `{}` has no visible tests to give a candidate; mark at least one test \
             `visibility = \"visible\"`",
            challenge.id
        )));
    }
    let body = pretty(table).map_err(|e| internal(challenge, &e))?;
    let public = format!(
        "# The public copy of challenge `{}`, written by `pygrade kit`: its visible tests only.\n\
         # The interviewer grades with the full challenge, hidden tests included.\n\n{body}",
        challenge.id
    );
    verify(challenge, &public)?;
    Ok(public)
}

/// The order a challenge's keys are written in, as the bank's files have them (the `toml` map
/// is sorted, and `tests` would come before `title`).
const ORDER: &[&str] = &[
    "id",
    "title",
    "difficulty",
    "tags",
    "entry",
    "prompt",
    "starter",
    "limits",
    "sandbox",
    "tests",
];

/// `table` as TOML, key by key in [`ORDER`], plain values before tables (a plain key after a
/// `[table]` header would belong to that table).
fn pretty(table: Table) -> Result<String, toml::ser::Error> {
    let rank = |key: &str, value: &Value| {
        let nested = match value {
            Value::Table(_) => true,
            Value::Array(items) => items.first().is_some_and(Value::is_table),
            _ => false,
        };
        let place = ORDER.iter().position(|k| *k == key).unwrap_or(ORDER.len());
        (nested, place)
    };
    let mut entries: Vec<(String, Value)> = table.into_iter().collect();
    entries.sort_by_key(|(key, value)| rank(key, value));
    let mut out = String::new();
    for (key, value) in entries {
        let nested = rank(&key, &value).0;
        let one: Table = std::iter::once((key, value)).collect();
        if nested {
            out.push('\n');
        }
        out.push_str(&toml::to_string_pretty(&one)?);
    }
    Ok(out)
}

/// Checks that `public` loads as `challenge` with its visible tests, unchanged, and nothing else.
fn verify(challenge: &Challenge, public: &str) -> Result<(), Error> {
    let origin = format!(".pygrade/challenges/{}.toml", challenge.id);
    let copy = crate::challenge::parse(&origin, public).map_err(|e| internal(challenge, &e))?;
    if !same_challenge(&copy, challenge) {
        return Err(internal(
            challenge,
            &"the public copy differs from the challenge",
        ));
    }
    let visible: Vec<&TestCase> = challenge
        .tests
        .iter()
        .filter(|t| t.visibility == Visibility::Visible)
        .collect();
    let same = copy.tests.len() == visible.len()
        && copy
            .tests
            .iter()
            .zip(&visible)
            .all(|(a, b)| same_test(a, b));
    if same {
        Ok(())
    } else {
        Err(internal(challenge, &"the public copy's tests differ"))
    }
}

/// Whether everything but the tests (and origin and digest) is the same.
fn same_challenge(a: &Challenge, b: &Challenge) -> bool {
    a.id == b.id
        && a.title == b.title
        && a.difficulty == b.difficulty
        && a.tags == b.tags
        && a.prompt == b.prompt
        && a.entry == b.entry
        && a.starter == b.starter
        && a.limits == b.limits
        && a.sandbox == b.sandbox
}

/// Whether two loaded tests are the same test (`Expectation` has no `PartialEq`; its `Debug`
/// shows every field).
fn same_test(a: &TestCase, b: &TestCase) -> bool {
    a.name == b.name
        && a.visibility == b.visibility
        && a.weight == b.weight
        && a.action == b.action
        && a.time == b.time
        && format!("{:?}", a.expectation) == format!("{:?}", b.expectation)
}

/// A failure to make a public copy of a challenge that already loaded: a bug in pygrade.
fn internal(challenge: &Challenge, why: &dyn std::fmt::Display) -> Error {
    Error::Internal(format!(
        "cannot make a public copy of challenge `{}`: {why}",
        challenge.id
    ))
}
