//! Sessions: what one agent conversation did, assembled from its transcript files.
//!
//! [`summary`] builds the light per-session rows behind lists and usage reports from file scans,
//! deduplicating API responses across every file of a project (resumes and forks replay them).

pub mod detail;
pub mod figures;
pub mod permission;
pub mod recorded;
pub mod summary;

pub use figures::Figures;
pub use summary::{Bucket, ModelUsage, ScannedFile, SessionSummary, summarize_project};
