//! TOML values that keep the position of every part (`args`, `kwargs`, `ops`, `expect`), and
//! their conversion to Python [`Value`]s, so that a bad value deep inside one is reported where
//! it is written.
//!
//! Any TOML value is a Python value; a table whose only key is `py` is a Python literal
//! (`{ py = "(1, 2)" }`). A table with `py` and any other key is an error rather than a dict, since
//! it is almost certainly a literal written wrong. Nesting is bounded by the TOML parser (80).

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use toml::Spanned;

use crate::value::{Value, parse_literal};

/// The key that makes a table a Python literal.
const LITERAL_KEY: &str = "py";
/// The key under which the `toml` deserializer hands over a date or time (`toml_datetime`).
const DATETIME_KEY: &str = "$__toml_private_datetime";

/// A TOML value whose every element and table value carries its byte range in the file.
#[derive(Debug)]
pub(super) enum Node {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Datetime,
    Array(Vec<Spanned<Node>>),
    /// Keys sorted, as `toml::Value` sorts them.
    Table(BTreeMap<String, Spanned<Node>>),
}

/// A value error and where it is.
pub(super) type NodeError = (Range<usize>, String);

/// The Python value a spanned TOML value stands for.
pub(super) fn to_value(node: &Spanned<Node>) -> Result<Value, NodeError> {
    let at = |message: String| (node.span(), message);
    Ok(match node.get_ref() {
        Node::Str(s) => Value::Str(s.clone()),
        Node::Int(i) => Value::int(*i),
        Node::Float(x) => Value::Float(*x),
        Node::Bool(b) => Value::Bool(*b),
        Node::Datetime => {
            return Err(at("dates are not Python values here; use a string".into()));
        }
        Node::Array(items) => Value::List(items.iter().map(to_value).collect::<Result<_, _>>()?),
        Node::Table(table) => match table.get(LITERAL_KEY) {
            Some(literal) => return literal_value(table, literal).map_err(at),
            None => Value::Dict(
                table
                    .iter()
                    .map(|(k, v)| Ok((Value::Str(k.clone()), to_value(v)?)))
                    .collect::<Result<_, NodeError>>()?,
            ),
        },
    })
}

/// The value of `{ py = "..." }`; the error is reported at the whole table.
fn literal_value(
    table: &BTreeMap<String, Spanned<Node>>,
    literal: &Spanned<Node>,
) -> Result<Value, String> {
    if let Some(other) = table.keys().find(|k| *k != LITERAL_KEY) {
        return Err(format!(
            "a `{{ py = \"...\" }}` literal cannot have other keys (found `{}`); for a dict with \
             a `py` key write `{{ py = \"{{'py': ...}}\" }}`",
            other.escape_debug()
        ));
    }
    let Node::Str(source) = literal.get_ref() else {
        return Err("`py` must be a string holding a Python literal".into());
    };
    parse_literal(source).map_err(|e| format!("bad Python literal `{}`: {e}", shown(source)))
}

/// A literal for a message: its first 60 characters, escaped.
fn shown(source: &str) -> String {
    let mut text: String = source
        .chars()
        .take(60)
        .flat_map(char::escape_debug)
        .collect();
    if source.chars().nth(60).is_some() {
        text.push_str("...");
    }
    text
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a TOML value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Node, E> {
        Ok(Node::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Node, E> {
        Ok(Node::Int(value))
    }

    fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Node, E> {
        i64::try_from(value)
            .map(Node::Int)
            .map_err(|_| E::custom("integer out of range"))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Node, E> {
        Ok(Node::Float(value))
    }

    fn visit_str<E>(self, value: &str) -> Result<Node, E> {
        Ok(Node::Str(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Node, E> {
        Ok(Node::Str(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut table = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == DATETIME_KEY {
                map.next_value::<IgnoredAny>()?;
                return Ok(Node::Datetime);
            }
            let value = map.next_value()?;
            table.insert(key, value);
        }
        Ok(Node::Table(table))
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use toml::Spanned;

    use super::{Node, to_value};

    #[derive(Deserialize)]
    struct Holder {
        v: Spanned<Node>,
    }

    /// The value's repr, or the error's text at its `start..end`.
    fn check(toml_value: &str, expected: &str) {
        let text = format!("v = {toml_value}");
        let holder: Holder = toml::from_str(&text).expect("valid TOML");
        let got = match to_value(&holder.v) {
            Ok(value) => value.repr(),
            Err((span, message)) => format!("{}: {message}", &text[span]),
        };
        assert!(
            got.starts_with(expected),
            "got {got:?}, wanted {expected:?}"
        );
    }

    #[test]
    fn converts_toml_and_literals() {
        check("[1, 2.5, true, \"a\"]", "[1, 2.5, True, 'a']");
        check("{ b = 1, a = [] }", "{'a': [], 'b': 1}");
        check("[{ py = \"(1, None)\" }]", "[(1, None)]");
        check("{ k = { py = \"{1, 2}\" } }", "{'k': {1, 2}}");
    }

    #[test]
    fn points_at_the_bad_part() {
        check(
            "[1, { py = \"1\", extra = 2 }]",
            "{ py = \"1\", extra = 2 }: a `{ py = \"...\" }` literal cannot have other keys (found `extra`)",
        );
        check(
            "[1, [1979-05-27]]",
            "1979-05-27: dates are not Python values",
        );
        check("{ a = { py = 1 } }", "{ py = 1 }: `py` must be a string");
        check("[{ py = \"x\" }]", "{ py = \"x\" }: bad Python literal `x`");
    }
}
