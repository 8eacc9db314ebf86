//! Python literals written in challenge files as `{ py = "..." }`, parsed on the host with
//! `rustpython-parser` (the VM never sees expected values). Accepts what `ast.literal_eval`
//! accepts except complex numbers: None, bools, numbers, strings, bytes, tuples, lists, dicts,
//! sets and `set()`.

use rustpython_parser::Parse;
use rustpython_parser::ast::{self, Constant, Expr, UnaryOp};

use super::Value;

/// Why a `{ py = "..." }` literal was rejected.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LiteralError(String);

/// Parses one Python literal expression into a [`Value`].
pub fn parse_literal(source: &str) -> Result<Value, LiteralError> {
    let expr = Expr::parse(source.trim(), "<literal>")
        .map_err(|error| LiteralError(format!("not a Python expression: {}", error.error)))?;
    eval(&expr, 0)
}

const MAX_DEPTH: usize = 100;

fn eval(expr: &Expr, depth: usize) -> Result<Value, LiteralError> {
    if depth > MAX_DEPTH {
        return Err(LiteralError("literal is nested too deeply".into()));
    }
    let all = |items: &[Expr]| {
        items
            .iter()
            .map(|e| eval(e, depth + 1))
            .collect::<Result<Vec<_>, _>>()
    };
    match expr {
        Expr::Constant(c) => constant(&c.value),
        Expr::List(list) => Ok(Value::List(all(&list.elts)?)),
        Expr::Tuple(tuple) => Ok(Value::Tuple(all(&tuple.elts)?)),
        Expr::Set(set) => Ok(Value::Set(all(&set.elts)?)),
        Expr::Dict(dict) => {
            let mut pairs = Vec::with_capacity(dict.values.len());
            for (key, value) in dict.keys.iter().zip(&dict.values) {
                let key = key.as_ref().ok_or_else(|| LiteralError("`**` is not a literal".into()))?;
                pairs.push((eval(key, depth + 1)?, eval(value, depth + 1)?));
            }
            Ok(Value::Dict(pairs))
        }
        Expr::UnaryOp(unary) if matches!(unary.op, UnaryOp::USub | UnaryOp::UAdd) => {
            let negate = matches!(unary.op, UnaryOp::USub);
            match eval(&unary.operand, depth + 1)? {
                Value::Int(digits) if negate => Ok(Value::Int(negate_digits(&digits))),
                Value::Float(x) if negate => Ok(Value::Float(-x)),
                number @ (Value::Int(_) | Value::Float(_)) => Ok(number),
                _ => Err(LiteralError("unary minus applies only to numbers".into())),
            }
        }
        Expr::Call(ast::ExprCall { func, args, keywords, .. })
            if args.is_empty() && keywords.is_empty() && matches!(&**func, Expr::Name(n) if n.id.as_str() == "set") =>
        {
            Ok(Value::Set(Vec::new()))
        }
        _ => Err(LiteralError(
            "only literals are allowed: None, True, False, numbers, strings, bytes, tuples, lists, dicts, sets, set()"
                .into(),
        )),
    }
}

fn constant(value: &Constant) -> Result<Value, LiteralError> {
    Ok(match value {
        Constant::None => Value::None,
        Constant::Bool(b) => Value::Bool(*b),
        Constant::Str(s) => Value::Str(s.clone()),
        Constant::Bytes(b) => Value::Bytes(b.clone()),
        Constant::Int(i) => Value::Int(i.to_string()),
        Constant::Float(x) => Value::Float(*x),
        Constant::Tuple(items) => {
            Value::Tuple(items.iter().map(constant).collect::<Result<_, _>>()?)
        }
        Constant::Complex { .. } | Constant::Ellipsis => {
            return Err(LiteralError(
                "complex numbers and `...` are not supported".into(),
            ));
        }
    })
}

fn negate_digits(digits: &str) -> String {
    match digits.strip_prefix('-') {
        Some(positive) => positive.to_owned(),
        None if digits == "0" => digits.to_owned(),
        None => format!("-{digits}"),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_literal;

    fn check(source: &str, repr: &str) {
        assert_eq!(
            parse_literal(source)
                .map(|v| v.repr())
                .map_err(|e| e.to_string()),
            Ok(repr.to_owned())
        );
    }

    #[test]
    fn literals_round_trip_through_repr() {
        check("None", "None");
        check("[None, None, 1, -1]", "[None, None, 1, -1]");
        check("(1, 'a', (2,))", "(1, 'a', (2,))");
        check("{1: 'a', (1, 2): [3.5]}", "{1: 'a', (1, 2): [3.5]}");
        check("set()", "set()");
        check("{1, 2}", "{1, 2}");
        check("-0", "0");
        check(
            "123456789012345678901234567890",
            "123456789012345678901234567890",
        );
        check("b'\\x00ab'", "b'\\x00ab'");
        check("-1.5e-5", "-1.5e-05");
    }

    #[test]
    fn non_literals_are_rejected() {
        for source in [
            "__import__('os')",
            "x",
            "1 + 2",
            "[i for i in range(3)]",
            "{**a}",
            "1j",
        ] {
            assert!(
                parse_literal(source).is_err(),
                "{source} should be rejected"
            );
        }
    }
}
