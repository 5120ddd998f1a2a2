//! git-vouch: capture what AI coding agents did in a repository, tie it to commits, and let people
//! explore, review and sign that evidence.
//!
//! Data flows one way: transcripts (each agent's behind [`agent_source`]) and hook events →
//! session model (pricing, subagent tree, tool
//! calls, file edits) → git correlation → evidence → redaction → policy → signing → git notes.
//! The domain modules below never depend on the terminal or argument-parsing crates; `cli` and
//! `tui` sit on top of them (`tests/it/architecture.rs` checks it).

pub mod agent_source;
pub mod attest;
pub mod capture;
pub mod clock;
pub mod compliance;
pub mod config;
pub mod correlate;
pub mod demo;
pub mod evidence;
pub mod fingerprint;
pub mod git;
pub mod guard;
pub mod index;
pub mod insights;
pub mod money;
pub mod otlp;
pub mod policy;
pub mod present;
pub mod pricing;
pub mod provenance;
pub mod push;
pub mod recorder;
pub mod recording;
pub mod redact;
pub mod report;
pub mod session;
pub mod transcript;
pub mod usage;
pub mod words;

#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "tui")]
pub mod tui;
