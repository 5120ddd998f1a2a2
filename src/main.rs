//! The `git-vouch` binary (also run as `git vouch`). All work happens in the library; this file
//! only installs the error reporter and turns the outcome into an exit code.

use std::process::ExitCode;

/// mimalloc rather than the system allocator: reading a large session decodes lines on one
/// thread and consumes the records on another, and glibc's allocator loses the gain of that
/// overlap to frees across threads (`cargo bench --bench explorer`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    git_vouch::cli::run()
}
