//! Batch scoring: many candidates against one challenge. `model` is the report, `similarity`
//! flags code that looks alike. The engine never prints.

pub mod model;
pub mod similarity;

pub use model::{
    BATCH_SCHEMA_VERSION, BatchReport, Entry, Match, RowStatus, SimilarPair, Summary, TestColumn,
};
