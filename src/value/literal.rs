//! Python literals written in challenge files as `{ py = "..." }`, parsed on the host with
//! `rustpython-parser` (the VM never sees expected values). Accepts what `ast.literal_eval`
//! accepts except complex numbers: None, bools, numbers, strings, bytes, tuples, lists, dicts,
//! sets and `set()`.
//!
//! The tokens are checked before anything parses them, since a parsed expression is a recursive
//! tree: `[1][0][0]...`, `1+1+1...` or `-------1` a megabyte long would overflow the stack when the
//! tree is built or dropped. Only literal tokens pass, in literal positions (no call but `set()`,
//! no subscript, no binary operator, a sign only before a number or a bracket), brackets nest at most
//! [`MAX_DEPTH`] deep, and integers have at most 4300 digits (CPython's limit; a hexadecimal
//! literal is held to the same bound on its decimal form).

use std::borrow::Cow;

use rustpython_parser::Parse;
use rustpython_parser::ast::{self, Constant, Expr, UnaryOp};
use rustpython_parser::lexer::lex;
use rustpython_parser::{Mode, Tok};

use super::Value;

/// Why a `{ py = "..." }` literal was rejected.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LiteralError(String);

/// Parses one Python literal expression into a [`Value`].
pub fn parse_literal(source: &str) -> Result<Value, LiteralError> {
    let source = source.trim();
    check_tokens(source)?;
    let expr = Expr::parse(source, "<literal>")
        .map_err(|error| LiteralError(format!("not a Python expression: {}", error.error)))?;
    eval(&expr, 0)
}

const MAX_DEPTH: usize = 100;
/// CPython's limit on the digits of an integer literal.
const MAX_INT_DIGITS: usize = 4300;
/// The bits of the largest integer with [`MAX_INT_DIGITS`] decimal digits (log2(10) * 4300).
const MAX_INT_BITS: usize = 14_284;

const ONLY_LITERALS: &str = "only literals are allowed: None, True, False, numbers, strings, bytes, tuples, lists, dicts, sets, set()";

/// What the previous token leaves the literal expecting.
#[derive(Clone, Copy, PartialEq, Eq)]
enum After {
    /// The start, an opening bracket, `,` or `:`: a value comes next.
    Value,
    /// A complete value: a separator or a closing bracket comes next.
    Operand,
    /// A string: like an operand, and another string may follow (`"a" "b"`).
    Str,
    /// A sign: a number (or a parenthesised one) comes next.
    Sign,
    /// `set`, then `set(`: the rest of `set()` comes next.
    SetName,
    SetCall,
}

/// Refuses, from the tokens alone, what is not a literal or nests too deeply to parse safely.
fn check_tokens(source: &str) -> Result<(), LiteralError> {
    let reject = |message: &str| Err(LiteralError(message.into()));
    let source = &shorten_digit_runs(source);
    let mut after = After::Value;
    let mut depth = 0usize;
    for token in lex(source, Mode::Expression) {
        // A lexical error is a syntax error: the parser reports it, before building anything.
        let Ok((token, range)) = token else {
            return Ok(());
        };
        let value_next = after == After::Value;
        after = match token {
            Tok::Int { .. } if value_next || after == After::Sign => {
                check_digits(&source[range])?;
                After::Operand
            }
            Tok::Float { .. } | Tok::Complex { .. } if value_next || after == After::Sign => {
                After::Operand
            }
            Tok::String { kind, .. } if kind.is_any_fstring() => return reject(ONLY_LITERALS),
            Tok::String { .. } if value_next || after == After::Str => After::Str,
            Tok::None | Tok::True | Tok::False if value_next => After::Operand,
            Tok::Name { name } if value_next && name == "set" => After::SetName,
            Tok::Lpar if after == After::SetName => After::SetCall,
            Tok::Rpar if after == After::SetCall => After::Operand,
            // `-(1)` is a literal too; `-(-1)` is not, which `eval` decides.
            Tok::Lpar | Tok::Lsqb | Tok::Lbrace if value_next || after == After::Sign => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return reject("literal is nested too deeply");
                }
                After::Value
            }
            Tok::Rpar | Tok::Rsqb | Tok::Rbrace
                if matches!(after, After::Value | After::Operand | After::Str) =>
            {
                depth = depth.saturating_sub(1);
                After::Operand
            }
            Tok::Comma | Tok::Colon if matches!(after, After::Operand | After::Str) => After::Value,
            Tok::Minus | Tok::Plus if value_next => After::Sign,
            Tok::Newline | Tok::EndOfFile => after,
            _ if after == After::Sign => return reject("unary minus applies only to numbers"),
            _ => return reject(ONLY_LITERALS),
        };
    }
    Ok(())
}

/// `source` with every run of digits and `_` longer than [`MAX_INT_DIGITS`] cut to one digit
/// longer: the lexer turns an integer into a bignum as it reads it (seconds for millions of
/// digits), while the check only needs to know that it is too long. In a string the cut changes
/// nothing that matters; the parser later reads the source as written.
fn shorten_digit_runs(source: &str) -> Cow<'_, str> {
    let is_digit = |b: &u8| b.is_ascii_digit() || *b == b'_';
    let bytes = source.as_bytes();
    let mut shortened = String::new();
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        let run = bytes[at..].iter().take_while(|b| is_digit(b)).count();
        if run > MAX_INT_DIGITS + 1 {
            shortened.push_str(&source[copied..at]);
            shortened.push_str(&"7".repeat(MAX_INT_DIGITS + 1));
            copied = at + run;
        }
        at += run.max(1);
    }
    if copied == 0 {
        return Cow::Borrowed(source);
    }
    shortened.push_str(&source[copied..]);
    Cow::Owned(shortened)
}

/// Refuses an integer literal with more than 4300 digits (or as many bits as that).
fn check_digits(text: &str) -> Result<(), LiteralError> {
    let digits = text.bytes().filter(|b| *b != b'_').count();
    let prefix = text.get(..2).map(str::to_ascii_lowercase);
    let bits = match prefix.as_deref() {
        Some("0x") => 4 * (digits - 2),
        Some("0o") => 3 * (digits - 2),
        Some("0b") => digits - 2,
        _ if digits > MAX_INT_DIGITS => {
            return Err(LiteralError(format!(
                "Exceeds the limit ({MAX_INT_DIGITS} digits) for integer string conversion"
            )));
        }
        _ => return Ok(()),
    };
    if bits > MAX_INT_BITS {
        return Err(LiteralError(format!(
            "integer literal too large: more than {MAX_INT_DIGITS} decimal digits"
        )));
    }
    Ok(())
}

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
        // As in `ast.literal_eval`, a sign applies to a number, not to another sign.
        Expr::UnaryOp(unary)
            if matches!(unary.op, UnaryOp::USub | UnaryOp::UAdd)
                && matches!(&*unary.operand, Expr::Constant(_)) =>
        {
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
    use super::{LiteralError, parse_literal};

    fn error(source: &str) -> String {
        parse_literal(source)
            .map_err(|LiteralError(m)| m)
            .unwrap_err()
    }

    #[test]
    fn huge_or_deep_literals_are_refused_without_recursing() {
        let size = 1 << 20;
        assert_eq!(error(&"[".repeat(size)), "literal is nested too deeply");
        assert_eq!(error(&"(".repeat(size)), "literal is nested too deeply");
        assert_eq!(
            error(&format!("{}1", "-".repeat(size))),
            "unary minus applies only to numbers"
        );
        assert!(error(&format!("[1]{}", "[0]".repeat(size))).starts_with("only literals"));
        assert!(error(&format!("1{}", "+1".repeat(size))).starts_with("only literals"));
        assert!(error(&"7".repeat(4301)).starts_with("Exceeds the limit (4300 digits)"));
        assert!(error(&"7_".repeat(size)).starts_with("Exceeds the limit (4300 digits)"));
        let digits_in_a_string = format!("'{}'", "7".repeat(size));
        assert_eq!(
            parse_literal(&digits_in_a_string).map(|v| v.repr()).ok(),
            Some(digits_in_a_string)
        );
        assert!(error(&format!("0x{}", "f".repeat(3572))).starts_with("integer literal too large"));
        let nested = format!("{}1{}", "[".repeat(100), "]".repeat(100));
        assert!(parse_literal(&nested).is_ok());
        assert!(parse_literal(&"7".repeat(4300)).is_ok());
    }

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
        check("-(1)", "-1");
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
            "--1",
            "-(-1)",
            "-[1]",
            "[1][0]",
            "set()()",
            "f'{1}'",
            "1 if 1 else 2",
            "(1)(2)",
        ] {
            assert!(
                parse_literal(source).is_err(),
                "{source} should be rejected"
            );
        }
    }
}
