//! Git access in one place: running the `git` CLI ([`command`]), one configuration value without
//! it ([`config`]), finding a repository's folders without spawning anything ([`paths`]),
//! line-level diffs ([`diff`]), notes ([`notes`]) and the commits a push sends ([`pushed`])
//! through libgit2. Everything above reads and writes repositories through this module.

pub mod blame;
pub mod change_id;
pub mod command;
pub mod config;
pub mod diff;
pub mod notes;
pub mod patch;
pub mod paths;
pub mod pushed;

pub use command::{Git, GitError};
pub use paths::RepoPaths;
