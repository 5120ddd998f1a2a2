//! Just enough of a Gemini CLI session reader for the harness's own checks (independent of
//! git-vouch's parser, which is what the tests are meant to hold to account): the lines as
//! JSON, and the conversation replayed exactly as the CLI's own loader
//! (`loadConversationRecord` in `packages/core/src/services/chatRecordingService.ts`) does:
//!
//! - line 1 is the header `{sessionId, projectHash, startTime, lastUpdated, kind, directories?}`;
//! - a line with an `id` is a message, upserted: a later line with the same `id` replaces it in
//!   place (the CLI writes a `gemini` message again once its tool calls have run);
//! - `{"$rewindTo": id}` removes that message and every one after it (all, if `id` is unknown);
//! - `{"$set": {…}}` patches the metadata; a `$set` with `messages` replaces the whole list.
//!
//! A legacy session (`session-*.json`, one object with `messages`) is read as its messages.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// One session file, parsed.
pub struct Session {
    pub path: PathBuf,
    /// Each line (in order); for a legacy `.json` file, its one object.
    pub lines: Vec<Value>,
}

/// The `tokens` of a `gemini` message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tokens {
    pub input: u64,
    pub output: u64,
    pub cached: u64,
    pub thoughts: u64,
    pub tool: u64,
    pub total: u64,
}

impl Tokens {
    pub fn of(v: &Value) -> Self {
        let n = |k: &str| {
            v[k].as_u64()
                .unwrap_or_else(|| panic!("no tokens.{k} in {v}"))
        };
        Self {
            input: n("input"),
            output: n("output"),
            cached: n("cached"),
            thoughts: n("thoughts"),
            tool: n("tool"),
            total: n("total"),
        }
    }

    pub fn add(self, o: Self) -> Self {
        Self {
            input: self.input + o.input,
            output: self.output + o.output,
            cached: self.cached + o.cached,
            thoughts: self.thoughts + o.thoughts,
            tool: self.tool + o.tool,
            total: self.total + o.total,
        }
    }
}

/// The session files under `dir` (`~/.gemini/tmp`): `*.jsonl` and legacy `session-*.json` in
/// any `chats/` folder or below it (a subagent's file is in `chats/<parent session id>/`),
/// sorted.
pub fn find(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if in_chats(&p) && is_session(&p) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn in_chats(path: &Path) -> bool {
    path.ancestors()
        .any(|a| a.file_name().is_some_and(|n| n == "chats"))
}

fn is_session(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let ext = path.extension().and_then(|e| e.to_str());
    ext == Some("jsonl") || (ext == Some("json") && name.starts_with("session-"))
}

impl Session {
    pub fn load(path: &Path) -> Self {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let lines = if path.extension().is_some_and(|e| e == "json") {
            vec![serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))]
        } else {
            text.lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .map(|(i, l)| {
                    serde_json::from_str(l)
                        .unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), i + 1))
                })
                .collect()
        };
        Self {
            path: path.to_path_buf(),
            lines,
        }
    }

    pub fn is_legacy(&self) -> bool {
        self.path.extension().is_some_and(|e| e == "json")
    }

    /// The first line: `sessionId`, `projectHash`, `startTime`, `lastUpdated`, `kind`.
    pub fn header(&self) -> &Value {
        let first = &self.lines[0];
        assert!(
            first["sessionId"].is_string() && first["projectHash"].is_string(),
            "{}: no session header: {first}",
            self.path.display()
        );
        first
    }

    pub fn session_id(&self) -> &str {
        self.header()["sessionId"].as_str().expect("sessionId")
    }

    /// `main` or `subagent` (`main` for a legacy file, which has no `kind`).
    pub fn kind(&self) -> &str {
        self.header()["kind"].as_str().unwrap_or("main")
    }

    /// The message lines (with an `id`), every write, in file order.
    pub fn message_lines(&self) -> Vec<&Value> {
        if self.is_legacy() {
            return self.lines[0]["messages"]
                .as_array()
                .into_iter()
                .flatten()
                .collect();
        }
        self.lines.iter().filter(|l| l["id"].is_string()).collect()
    }

    /// Every write of message `id`, in file order.
    pub fn writes(&self, id: &str) -> Vec<&Value> {
        self.message_lines()
            .into_iter()
            .filter(|l| l["id"] == id)
            .collect()
    }

    /// The conversation as the CLI loads it: each message once, at its first position, as last
    /// written; rewinds and `$set.messages` applied.
    pub fn conversation(&self) -> Vec<Value> {
        if self.is_legacy() {
            return self.message_lines().into_iter().cloned().collect();
        }
        let mut messages: Vec<Value> = Vec::new();
        for line in &self.lines[1..] {
            if let Some(to) = line["$rewindTo"].as_str() {
                let at = messages.iter().position(|m| m["id"] == to);
                messages.truncate(at.unwrap_or(0));
            } else if line["id"].is_string() {
                upsert(&mut messages, line.clone());
            } else if let Some(list) = line["$set"]["messages"].as_array() {
                messages.clear();
                for m in list.iter().filter(|m| m["id"].is_string()) {
                    upsert(&mut messages, m.clone());
                }
            }
        }
        messages
    }

    /// The conversation's `gemini` messages.
    pub fn gemini_messages(&self) -> Vec<Value> {
        self.conversation()
            .into_iter()
            .filter(|m| m["type"] == "gemini")
            .collect()
    }

    /// The tool calls of the conversation's `gemini` messages, in order.
    pub fn tool_calls(&self) -> Vec<Value> {
        self.gemini_messages()
            .iter()
            .flat_map(|m| m["toolCalls"].as_array().cloned().unwrap_or_default())
            .collect()
    }

    /// The metadata after every `$set` (the header patched in order).
    pub fn metadata(&self) -> Value {
        let mut meta = self.header().clone();
        if self.is_legacy() {
            return meta;
        }
        let obj = meta.as_object_mut().expect("header object");
        for line in &self.lines[1..] {
            if let Some(set) = line["$set"].as_object() {
                for (k, v) in set {
                    obj.insert(k.clone(), v.clone());
                }
            }
        }
        meta
    }

    /// The ids of the `$rewindTo` lines, in order.
    pub fn rewinds(&self) -> Vec<&str> {
        self.lines
            .iter()
            .filter_map(|l| l["$rewindTo"].as_str())
            .collect()
    }
}

fn upsert(messages: &mut Vec<Value>, m: Value) {
    match messages.iter_mut().find(|x| x["id"] == m["id"]) {
        Some(slot) => *slot = m,
        None => messages.push(m),
    }
}

/// The files the conversation's `write_file`/`replace` calls changed: `(path, kind)` with kind
/// `add` (`resultDisplay.isNewFile`) or `update`, in order.
pub fn file_changes(session: &Session) -> Vec<(String, &'static str)> {
    session
        .tool_calls()
        .iter()
        .filter_map(|c| {
            let d = &c["resultDisplay"];
            let path = d["filePath"].as_str()?;
            let kind = if d["isNewFile"] == true {
                "add"
            } else {
                "update"
            };
            Some((path.to_owned(), kind))
        })
        .collect()
}
