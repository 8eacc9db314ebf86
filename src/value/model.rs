//! [`Value`]: None, bool, int of any size, float, str, bytes, list, tuple, dict, set, frozenset,
//! and an opaque marker for anything else, with Python's `repr` and a `pprint`-like layout.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

/// A Python value converted by exact builtin type. Anything else is [`Value::Opaque`].
///
/// On the wire it is externally tagged (`{"int": "5"}`, `"none"`), which decodes in one pass
/// without serde buffering any content.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Value {
    None,
    Bool(bool),
    /// An int of any size, as canonical decimal text (`-` sign, no leading zeros).
    Int(String),
    /// A float carried as its bit pattern so NaN and infinities survive the JSON wire format.
    Float(#[serde(with = "float_bits")] f64),
    Str(String),
    Bytes(Vec<u8>),
    List(Vec<Value>),
    Tuple(Vec<Value>),
    /// Key/value pairs in insertion order; equality ignores order, as Python's does.
    Dict(Vec<(Value, Value)>),
    Set(Vec<Value>),
    FrozenSet(Vec<Value>),
    /// A value of a type the grader does not compare (a user class, a subclass of a builtin, a
    /// generator, a value too large or too deep). It never equals an expected value.
    Opaque(String),
}

mod float_bits {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(value.to_bits())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
        u64::deserialize(deserializer).map(f64::from_bits)
    }
}

impl Value {
    /// An int from any integer type.
    pub fn int(value: impl Into<i128>) -> Self {
        Value::Int(value.into().to_string())
    }

    pub fn str(value: impl Into<String>) -> Self {
        Value::Str(value.into())
    }

    /// Python's `repr` of the value, on one line (parts nested deeper than pygrade shows are
    /// `…`).
    pub fn repr(&self) -> String {
        let mut out = String::new();
        self.write_repr(&mut out, usize::MAX, 0);
        out
    }

    /// The one-line repr, cut to at most about `max_bytes` bytes with a `…` marker; costs no more
    /// than `max_bytes` however large the value is.
    pub fn repr_cut(&self, max_bytes: usize) -> String {
        let mut out = String::new();
        self.write_repr(&mut out, max_bytes, 0);
        if out.len() > max_bytes {
            cut_at_char(&mut out, max_bytes);
            out.push('…');
        }
        out
    }

    /// The one-line repr if it is at most `width` bytes long; stops early otherwise, so a huge
    /// value costs no more than `width` to reject.
    fn repr_within(&self, width: usize, depth: usize) -> Option<String> {
        let mut out = String::new();
        self.write_repr(&mut out, width, depth);
        (out.len() <= width).then_some(out)
    }

    /// Writes the repr, giving up once `out` is longer than `limit`. `depth` is how deep the
    /// value sits in what is being shown; past [`MAX_SHOW_DEPTH`] it is `…`, so no value is deep
    /// enough to exhaust the stack.
    fn write_repr(&self, out: &mut String, limit: usize, depth: usize) {
        if out.len() > limit {
            return;
        }
        if depth > MAX_SHOW_DEPTH {
            out.push('…');
            return;
        }
        let depth = depth + 1;
        match self {
            Value::None => out.push_str("None"),
            Value::Bool(true) => out.push_str("True"),
            Value::Bool(false) => out.push_str("False"),
            Value::Int(digits) | Value::Opaque(digits) => push_within(out, digits, limit),
            Value::Float(x) => out.push_str(&float_repr(*x)),
            Value::Str(s) => str_repr(s, out, limit),
            Value::Bytes(b) => bytes_repr(b, out, limit),
            Value::List(items) => write_seq(out, "[", "]", items, limit, depth),
            Value::Tuple(items) if items.len() == 1 => {
                out.push('(');
                items[0].write_repr(out, limit, depth);
                out.push_str(",)");
            }
            Value::Tuple(items) => write_seq(out, "(", ")", items, limit, depth),
            Value::Set(items) if items.is_empty() => out.push_str("set()"),
            Value::Set(items) => write_seq(out, "{", "}", items, limit, depth),
            Value::FrozenSet(items) if items.is_empty() => out.push_str("frozenset()"),
            Value::FrozenSet(items) => write_seq(out, "frozenset({", "})", items, limit, depth),
            Value::Dict(pairs) => {
                out.push('{');
                for (i, (key, value)) in pairs.iter().enumerate() {
                    if out.len() > limit {
                        return;
                    }
                    if i > 0 {
                        out.push_str(", ");
                    }
                    key.write_repr(out, limit, depth);
                    out.push_str(": ");
                    value.write_repr(out, limit, depth);
                }
                out.push('}');
            }
        }
    }

    /// A `pprint.pformat`-like layout: one line when it fits in `width`, otherwise one element per
    /// line, so that line diffs point at the element that differs. At most
    /// `MAX_PRETTY_BYTES` are laid out, whatever the value's size.
    pub fn pretty(&self, width: usize) -> String {
        let mut out = String::new();
        self.write_pretty(&mut out, 0, width, 0);
        finish_pretty(out)
    }

    /// Like [`Value::pretty`], but a list or tuple of two or more elements always puts each one
    /// on its own line (an ops test's returns, a script's observations), so a diff points at the
    /// step that differs. Inner values are laid out as usual.
    pub fn pretty_per_element(&self, width: usize) -> String {
        let (open, close, items) = match self {
            Value::List(items) if items.len() > 1 => ("[", "]", items),
            Value::Tuple(items) if items.len() > 1 => ("(", ")", items),
            _ => return self.pretty(width),
        };
        let mut out = String::from(open);
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(",\n ");
            }
            if out.len() > MAX_PRETTY_BYTES {
                break;
            }
            item.write_pretty(&mut out, 1, width, 1);
        }
        out.push_str(close);
        finish_pretty(out)
    }

    fn write_pretty(&self, out: &mut String, indent: usize, width: usize, depth: usize) {
        if out.len() > MAX_PRETTY_BYTES {
            return;
        }
        if let Some(flat) = self.repr_within(width.saturating_sub(indent), depth) {
            out.push_str(&flat);
            return;
        }
        let (open, close, items): (&str, &str, Vec<Part<'_>>) = match self {
            _ if depth > MAX_SHOW_DEPTH => {
                out.push('…');
                return;
            }
            Value::List(items) => ("[", "]", items.iter().map(Part::One).collect()),
            Value::Tuple(items) if items.len() > 1 => {
                ("(", ")", items.iter().map(Part::One).collect())
            }
            Value::Set(items) if !items.is_empty() => {
                ("{", "}", items.iter().map(Part::One).collect())
            }
            Value::FrozenSet(items) if !items.is_empty() => {
                ("frozenset({", "})", items.iter().map(Part::One).collect())
            }
            Value::Dict(pairs) if !pairs.is_empty() => (
                "{",
                "}",
                pairs.iter().map(|(k, v)| Part::Pair(k, v)).collect(),
            ),
            _ => {
                self.write_repr(out, MAX_PRETTY_BYTES, depth);
                return;
            }
        };
        out.push_str(open);
        let inner = indent + open.len();
        let depth = depth + 1;
        for (i, part) in items.iter().enumerate() {
            if out.len() > MAX_PRETTY_BYTES {
                return;
            }
            if i > 0 {
                out.push_str(",\n");
                out.push_str(&" ".repeat(inner));
            }
            match part {
                Part::One(value) => value.write_pretty(out, inner, width, depth),
                Part::Pair(key, value) => {
                    let key_repr = key.repr_cut(MAX_PRETTY_BYTES);
                    out.push_str(&key_repr);
                    out.push_str(": ");
                    value.write_pretty(out, inner + key_repr.len() + 2, width, depth);
                }
            }
        }
        out.push_str(close);
    }
}

/// Pretty output stops growing past this, so a huge result cannot stall the grader.
const MAX_PRETTY_BYTES: usize = 64 << 10;
/// Nesting shown; deeper parts are `…`. Results are never deeper than the converter's
/// [`super::MAX_DEPTH`] plus a marker, so only a value built to attack the grader meets it.
const MAX_SHOW_DEPTH: usize = 2 * super::MAX_DEPTH;

/// Cuts an over-long layout at a line boundary and says so.
fn finish_pretty(mut out: String) -> String {
    if out.len() > MAX_PRETTY_BYTES {
        cut_at_char(&mut out, MAX_PRETTY_BYTES);
        if let Some(line_end) = out.rfind('\n') {
            out.truncate(line_end);
        }
        out.push_str("\n… (cut: too large to show in full)");
    }
    out
}

/// Truncates `text` to at most `max_bytes`, on a character boundary.
fn cut_at_char(text: &mut String, max_bytes: usize) {
    if text.len() > max_bytes {
        let mut cut = max_bytes;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
}

/// Appends `text`, or as much of it as takes `out` just past `limit`.
fn push_within(out: &mut String, text: &str, limit: usize) {
    let room = limit.saturating_sub(out.len()).saturating_add(1);
    if text.len() <= room {
        out.push_str(text);
    } else {
        let mut cut = room;
        while !text.is_char_boundary(cut) {
            cut += 1;
        }
        out.push_str(&text[..cut]);
    }
}

/// Drops a value of any depth without recursion (a plain drop recurses once per level, which a
/// value nested 100,000 deep turns into a stack overflow).
pub fn dismantle(value: Value) {
    let mut todo = vec![value];
    while let Some(mut value) = todo.pop() {
        match &mut value {
            Value::List(items)
            | Value::Tuple(items)
            | Value::Set(items)
            | Value::FrozenSet(items) => todo.append(items),
            Value::Dict(pairs) => {
                for (key, item) in pairs.drain(..) {
                    todo.push(key);
                    todo.push(item);
                }
            }
            _ => {}
        }
    }
}

enum Part<'a> {
    One(&'a Value),
    Pair(&'a Value, &'a Value),
}

fn write_seq(
    out: &mut String,
    open: &str,
    close: &str,
    items: &[Value],
    limit: usize,
    depth: usize,
) {
    out.push_str(open);
    for (i, item) in items.iter().enumerate() {
        if out.len() > limit {
            return;
        }
        if i > 0 {
            out.push_str(", ");
        }
        item.write_repr(out, limit, depth);
    }
    out.push_str(close);
}

/// Python's `repr(float)`: the shortest round-tripping digits, in fixed notation when the decimal
/// exponent is in `-4..16` and in scientific notation otherwise.
pub(crate) fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    // Rust's `{:e}` gives the shortest round-trip digits, e.g. `-1.2345e-5`.
    let sci = format!("{x:e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (sign, mantissa) = mantissa
        .strip_prefix('-')
        .map_or(("", mantissa), |m| ("-", m));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if (-4..16).contains(&exponent) {
        let point = exponent + 1; // digits before the decimal point
        let mut text = String::from(sign);
        if point <= 0 {
            text.push_str("0.");
            text.push_str(&"0".repeat(point.unsigned_abs() as usize));
            text.push_str(&digits);
        } else {
            let point = point as usize;
            if digits.len() <= point {
                text.push_str(&digits);
                text.push_str(&"0".repeat(point - digits.len()));
                text.push_str(".0");
            } else {
                text.push_str(&digits[..point]);
                text.push('.');
                text.push_str(&digits[point..]);
            }
        }
        text
    } else {
        let mut text = String::from(sign);
        text.push_str(&digits[..1]);
        if digits.len() > 1 {
            text.push('.');
            text.push_str(&digits[1..]);
        }
        let _ = write!(
            text,
            "e{}{:02}",
            if exponent < 0 { '-' } else { '+' },
            exponent.abs()
        );
        text
    }
}

/// Python's `repr(str)`: single quotes unless the text has `'` and no `"`. Stops once `out` is
/// longer than `limit`.
fn str_repr(s: &str, out: &mut String, limit: usize) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in s.chars() {
        if out.len() > limit {
            return;
        }
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if is_printable(c) => out.push(c),
            c if (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push(quote);
}

/// An approximation of `str.isprintable` for one character: not a control, separator (other
/// than the ASCII space) or unassigned surrogate-range character.
fn is_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    !(c.is_control()
        || c.is_whitespace()
        || matches!(c as u32, 0xAD | 0x600..=0x605 | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0xE000..=0xF8FF))
}

fn bytes_repr(bytes: &[u8], out: &mut String, limit: usize) {
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    out.push('b');
    out.push(quote as char);
    for &b in bytes {
        if out.len() > limit {
            return;
        }
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b if b == quote => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7e => out.push(b as char),
            b => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push(quote as char);
}

#[cfg(test)]
mod tests {
    use super::{Value, float_repr};

    fn check_float(x: f64, expected: &str) {
        assert_eq!(float_repr(x), expected, "repr of {x:e}");
    }

    #[test]
    fn float_repr_matches_python() {
        check_float(1.0, "1.0");
        check_float(-0.0, "-0.0");
        check_float(0.1, "0.1");
        check_float(1.5e-5, "1.5e-05");
        check_float(0.0001, "0.0001");
        check_float(1e16, "1e+16");
        check_float(123_456_789_012_345.6, "123456789012345.6");
        check_float(1e22, "1e+22");
        check_float(2.5e-310, "2.5e-310");
        check_float(f64::NAN, "nan");
        check_float(f64::NEG_INFINITY, "-inf");
        check_float(100.0, "100.0");
    }

    #[test]
    fn repr_matches_python() {
        let value = Value::List(vec![
            Value::str("it's"),
            Value::str("a\"b'c\n\u{7}é"),
            Value::Tuple(vec![Value::int(1)]),
            Value::Set(vec![]),
            Value::FrozenSet(vec![Value::None]),
            Value::Dict(vec![(Value::int(-3), Value::Bool(true))]),
            Value::Bytes(b"a'\x00".to_vec()),
        ]);
        assert_eq!(
            value.repr(),
            r#"["it's", 'a"b\'c\n\x07é', (1,), set(), frozenset({None}), {-3: True}, b"a'\x00"]"#
        );
    }

    #[test]
    fn huge_values_are_shown_in_bounded_time_and_space() {
        let big = Value::List((0..2_000_000).map(Value::int).collect());
        let text = big.pretty(72);
        assert!(
            text.len() < 70 << 10 && text.ends_with("(cut: too large to show in full)"),
            "{} bytes",
            text.len()
        );
        let row = Value::List((0..1000).map(Value::int).collect());
        let nested = (0..100).fold(Value::int(1), |inner, _| {
            Value::List(vec![inner, row.clone()])
        });
        assert!(nested.pretty(72).len() < 70 << 10);
    }

    #[test]
    fn pretty_breaks_only_what_does_not_fit() {
        let group = |words: &[&str]| Value::List(words.iter().map(|w| Value::str(*w)).collect());
        let value = Value::List(vec![
            group(&["eat", "tea", "ate"]),
            group(&["tan", "nat"]),
            group(&["bat"]),
        ]);
        assert_eq!(
            value.pretty(80),
            "[['eat', 'tea', 'ate'], ['tan', 'nat'], ['bat']]"
        );
        assert_eq!(
            value.pretty(30),
            "[['eat', 'tea', 'ate'],\n ['tan', 'nat'],\n ['bat']]"
        );
        assert_eq!(
            value.pretty(20),
            "[['eat',\n  'tea',\n  'ate'],\n ['tan', 'nat'],\n ['bat']]"
        );
    }

    #[test]
    fn values_100k_deep_are_shown_cut_without_recursion() {
        let deep = (0..100_000).fold(Value::str("leaf"), |inner, _| {
            Value::List(vec![inner, Value::int(7)])
        });
        let pretty = deep.pretty(72);
        assert!(pretty.len() < 70 << 10, "{} bytes", pretty.len());
        assert!(pretty.contains('…'));
        let flat = deep.repr();
        assert!(flat.len() < 10_000, "{} bytes", flat.len());
        assert!(deep.repr_cut(100).chars().count() <= 101);
        super::dismantle(deep);
    }

    #[test]
    fn huge_text_is_cut_wherever_it_sits() {
        // Control characters take four bytes each in a repr.
        let text = "\u{1}".repeat(8 << 20);
        let key = Value::Tuple(vec![Value::str(&text), Value::int(1)]);
        let value = Value::Dict(vec![
            (key.clone(), Value::Bytes(vec![0; 8 << 20])),
            (Value::int(2), Value::Opaque("o".repeat(1 << 20))),
        ]);
        for shown in [value.pretty(72), value.pretty_per_element(72)] {
            assert!(shown.len() < 70 << 10, "{} bytes", shown.len());
        }
        assert!(key.repr_cut(1_000).len() <= 1_004);
        let list = Value::List(vec![value.clone(), value]);
        assert!(list.pretty_per_element(72).len() < 70 << 10);
    }
}
