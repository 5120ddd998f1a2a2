//! Fixtures in formats the 0.61 CLI does not write by itself in a `-p` run, derived
//! deterministically from the recorded `shell_write_commit` session:
//!
//! - `legacy-json/`: the session as CLIs before the switch to JSONL (google-gemini/gemini-cli
//!   #23749, April 2026) saved it: one pretty-printed JSON object
//!   `{sessionId, projectHash, startTime, lastUpdated, messages}` (the CLI's `ConversationRecord`
//!   of that time: no `kind`, no `$set`/`$rewindTo` lines), `messages` holding each message once,
//!   as last written (the conversation the 0.61 loader replays from the JSONL), in
//!   `gemini/tmp/<projectHash>/chats/session-<time>-<id8>.json` (the project folder was the
//!   sha256 of the project path then; no `projects.json`, no `.project_root`).
//! - `rewind/`: the recorded files (projects.json and .project_root included) with three lines
//!   appended to the session: `{"$rewindTo": <id of the last gemini message>}` (removing it), a
//!   replacement `gemini` message with its own id and tokens, and a `$set` of `lastUpdated`.
//!   The session then counts the replacement, not the removed message (listed in
//!   `rewound_responses`). The real CLI's own rewind is in `v0.61.0-rewind/`.
//!
//! Each folder has its own `expected.json`.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::ScriptedUsage;
use super::record::{self, json_text, response_json, total_json};
use super::scenario::MAIN;
use super::session::Session;

/// The derived fixture folders (under `fixtures/gemini`).
pub const FOLDERS: [&str; 2] = ["legacy-json", "rewind"];

/// A file to write: path relative to `fixtures/gemini`, bytes.
type File = (PathBuf, Vec<u8>);

/// The usage of the replacement message in `rewind/`.
const REPLACEMENT: ScriptedUsage = ScriptedUsage {
    response_id: String::new(),
    thread: String::new(),
    input: 1847,
    cached: 1601,
    output: 31,
    thoughts: 7,
    tool: 0,
    total: 1847 + 31 + 7,
    rewound: false,
};

/// A recorded fixture: its folder and `expected.json`.
struct Source {
    folder: String,
    dir: PathBuf,
    expected: Value,
}

impl Source {
    fn load(scenario: &str) -> Option<Self> {
        let folder = record::folder(scenario);
        let dir = record::fixtures().join(&folder);
        let text = std::fs::read_to_string(dir.join("expected.json")).ok()?;
        Some(Self {
            folder,
            dir,
            expected: serde_json::from_str(&text).expect("expected.json"),
        })
    }

    fn thread(&self) -> &Value {
        let t = &self.expected["threads"][MAIN];
        assert!(t.is_object(), "{}: no main thread", self.folder);
        t
    }

    /// The session path, relative to the fixture folder.
    fn rel(&self) -> &str {
        self.thread()["rollout"].as_str().expect("rollout")
    }

    fn session(&self) -> Session {
        Session::load(&self.dir.join(self.rel()))
    }
}

fn expected(src: &Source, description: &str, thread: Value) -> Vec<u8> {
    let mut threads = Map::new();
    threads.insert(MAIN.into(), thread);
    json_text(&json!({
        "description": description,
        "derived_from": src.folder,
        "cli_version": src.expected["cli_version"],
        "scenario": src.expected["scenario"],
        "project": src.expected["project"],
        "threads": threads,
    }))
    .into_bytes()
}

fn legacy_json(src: &Source) -> Vec<File> {
    let folder = Path::new(FOLDERS[0]);
    let s = src.session();
    let meta = s.metadata();
    let hash = meta["projectHash"].as_str().expect("projectHash");
    let stem = Path::new(src.rel())
        .file_stem()
        .and_then(|n| n.to_str())
        .expect("session file name");
    let rel = format!("gemini/tmp/{hash}/chats/{stem}.json");
    let record = json!({
        "sessionId": meta["sessionId"],
        "projectHash": hash,
        "startTime": meta["startTime"],
        "lastUpdated": meta["lastUpdated"],
        "messages": s.conversation(),
    });
    let mut thread = src.thread().clone();
    thread["rollout"] = json!(rel);
    let description = "Derived from the recorded 0.61 shell_write_commit session as CLIs before \
        the switch to JSONL (April 2026) saved sessions: one JSON object {sessionId, \
        projectHash, startTime, lastUpdated, messages} in tmp/<sha256 of the project \
        path>/chats/session-<time>-<id8>.json, each message once as last written (no upserts, \
        no $set or $rewindTo lines, no `kind`). Same usage as the recorded fixture: each \
        gemini message's `tokens` (input includes cached; thoughts outside output; total = \
        input + output + thoughts + tool; `reasoning` repeats `thoughts`).";
    vec![
        (folder.join(&rel), json_text(&record).into_bytes()),
        (
            folder.join("expected.json"),
            expected(src, description, thread),
        ),
    ]
}

/// A UUID-shaped id derived from `seed` (deterministic).
fn derived_id(seed: &str) -> String {
    let h = super::checks::sha256_hex(seed);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// `timestamp` plus two seconds, in the CLI's format (`2026-12-05T06:49:12.436Z`).
fn later(timestamp: &str) -> String {
    let t = chrono::DateTime::parse_from_rfc3339(timestamp).expect("an RFC 3339 timestamp");
    (t + chrono::Duration::seconds(2))
        .with_timezone(&chrono::Utc)
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

fn rewind(src: &Source) -> Vec<File> {
    let folder = Path::new(FOLDERS[1]);
    let s = src.session();
    let gemini = s.gemini_messages();
    let removed = gemini.last().expect("a gemini message");
    let removed_id = removed["id"].as_str().expect("id");
    let when = later(removed["timestamp"].as_str().expect("timestamp"));
    let replacement = json!({
        "id": derived_id(&format!("rewind replacement of {removed_id}")),
        "timestamp": when,
        "type": "gemini",
        "content": "Committed hello.txt (answer given again after a rewind).",
        "thoughts": [],
        "tokens": {"input": REPLACEMENT.input, "output": REPLACEMENT.output,
            "cached": REPLACEMENT.cached, "thoughts": REPLACEMENT.thoughts,
            "tool": REPLACEMENT.tool, "total": REPLACEMENT.total},
        "model": removed["model"],
    });
    let mut text = std::fs::read_to_string(src.dir.join(src.rel())).expect("read the session");
    for line in [
        json!({"$rewindTo": removed_id}),
        replacement,
        json!({"$set": {"lastUpdated": when}}),
    ] {
        text.push_str(&serde_json::to_string(&line).expect("json"));
        text.push('\n');
    }

    let mut out: Vec<File> = Vec::new();
    let mut files = Vec::new();
    files_under(&src.dir.join("gemini"), &mut files);
    files.sort();
    for f in files {
        let rel = f
            .strip_prefix(&src.dir)
            .expect("in the fixture")
            .to_path_buf();
        let bytes = if rel == Path::new(src.rel()) {
            text.clone().into_bytes()
        } else {
            std::fs::read(&f).expect("read a recorded file")
        };
        out.push((folder.join(rel), bytes));
    }

    let mut thread = src.thread().clone();
    let mut responses: Vec<Value> = thread["responses"].as_array().expect("responses").clone();
    let gone = responses.pop().expect("the removed response");
    responses.push(response_json(&REPLACEMENT));
    thread["total"] = total_json(&responses);
    thread["responses"] = json!(responses);
    thread["rewound_responses"] = json!([gone]);
    let description = "Derived from the recorded 0.61 shell_write_commit session: three lines \
        appended, {\"$rewindTo\": <id of the last gemini message>} (the CLI's loader removes \
        that message and everything after it), a replacement gemini message with its own id \
        and tokens, and a $set of lastUpdated. `responses` is what the session holds after the \
        rewind: the first four responses and the replacement; the removed one is in \
        `rewound_responses` (still in the file, not counted). Token fields as in the recorded \
        fixture (input includes cached; thoughts outside output; total = input + output + \
        thoughts + tool; `reasoning` repeats `thoughts`).";
    out.push((
        folder.join("expected.json"),
        expected(src, description, thread),
    ));
    out
}

/// Every derived file, from the recorded fixtures; `None` when they are not recorded.
pub fn derive() -> Option<Vec<File>> {
    let shell = Source::load("shell_write_commit")?;
    let mut files = legacy_json(&shell);
    files.extend(rewind(&shell));
    Some(files)
}

/// Rewrites the derived folders.
pub fn write_all() {
    let files = derive().expect("the recorded fixtures (GIT_VOUCH_RECORD=gemini records them)");
    let root = record::fixtures();
    for folder in FOLDERS {
        let dir = root.join(folder);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).expect("remove a derived fixture");
        }
    }
    for (rel, bytes) in &files {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, bytes).expect("write a derived fixture");
    }
    for folder in FOLDERS {
        let dir = root.join(folder);
        let expected: Value = serde_json::from_slice(
            &std::fs::read(dir.join("expected.json")).expect("expected.json"),
        )
        .expect("expected.json is JSON");
        super::checks::check_fixture(&dir, &expected);
    }
    eprintln!("derived {} files into {}", files.len(), FOLDERS.join(", "));
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

/// The derived folders hold exactly what [`derive`] makes, byte for byte.
pub fn check_on_disk() {
    let Some(files) = derive() else {
        eprintln!("skipping: fixtures/gemini is not recorded (GIT_VOUCH_RECORD=gemini)");
        return;
    };
    let root = record::fixtures();
    let mut on_disk = Vec::new();
    for folder in FOLDERS {
        files_under(&root.join(folder), &mut on_disk);
    }
    let mut on_disk: Vec<PathBuf> = on_disk
        .iter()
        .map(|p| {
            p.strip_prefix(&root)
                .expect("under fixtures/gemini")
                .to_path_buf()
        })
        .collect();
    on_disk.sort();
    let mut made: Vec<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
    made.sort();
    assert_eq!(
        on_disk, made,
        "derived fixture files (GIT_VOUCH_RECORD=gemini-derived rewrites them)"
    );
    for (rel, bytes) in &files {
        let disk = std::fs::read(root.join(rel)).expect("read a derived fixture");
        assert!(
            disk == *bytes,
            "{} differs from its derivation (GIT_VOUCH_RECORD=gemini-derived rewrites it)",
            rel.display()
        );
    }
}
