//! `pygrade merge`: the slices of a split batch (`--partition K/N`) into one report.

use super::batch::{deliver, similarity_options};
use crate::batch::{assemble, journal};
use crate::cli::{ColorChoice, MergeArgs};
use crate::error::Error;

pub(super) fn run(args: &MergeArgs, color: ColorChoice) -> Result<u8, Error> {
    let options = similarity_options(&args.output)?;
    let journals = journal::read(&args.results)?;
    let report = assemble::merge(journals, &options)?;
    deliver(&args.output, &report, color)?;
    Ok(0)
}
