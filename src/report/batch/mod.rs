//! Batch reporters: pure functions from a [`crate::batch::BatchReport`] to text.

pub mod combined;
pub mod csv;
pub mod html;
pub mod json;
pub mod table;

/// A share as a whole percentage that never rounds to 100 short of all, nor to 0 above none.
pub(crate) fn percent(share: f64) -> u32 {
    let p = (share * 100.0).round().clamp(0.0, 100.0) as u32;
    match p {
        100 if share < 1.0 => 99,
        0 if share > 0.0 => 1,
        p => p,
    }
}
