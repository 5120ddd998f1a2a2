//! The exchange store: one SQLite file (`exchanges.sqlite3`, owner-only, in an owner-only folder)
//! with every recorded exchange and, apart, the content they refer to by sha256: message, system
//! prompt and tool definitions, each stored once however many requests re-send it. A request
//! records only the messages that are new since the previous request of its thread (the session
//! and sub-agent it came from), so a long session grows by what is new, not quadratically.
//! Everything is redacted before it is hashed or written. Each exchange is written in one
//! transaction once its response has ended, in WAL mode: a recorder killed mid-stream loses the
//! exchanges under way, never one already stored.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use super::RecorderError;
use super::exchange::{Exchange, Purpose};

/// The store's file in its folder.
pub const FILE: &str = "exchanges.sqlite3";

/// Bump when the stored layout changes. 2: the `calls` table.
const SCHEMA: i64 = 2;

/// A billed model call, as the `calls` table keeps it beside its exchange: what accounting needs
/// without decoding whole exchanges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub exchange: i64,
    pub session: Option<String>,
    pub started: DateTime<Utc>,
    /// The response's `id` (`msg_…`), as the transcript's `message.id`.
    pub message_id: Option<String>,
    pub request_id: Option<String>,
    pub model: String,
    /// The API's usage object, as answered.
    pub usage: Value,
    pub purpose: Option<Purpose>,
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens the store in `dir`, creating both owner-only.
    pub fn open(dir: &Path) -> Result<Self, RecorderError> {
        let path = dir.join(FILE);
        let io = |source| RecorderError::StoreIo {
            path: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        owner_only(dir, 0o700).map_err(io)?;
        let conn = Connection::open(&path).map_err(|source| RecorderError::Store {
            path: path.clone(),
            source,
        })?;
        owner_only(&path, 0o600).map_err(io)?;
        let store = Self { conn, path };
        store.init().map_err(|e| store.err(e))?;
        Ok(store)
    }

    fn init(&self) -> rusqlite::Result<()> {
        self.conn.busy_timeout(std::time::Duration::from_secs(5))?;
        self.conn.execute_batch(
            "PRAGMA journal_mode=WAL;
             PRAGMA synchronous=NORMAL;
             CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
             CREATE TABLE IF NOT EXISTS blobs(hash TEXT PRIMARY KEY, body BLOB NOT NULL);
             CREATE TABLE IF NOT EXISTS exchanges(id INTEGER PRIMARY KEY,
                 started TEXT NOT NULL, session TEXT, agent TEXT, record BLOB NOT NULL);
             CREATE INDEX IF NOT EXISTS exchanges_session ON exchanges(session);
             CREATE TABLE IF NOT EXISTS calls(exchange INTEGER PRIMARY KEY, session TEXT,
                 started TEXT NOT NULL, message_id TEXT, request_id TEXT, model TEXT NOT NULL,
                 usage TEXT NOT NULL, purpose TEXT);
             CREATE INDEX IF NOT EXISTS calls_session ON calls(session);",
        )?;
        let schema: Option<i64> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key='schema'", [], |r| {
                r.get(0)
            })
            .optional()?;
        match schema {
            None => {
                self.conn.execute(
                    "INSERT INTO meta(key, value) VALUES('schema', ?1)",
                    [SCHEMA],
                )?;
            }
            Some(SCHEMA) => {}
            Some(1) => self.add_calls_table()?,
            Some(_) => return Err(rusqlite::Error::InvalidQuery),
        }
        Ok(())
    }

    /// Schema 1 to 2: fills the `calls` table from the exchanges already stored.
    fn add_calls_table(&self) -> rusqlite::Result<()> {
        self.conn.execute_batch("BEGIN")?;
        let filled = (|| {
            let mut stmt = self.conn.prepare("SELECT id, record FROM exchanges")?;
            let rows =
                stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
            for row in rows {
                let (id, blob) = row?;
                if let Ok(ex) = serde_json::from_slice::<Exchange>(&blob) {
                    self.add_call(id, &ex)?;
                }
            }
            self.conn
                .execute("UPDATE meta SET value = ?1 WHERE key = 'schema'", [SCHEMA])
                .map(drop)
        })();
        match filled {
            Ok(()) => self.conn.execute_batch("COMMIT"),
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Adds the exchange's row to `calls` when it is a billed call.
    fn add_call(&self, id: i64, ex: &Exchange) -> rusqlite::Result<()> {
        let Some((model, usage)) = ex.billed() else {
            return Ok(());
        };
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO calls(exchange, session, started, message_id, request_id,
                     model, usage, purpose) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                id,
                ex.session_id,
                ex.started.to_rfc3339(),
                ex.response.as_ref().and_then(|r| r.id.as_deref()),
                ex.request_id,
                model,
                serde_json::to_string(usage).unwrap_or_default(),
                ex.purpose.map(Purpose::name),
            ])
            .map(drop)
    }

    /// The billed calls (of one session when given), oldest first.
    pub fn calls(&self, session: Option<&str>) -> Result<Vec<Call>, RecorderError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT exchange, session, started, message_id, request_id, model, usage, purpose
                 FROM calls WHERE ?1 IS NULL OR session = ?1 ORDER BY exchange",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([session], |r| {
                let text = |i: usize| r.get::<_, Option<String>>(i);
                Ok(Call {
                    exchange: r.get(0)?,
                    session: text(1)?,
                    started: text(2)?
                        .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                        .map_or_else(DateTime::default, |t| t.with_timezone(&Utc)),
                    message_id: text(3)?,
                    request_id: text(4)?,
                    model: r.get(5)?,
                    usage: text(6)?
                        .and_then(|u| serde_json::from_str(&u).ok())
                        .unwrap_or_default(),
                    purpose: text(7)?.as_deref().and_then(Purpose::from_name),
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    /// The sessions with billed calls in the store.
    pub fn sessions(&self) -> Result<Vec<String>, RecorderError> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT session FROM calls WHERE session IS NOT NULL")
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, source: rusqlite::Error) -> RecorderError {
        RecorderError::Store {
            path: self.path.clone(),
            source,
        }
    }

    /// Stores a (redacted) value once and returns its hash.
    pub fn put(&self, value: &Value) -> Result<String, RecorderError> {
        let body = serde_json::to_vec(value).unwrap_or_default();
        let hash = sha256_hex(&body);
        self.conn
            .prepare_cached("INSERT OR IGNORE INTO blobs(hash, body) VALUES(?1, ?2)")
            .and_then(|mut s| s.execute(params![hash, body]))
            .map_err(|e| self.err(e))?;
        Ok(hash)
    }

    /// A stored value.
    pub fn get(&self, hash: &str) -> Result<Option<Value>, RecorderError> {
        let body: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT body FROM blobs WHERE hash = ?1", [hash], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(body.and_then(|b| serde_json::from_slice(&b).ok()))
    }

    /// Adds an exchange; returns its id.
    pub fn add(&self, exchange: &Exchange) -> Result<i64, RecorderError> {
        let record = serde_json::to_vec(exchange).unwrap_or_default();
        self.conn
            .execute(
                "INSERT INTO exchanges(started, session, agent, record) VALUES(?1, ?2, ?3, ?4)",
                params![
                    exchange.started.to_rfc3339(),
                    exchange.session_id,
                    exchange.agent_id,
                    record
                ],
            )
            .map_err(|e| self.err(e))?;
        let id = self.conn.last_insert_rowid();
        self.add_call(id, exchange).map_err(|e| self.err(e))?;
        Ok(id)
    }

    /// Runs `f` in one transaction: an exchange's content and record are written together
    /// (one write to the journal, not one per message), or not at all.
    pub fn in_transaction<T>(
        &self,
        f: impl FnOnce(&Self) -> Result<T, RecorderError>,
    ) -> Result<T, RecorderError> {
        self.conn.execute_batch("BEGIN").map_err(|e| self.err(e))?;
        match f(self) {
            Ok(v) => {
                self.conn.execute_batch("COMMIT").map_err(|e| self.err(e))?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Moves the journal into the store file and empties it (when the recorder stops).
    pub fn checkpoint(&self) -> Result<(), RecorderError> {
        self.conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .map_err(|e| self.err(e))
    }

    /// Every exchange (of one session when given), oldest first. A record that does not decode
    /// (written by a newer build) is left out.
    pub fn exchanges(&self, session: Option<&str>) -> Result<Vec<(i64, Exchange)>, RecorderError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, record FROM exchanges WHERE ?1 IS NULL OR session = ?1 ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([session], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, blob) = row.map_err(|e| self.err(e))?;
            if let Ok(ex) = serde_json::from_slice(&blob) {
                out.push((id, ex));
            }
        }
        Ok(out)
    }

    /// One exchange; `None` when there is none with that id (or it does not decode).
    pub fn exchange(&self, id: i64) -> Result<Option<Exchange>, RecorderError> {
        let blob: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT record FROM exchanges WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(blob.and_then(|b| serde_json::from_slice(&b).ok()))
    }

    /// The whole message list an exchange's request sent, rebuilt from the thread's chain.
    pub fn messages(&self, id: i64) -> Result<Vec<Value>, RecorderError> {
        let mut chain = Vec::new();
        let mut next = Some(id);
        while let Some(at) = next {
            let Some(ex) = self.exchange(at)? else {
                break;
            };
            next = ex.messages.after;
            chain.push(ex.messages);
        }
        let marks = chain.first().map(|m| m.marks.clone()).unwrap_or_default();
        let mut hashes: Vec<String> = Vec::new();
        for part in chain.into_iter().rev() {
            hashes.truncate(part.kept);
            hashes.extend(part.new);
        }
        let mut messages = hashes
            .iter()
            .map(|h| Ok(self.get(h)?.unwrap_or(Value::Null)))
            .collect::<Result<Vec<_>, RecorderError>>()?;
        super::exchange::put_marks(&mut messages, &marks);
        Ok(messages)
    }
}

/// Where recordings go and are looked for: the repository's (`<git-dir>/vouch/exchanges`, when
/// `record` runs in one), then the user's (`<data dir>/exchanges`).
pub fn locations(repo: Option<&crate::capture::state::StateDir>, data_dir: &Path) -> Vec<PathBuf> {
    repo.map(crate::capture::state::StateDir::exchanges_dir)
        .into_iter()
        .chain([data_dir.join("exchanges")])
        .collect()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::fingerprint::sha256_hex(bytes)
}

#[cfg(unix)]
fn owner_only(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn owner_only(_: &Path, _: u32) -> std::io::Result<()> {
    Ok(())
}
