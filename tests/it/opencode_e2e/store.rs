//! Just enough of an opencode store reader for the harness's own checks (independent of
//! git-vouch's reader, which is what the tests are meant to hold to account): the projects,
//! sessions, messages and parts of either
//!
//! - the SQLite database of opencode ≥ 1.2 (`<data dir>/opencode.db`, opened read-only), or
//! - the JSON storage of opencode < 1.2 (`<data dir>/storage/`: `project/<id>.json`,
//!   `session/<projectID>/<id>.json`, `message/<sessionID>/<id>.json`,
//!   `part/<messageID>/<id>.json`), read as opencode's own JSON→SQLite migration read it
//!   (`packages/opencode/src/storage/json-migration.ts`: ids from the file paths; a message's
//!   `id`/`sessionID` and a part's `id`/`messageID`/`sessionID` are not part of its data).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rusqlite::types::ValueRef;
use serde_json::{Map, Value, json};

/// One session: the DB row (column → value) or the legacy file's JSON.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub project_id: String,
    pub parent_id: Option<String>,
    /// The row as the DB has it; `None` for a legacy file.
    pub row: Option<Map<String, Value>>,
}

/// A message or a part: its id, its owners and its `data`.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: String,
    pub session_id: String,
    /// The message of a part (its own id for a message).
    pub message_id: String,
    pub time_created: i64,
    pub data: Value,
}

/// The tokens of an assistant message or a `step-finish` part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tokens {
    pub input: u64,
    pub output: u64,
    pub reasoning: u64,
    pub cache_read: u64,
    pub cache_write: u64,
    pub total: u64,
}

impl Tokens {
    pub fn of(data: &Value) -> Self {
        let t = &data["tokens"];
        let n = |v: &Value| {
            v.as_u64()
                .unwrap_or_else(|| panic!("a token count in {data}"))
        };
        Self {
            input: n(&t["input"]),
            output: n(&t["output"]),
            reasoning: n(&t["reasoning"]),
            cache_read: n(&t["cache"]["read"]),
            cache_write: n(&t["cache"]["write"]),
            total: n(&t["total"]),
        }
    }
}

/// Everything in one store.
#[derive(Debug, Clone, Default)]
pub struct Store {
    /// Where it was read from.
    pub source: PathBuf,
    /// Every table's rows (DB only; empty for legacy storage), in rowid order.
    pub tables: BTreeMap<String, Vec<Map<String, Value>>>,
    /// The project rows (DB) or files (legacy).
    pub projects: Vec<Value>,
    pub sessions: Vec<Session>,
    /// Sorted by (session, creation time, id).
    pub messages: Vec<Record>,
    /// Sorted by (message, id).
    pub parts: Vec<Record>,
}

/// A SQLite value as JSON.
fn json_of(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => json!(i),
        ValueRef::Real(f) => json!(f),
        ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => json!({"blob_bytes": b.len()}),
    }
}

fn text(row: &Map<String, Value>, col: &str) -> String {
    row.get(col)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no text column {col} in {row:?}"))
        .to_owned()
}

fn int(row: &Map<String, Value>, col: &str) -> i64 {
    row.get(col)
        .and_then(Value::as_i64)
        .unwrap_or_else(|| panic!("no integer column {col} in {row:?}"))
}

/// Opens a database read-only (never creating or changing a file next to it).
pub fn open_read_only(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap_or_else(|e| panic!("open {} read-only: {e}", path.display()))
}

/// The names of the tables (not SQLite's own), sorted.
pub fn table_names(db: &rusqlite::Connection) -> Vec<String> {
    let mut stmt = db
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
        )
        .expect("list tables");
    stmt.query_map([], |r| r.get::<_, String>(0))
        .expect("query tables")
        .map(|r| r.expect("a table name"))
        .collect()
}

/// Every row of `table` as column → value, in rowid order (key order for WITHOUT ROWID).
pub fn rows(db: &rusqlite::Connection, table: &str) -> Vec<Map<String, Value>> {
    let mut stmt = db
        .prepare(&format!("SELECT * FROM \"{table}\""))
        .unwrap_or_else(|e| panic!("select from {table}: {e}"));
    let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    stmt.query_map([], |r| {
        let mut m = Map::new();
        for (i, name) in names.iter().enumerate() {
            m.insert(name.clone(), json_of(r.get_ref(i)?));
        }
        Ok(m)
    })
    .unwrap_or_else(|e| panic!("query {table}: {e}"))
    .map(|r| r.expect("a row"))
    .collect()
}

fn parse(text: &str, what: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{what}: {e}: {text}"))
}

impl Store {
    /// Reads `opencode.db` (read-only).
    pub fn from_db(path: &Path) -> Self {
        let db = open_read_only(path);
        let mut tables = BTreeMap::new();
        for name in table_names(&db) {
            let r = rows(&db, &name);
            tables.insert(name, r);
        }
        let projects = tables["project"]
            .iter()
            .map(|r| Value::Object(r.clone()))
            .collect();
        let sessions = tables["session"]
            .iter()
            .map(|r| Session {
                id: text(r, "id"),
                project_id: text(r, "project_id"),
                parent_id: r["parent_id"].as_str().map(str::to_owned),
                row: Some(r.clone()),
            })
            .collect();
        let record = |r: &Map<String, Value>, message_col: &str| Record {
            id: text(r, "id"),
            session_id: text(r, "session_id"),
            message_id: text(r, message_col),
            time_created: int(r, "time_created"),
            data: parse(&text(r, "data"), "a data column"),
        };
        let messages = tables["message"].iter().map(|r| record(r, "id")).collect();
        let parts = tables["part"]
            .iter()
            .map(|r| record(r, "message_id"))
            .collect();
        let mut store = Self {
            source: path.to_path_buf(),
            tables,
            projects,
            sessions,
            messages,
            parts,
        };
        store.sort();
        store
    }

    /// Reads a legacy `storage/` folder.
    pub fn from_legacy(storage: &Path) -> Self {
        let files = |dir: &str| -> Vec<(String, String, Value)> {
            // (parent folder name, file stem, JSON) of `<dir>/*/*.json` or `<dir>/*.json`.
            let mut out = Vec::new();
            let mut todo = vec![storage.join(dir)];
            while let Some(d) = todo.pop() {
                for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                    let p = e.path();
                    if p.is_dir() {
                        todo.push(p);
                    } else if p.extension().is_some_and(|x| x == "json") {
                        let stem = p.file_stem().and_then(|s| s.to_str()).expect("a name");
                        let folder = p
                            .parent()
                            .and_then(Path::file_name)
                            .and_then(|s| s.to_str());
                        let text = std::fs::read_to_string(&p).expect("read a storage file");
                        let what = p.display().to_string();
                        out.push((folder.expect("a folder").to_owned(), stem.to_owned(), {
                            parse(&text, &what)
                        }));
                    }
                }
            }
            out.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
            out
        };
        let projects = files("project").into_iter().map(|(_, _, v)| v).collect();
        let sessions = files("session")
            .into_iter()
            .map(|(project, id, v)| Session {
                id,
                project_id: project,
                parent_id: v["parentID"].as_str().map(str::to_owned),
                row: None,
            })
            .collect();
        let time = |v: &Value, k: &str| v["time"][k].as_i64().unwrap_or(0);
        let mut message_session = BTreeMap::new();
        let mut messages = Vec::new();
        for (session, id, mut v) in files("message") {
            let o = v.as_object_mut().expect("a message object");
            o.shift_remove("id");
            o.shift_remove("sessionID");
            message_session.insert(id.clone(), session.clone());
            messages.push(Record {
                time_created: time(&v, "created"),
                id: id.clone(),
                session_id: session,
                message_id: id,
                data: v,
            });
        }
        let mut parts = Vec::new();
        for (message, id, mut v) in files("part") {
            let o = v.as_object_mut().expect("a part object");
            o.shift_remove("id");
            o.shift_remove("messageID");
            o.shift_remove("sessionID");
            let session = message_session
                .get(&message)
                .unwrap_or_else(|| panic!("part {id}: no message {message}"))
                .clone();
            parts.push(Record {
                time_created: time(&v, "start"),
                id,
                session_id: session,
                message_id: message,
                data: v,
            });
        }
        let mut store = Self {
            source: storage.to_path_buf(),
            tables: BTreeMap::new(),
            projects,
            sessions,
            messages,
            parts,
        };
        store.sort();
        store
    }

    fn sort(&mut self) {
        let created = |r: &Record| r.data["time"]["created"].as_i64().unwrap_or(r.time_created);
        self.messages.sort_by(|a, b| {
            (&a.session_id, created(a), &a.id).cmp(&(&b.session_id, created(b), &b.id))
        });
        self.parts
            .sort_by(|a, b| (&a.message_id, &a.id).cmp(&(&b.message_id, &b.id)));
        self.sessions.sort_by(|a, b| a.id.cmp(&b.id));
    }

    pub fn session(&self, id: &str) -> &Session {
        self.sessions
            .iter()
            .find(|s| s.id == id)
            .unwrap_or_else(|| panic!("{}: no session {id}", self.source.display()))
    }

    /// A session's messages of `role` (`user`, `assistant`), in order.
    pub fn messages(&self, session: &str, role: &str) -> Vec<&Record> {
        self.messages
            .iter()
            .filter(|m| m.session_id == session && m.data["role"] == role)
            .collect()
    }

    /// A message's parts, in order.
    pub fn parts_of(&self, message: &str) -> Vec<&Record> {
        self.parts
            .iter()
            .filter(|p| p.message_id == message)
            .collect()
    }

    /// A session's parts of `kind` (`tool`, `patch`, `step-finish`…), in message order.
    pub fn parts(&self, session: &str, kind: &str) -> Vec<&Record> {
        self.messages
            .iter()
            .filter(|m| m.session_id == session)
            .flat_map(|m| self.parts_of(&m.id))
            .filter(|p| p.data["type"] == kind)
            .collect()
    }

    /// `(path, kind)` of each file a session's tools wrote: `write` of a new file is `add`, of
    /// an existing one `update`; `edit` is `update`.
    pub fn file_changes(&self, session: &str) -> Vec<(String, &'static str)> {
        self.parts(session, "tool")
            .into_iter()
            .filter_map(|p| {
                let state = &p.data["state"];
                let path = state["input"]["filePath"].as_str()?.to_owned();
                match p.data["tool"].as_str()? {
                    "write" if state["metadata"]["exists"] == true => Some((path, "update")),
                    "write" => Some((path, "add")),
                    "edit" => Some((path, "update")),
                    _ => None,
                }
            })
            .collect()
    }
}
