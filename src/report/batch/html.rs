//! The html batch report (placeholder; the implementation lands separately).

use crate::batch::BatchReport;

pub fn render(report: &BatchReport) -> String {
    let _ = report;
    String::new()
}
