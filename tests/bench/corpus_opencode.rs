//! opencode sessions for the mixed corpus (see `corpus_agents.rs`): one `opencode.db`.
//!
//! The templates are the sessions of the recorded databases `fixtures/opencode/*/opencode/
//! opencode.db` (opencode 1.18.33): each root session (no `parent_id`) with its sub-agents' sessions.
//! The generated database has the fixture's schema (every `sql` of its `sqlite_master`, and its
//! `migration` rows), is in WAL mode as opencode keeps it, and holds one `project` row per fake
//! project. Each generated session:
//!
//! - gives the session and its sub-agents fresh `ses_` ids, every message and part fresh `msg_` and
//!   `prt_` ids and every call a fresh `call_` id. opencode's ids carry their time (`ses_` ids
//!   descending, the others ascending: the reader orders parts by id), so a generated id is the
//!   template's with its time shifted, and a fresh random tail;
//! - repeats the root session's messages (with their parts) until their JSON reaches the
//!   session's size, each repetition later, with fresh ids;
//! - scales every assistant message's `tokens` and `cost` (and the step-finish parts' copies), the
//!   session rows' `tokens_*` and `cost` being their own messages' sums, as opencode keeps them;
//! - appends 200 to 8,000 bytes to half the root session's tool outputs;
//! - works in one of the fake projects (`directory`, the paths in messages and parts).
//!
//! A sub-agent's session is written once, with the ids of the root's first repetition, and names
//! the root as its `parent_id`. The bytes counted against the agent's share are those of the rows'
//! JSON (`data`).
//!
//! The truth of a session: its and its sub-agents' assistant messages' tokens as stored (opencode's
//! fields are disjoint): input as stored, output = output + reasoning, cache write and read apart.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::{Captures, Regex};
use rusqlite::types::Value as Sql;
use rusqlite::{Connection, OpenFlags, Transaction, params, params_from_iter};
use serde_json::Value;

use crate::corpus::{self, Rng, Tokens, Truth};
use crate::corpus_agents::{
    Draw, IdMap, Ids, Rewriter, add_session, count, empty_truth, filler, pad_len, rewrite, scale,
    template_dirs,
};

static OPENCODE_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:ses|msg|prt|call)_[A-Za-z0-9_]+").expect("a valid id pattern")
});

const INSERT_MESSAGE: &str = "INSERT INTO message (id, session_id, time_created, time_updated, \
                              data) VALUES (?1, ?2, ?3, ?4, ?5)";
const INSERT_PART: &str = "INSERT INTO part (id, message_id, session_id, time_created, \
                           time_updated, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

fn sql<T>(r: rusqlite::Result<T>) -> io::Result<T> {
    r.map_err(io::Error::other)
}

/// One row of `message` or `part`.
struct Row {
    id: String,
    created: i64,
    updated: i64,
    data: Value,
}

struct Message {
    row: Row,
    parts: Vec<Row>,
}

/// One template session: its `session` row (column, value) and its messages, oldest first.
struct Session {
    id: String,
    columns: Vec<(String, Sql)>,
    messages: Vec<Message>,
}

struct Template {
    root: Session,
    children: Vec<Session>,
    span_ms: i64,
    cwd: String,
}

/// The fixture's schema and migrations.
struct Schema {
    sql: Vec<String>,
    migrations: Vec<(String, i64)>,
}

fn open(db: &Path) -> io::Result<Connection> {
    sql(Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY,
    ))
}

fn load_schema(db: &Path) -> io::Result<Schema> {
    let conn = open(db)?;
    let mut stmt =
        sql(conn.prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"))?;
    let ddl = sql(stmt.query_map([], |r| r.get::<_, String>(0)))?;
    let sql_text = sql(ddl.collect::<rusqlite::Result<Vec<_>>>())?;
    let mut stmt = sql(conn.prepare("SELECT id, time_completed FROM migration ORDER BY id"))?;
    let rows = sql(stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))))?;
    Ok(Schema {
        sql: sql_text,
        migrations: sql(rows.collect::<rusqlite::Result<Vec<_>>>())?,
    })
}

fn rows(conn: &Connection, query: &str, key: &str) -> io::Result<Vec<Row>> {
    let mut stmt = sql(conn.prepare(query))?;
    let found = sql(stmt.query_map([key], |r| {
        let data: String = r.get(3)?;
        Ok(Row {
            id: r.get(0)?,
            created: r.get(1)?,
            updated: r.get(2)?,
            data: serde_json::from_str(&data).unwrap_or(Value::Null),
        })
    }))?;
    sql(found.collect())
}

fn load_session(conn: &Connection, columns: Vec<(String, Sql)>) -> io::Result<Session> {
    let id = match columns.iter().find(|(c, _)| c == "id") {
        Some((_, Sql::Text(id))) => id.clone(),
        _ => String::new(),
    };
    let mut messages = Vec::new();
    let query = "SELECT id, time_created, time_updated, data FROM message WHERE session_id = ?1 \
                 ORDER BY time_created, id";
    for row in rows(conn, query, &id)? {
        let query = "SELECT id, time_created, time_updated, data FROM part WHERE message_id = ?1 \
                     ORDER BY id";
        let parts = rows(conn, query, &row.id)?;
        messages.push(Message { row, parts });
    }
    Ok(Session {
        id,
        columns,
        messages,
    })
}

/// The `session` rows `filter` selects, every column.
fn session_rows(
    conn: &Connection,
    filter: &str,
    key: &[&str],
) -> io::Result<Vec<Vec<(String, Sql)>>> {
    let mut stmt = sql(conn.prepare(&format!("SELECT * FROM session WHERE {filter} ORDER BY id")))?;
    let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    let found = sql(stmt.query_map(params_from_iter(key), |r| {
        (0..names.len())
            .map(|i| Ok((names[i].clone(), r.get::<_, Sql>(i)?)))
            .collect::<rusqlite::Result<Vec<_>>>()
    }))?;
    sql(found.collect())
}

fn load_templates(db: &Path) -> io::Result<Vec<Template>> {
    let conn = open(db)?;
    let mut out = Vec::new();
    for columns in session_rows(&conn, "parent_id IS NULL", &[])? {
        let root = load_session(&conn, columns)?;
        let mut children = Vec::new();
        for columns in session_rows(&conn, "parent_id = ?1", &[root.id.as_str()])? {
            children.push(load_session(&conn, columns)?);
        }
        let cwd = match root.columns.iter().find(|(c, _)| c == "directory") {
            Some((_, Sql::Text(d))) => d.clone(),
            _ => "/".to_owned(),
        };
        let lo = root.messages.iter().map(|m| m.row.created).min();
        let hi = root.messages.iter().map(|m| m.row.updated).max();
        out.push(Template {
            span_ms: lo.zip(hi).map_or(60_000, |(lo, hi)| hi - lo + 1_000),
            root,
            children,
            cwd,
        });
    }
    Ok(out)
}

/// Generates opencode sessions whose rows' JSON is about `target_bytes` into
/// `xdg_data/opencode/opencode.db`.
pub fn generate(
    templates: &Path,
    xdg_data: &Path,
    target_bytes: u64,
    seed: u64,
) -> io::Result<Truth> {
    let dbs: Vec<PathBuf> = template_dirs(templates, |d| fixture_db(d).is_file())?
        .iter()
        .map(|d| fixture_db(d))
        .collect();
    let schema = load_schema(&dbs[0])?;
    let mut templates = Vec::new();
    for db in &dbs {
        templates.extend(load_templates(db)?);
    }
    let dir = xdg_data.join("opencode");
    fs::create_dir_all(&dir)?;
    let db = dir.join("opencode.db");
    for ext in ["db", "db-wal", "db-shm"] {
        let _ = fs::remove_file(db.with_extension(ext));
    }
    let mut conn = create(&db, &schema)?;
    let mut rng = Rng::new(seed);
    let projects = insert_projects(&conn, &mut rng)?;
    let mut truth = empty_truth(seed, target_bytes);
    while truth.bytes < target_bytes {
        let draw = Draw::new(&mut rng, templates.len());
        let t = &templates[draw.template];
        let tx = sql(conn.transaction())?;
        let (id, tokens, bytes) = write_session(&tx, t, &draw, &projects, &mut rng)?;
        sql(tx.commit())?;
        let main = PathBuf::from(format!("{}#{id}", db.display()));
        add_session(&mut truth, &id, main, &tokens);
        truth.bytes += bytes;
    }
    sql(conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())))?;
    drop(conn);
    truth.files = 1;
    Ok(truth)
}

fn fixture_db(dir: &Path) -> PathBuf {
    dir.join("opencode").join("opencode.db")
}

/// A new database in WAL mode with the fixture's schema and migrations.
fn create(db: &Path, schema: &Schema) -> io::Result<Connection> {
    let conn = sql(Connection::open(db))?;
    let mode: String = sql(conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(io::Error::other(format!("journal mode {mode}, not WAL")));
    }
    // A session's row sums up its messages, so it is written after them: every reference holds
    // once the session is written, not row by row.
    sql(conn.execute_batch("PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF"))?;
    for ddl in &schema.sql {
        sql(conn.execute_batch(ddl))?;
    }
    for (id, done) in &schema.migrations {
        sql(conn.execute(
            "INSERT INTO migration (id, time_completed) VALUES (?1, ?2)",
            params![id, done],
        ))?;
    }
    Ok(conn)
}

/// One `project` row per fake project; returns their ids by working directory.
fn insert_projects(conn: &Connection, rng: &mut Rng) -> io::Result<HashMap<&'static str, String>> {
    let mut ids = HashMap::new();
    for cwd in corpus::PROJECTS {
        let id = rng.hex(40);
        let at = 1_780_000_000_000_i64;
        sql(conn.execute(
            "INSERT INTO project (id, worktree, vcs, time_created, time_updated, sandboxes) \
             VALUES (?1, ?2, 'git', ?3, ?3, '[]')",
            params![id, cwd, at],
        ))?;
        ids.insert(cwd, id);
    }
    Ok(ids)
}

/// What a session's rows add up to.
#[derive(Default)]
struct Sums {
    cost: f64,
    /// input, output, reasoning, cache read, cache write (the session row's `tokens_*`).
    tokens: [u64; 5],
    updated: i64,
    bytes: u64,
    truth: Tokens,
}

/// Writes one session and its sub-agents; returns its id, truth and bytes of JSON.
fn write_session(
    tx: &Transaction<'_>,
    t: &Template,
    draw: &Draw,
    projects: &HashMap<&'static str, String>,
    rng: &mut Rng,
) -> io::Result<(String, Tokens, u64)> {
    let mut fixed = IdMap::new();
    for old in std::iter::once(&t.root.id).chain(t.children.iter().map(|c| &c.id)) {
        fixed.insert(old.clone(), shifted_id(old, draw.shift_ms, rng));
    }
    let paths = vec![(t.cwd.clone(), draw.cwd.to_owned())];
    let mut ids = Ids {
        rng,
        map: fixed,
        shift_ms: draw.shift_ms,
        paths: &paths,
    };
    let w = Writer {
        tx,
        per_mille: draw.per_mille,
        project: &projects[draw.cwd],
        cwd: draw.cwd,
    };
    let root = ids.map[&t.root.id].clone();
    let base = ids.map.clone();
    let mut first: Option<IdMap> = None;
    let mut sums = Sums::default();
    for repeat in 0..corpus::MAX_REPEATS {
        ids.map.clone_from(&base);
        ids.shift_ms = draw.shift_ms + repeat as i64 * t.span_ms;
        for m in &t.root.messages {
            w.message(m, &root, &mut ids, true, &mut sums)?;
        }
        first.get_or_insert_with(|| ids.map.clone());
        if sums.bytes >= draw.size_goal || t.root.messages.is_empty() {
            break;
        }
    }
    w.session(&t.root, &root, None, draw.shift_ms, &sums)?;
    let mut truth = sums.truth;
    let mut bytes = sums.bytes;
    let first = first.unwrap_or(base);
    for child in &t.children {
        ids.map.clone_from(&first);
        ids.shift_ms = draw.shift_ms;
        let id = ids.map[&child.id].clone();
        let mut sums = Sums::default();
        for m in &child.messages {
            w.message(m, &id, &mut ids, false, &mut sums)?;
        }
        w.session(child, &id, Some(&root), draw.shift_ms, &sums)?;
        truth.add(&sums.truth);
        bytes += sums.bytes;
    }
    Ok((root, truth, bytes))
}

/// Writes a session's rows.
struct Writer<'a, 'c> {
    tx: &'a Transaction<'c>,
    per_mille: u64,
    project: &'a str,
    cwd: &'a str,
}

impl Writer<'_, '_> {
    /// One message and its parts.
    fn message(
        &self,
        m: &Message,
        session: &str,
        ids: &mut Ids<'_>,
        pad: bool,
        sums: &mut Sums,
    ) -> io::Result<()> {
        let id = ids.id(&m.row.id, |rng, shift| shifted_id(&m.row.id, shift, rng));
        let mut data = m.row.data.clone();
        rewrite(&mut data, "", &mut Rw { ids: &mut *ids });
        if let Some(u) = self.scale(&mut data) {
            for (s, n) in sums.tokens.iter_mut().zip(u) {
                *s += n;
            }
            sums.cost += data.get("cost").and_then(Value::as_f64).unwrap_or(0.0);
            if data.get("role").and_then(Value::as_str) == Some("assistant") {
                sums.truth.add(&Tokens {
                    input: u[0],
                    output: u[1] + u[2],
                    cache_creation: u[4],
                    cache_read: u[3],
                    messages: 1,
                });
            }
        }
        let (created, updated) = (m.row.created + ids.shift_ms, m.row.updated + ids.shift_ms);
        sums.updated = sums.updated.max(updated);
        let text = data.to_string();
        sums.bytes += text.len() as u64;
        sql(self
            .tx
            .prepare_cached(INSERT_MESSAGE)
            .and_then(|mut s| s.execute(params![id, session, created, updated, text])))?;
        for p in &m.parts {
            let pid = ids.id(&p.id, |rng, shift| shifted_id(&p.id, shift, rng));
            let mut data = p.data.clone();
            rewrite(&mut data, "", &mut Rw { ids: &mut *ids });
            self.scale(&mut data);
            if pad {
                pad_tool(&mut data, ids.rng);
            }
            let text = data.to_string();
            sums.bytes += text.len() as u64;
            let (created, updated) = (p.created + ids.shift_ms, p.updated + ids.shift_ms);
            sql(self
                .tx
                .prepare_cached(INSERT_PART)
                .and_then(|mut s| s.execute(params![pid, id, session, created, updated, text])))?;
        }
        Ok(())
    }

    /// Scales `tokens` and `cost` of a message or step-finish part; returns input, output,
    /// reasoning, cache read and cache write.
    fn scale(&self, data: &mut Value) -> Option<[u64; 5]> {
        let pm = self.per_mille;
        let t = data.get_mut("tokens").filter(|t| t.is_object())?;
        let cache = t.get("cache").cloned().unwrap_or(Value::Null);
        let u = [
            scale(count(t, "input"), pm),
            scale(count(t, "output"), pm),
            scale(count(t, "reasoning"), pm),
            scale(count(&cache, "read"), pm),
            scale(count(&cache, "write"), pm),
        ];
        for (key, n) in [("input", u[0]), ("output", u[1]), ("reasoning", u[2])] {
            if let Some(v) = t.get_mut(key) {
                *v = Value::from(n);
            }
        }
        if let Some(c) = t.get_mut("cache").filter(|c| c.is_object()) {
            c["read"] = Value::from(u[3]);
            c["write"] = Value::from(u[4]);
        }
        if let Some(v) = t.get_mut("total") {
            *v = Value::from(u.iter().sum::<u64>());
        }
        if let Some(cost) = data.get("cost").and_then(Value::as_f64) {
            data["cost"] = Value::from(cost * pm as f64 / 1000.0);
        }
        Some(u)
    }

    /// The session's row: the template's, with its ids, place, times and sums.
    fn session(
        &self,
        t: &Session,
        id: &str,
        parent: Option<&str>,
        shift_ms: i64,
        sums: &Sums,
    ) -> io::Result<()> {
        let mut names = Vec::new();
        let mut values = Vec::new();
        for (name, value) in &t.columns {
            let int = |n: u64| Sql::Integer(n as i64);
            let value = match name.as_str() {
                "id" => Sql::Text(id.to_owned()),
                "parent_id" => parent.map_or(Sql::Null, |p| Sql::Text(p.to_owned())),
                "project_id" => Sql::Text(self.project.to_owned()),
                "directory" => Sql::Text(self.cwd.to_owned()),
                "cost" => Sql::Real(sums.cost),
                "tokens_input" => int(sums.tokens[0]),
                "tokens_output" => int(sums.tokens[1]),
                "tokens_reasoning" => int(sums.tokens[2]),
                "tokens_cache_read" => int(sums.tokens[3]),
                "tokens_cache_write" => int(sums.tokens[4]),
                "time_created" => match value {
                    Sql::Integer(t) => Sql::Integer(t + shift_ms),
                    other => other.clone(),
                },
                "time_updated" => Sql::Integer(sums.updated),
                _ => value.clone(),
            };
            names.push(name.as_str());
            values.push(value);
        }
        let marks: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
        let insert = format!(
            "INSERT INTO session ({}) VALUES ({})",
            names.join(", "),
            marks.join(", ")
        );
        sql(self.tx.execute(&insert, params_from_iter(values)))?;
        Ok(())
    }
}

/// Appends filler to half the tool parts' outputs (and bash's copy in its metadata).
fn pad_tool(part: &mut Value, rng: &mut Rng) {
    if part.get("type").and_then(Value::as_str) != Some("tool") {
        return;
    }
    let Some(n) = pad_len(rng) else {
        return;
    };
    let text = filler(n);
    for at in ["/state/output", "/state/metadata/output"] {
        if let Some(Value::String(out)) = part.pointer_mut(at) {
            out.push('\n');
            out.push_str(&text);
        }
    }
}

const ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// An opencode id like `old`, its time moved by `shift_ms`: 12 hex digits of (milliseconds ×
/// 4096 + counter) modulo 2^48, bitwise negated for `ses_` ids, then 14 random characters.
fn shifted_id(old: &str, shift_ms: i64, rng: &mut Rng) -> String {
    const MASK: u64 = (1 << 48) - 1;
    let (prefix, rest) = old.split_once('_').unwrap_or(("id", old));
    if prefix == "call" {
        return rng.token("call_");
    }
    let tail: String = (0..14)
        .map(|_| char::from(ALPHANUMERIC[rng.below(ALPHANUMERIC.len() as u64) as usize]))
        .collect();
    let Some(stamp) = rest.get(..12).and_then(|h| u64::from_str_radix(h, 16).ok()) else {
        return format!("{prefix}_{}{tail}", rng.hex(12));
    };
    let delta = (shift_ms.wrapping_mul(4096)) as u64 & MASK;
    let stamp = if prefix == "ses" {
        stamp.wrapping_sub(delta)
    } else {
        stamp.wrapping_add(delta)
    } & MASK;
    format!("{prefix}_{stamp:012x}{tail}")
}

/// opencode's ids and times in a template row's JSON.
struct Rw<'a, 'b> {
    ids: &'a mut Ids<'b>,
}

impl Rewriter for Rw<'_, '_> {
    fn string(&mut self, _key: &str, text: &str) -> Option<String> {
        let ids = &mut *self.ids;
        let replaced = OPENCODE_ID.find(text).map(|_| {
            OPENCODE_ID
                .replace_all(text, |c: &Captures<'_>| {
                    let old = &c[0];
                    ids.id(old, |rng, shift| shifted_id(old, shift, rng))
                })
                .into_owned()
        });
        let cur = replaced.as_deref().unwrap_or(text);
        ids.common(cur).or(replaced)
    }

    fn number(&mut self, key: &str, n: &serde_json::Number) -> Option<Value> {
        let v = n.as_i64().filter(|v| *v > 1_000_000_000_000)?;
        matches!(key, "created" | "completed" | "start" | "end" | "updated")
            .then(|| Value::from(v + self.ids.shift_ms))
    }

    fn key(&mut self, key: &str) -> Option<String> {
        self.ids.paths_in(key)
    }
}
