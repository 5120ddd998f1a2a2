//! `fixtures/opencode/legacy-json/`: the recorded databases' sessions in the JSON storage
//! layout opencode wrote before 1.2 (the 1.2 release moved everything into `opencode.db` and
//! migrated the files once; the migration was removed in 1.16). Derived deterministically from
//! the recorded fixtures, so that a reader's JSON fallback is held to the same figures.
//!
//! The layout and shapes follow opencode's own code of the JSON era
//! (`packages/opencode/src/storage/storage.ts`, `session/index.ts`) and its JSON→SQLite
//! migration (`storage/json-migration.ts`), which read exactly these files:
//!
//! - `opencode/storage/project/<projectID>.json`: `{id, worktree, vcs, sandboxes, time{created,
//!   updated}}` (from the `project` row);
//! - `opencode/storage/session/<projectID>/<sessionID>.json`: `Session.Info` `{id, slug,
//!   version, projectID, directory, parentID?, title, summary{additions, deletions, files},
//!   permission?, time{created, updated}}` (from the `session` row; the JSON era had no
//!   session token or cost totals: those columns came with 1.16);
//! - `opencode/storage/message/<sessionID>/<messageID>.json`: `message.data` plus `id` and
//!   `sessionID`;
//! - `opencode/storage/part/<messageID>/<partID>.json`: `part.data` plus `id`, `messageID`
//!   and `sessionID`.
//!
//! opencode wrote each file with `JSON.stringify(value, null, 2)` (no final newline); here the
//! keys are also sorted, at every level, so the output is reproducible. `expected.json` has the
//! recorded fixtures' threads, keyed `<scenario>/<thread>`.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::record::{self, json_text, provider_json, token_mapping};
use super::scenario::SCENARIOS;
use super::store::Store;

/// The derived fixture folder (under `fixtures/opencode`).
pub const FOLDER: &str = "legacy-json";

/// A file to write: path relative to `fixtures/opencode`, bytes.
type File = (PathBuf, Vec<u8>);

/// `value` with the keys of every object sorted.
pub fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for k in keys {
                out.insert(k.clone(), sorted(&m[k]));
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// A storage file's text: pretty-printed (two spaces), keys sorted, no final newline.
fn storage_text(value: &Value) -> Vec<u8> {
    serde_json::to_string_pretty(&sorted(value))
        .expect("json")
        .into_bytes()
}

/// A JSON text column (`"[]"`) as its value.
fn parsed(v: &Value) -> Value {
    v.as_str().map_or(Value::Null, |s| {
        serde_json::from_str(s).expect("a JSON column")
    })
}

fn project_json(row: &Value) -> Value {
    let mut p = json!({
        "id": row["id"],
        "worktree": row["worktree"],
        "vcs": row["vcs"],
        "sandboxes": parsed(&row["sandboxes"]),
        "time": {"created": row["time_created"], "updated": row["time_updated"]},
    });
    if !row["name"].is_null() {
        p["name"] = row["name"].clone();
    }
    if !row["time_initialized"].is_null() {
        p["time"]["initialized"] = row["time_initialized"].clone();
    }
    p
}

fn session_json(row: &Map<String, Value>) -> Value {
    let mut s = json!({
        "id": row["id"],
        "slug": row["slug"],
        "version": row["version"],
        "projectID": row["project_id"],
        "directory": row["directory"],
        "title": row["title"],
        "time": {"created": row["time_created"], "updated": row["time_updated"]},
    });
    if !row["parent_id"].is_null() {
        s["parentID"] = row["parent_id"].clone();
    }
    if !row["summary_additions"].is_null() {
        s["summary"] = json!({"additions": row["summary_additions"],
            "deletions": row["summary_deletions"], "files": row["summary_files"]});
        if !row["summary_diffs"].is_null() {
            s["summary"]["diffs"] = parsed(&row["summary_diffs"]);
        }
    }
    if !row["permission"].is_null() {
        s["permission"] = parsed(&row["permission"]);
    }
    for (col, key) in [
        ("time_compacting", "compacting"),
        ("time_archived", "archived"),
    ] {
        if !row[col].is_null() {
            s["time"][key] = row[col].clone();
        }
    }
    s
}

/// `data` with ids added, as the JSON era stored a message or part.
fn with_ids(data: &Value, ids: &[(&str, &str)]) -> Value {
    let mut v = data.clone();
    for (k, id) in ids {
        v[*k] = json!(id);
    }
    v
}

/// The storage files of one recorded database.
fn storage_files(store: &Store) -> Vec<File> {
    let root = Path::new(FOLDER).join("opencode/storage");
    let mut out = Vec::new();
    for p in &store.projects {
        let id = p["id"].as_str().expect("project.id");
        out.push((
            root.join(format!("project/{id}.json")),
            storage_text(&project_json(p)),
        ));
    }
    for s in &store.sessions {
        let row = s.row.as_ref().expect("a DB row");
        out.push((
            root.join(format!("session/{}/{}.json", s.project_id, s.id)),
            storage_text(&session_json(row)),
        ));
    }
    for m in &store.messages {
        let v = with_ids(&m.data, &[("id", &m.id), ("sessionID", &m.session_id)]);
        out.push((
            root.join(format!("message/{}/{}.json", m.session_id, m.id)),
            storage_text(&v),
        ));
    }
    for p in &store.parts {
        let ids = [
            ("id", p.id.as_str()),
            ("messageID", p.message_id.as_str()),
            ("sessionID", p.session_id.as_str()),
        ];
        out.push((
            root.join(format!("part/{}/{}.json", p.message_id, p.id)),
            storage_text(&with_ids(&p.data, &ids)),
        ));
    }
    out
}

/// Every derived file, from the recorded fixtures; `None` when they are not recorded.
pub fn derive() -> Option<Vec<File>> {
    let mut files = Vec::new();
    let mut threads = Map::new();
    let mut sources = Vec::new();
    let mut cli_version = Value::Null;
    for name in SCENARIOS {
        let db = record::fixture_db(name);
        let dir = record::fixtures().join(record::folder(name));
        let text = std::fs::read_to_string(dir.join("expected.json")).ok()?;
        if !db.exists() {
            return None;
        }
        let expected: Value = serde_json::from_str(&text).expect("expected.json");
        let store = Store::from_db(&db);
        files.extend(storage_files(&store));
        for (thread, t) in expected["threads"].as_object().expect("threads") {
            threads.insert(format!("{name}/{thread}"), t.clone());
        }
        sources.push(record::folder(name));
        cli_version = expected["cli_version"].clone();
    }
    let description = "Derived from the recorded databases (derived_from) as opencode before 1.2 \
        stored sessions: JSON files under opencode/storage/ (project/<projectID>.json, \
        session/<projectID>/<sessionID>.json, message/<sessionID>/<messageID>.json = \
        message.data + id + sessionID, part/<messageID>/<partID>.json = part.data + id + \
        messageID + sessionID), keys sorted. Same sessions, messages, ids, tokens and costs as \
        the databases; the session files carry no token or cost totals (the JSON era had none). \
        `threads` are the recorded fixtures' threads, keyed <scenario>/<thread>.";
    let expected = json!({
        "description": description,
        "derived_from": sources,
        "cli_version": cli_version,
        "provider": provider_json(),
        "token_mapping": token_mapping(),
        "threads": threads,
    });
    files.push((
        Path::new(FOLDER).join("expected.json"),
        json_text(&expected).into_bytes(),
    ));
    Some(files)
}

/// Rewrites the derived folder.
pub fn write_all() {
    let files = derive().expect("the recorded fixtures (GIT_VOUCH_RECORD=opencode records them)");
    let root = record::fixtures();
    let dir = root.join(FOLDER);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("remove the derived fixture");
    }
    for (rel, bytes) in &files {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, bytes).expect("write a derived fixture");
    }
    eprintln!("derived {} files into {FOLDER}", files.len());
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The derived folder holds exactly what [`derive`] makes, byte for byte.
pub fn check_on_disk() {
    let Some(files) = derive() else {
        eprintln!("skipping: fixtures/opencode is not recorded (GIT_VOUCH_RECORD=opencode)");
        return;
    };
    let root = record::fixtures();
    let mut on_disk = Vec::new();
    files_under(&root.join(FOLDER), &mut on_disk);
    let mut on_disk: Vec<PathBuf> = on_disk
        .iter()
        .map(|p| {
            p.strip_prefix(&root)
                .expect("under fixtures/opencode")
                .to_path_buf()
        })
        .collect();
    on_disk.sort();
    let mut made: Vec<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
    made.sort();
    assert_eq!(
        on_disk, made,
        "derived fixture files (GIT_VOUCH_RECORD=opencode-derived rewrites them)"
    );
    for (rel, bytes) in &files {
        let disk = std::fs::read(root.join(rel)).expect("read a derived fixture");
        assert!(
            disk == *bytes,
            "{} differs from its derivation (GIT_VOUCH_RECORD=opencode-derived rewrites it)",
            rel.display()
        );
    }
}
