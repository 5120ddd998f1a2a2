//! The guard: before a tool call runs, what it would do and how risky that is. A Bash command is
//! parsed as shell ([`shell`]) into the programs it runs ([`invocation`]), whose operands are
//! resolved against the session's folder and classified ([`paths`]); the rules
//! (`assets/guard.toml` and a repository's `.vouch/guard.toml`, [`rules`]) turn what they match
//! into findings with a level and a reason ([`assess`]).

pub mod assess;
pub mod check;
pub mod decide;
pub mod invocation;
pub mod paths;
pub mod pattern;
pub mod policy;
pub mod rules;
pub mod shell;
pub mod watch;
