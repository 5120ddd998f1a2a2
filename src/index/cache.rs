//! The SQLite cache behind the index.
//!
//! Per transcript file it keeps the file's identity (inode, size, mtime) and its scan, so a file
//! that only grew is re-read from where the last scan stopped. The finished session summaries are
//! kept too, and their findings beside them (read only by what shows them, [`super::Findings`]),
//! under a fingerprint of every file's identity, the price table
//! and the insights' thresholds, so a run where nothing changed reads no transcript and merges
//! nothing. The cache holds only derived data: when it is unreadable it is rebuilt.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};

use super::IndexError;
use super::codec;
use crate::pricing::PriceTable;
use crate::session::{ScannedFile, SessionSummary};
use crate::transcript::file_scan::FileScan;
use crate::transcript::hash::hash128;
use crate::transcript::source_file::SourceFile;

/// Bump when the stored layout or the meaning of a scan changes.
const SCHEMA_VERSION: i64 = 9;

/// Session summaries stored per row of the `summaries` table.
const SUMMARIES_PER_PART: usize = 256;

/// A file's scan as stored, with the identity it was taken from.
#[derive(Debug, Clone)]
pub struct CachedFile {
    pub len: u64,
    pub mtime_ns: i64,
    pub inode: u64,
    pub scan: FileScan,
}

impl CachedFile {
    /// Whether this scan can be resumed for `file`: the same file (inode) that has only grown.
    pub fn reusable_for(&self, file: &SourceFile) -> bool {
        self.inode == file.inode
            && file.len >= self.scan.resume_offset
            && (file.len > self.len || (file.len == self.len && file.mtime_ns == self.mtime_ns))
    }
}

/// An open cache.
pub struct Cache {
    conn: Connection,
    path: PathBuf,
}

/// A digest of everything the summaries depend on.
pub fn fingerprint(files: &[SourceFile], prices: &PriceTable) -> String {
    let mut text = format!(
        "v{SCHEMA_VERSION};{};{prices:?};insights {:x}",
        env!("CARGO_PKG_VERSION"),
        crate::insights::Rules::digest()
    );
    for f in files {
        use std::fmt::Write;
        let _ = write!(
            text,
            "\n{}\t{}\t{}\t{}\t{}",
            f.agent.id(),
            f.path.display(),
            f.len,
            f.mtime_ns,
            f.inode
        );
    }
    format!("{:032x}", hash128(&text, ""))
}

impl Cache {
    /// Opens or creates the cache; an unreadable or outdated cache is replaced.
    pub fn open(path: &Path) -> Result<Self, IndexError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| IndexError::CacheDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        match Self::try_open(path) {
            Ok(cache) => Ok(cache),
            Err(_) => {
                // Derived data only: start over rather than fail.
                let _ = std::fs::remove_file(path);
                let _ = std::fs::remove_file(path.with_extension("sqlite3-wal"));
                let _ = std::fs::remove_file(path.with_extension("sqlite3-shm"));
                Self::try_open(path).map_err(|source| IndexError::Cache {
                    path: path.to_path_buf(),
                    source,
                })
            }
        }
    }

    fn try_open(path: &Path) -> rusqlite::Result<Self> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(3))?;
        create_tables(&conn)?;
        let version: Option<i64> = conn
            .query_row("SELECT value FROM meta WHERE key='schema'", [], |r| {
                r.get(0)
            })
            .optional()?;
        match version {
            Some(SCHEMA_VERSION) => {}
            Some(_) => return Err(rusqlite::Error::InvalidQuery),
            None => {
                conn.execute(
                    "INSERT INTO meta(key, value) VALUES('schema', ?1)",
                    [SCHEMA_VERSION],
                )?;
            }
        }
        Ok(Self {
            conn,
            path: path.to_path_buf(),
        })
    }

    fn err(&self, source: rusqlite::Error) -> IndexError {
        IndexError::Cache {
            path: self.path.clone(),
            source,
        }
    }

    /// The stored summaries, if they were built from exactly this fingerprint.
    pub fn summaries(
        &mut self,
        fingerprint: &str,
    ) -> Result<Option<Vec<SessionSummary>>, IndexError> {
        let stored: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key='fingerprint'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))?;
        if stored.as_deref() != Some(fingerprint.as_bytes()) {
            return Ok(None);
        }
        let mut stmt = self
            .conn
            .prepare("SELECT value FROM summaries ORDER BY part")
            .map_err(|e| self.err(e))?;
        let parts = stmt
            .query_map([], |r| r.get::<_, Vec<u8>>(0))
            .map_err(|e| self.err(e))?;
        let mut sessions = Vec::new();
        for part in parts {
            let part = part.map_err(|e| self.err(e))?;
            match serde_json::from_slice::<Vec<SessionSummary>>(&part) {
                Ok(some) => sessions.extend(some),
                Err(_) => return Ok(None),
            }
        }
        Ok(Some(sessions))
    }

    /// Every stored file scan, by path (scans that fail to decode are left out and re-read).
    pub fn file_scans(&mut self) -> Result<BTreeMap<PathBuf, CachedFile>, IndexError> {
        let mut stmt = self
            .conn
            .prepare("SELECT path, len, mtime_ns, inode, scan FROM files")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                let path: String = r.get(0)?;
                let blob: Vec<u8> = r.get(4)?;
                Ok((
                    path,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    blob,
                ))
            })
            .map_err(|e| IndexError::Cache {
                path: self.path.clone(),
                source: e,
            })?;
        let mut out = BTreeMap::new();
        for (path, len, mtime_ns, inode, blob) in rows.flatten() {
            if let Some(scan) = codec::decode(&blob) {
                let file = CachedFile {
                    len: len as u64,
                    mtime_ns,
                    inode: inode as u64,
                    scan,
                };
                out.insert(PathBuf::from(path), file);
            }
        }
        Ok(out)
    }

    /// Where the stored findings are read from.
    pub fn findings(&self) -> super::Findings {
        super::Findings::Index(self.path.clone())
    }

    /// Replaces the stored scans and summaries with this run's, writing the file scans while
    /// `summarize` runs on the calling thread. The findings the summaries hold are moved to
    /// their own table (the summaries come back without them). The new cache is written to a fresh file without a
    /// journal and renamed over the old one: one write of the data (no journal or WAL copy), and
    /// readers that still have the old file open keep a consistent view.
    pub fn store_while(
        &mut self,
        files: &[ScannedFile],
        fingerprint: &str,
        summarize: impl FnOnce() -> Vec<SessionSummary>,
    ) -> (Vec<SessionSummary>, Result<(), IndexError>) {
        let tmp = self
            .path
            .with_extension(format!("sqlite3.{}.tmp", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        let (tx, rx) = std::sync::mpsc::channel::<Row>();
        let (sessions, written) = std::thread::scope(|scope| {
            let tmp = &tmp;
            let writer = scope.spawn(move || write_fresh(tmp, files, fingerprint, &rx));
            let mut sessions = summarize();
            for s in &mut sessions {
                if let Some(found) = s.insights.take() {
                    let blob = serde_json::to_vec(&found).unwrap_or_default();
                    let _ = tx.send(Row::Findings(s.id.clone(), blob));
                }
            }
            // In parts: one blob of every summary was copied three times on its way into
            // SQLite, the largest allocation of a cold run.
            for part in sessions.chunks(SUMMARIES_PER_PART) {
                let _ = tx.send(Row::Summaries(serde_json::to_vec(part).unwrap_or_default()));
            }
            drop(tx);
            let written = writer
                .join()
                .unwrap_or_else(|_| Err(rusqlite::Error::InvalidQuery));
            (sessions, written)
        });
        let result =
            written.and_then(|()| std::fs::rename(&tmp, &self.path).map_err(|e| io_error(&e)));
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        (sessions, result.map_err(|e| self.err(e)))
    }
}

/// What the summarizing thread hands the cache writer.
enum Row {
    /// A part of the summaries.
    Summaries(Vec<u8>),
    /// One session's findings.
    Findings(String, Vec<u8>),
}

fn io_error(e: &std::io::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(e.to_string().into())
}

fn create_tables(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "PRAGMA synchronous=OFF;
         CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);
         CREATE TABLE IF NOT EXISTS files(path TEXT PRIMARY KEY, len INTEGER NOT NULL,
             mtime_ns INTEGER NOT NULL, inode INTEGER NOT NULL, scan BLOB NOT NULL);
         CREATE TABLE IF NOT EXISTS summaries(part INTEGER PRIMARY KEY, value BLOB NOT NULL);
         CREATE TABLE IF NOT EXISTS insights(id TEXT PRIMARY KEY, value BLOB NOT NULL);",
    )
}

/// Writes a complete cache into a new file at `path`.
fn write_fresh(
    path: &Path,
    files: &[ScannedFile],
    fingerprint: &str,
    rows: &std::sync::mpsc::Receiver<Row>,
) -> rusqlite::Result<()> {
    let mut conn = Connection::open(path)?;
    conn.execute_batch("PRAGMA journal_mode=OFF; PRAGMA cache_size=-512;")?;
    create_tables(&conn)?;
    let tx = conn.transaction()?;
    {
        tx.execute(
            "INSERT INTO meta(key, value) VALUES('schema', ?1)",
            [SCHEMA_VERSION],
        )?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO files(path, len, mtime_ns, inode, scan) VALUES(?1, ?2, ?3, ?4, ?5)",
            )?;
            for f in files {
                let s = &f.source;
                insert.execute(params![
                    s.path.to_string_lossy(),
                    s.len as i64,
                    s.mtime_ns,
                    s.inode as i64,
                    codec::encode(&f.scan)
                ])?;
            }
        }
        {
            let mut summary = tx.prepare("INSERT INTO summaries(part, value) VALUES(?1, ?2)")?;
            let mut findings =
                tx.prepare("INSERT OR REPLACE INTO insights(id, value) VALUES(?1, ?2)")?;
            let mut part = 0i64;
            for row in rows {
                match row {
                    Row::Summaries(blob) => {
                        summary.execute(params![part, blob])?;
                        part += 1;
                    }
                    Row::Findings(id, blob) => {
                        findings.execute(params![id, blob])?;
                    }
                }
            }
        }
        tx.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES('fingerprint', ?1)",
            params![fingerprint.as_bytes()],
        )?;
    }
    tx.commit()?;
    conn.close().map_err(|(_, e)| e)
}
