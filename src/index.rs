//! The sessions index: finds every transcript, scans what changed (in parallel, only appended
//! bytes of files seen before), deduplicates per project and returns session summaries. Scans are
//! kept in an SQLite cache keyed by file identity and size, so a warm run reads no transcript.

pub mod cache;
mod codec;
mod findings;
pub mod load;
mod workers;

pub use findings::Findings;
pub use load::{Catalog, LoadOptions, LoadStats, load_catalog, load_local, summarize_files};

use std::path::PathBuf;

/// Errors that stop loading the index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("index cache {}: {source}", path.display())]
    Cache {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot create the cache folder {}: {source}", path.display())]
    CacheDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
