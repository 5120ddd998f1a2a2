//! The review screen: what is about to be signed (the pushed refs and commits, each commit's
//! sessions, models, tokens and cost, the lines attributed to the agent, redactions, warnings)
//! beside the exact evidence document that gets signed, a note the person writes, and the
//! outcome: sign (and push), push without attestation where allowed, or abort.
//!
//! Same Elm shape as the explorer: [`ReviewApp::update`] is the only state change, rendering does
//! no I/O, evidence is built and signed on worker threads. The pre-push hook runs it on
//! `/dev/tty`, since git gives hooks no terminal on stdin.

mod app;
mod changes_view;
mod runner;
mod summary;
mod view;

#[cfg(test)]
mod tests;

pub use app::{Focus, Phase, ReviewApp, ReviewEffect, ReviewMsg, Reviewed};
pub use runner::{TtyReviewer, terminal_available};
