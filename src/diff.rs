//! Line diffs of pretty-printed expected and actual values, as plain text (no colour, no I/O).

use std::time::Duration;

use similar::TextDiff;

/// A diff that takes longer than this falls back to a coarser one rather than stall the grader.
const DIFF_TIMEOUT: Duration = Duration::from_millis(300);

/// A unified diff (`--- expected` / `+++ actual`), or `None` when the texts are equal.
pub(crate) fn unified(expected: &str, actual: &str) -> Option<String> {
    if expected == actual {
        return None;
    }
    let expected = format!("{expected}\n");
    let actual = format!("{actual}\n");
    let diff = TextDiff::configure()
        .timeout(DIFF_TIMEOUT)
        .diff_lines(&expected, &actual);
    Some(
        diff.unified_diff()
            .context_radius(3)
            .header("expected", "actual")
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::unified;

    #[test]
    fn shows_only_the_changed_lines_with_context() {
        let diff = unified("[1,\n 2,\n 3]", "[1,\n 5,\n 3]").unwrap();
        assert_eq!(
            diff,
            "--- expected\n+++ actual\n@@ -1,3 +1,3 @@\n [1,\n- 2,\n+ 5,\n  3]\n"
        );
        assert_eq!(unified("x", "x"), None);
    }
}
