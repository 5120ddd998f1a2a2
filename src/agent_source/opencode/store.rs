//! Where opencode keeps its sessions: its SQLite database since 1.2 (`opencode.db`, and
//! `opencode-<channel>.db` for other release channels; tables `session`, `message` and `part`,
//! each row's JSON in `data`), and before it one JSON file per session, message and part under
//! `storage/` (`session/<project>/ses_*.json`, `message/<session>/msg_*.json`,
//! `part/<message>/prt_*.json`). The database is opened read-only: opencode writes it in WAL
//! mode, and a reader never blocks it.
//!
//! A database holds every session, and each is read on its own (it is a source file of the
//! index): each thread keeps its last database open with its statements prepared, until the file
//! at that path is another one.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};
use serde::Deserialize;

use super::session::{Info, MessageRows, Rows};

/// One session a database holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub id: String,
    pub project: String,
    /// Milliseconds since the epoch of its last change.
    pub updated_ms: i64,
    /// How many parts it holds.
    pub parts: u64,
}

fn open(db: &Path) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(db, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(2))?;
    conn.execute_batch("PRAGMA cache_size=-512;")?;
    Ok(conn)
}

/// The sessions of a database.
pub fn list(db: &Path) -> rusqlite::Result<Vec<Listed>> {
    let conn = open(db)?;
    // Counted on the part table's session index, without reading a row.
    let mut stmt = conn.prepare(
        "SELECT s.id, s.project_id, s.time_updated, COALESCE(p.n, 0) FROM session s \
         LEFT JOIN (SELECT session_id, COUNT(*) AS n FROM part GROUP BY session_id) p \
         ON p.session_id = s.id ORDER BY s.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Listed {
            id: r.get(0)?,
            project: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            updated_ms: r.get::<_, Option<i64>>(2)?.unwrap_or(0),
            parts: r.get::<_, Option<i64>>(3)?.map_or(0, i64::unsigned_abs),
        })
    })?;
    rows.collect()
}

/// The database file a connection was opened on: its path and which file was there.
#[derive(PartialEq, Eq)]
struct Opened {
    path: PathBuf,
    file: Option<(u64, u64)>,
}

impl Opened {
    fn of(db: &Path) -> Self {
        Self {
            path: db.to_path_buf(),
            file: std::fs::metadata(db).ok().map(|m| file_id(&m)),
        }
    }
}

#[cfg(unix)]
fn file_id(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn file_id(meta: &std::fs::Metadata) -> (u64, u64) {
    (meta.len(), 0)
}

thread_local! {
    /// This thread's open database.
    static OPEN: RefCell<Option<(Opened, Connection)>> = const { RefCell::new(None) };
}

/// Runs `f` on this thread's connection to `db`, opening it when it is not the one open.
fn with_connection<T>(
    db: &Path,
    f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    OPEN.with(|slot| {
        let mut slot = slot.borrow_mut();
        let want = Opened::of(db);
        if slot.as_ref().is_none_or(|(opened, _)| *opened != want) {
            *slot = None;
            *slot = Some((want, open(db)?));
        }
        let result = f(&slot.as_ref().expect("opened above").1);
        if result.is_err() {
            *slot = None;
        }
        result
    })
}

/// One session's rows from a database.
pub fn load(db: &Path, session: &str) -> rusqlite::Result<Rows> {
    with_connection(db, |conn| {
        let info = conn
            .prepare_cached(
                "SELECT id, parent_id, directory, title, version, agent FROM session WHERE id = ?1",
            )?
            .query_row([session], |r| {
                Ok(Info {
                    id: r.get(0)?,
                    parent: r.get(1)?,
                    directory: r.get(2)?,
                    title: r.get(3)?,
                    version: r.get(4)?,
                    agent: r.get(5)?,
                })
            })?;
        let mut messages: Vec<MessageRows> = Vec::new();
        let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        let mut stmt = conn.prepare_cached(
            "SELECT id, data FROM message WHERE session_id = ?1 ORDER BY time_created, id",
        )?;
        let mut rows = stmt.query([session])?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            at.insert(id.clone(), messages.len());
            messages.push(MessageRows {
                id,
                data: r.get(1)?,
                parts: Vec::new(),
            });
        }
        // Ordered here, not by SQLite: no index orders a session's parts by id, and its sorter
        // would copy every part's data (spilling to temporary files past its cache).
        let mut stmt =
            conn.prepare_cached("SELECT message_id, id, data FROM part WHERE session_id = ?1")?;
        let mut rows = stmt.query([session])?;
        let mut parts: Vec<(usize, String, String)> = Vec::new();
        while let Some(r) = rows.next()? {
            let message = r.get_ref(0)?.as_str()?;
            if let Some(&i) = at.get(message) {
                parts.push((i, r.get(1)?, r.get(2)?));
            }
        }
        parts.sort_unstable_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        for (i, _, data) in parts {
            messages[i].parts.push(data);
        }
        Ok(Rows { info, messages })
    })
}

/// The session files of the older JSON storage (`storage/session/<project>/ses_*.json`).
pub fn legacy_sessions(storage: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(projects) = std::fs::read_dir(storage.join("session")) else {
        return out;
    };
    for project in projects.filter_map(Result::ok) {
        if let Ok(files) = std::fs::read_dir(project.path()) {
            out.extend(
                files
                    .filter_map(Result::ok)
                    .map(|f| f.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "json")),
            );
        }
    }
    out.sort();
    out
}

/// What orders a stored message: its id and when it was created.
#[derive(Default, Deserialize)]
#[serde(default)]
struct Ordered {
    #[serde(deserialize_with = "crate::transcript::lenient::lenient")]
    id: Option<String>,
    #[serde(deserialize_with = "crate::transcript::lenient::lenient_object")]
    time: Option<Created>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct Created {
    #[serde(deserialize_with = "crate::transcript::lenient::lenient")]
    created: Option<i64>,
}

/// One session's rows from the older JSON storage, `session` being its info file.
pub fn load_legacy(session: &Path) -> std::io::Result<Rows> {
    let info: Info =
        serde_json::from_str(&std::fs::read_to_string(session)?).map_err(std::io::Error::other)?;
    let storage = session
        .parent()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .unwrap_or(Path::new(""));
    let mut messages: Vec<(Option<i64>, MessageRows)> = Vec::new();
    for path in files(&storage.join("message").join(&info.id)) {
        let Ok(data) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(o) = serde_json::from_str::<Ordered>(&data) else {
            continue;
        };
        let id = o.id.unwrap_or_default();
        let parts = files(&storage.join("part").join(&id))
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .filter(|p| serde_json::from_str::<serde::de::IgnoredAny>(p).is_ok())
            .collect();
        messages.push((
            o.time.and_then(|t| t.created),
            MessageRows { id, data, parts },
        ));
    }
    messages.sort_by(|(a, x), (b, y)| (a.unwrap_or(0), &x.id).cmp(&(b.unwrap_or(0), &y.id)));
    Ok(Rows {
        info,
        messages: messages.into_iter().map(|(_, m)| m).collect(),
    })
}

/// The JSON files of a folder, by name.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database with opencode's three tables (the columns read) and one session.
    fn database(path: &Path, session: &str, text: &str) {
        let conn = Connection::open(path).unwrap();
        conn.execute_batch(
            "CREATE TABLE session(id TEXT PRIMARY KEY, project_id TEXT, parent_id TEXT, \
             directory TEXT, title TEXT, version TEXT, agent TEXT, time_updated INTEGER);
             CREATE TABLE message(id TEXT PRIMARY KEY, session_id TEXT, time_created INTEGER, \
             data TEXT);
             CREATE TABLE part(id TEXT PRIMARY KEY, message_id TEXT, session_id TEXT, data TEXT);",
        )
        .unwrap();
        conn.execute(
            "INSERT INTO session VALUES(?1, 'p', NULL, '/w', 't', '1.0', 'build', 5)",
            [session],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO message VALUES('m1', ?1, 1, '{\"role\":\"user\"}')",
            [session],
        )
        .unwrap();
        let part = format!("{{\"type\":\"text\",\"text\":\"{text}\"}}");
        conn.execute(
            "INSERT INTO part VALUES('p1', 'm1', ?1, ?2)",
            rusqlite::params![session, part],
        )
        .unwrap();
    }

    #[test]
    fn a_database_replaced_at_its_path_is_read_anew() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("opencode.db");
        database(&db, "ses_a", "first");
        let listed = list(&db).unwrap();
        assert_eq!((listed[0].id.as_str(), listed[0].parts), ("ses_a", 1));
        let rows = load(&db, "ses_a").unwrap();
        assert_eq!(rows.info.directory.as_deref(), Some("/w"));
        assert!(rows.messages[0].parts[0].contains("first"));
        // The same thread's open connection must not answer for the new file.
        let replacement = dir.path().join("new.db");
        database(&replacement, "ses_b", "second");
        std::fs::rename(&replacement, &db).unwrap();
        assert!(load(&db, "ses_a").is_err());
        let rows = load(&db, "ses_b").unwrap();
        assert!(rows.messages[0].parts[0].contains("second"));
    }

    /// Messages come in the order they were created, and each one's parts in the order of their
    /// ids, whatever order the rows were written in; parts of other sessions and of unknown
    /// messages are left out.
    #[test]
    fn parts_are_read_in_the_order_of_their_ids() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("opencode.db");
        database(&db, "ses_a", "p1");
        let conn = Connection::open(&db).unwrap();
        conn.execute_batch(
            "INSERT INTO message VALUES('m0', 'ses_a', 0, '{\"role\":\"user\"}');
             INSERT INTO part VALUES('p9', 'm1', 'ses_a', 'p9');
             INSERT INTO part VALUES('p0', 'm1', 'ses_a', 'p0');
             INSERT INTO part VALUES('p5', 'm0', 'ses_a', 'p5');
             INSERT INTO part VALUES('p3', 'm0', 'ses_a', 'p3');
             INSERT INTO part VALUES('p4', 'mx', 'ses_a', 'p4');
             INSERT INTO part VALUES('p2', 'm1', 'ses_b', 'p2');",
        )
        .unwrap();
        drop(conn);
        let rows = load(&db, "ses_a").unwrap();
        let read: Vec<(&str, Vec<&str>)> = rows
            .messages
            .iter()
            .map(|m| {
                let parts = m
                    .parts
                    .iter()
                    .map(|p| if p.starts_with('{') { "p1" } else { p.as_str() })
                    .collect();
                (m.id.as_str(), parts)
            })
            .collect();
        assert_eq!(
            read,
            [("m0", vec!["p3", "p5"]), ("m1", vec!["p0", "p1", "p9"])]
        );
    }
}
