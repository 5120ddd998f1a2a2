//! The `git-vouch` binary (also run as `git vouch`). All work happens in the library; this file
//! only installs the error reporter and turns the outcome into an exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    git_vouch::cli::run()
}
