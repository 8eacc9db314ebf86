//! `pygrade schema`: JSON Schemas for the TOML files people write, so that an editor that checks
//! TOML against a schema (taplo, Even Better TOML) completes and checks them.
//!
//! The schemas are draft 7: taplo's validator does not support later drafts in every release
//! editors ship, and draft 7 says all these files need.

use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use schemars::{Schema, SchemaGenerator};
use serde_json::{Map, Value};

use crate::cli::SchemaKind;
use crate::error::Error;

/// Prints the schema of `kind` as pretty JSON.
pub(super) fn run(kind: SchemaKind) -> Result<u8, Error> {
    super::emit(&render(kind)?)?;
    Ok(0)
}

/// The schema of `kind` as pretty JSON with a final newline.
fn render(kind: SchemaKind) -> Result<String, Error> {
    let (title, mut schema) = match kind {
        SchemaKind::Challenge => ("pygrade challenge", crate::challenge::schema(generator())),
        SchemaKind::Manifest => ("pygrade manifest", crate::manifest::schema(generator())),
    };
    schema.insert("title".into(), title.into());
    let mut text = serde_json::to_string_pretty(&schema)
        .map_err(|e| Error::Internal(format!("the schema does not serialise: {e}")))?;
    text.push('\n');
    Ok(text)
}

/// A draft 7 generator whose schemas suit TOML and editors (see [`tidy`]).
fn generator() -> SchemaGenerator {
    let mut settings = SchemaSettings::draft07();
    // First, so that draft 7's own transforms (`$ref` siblings into `allOf`) tidy after it.
    settings
        .transforms
        .insert(0, Box::new(RecursiveTransform(tidy)));
    settings.into_generator()
}

/// Optional keys do not also allow `null`, which TOML cannot write; descriptions are doc
/// comments with their line breaks undone, since editors show them as running text.
fn tidy(schema: &mut Schema) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    if let Some(Value::String(text)) = object.get_mut("description") {
        *text = unwrap_lines(text);
    }
    if let Some(Value::Array(types)) = object.get_mut("type") {
        types.retain(|t| t != "null");
        if let [only] = types.as_slice() {
            let only = only.clone();
            object.insert("type".into(), only);
        }
    }
    drop_null_choice(object);
}

/// Removes `{ "type": "null" }` from an `anyOf`; an `anyOf` left with one choice becomes that
/// choice, when none of its keys (but `anyOf`) is already set beside the `anyOf`.
fn drop_null_choice(object: &mut Map<String, Value>) {
    let Some(Value::Array(choices)) = object.get_mut("anyOf") else {
        return;
    };
    choices.retain(|c| c.get("type").is_none_or(|t| t != "null"));
    let [Value::Object(only)] = choices.as_slice() else {
        return;
    };
    let only = only.clone();
    if only.keys().all(|k| k == "anyOf" || !object.contains_key(k)) {
        object.remove("anyOf");
        object.extend(only);
    }
}

/// Joins the lines of each paragraph with spaces; paragraphs stay apart.
fn unwrap_lines(text: &str) -> String {
    text.split("\n\n")
        .map(|paragraph| paragraph.replace('\n', " "))
        .collect::<Vec<_>>()
        .join("\n\n")
}
