//! Reporters: pure functions from a [`crate::grade::Report`] to text. They never decide pass or
//! fail and never print. Text pygrade did not write reaches a terminal only through `escape`.

pub mod batch;
pub mod ci;
pub(crate) mod escape;
pub mod human;
pub mod json;
mod show;

pub use show::show;

use crate::batch::BatchReport;
use crate::grade::Report;

/// Output formats for `pygrade grade`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// Formats of a batch report (`pygrade batch`, `pygrade merge`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BatchFormat {
    /// One row per candidate with a status glyph per test, a summary and similar pairs.
    Table,
    /// One row per candidate, a column per test: for spreadsheets and gradebooks.
    Csv,
    /// `{schema_version, challenge, pygrade_version, submissions, ...}` (README).
    Json,
    /// One self-contained page: sortable table, matrix, charts, similar pairs, details.
    Html,
}

/// The one place a report's format is chosen: a single grade.
pub fn render(format: Format, report: &Report, style: &human::Style) -> String {
    match format {
        Format::Json => json::render(report),
        Format::Human => human::render(report, style),
    }
}

/// The one place a report's format is chosen: a manifest batch (`html` is per challenge only).
pub fn render_combined(
    format: BatchFormat,
    report: &crate::batch::combined::CombinedReport,
) -> Option<String> {
    match format {
        BatchFormat::Table => Some(batch::combined::table(report)),
        BatchFormat::Csv => Some(batch::combined::csv(report)),
        BatchFormat::Json => Some(batch::combined::json(report)),
        BatchFormat::Html => None,
    }
}

/// The one place a report's format is chosen: a batch.
pub fn render_batch(format: BatchFormat, report: &BatchReport, style: &human::Style) -> String {
    match format {
        BatchFormat::Table => batch::table::render(report, style),
        BatchFormat::Csv => batch::csv::render(report),
        BatchFormat::Json => batch::json::render(report),
        BatchFormat::Html => batch::html::render(report),
    }
}
