//! `git vouch watch`: the sessions running in this repository, their tool calls as they happen
//! with the guard's risk and decision, and the calls the hook holds for a person, who allows one
//! once, denies it with a reason for the agent, or hands it to Claude Code's own prompt.
//!
//! Same Elm shape as the other screens: [`WatchApp::update`] is the only state change and does
//! no I/O; drawing ([`view`]) only reads the state. The runner owns the socket
//! ([`crate::guard::watch::Watcher`]) and the held connections, tails the event ledgers and
//! answers; its threads report back as [`WatchMsg`]s. The explorer opens the same screen on its
//! own terminal (its live view).

mod app;
mod feed;
mod runner;
mod tail;
mod view;

#[cfg(test)]
mod tests;

pub use app::{Pending, WatchApp, WatchEffect, WatchMsg};
pub use feed::{FeedLine, LiveSession};
pub use runner::{Setup, run, run_on};
