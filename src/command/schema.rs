//! `pygrade schema`: JSON Schemas for the TOML files people write.

use crate::cli::SchemaKind;
use crate::error::Error;

pub(super) fn run(_kind: SchemaKind) -> Result<u8, Error> {
    Err(Error::Internal("`pygrade schema` is being written".into()))
}
