//! `pygrade kit`: a take-home repository for a candidate.

use crate::challenge::ChallengeSet;
use crate::cli::KitArgs;
use crate::error::Error;

pub(super) fn run(_set: &ChallengeSet, _args: &KitArgs) -> Result<u8, Error> {
    Err(Error::Internal("`pygrade kit` is being written".into()))
}
