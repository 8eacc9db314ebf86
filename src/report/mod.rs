//! Reporters: pure functions from a [`crate::grade::Report`] to text. They never decide pass or
//! fail and never print. Text pygrade did not write reaches a terminal only through `escape`.

pub mod batch;
pub(crate) mod escape;
pub mod human;
pub mod json;
mod show;

pub use show::show;

/// Output formats for `pygrade grade`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}
