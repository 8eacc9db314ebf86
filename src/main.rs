//! The `pygrade` binary: everything happens in the library.

fn main() -> std::process::ExitCode {
    pygrade::main_entry()
}
