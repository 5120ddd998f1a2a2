//! `git vouch export otlp`: sessions as OpenTelemetry traces and metrics, sent to the collector
//! a team already runs, over OTLP (HTTP with protobuf or JSON, or gRPC).
//!
//! Each session is a trace that follows the GenAI semantic conventions at the version
//! [`names::SEMCONV_VERSION`] pins ([`spans`]); ids derive from the session and call ids
//! ([`ids`]), so exporting again sends the same spans. Metrics are deltas that never count a
//! session twice ([`metrics`], [`ledger`]). Conversation text is sent only with `--content`,
//! redacted ([`content`]).
//!
//! Not on any hook's path: the live export runs in a process of its own, started detached
//! when a session ends.

pub mod channel;
pub mod content;
pub mod export;
mod grpc;
mod http;
pub mod ids;
pub mod ledger;
pub mod metrics;
pub mod names;
pub mod proto;
pub mod resource;
pub mod spans;
pub mod target;

use std::path::PathBuf;

pub use export::{Options, SessionData, Summary, export};
pub use target::{Asked, Protocol, Target};

/// Why an export could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{name}: {why}")]
    Setting { name: String, why: String },
    #[error("the collector at {url} did not take the {signal} after {attempts} attempt(s): {why}")]
    Send {
        url: String,
        signal: &'static str,
        attempts: u32,
        why: String,
    },
    #[error("the export ledger {path}: {why}")]
    Ledger { path: PathBuf, why: String },
}
