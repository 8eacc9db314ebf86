//! Challenges: the TOML format (`spec`, described for editors by `schema`), its validated domain
//! model (`model`), and where challenges come from (`load`: the bank compiled into the binary,
//! `--challenges DIR`, or a path).

mod load;
mod model;
mod node;
pub(crate) mod path;
mod schema;
mod spec;

pub(crate) use load::parse;
pub use load::{ChallengeSet, ChallengeSource};
pub use model::{
    Action, Challenge, DEFAULT_CWD, Difficulty, Expectation, Limits, Op, SandboxSetup, TestCase,
    Visibility,
};
pub use schema::schema;

/// Parses a challenge from TOML text in unit tests.
#[cfg(test)]
pub(crate) fn parse_for_tests(text: &str) -> Challenge {
    load::parse("test.toml", text).expect("a valid test challenge")
}
