//! Batch reporters: pure functions from a [`crate::batch::BatchReport`] to text.

pub mod combined;
pub mod csv;
pub mod html;
pub mod json;
pub mod table;
