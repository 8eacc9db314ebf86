//! Hashes that identify what a batch has already graded, and the partition of a batch.
//!
//! A row's key is SHA-256 over the run's *basis* (the pygrade version, the challenge as loaded
//! and the grading options), the row's label and the submission's content hash: a changed
//! submission, an edited challenge, other limits or `--reveal`, or a new pygrade all give new
//! keys, so those rows are graded again; anything else is taken from the journal.

use super::discover::Candidate;
use crate::challenge::Challenge;
use crate::grade::GradeOptions;

/// Hex SHA-256 of `bytes`.
pub fn content_hash(bytes: &[u8]) -> String {
    crate::digest::sha256_hex(bytes)
}

/// What every key of one run shares: pygrade's version, the challenge and the options.
pub fn basis(challenge: &Challenge, options: GradeOptions) -> String {
    let mut challenge = challenge.clone();
    // Where it was loaded from is not what it grades.
    challenge.origin.clear();
    let text = format!(
        "pygrade {}\n{challenge:?}\n{options:?}",
        env!("CARGO_PKG_VERSION")
    );
    content_hash(text.as_bytes())
}

/// The key of one row: the basis, the label and what was read (a content hash, or why nothing
/// could be).
pub fn row_key(basis: &str, label: &str, read: &str) -> String {
    content_hash(format!("{basis}\0{label}\0{read}").as_bytes())
}

/// Slice `k` of `n` (1-based) of the candidates: balanced (sizes differ by at most one) and
/// decided by a hash of each label, so every slice of one batch agrees without coordination.
pub fn partition(candidates: Vec<Candidate>, k: u32, n: u32) -> Vec<Candidate> {
    let mut hashed: Vec<(String, Candidate)> = candidates
        .into_iter()
        .map(|c| (content_hash(c.label.as_bytes()), c))
        .collect();
    hashed.sort_by(|a, b| (&a.0, &a.1.label).cmp(&(&b.0, &b.1.label)));
    let mut slice: Vec<Candidate> = hashed
        .into_iter()
        .enumerate()
        .filter(|(i, _)| u32::try_from(i % n as usize).is_ok_and(|r| r + 1 == k))
        .map(|(_, (_, c))| c)
        .collect();
    slice.sort_by(|a, b| a.label.cmp(&b.label));
    slice
}

#[cfg(test)]
mod tests {
    use super::partition;
    use crate::batch::discover::{Answer, Candidate};

    #[test]
    fn slices_are_balanced_and_cover_everything_once() {
        let all: Vec<Candidate> = (0..100)
            .map(|i| Candidate {
                label: format!("c{i:03}.py"),
                answer: Answer::Missing(String::new()),
            })
            .collect();
        let slices: Vec<Vec<Candidate>> = (1..=3).map(|k| partition(all.clone(), k, 3)).collect();
        let sizes: Vec<usize> = slices.iter().map(Vec::len).collect();
        assert_eq!(sizes, [34, 33, 33]);
        let mut joined: Vec<Candidate> = slices.concat();
        joined.sort_by(|a, b| a.label.cmp(&b.label));
        assert_eq!(joined, all);
    }
}
