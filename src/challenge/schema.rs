//! The JSON Schema of `challenge.toml` (`pygrade schema challenge`): derived from the `spec`
//! types, plus hand-written schemas for the parts serde sees as any TOML value ([`Node`]), so that
//! an editor completes and checks what `load` accepts and never flags what it accepts.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use super::node::Node;
use super::spec::ChallengeSpec;

/// The schema of a challenge file, as a root schema from `generator`'s settings.
pub fn schema(generator: SchemaGenerator) -> Schema {
    generator.into_root_schema_for::<ChallengeSpec>()
}

/// Any TOML value: every one is a Python value (`load` refuses only dates, deep inside).
impl JsonSchema for Node {
    fn schema_name() -> Cow<'static, str> {
        "Value".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        true.into()
    }
}

/// `{ py = "..." }`: a Python literal where TOML cannot say the value.
struct PyLiteral;

impl JsonSchema for PyLiteral {
    fn schema_name() -> Cow<'static, str> {
        "PyLiteral".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A Python literal (what `ast.literal_eval` accepts), for values TOML \
                            cannot write: `{ py = \"None\" }`, `{ py = \"(1, 2)\" }`.",
            "type": "object",
            "properties": { "py": { "type": "string" } },
            "required": ["py"],
            "additionalProperties": false
        })
    }
}

/// `args`: an array, or a literal (a list or tuple; `load` checks which).
pub(super) struct PositionalArgs;

impl JsonSchema for PositionalArgs {
    fn schema_name() -> Cow<'static, str> {
        "PositionalArgs".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let literal = generator.subschema_for::<PyLiteral>();
        json_schema!({ "anyOf": [{ "type": "array" }, literal] })
    }
}

/// `kwargs`: a table (a `{ py = "..." }` dict literal is a table too).
pub(super) struct KeywordArgs;

impl JsonSchema for KeywordArgs {
    fn schema_name() -> Cow<'static, str> {
        "KeywordArgs".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "object" })
    }
}

/// `ops`: an array of ops, each `["method", arg, ...]`; the array or any op may be a literal.
pub(super) struct OpList;

impl JsonSchema for OpList {
    fn schema_name() -> Cow<'static, str> {
        "OpList".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let literal = generator.subschema_for::<PyLiteral>();
        // The method name (a literal may hold it too), then any values (`prefixItems` becomes
        // `items` in draft 7).
        let call = json_schema!({
            "type": "array",
            "minItems": 1,
            "prefixItems": [{ "anyOf": [{ "type": "string" }, literal.clone()] }]
        });
        json_schema!({
            "anyOf": [
                { "type": "array", "items": { "anyOf": [call, literal.clone()] } },
                literal
            ]
        })
    }
}

/// An entry of `[sandbox] allow_modules`: a module on pygrade's default list.
pub(super) struct AllowedModule;

impl JsonSchema for AllowedModule {
    fn schema_name() -> Cow<'static, str> {
        "AllowedModule".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "enum": crate::sandbox::modules::ALLOWED
        })
    }
}
