//! What the test areas share: the hermetic environment the real binary runs in, the git CLI,
//! recorded capture, the trust-path repository, a tmux terminal, `../shared` reference data and
//! the one-set-of-figures comparison.

pub mod capture;
pub mod cli;
pub mod figures;
pub mod git;
pub mod npm;
pub mod otlp_receiver;
pub mod shared;
pub mod tmux;
pub mod world;
