//! Batch scoring: many candidates against one challenge. `model` is the report, `similarity`
//! flags code that looks alike. The engine never prints.

pub mod assemble;
pub mod combined;
pub mod discover;
pub mod journal;
pub mod key;
pub mod model;
mod run;
pub mod similarity;

pub use run::{Batch, Progress, grade_all};

pub use model::{
    BATCH_SCHEMA_VERSION, BatchReport, Entry, Match, RowStatus, SimilarPair, Summary, TestColumn,
};
