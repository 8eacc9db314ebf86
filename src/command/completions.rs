//! `pygrade completions`: shell completions from the clap definition.

use crate::error::Error;

pub(super) fn run(_shell: clap_complete::Shell) -> Result<u8, Error> {
    Err(Error::Internal(
        "`pygrade completions` is being written".into(),
    ))
}
