//! The transcript engine. Agent-neutral: which agent wrote a transcript ([`agent`]), one file as
//! discovery found it ([`source_file`]) and what a scan of it learned ([`file_scan`]). Claude
//! Code's reader: finds its session files, reads them tolerantly and fast, and turns them into
//! per-file scans (for lists and reports) or full records (for one session).

pub mod agent;
pub mod discover;
pub mod file_scan;
pub mod hash;
pub mod hook_event;
pub mod input_facts;
pub mod lenient;
pub mod lines;
pub mod peek;
pub mod record;
pub mod repeats;
pub mod scan;
pub mod source_file;
pub mod streamed_copies;
pub mod tool;
pub mod wire;

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem found in the input, with where it was found. Reading goes on after it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    pub path: PathBuf,
    /// 1-based line number, when the problem is on one line.
    pub line: Option<u64>,
    pub message: String,
}

impl Diagnostic {
    pub fn at(path: &Path, line: u64, message: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            line: Some(line),
            message: message.into(),
        }
    }

    pub fn file(path: &Path, message: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            line: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path.display(), line, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// Errors that stop reading a whole file.
#[derive(Debug, thiserror::Error)]
pub enum TranscriptError {
    #[error("cannot read transcript {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
