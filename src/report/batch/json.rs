//! The batch JSON report: the [`BatchReport`] as one pretty-printed object (schema in README).

use crate::batch::BatchReport;

pub fn render(report: &BatchReport) -> String {
    // Serialising plain data with string keys cannot fail.
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
        + "\n"
}
