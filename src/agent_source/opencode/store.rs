//! Where opencode keeps its sessions: its SQLite database since 1.2 (`opencode.db`, and
//! `opencode-<channel>.db` for other release channels; tables `session`, `message` and `part`,
//! each row's JSON in `data`), and before it one JSON file per session, message and part under
//! `storage/` (`session/<project>/ses_*.json`, `message/<session>/msg_*.json`,
//! `part/<message>/prt_*.json`). The database is opened read-only: opencode writes it in WAL
//! mode, and a reader never blocks it.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};
use serde_json::{Value, json};

use super::session::Rows;

/// One session a database holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub id: String,
    pub project: String,
    /// Milliseconds since the epoch of its last change.
    pub updated_ms: i64,
}

fn open(db: &Path) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(db, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(2))?;
    Ok(conn)
}

/// The sessions of a database.
pub fn list(db: &Path) -> rusqlite::Result<Vec<Listed>> {
    let conn = open(db)?;
    let mut stmt = conn.prepare("SELECT id, project_id, time_updated FROM session ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        Ok(Listed {
            id: r.get(0)?,
            project: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            updated_ms: r.get::<_, Option<i64>>(2)?.unwrap_or(0),
        })
    })?;
    rows.collect()
}

/// One session's rows from a database.
pub fn load(db: &Path, session: &str) -> rusqlite::Result<Rows> {
    let conn = open(db)?;
    let info = conn.query_row(
        "SELECT id, parent_id, project_id, directory, title, version, agent FROM session WHERE id = ?1",
        [session],
        |r| {
            Ok(json!({
                "id": r.get::<_, String>(0)?,
                "parentID": r.get::<_, Option<String>>(1)?,
                "projectID": r.get::<_, Option<String>>(2)?,
                "directory": r.get::<_, Option<String>>(3)?,
                "title": r.get::<_, Option<String>>(4)?,
                "version": r.get::<_, Option<String>>(5)?,
                "agent": r.get::<_, Option<String>>(6)?,
            }))
        },
    )?;
    let mut messages: Vec<(Value, Vec<Value>)> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut stmt = conn
        .prepare("SELECT id, data FROM message WHERE session_id = ?1 ORDER BY time_created, id")?;
    for row in stmt.query_map([session], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })? {
        let (id, data) = row?;
        at.insert(id.clone(), messages.len());
        messages.push((with_id(&data, &id), Vec::new()));
    }
    let mut stmt =
        conn.prepare("SELECT message_id, data FROM part WHERE session_id = ?1 ORDER BY id")?;
    for row in stmt.query_map([session], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })? {
        let (message, data) = row?;
        if let Some(&i) = at.get(&message) {
            messages[i]
                .1
                .push(serde_json::from_str(&data).unwrap_or(Value::Null));
        }
    }
    Ok(Rows { info, messages })
}

fn with_id(data: &str, id: &str) -> Value {
    let mut v: Value = serde_json::from_str(data).unwrap_or_else(|_| json!({}));
    if let Some(o) = v.as_object_mut() {
        o.entry("id").or_insert_with(|| json!(id));
    }
    v
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

/// One session's rows from the older JSON storage, `session` being its info file.
pub fn load_legacy(session: &Path) -> std::io::Result<Rows> {
    let read = |p: &Path| -> std::io::Result<Value> {
        let bytes = std::fs::read(p)?;
        serde_json::from_slice(&bytes).map_err(std::io::Error::other)
    };
    let info = read(session)?;
    let storage = session
        .parent()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .unwrap_or(Path::new(""));
    let id = info.get("id").and_then(Value::as_str).unwrap_or_default();
    let mut messages: Vec<(Value, Vec<Value>)> = files(&storage.join("message").join(id))
        .iter()
        .filter_map(|p| read(p).ok())
        .map(|m| (m, Vec::new()))
        .collect();
    messages.sort_by_key(|(m, _)| {
        (
            m.pointer("/time/created")
                .and_then(Value::as_i64)
                .unwrap_or(0),
            m.get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        )
    });
    for (m, parts) in &mut messages {
        let mid = m.get("id").and_then(Value::as_str).unwrap_or_default();
        *parts = files(&storage.join("part").join(mid))
            .iter()
            .filter_map(|p| read(p).ok())
            .collect();
    }
    Ok(Rows { info, messages })
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
