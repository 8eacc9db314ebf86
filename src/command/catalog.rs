//! `pygrade list`, `show` and `init`: the challenge bank as a candidate sees it.

use std::io::Write;
use std::path::Path;

use super::emit;
use crate::challenge::ChallengeSet;
use crate::error::Error;
use crate::report;

pub(super) fn list(set: &ChallengeSet) -> Result<u8, Error> {
    let mut text = String::new();
    for challenge in set.load_all()? {
        text.push_str(&format!(
            "{:<20} {:<7} {}\n",
            report::escape::line(&challenge.id),
            challenge.difficulty.as_str(),
            report::escape::line(&challenge.title)
        ));
    }
    emit(&text)?;
    Ok(0)
}

pub(super) fn show(set: &ChallengeSet, challenge: &str) -> Result<u8, Error> {
    emit(&report::show(&set.resolve(challenge)?))?;
    Ok(0)
}

pub(super) fn init(
    set: &ChallengeSet,
    challenge: &str,
    path: Option<&Path>,
    force: bool,
) -> Result<u8, Error> {
    let challenge = set.resolve(challenge)?;
    let path = path.map_or_else(|| format!("{}.py", challenge.id).into(), Path::to_path_buf);
    if path.exists() && !force {
        return Err(Error::Usage(format!(
            "`{}` already exists; pass `--force` to overwrite it",
            path.display()
        )));
    }
    std::fs::write(&path, &challenge.starter).map_err(|e| Error::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let shown = path.display().to_string();
    let shown = report::escape::line(&shown);
    let _ = writeln!(
        std::io::stderr(),
        "wrote `{shown}`; grade it with `pygrade grade {} {shown}`",
        report::escape::line(&challenge.id),
    );
    Ok(0)
}
