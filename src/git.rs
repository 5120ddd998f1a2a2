//! Git access in one place: running the `git` CLI ([`command`]), finding a repository's folders
//! without spawning anything ([`paths`]) and line-level diffs through libgit2 ([`diff`]).
//! Everything above reads and writes repositories through this module.

pub mod command;
pub mod diff;
pub mod paths;
pub mod pushed;

pub use command::{Git, GitError};
pub use paths::RepoPaths;
