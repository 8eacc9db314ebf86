//! `pygrade completions`: shell completions from the clap definition, so they never drift from
//! the flags.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Args;
use crate::error::Error;

/// Prints the completion script for `shell`.
pub(super) fn run(shell: Shell) -> Result<u8, Error> {
    super::emit(&script(shell)?)?;
    Ok(0)
}

/// The completion script for `shell`, for a binary named `pygrade`.
fn script(shell: Shell) -> Result<String, Error> {
    let mut buffer = Vec::new();
    clap_complete::generate(shell, &mut public_command(), "pygrade", &mut buffer);
    String::from_utf8(buffer)
        .map_err(|e| Error::Internal(format!("the {shell} completions are not UTF-8: {e}")))
}

/// [`Args`] as users see it: without the hidden subcommands (`__forkserver`), which
/// `clap_complete` would offer, since it leaves out hidden flags and values but not hidden
/// subcommands. clap cannot remove a subcommand, so this is a new root with the same flags.
fn public_command() -> clap::Command {
    let full = Args::command();
    let mut public = clap::Command::new("pygrade")
        .version(env!("CARGO_PKG_VERSION"))
        .args(full.get_arguments().cloned())
        .subcommands(full.get_subcommands().filter(|c| !c.is_hide_set()).cloned());
    if let Some(about) = full.get_about() {
        public = public.about(about.clone());
    }
    public
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::public_command;
    use crate::cli::Args;

    /// The names of a command's flags and subcommands.
    fn names(command: &clap::Command) -> (Vec<String>, Vec<String>) {
        let flags = command.get_arguments().map(|a| a.get_id().to_string());
        let subcommands = command.get_subcommands().map(|c| c.get_name().to_owned());
        (flags.collect(), subcommands.collect())
    }

    #[test]
    fn completions_see_every_public_command_and_flag() {
        let (full_flags, full_commands) = names(&Args::command());
        let (flags, commands) = names(&public_command());
        assert_eq!(flags, full_flags);
        let public: Vec<String> = full_commands
            .into_iter()
            .filter(|c| c != "__forkserver")
            .collect();
        assert_eq!(commands, public);
    }
}
