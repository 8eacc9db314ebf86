//! Text pygrade did not write (a submission's output, exception names and messages, tracebacks,
//! reprs of returned values, file paths, a challenge's titles and names) made inert for a
//! terminal: every character that a terminal would *interpret* rather than draw is shown as a
//! visible escape instead, so the text cannot clear the screen, move the cursor, write the
//! clipboard (OSC 52), recolour the report, overwrite a line with `\r` or backspaces, reorder it
//! with bidi overrides, hide parts of it, or start a line of its own that looks like pygrade's.
//!
//! What is escaped ([`is_inert`] says what is not):
//! - C0 controls and DEL: `\n`, `\r`, `\t` by name, the rest as `\x1b`-style hex. `\n` is kept
//!   only by [`lines`], which splits at it so a caller can put each line in a marked block;
//!   `\r` is never a line break here (a `\r\n` line shows its `\r`).
//! - C1 controls (U+0080–U+009F, including the one-byte CSI U+009B and NEL U+0085) as `\u{9b}`.
//! - Format and other invisible characters that can reorder, join or hide text, as `\u{202e}`:
//!   every `Cf` character (bidi embeddings, overrides and isolates, marks, zero-width spaces and
//!   joiners, word joiner, invisible operators, BOM, interlinear annotations, tags), the line and
//!   paragraph separators U+2028/U+2029, and the remaining default-ignorable code points that
//!   render as nothing (combining grapheme joiner, Hangul fillers, Khmer inherent vowels,
//!   Mongolian variation selectors, the supplementary variation selectors U+E0100–U+E01EF and
//!   the rest of plane 14). The ordinary variation selectors U+FE00–U+FE0F are kept: they only
//!   pick an emoji or text glyph for the character before them and cannot hide or move text.
//!
//! A literal backslash is *not* doubled. This rendering is for a person reading a terminal, not
//! an encoding to be decoded: text that spells `\x1b` with a real backslash looks like an escaped
//! ESC, which is harmless (neither drives the terminal), and the exact text is always in the JSON
//! report. Doubling would instead garble every value the report shows, since those are already
//! Python reprs (`'a\\b'` would read `'a\\\\b'`).
//!
//! Only the human reporters need this. The JSON report is escaped by `serde_json`, which writes
//! every control character as `\u00XX` (and so is inert in a terminal too). A future HTML, XML,
//! JUnit or Markdown reporter must escape for its own format as well (`<`, `&`, quotes; XML 1.0
//! cannot carry most C0 controls at all), in addition to or instead of this.

use std::borrow::Cow;
use std::fmt::Write as _;

/// One field on one line (a test name, an exception type or message, a path, a title): every
/// character [`is_inert`] rejects, `\n` included, made visible.
pub(crate) fn line(text: &str) -> Cow<'_, str> {
    if text.chars().all(is_inert) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        push(&mut out, c);
    }
    Cow::Owned(out)
}

/// Multi-line text (captured output, a traceback, a diff): its lines, split at `\n` only, each
/// escaped as by [`line()`]. A final `\n` does not make an extra empty line; empty text has none.
/// The caller shows every line inside a marked block, so none can pass for a report line.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = Cow<'_, str>> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    let pieces = if text.is_empty() { None } else { Some(body) };
    pieces
        .into_iter()
        .flat_map(|body| body.split('\n').map(line))
}

/// Whether a terminal draws `c` as itself, taking no action and hiding or moving no other text.
pub(crate) fn is_inert(c: char) -> bool {
    !(c.is_control() || is_invisible_format(c))
}

/// `Cf` characters, U+2028/U+2029, and the other default-ignorable code points that render as
/// nothing, except the variation selectors U+FE00–U+FE0F (see the module doc).
fn is_invisible_format(c: char) -> bool {
    matches!(
        c as u32,
        0xAD | 0x34F
            | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x890..=0x891
            | 0x8E2
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x2028..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFEFF
            | 0xFFA0
            | 0xFFF0..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
    )
}

/// Appends `c`, or its visible escape when it is not inert.
fn push(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x20 || c == '\x7f' => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if is_inert(c) => out.push(c),
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{is_inert, line, lines};

    fn check(input: &str, expected: &str) {
        assert_eq!(line(input), expected, "line({input:?})");
    }

    fn check_lines(input: &str, expected: &[&str]) {
        let got: Vec<String> = lines(input).map(String::from).collect();
        assert_eq!(got, expected, "lines({input:?})");
    }

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        let text = "solve('abc') · 'cba' — ünïcödé 漢字 😀 ❤\u{fe0f} \\x1b";
        assert!(matches!(line(text), std::borrow::Cow::Borrowed(_)));
        check(text, text);
    }

    #[test]
    fn c0_controls_and_del() {
        check("a\nb\rc\td", "a\\nb\\rc\\td");
        check("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H");
        check("FAIL\x08\x08\x08\x08PASS", "FAIL\\x08\\x08\\x08\\x08PASS");
        check("\0\x07\x0b\x0c\x1f\x7f", "\\x00\\x07\\x0b\\x0c\\x1f\\x7f");
    }

    #[test]
    fn osc_52_clipboard_write() {
        check(
            "\x1b]52;c;cm0gLXJmIH4K\x07 and \x1b]52;c;eA==\x1b\\",
            "\\x1b]52;c;cm0gLXJmIH4K\\x07 and \\x1b]52;c;eA==\\x1b\\",
        );
    }

    #[test]
    fn c1_controls() {
        check(
            "\u{9b}2J\u{85}\u{80}\u{9f}",
            "\\u{9b}2J\\u{85}\\u{80}\\u{9f}",
        );
        check("\u{a0}\u{a9}", "\u{a0}\u{a9}");
    }

    #[test]
    fn bidi_and_invisible_format_characters() {
        check("\u{202e}SSAP\u{202c}", "\\u{202e}SSAP\\u{202c}");
        check(
            "\u{2066}\u{2067}\u{2068}\u{2069}\u{200e}\u{200f}\u{61c}",
            "\\u{2066}\\u{2067}\\u{2068}\\u{2069}\\u{200e}\\u{200f}\\u{61c}",
        );
        check(
            "a\u{200b}b\u{200d}c\u{feff}d\u{ad}e\u{2060}f",
            "a\\u{200b}b\\u{200d}c\\u{feff}d\\u{ad}e\\u{2060}f",
        );
        check("\u{2028}\u{2029}", "\\u{2028}\\u{2029}");
        check(
            "x\u{e0041}\u{e007f}\u{e0100}",
            "x\\u{e0041}\\u{e007f}\\u{e0100}",
        );
        check("\u{3164}\u{115f}\u{ffa0}", "\\u{3164}\\u{115f}\\u{ffa0}");
    }

    #[test]
    fn nothing_escaped_is_left_interpretable() {
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            let shown = line(&c.to_string()).into_owned();
            let bad = shown.chars().find(|&d| !is_inert(d));
            assert!(bad.is_none(), "{c:?} rendered as {shown:?}");
            if c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c) {
                assert!(shown.starts_with('\\'), "{c:?} rendered as {shown:?}");
            }
        }
    }

    #[test]
    fn lines_split_at_newline_only() {
        check_lines("", &[]);
        check_lines("\n", &[""]);
        check_lines("one\ntwo\n", &["one", "two"]);
        check_lines("one\n\ntwo", &["one", "", "two"]);
        check_lines("dos\r\nline\r", &["dos\\r", "line\\r"]);
        check_lines(
            "out\n  PASS     hidden_x  hidden \x1b[2K\r",
            &["out", "  PASS     hidden_x  hidden \\x1b[2K\\r"],
        );
    }
}
