//! What each collector has taken, kept in `otlp.sqlite` in the data folder: per endpoint and
//! session, the digest of the trace it holds and the figures its metrics added up to, and the
//! sessions whose export failed (tried again by the next export to that endpoint).
//!
//! A session is written down only after the collector took all of it, so an export that fails
//! half-way loses nothing and sends nothing twice: unchanged traces are skipped, and metrics
//! carry only what grew (see [`super::metrics`]).

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};

use super::ExportError;
use super::metrics::Figures;

pub struct Ledger {
    conn: Connection,
    path: PathBuf,
}

impl Ledger {
    pub fn open(path: &Path) -> Result<Self, ExportError> {
        let wrong = |e: rusqlite::Error| ExportError::Ledger {
            path: path.to_path_buf(),
            why: e.to_string(),
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| ExportError::Ledger {
                path: path.to_path_buf(),
                why: e.to_string(),
            })?;
        }
        let conn = Connection::open(path).map_err(wrong)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(wrong)?;
        // Written once per batch: a write-ahead log, synced at checkpoints, keeps that cheap
        // and is still safe against a crash of the process.
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
            .map_err(wrong)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS traces(endpoint TEXT NOT NULL, session TEXT NOT NULL,
                 digest TEXT NOT NULL, PRIMARY KEY(endpoint, session));
             CREATE TABLE IF NOT EXISTS metrics(endpoint TEXT NOT NULL, session TEXT NOT NULL,
                 figures TEXT NOT NULL, until_ns INTEGER NOT NULL, PRIMARY KEY(endpoint, session));
             CREATE TABLE IF NOT EXISTS pending(endpoint TEXT NOT NULL, session TEXT NOT NULL,
                 failed_at TEXT NOT NULL, error TEXT NOT NULL, PRIMARY KEY(endpoint, session));",
        )
        .map_err(wrong)?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
        })
    }

    fn wrong(&self, e: &rusqlite::Error) -> ExportError {
        ExportError::Ledger {
            path: self.path.clone(),
            why: e.to_string(),
        }
    }

    /// The digest of the trace `endpoint` holds of `session`.
    pub fn trace_digest(
        &self,
        endpoint: &str,
        session: &str,
    ) -> Result<Option<String>, ExportError> {
        self.conn
            .query_row(
                "SELECT digest FROM traces WHERE endpoint=?1 AND session=?2",
                params![endpoint, session],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.wrong(&e))
    }

    /// The figures `endpoint` was sent for `session`, and the time they ran to.
    pub fn sent_figures(
        &self,
        endpoint: &str,
        session: &str,
    ) -> Result<Option<(Figures, u64)>, ExportError> {
        let row: Option<(String, i64)> = self
            .conn
            .query_row(
                "SELECT figures, until_ns FROM metrics WHERE endpoint=?1 AND session=?2",
                params![endpoint, session],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.wrong(&e))?;
        // Figures that cannot be read are as good as none: the next point starts over.
        Ok(row.and_then(|(json, until)| {
            Some((
                serde_json::from_str(&json).ok()?,
                u64::try_from(until).ok()?,
            ))
        }))
    }

    /// Writes down that `endpoint` took the trace of each session (with its digest).
    pub fn traces_taken(
        &mut self,
        endpoint: &str,
        taken: &[(String, String)],
    ) -> Result<(), ExportError> {
        let tx = self
            .conn
            .transaction()
            .map_err(|e| wrong_at(&self.path, &e))?;
        for (session, digest) in taken {
            tx.execute(
                "INSERT OR REPLACE INTO traces(endpoint, session, digest) VALUES(?1, ?2, ?3)",
                params![endpoint, session, digest],
            )
            .map_err(|e| wrong_at(&self.path, &e))?;
        }
        tx.commit().map_err(|e| wrong_at(&self.path, &e))
    }

    /// Writes down the figures `endpoint` now holds of each session.
    pub fn figures_taken(
        &mut self,
        endpoint: &str,
        taken: &[(String, Figures, u64)],
    ) -> Result<(), ExportError> {
        let tx = self
            .conn
            .transaction()
            .map_err(|e| wrong_at(&self.path, &e))?;
        for (session, figures, until) in taken {
            let json = serde_json::to_string(figures).unwrap_or_default();
            tx.execute(
                "INSERT OR REPLACE INTO metrics(endpoint, session, figures, until_ns) VALUES(?1, ?2, ?3, ?4)",
                params![endpoint, session, json, i64::try_from(*until).unwrap_or(i64::MAX)],
            )
            .map_err(|e| wrong_at(&self.path, &e))?;
        }
        tx.commit().map_err(|e| wrong_at(&self.path, &e))
    }

    /// Sessions whose export to `endpoint` failed, to try again.
    pub fn pending(&self, endpoint: &str) -> Result<Vec<String>, ExportError> {
        let mut stmt = self
            .conn
            .prepare("SELECT session FROM pending WHERE endpoint=?1 ORDER BY session")
            .map_err(|e| self.wrong(&e))?;
        stmt.query_map([endpoint], |r| r.get(0))
            .and_then(Iterator::collect)
            .map_err(|e| wrong_at(&self.path, &e))
    }

    /// Marks sessions failed (`error` says why) or, with `None`, done.
    pub fn set_pending(
        &mut self,
        endpoint: &str,
        sessions: &[String],
        failed: Option<(&str, &str)>,
    ) -> Result<(), ExportError> {
        let tx = self
            .conn
            .transaction()
            .map_err(|e| wrong_at(&self.path, &e))?;
        for session in sessions {
            let done = match failed {
                Some((at, error)) => tx.execute(
                    "INSERT OR REPLACE INTO pending(endpoint, session, failed_at, error) VALUES(?1, ?2, ?3, ?4)",
                    params![endpoint, session, at, error],
                ),
                None => tx.execute(
                    "DELETE FROM pending WHERE endpoint=?1 AND session=?2",
                    params![endpoint, session],
                ),
            };
            done.map_err(|e| wrong_at(&self.path, &e))?;
        }
        tx.commit().map_err(|e| wrong_at(&self.path, &e))
    }
}

fn wrong_at(path: &Path, e: &rusqlite::Error) -> ExportError {
    ExportError::Ledger {
        path: path.to_path_buf(),
        why: e.to_string(),
    }
}
