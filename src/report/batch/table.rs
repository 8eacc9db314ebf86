//! The table batch report (placeholder; the implementation lands separately).

use crate::batch::BatchReport;

pub fn render(report: &BatchReport, style: &crate::report::human::Style) -> String {
    let _ = style;
    let _ = report;
    String::new()
}
