//! Line diffs of pretty-printed expected and actual values, as plain text (no colour, no I/O).
//!
//! Both texts are cut to [`MAX_LINES`] lines of at most [`MAX_LINE_CHARS`] characters and
//! [`MAX_SIDE_BYTES`] in all before they are diffed, so a diff's cost and size are bounded
//! whatever is given (Myers' algorithm is quadratic in the worst case), and the same texts always
//! give the same diff: there is no time limit that a busy machine could hit.

use similar::TextDiff;

/// Lines of each side that are compared; the rest is summarised in one line.
const MAX_LINES: usize = 2_000;
/// Characters of a line that are compared; a longer line is cut with a marker.
const MAX_LINE_CHARS: usize = 400;
/// Bytes of each side that are compared.
const MAX_SIDE_BYTES: usize = 128 << 10;

/// A unified diff (`--- expected` / `+++ actual`), or `None` when the texts are equal.
pub(crate) fn unified(expected: &str, actual: &str) -> Option<String> {
    if expected == actual {
        return None;
    }
    let expected = diffable(expected);
    let actual = diffable(actual);
    let diff = TextDiff::configure().diff_lines(&expected, &actual);
    Some(
        diff.unified_diff()
            .context_radius(3)
            .header("expected", "actual")
            .to_string(),
    )
}

/// The part of `text` that is diffed, one `\n`-terminated line at a time.
fn diffable(text: &str) -> String {
    let mut out = String::new();
    for (index, line) in text.lines().enumerate() {
        if index == MAX_LINES || out.len() > MAX_SIDE_BYTES {
            out.push_str("… (the rest is not compared)\n");
            break;
        }
        match line.char_indices().nth(MAX_LINE_CHARS) {
            Some((cut, _)) => {
                out.push_str(&line[..cut]);
                out.push_str(" …");
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{MAX_LINE_CHARS, MAX_LINES, MAX_SIDE_BYTES, unified};

    #[test]
    fn shows_only_the_changed_lines_with_context() {
        let diff = unified("[1,\n 2,\n 3]", "[1,\n 5,\n 3]").unwrap();
        assert_eq!(
            diff,
            "--- expected\n+++ actual\n@@ -1,3 +1,3 @@\n [1,\n- 2,\n+ 5,\n  3]\n"
        );
        assert_eq!(unified("x", "x"), None);
    }

    #[test]
    fn huge_texts_give_bounded_diffs() {
        // Every line differs: the worst case for Myers' algorithm.
        let lines =
            |tag: &str, n: usize| -> String { (0..n).map(|i| format!("{tag}{i}\n")).collect() };
        let diff = unified(&lines("a", 1_000_000), &lines("b", 1_000_000)).unwrap();
        assert!(
            diff.lines().count() < 2 * MAX_LINES + 10,
            "{} lines",
            diff.lines().count()
        );
        assert!(diff.contains("the rest is not compared"));

        let long = |c: &str| c.repeat(30 << 20);
        let diff = unified(&long("x"), &long("y")).unwrap();
        assert!(
            diff.len() < 2 * (MAX_LINE_CHARS * 4 + 100),
            "{} bytes",
            diff.len()
        );

        let wide = |c: char| -> String {
            format!("{}\n", String::from(c).repeat(MAX_LINE_CHARS)).repeat(MAX_LINES)
        };
        let diff = unified(&wide('p'), &wide('q')).unwrap();
        assert!(
            diff.len() < 2 * MAX_SIDE_BYTES + 8 * MAX_LINES,
            "{} bytes",
            diff.len()
        );
    }
}
