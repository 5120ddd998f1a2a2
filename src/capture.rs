//! Capture: Claude Code and git hooks that record what agent sessions did, per repository, and
//! link it to commits.
//!
//! State lives inside the git dir of each worktree (`<git-dir>/vouch/`, see [`state`]). Hook
//! handlers are on the agent's hot path: they never block or fail the agent or git (they exit 0
//! and log problems), never take git's `index.lock`, and avoid heavy start-up work.

pub mod agent_config;
pub mod agent_hook;
pub mod archive;
pub mod atomic_write;
pub mod attribution;
pub mod commit_record;
pub mod git_hook;
pub mod hook_panic;
pub mod install;
pub mod payload;
pub mod pending;
pub mod record;
pub mod snapshot;
pub mod state;
pub mod trailer;
