//! `pygrade ci`: a take-home repository against its manifest.

use crate::challenge::ChallengeSet;
use crate::cli::{CiArgs, ColorChoice};
use crate::error::Error;

pub(super) fn run(
    _set: &ChallengeSet,
    _args: &CiArgs,
    _private: bool,
    _color: ColorChoice,
) -> Result<u8, Error> {
    Err(Error::Internal("`pygrade ci` is being written".into()))
}
