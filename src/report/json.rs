//! The JSON report: the [`Report`] serialised as one pretty-printed object (schema in README).

use crate::grade::Report;

pub fn render(report: &Report) -> String {
    // Serialising plain data with string keys cannot fail.
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
        + "\n"
}
