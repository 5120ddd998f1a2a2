//! Google Gemini CLI chats for the mixed corpus (see `corpus_agents.rs`).
//!
//! The templates are the recorded JSONL chats of `fixtures/gemini/*/gemini/tmp/<project>/chats/`
//! (`session-*.jsonl`, and a sub-agent's chat in `chats/<parent session id>/<child id>.jsonl`),
//! one session per folder; `.project_root` names the template's working directory. Each
//! generated session:
//!
//! - gives the chat and each sub-agent's chat a fresh session id (the sub-agent's folder and the
//!   parent's `agentId` name the new one), every message id (UUIDs and the 32-hex id of the
//!   session context) and tool-call id (`<tool>__<tool>_<ms>_<n>`, its time shifted) a fresh one;
//! - repeats the chat's turns (from the first typed prompt on: model turns written twice under
//!   one id as they grow, tool results, `$set` and `$rewindTo` patches) until the file reaches the
//!   session's size, each repetition later, with fresh ids;
//! - scales every model turn's `tokens` (the total stays input + output + thoughts + tool);
//! - appends 200 to 8,000 bytes to half the tool outputs (the same for every copy of one call);
//! - lands in `tmp/<project>/chats/session-<time>-<id prefix>.jsonl` of one of the fake projects
//!   (`.project_root`, `projects.json` and `history/` written as Gemini CLI writes them).
//!
//! A sub-agent's chat is written once, with the ids of the parent's first repetition.
//!
//! The truth of a session: in each of its chats, the last record of every model message id
//! (rewound ones included: they were billed), input = input − cached + tool, output = output +
//! thoughts, cached read apart.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::corpus::{self, Rng, Tokens, Truth};
use crate::corpus_agents::{
    Draw, IdMap, Ids, Jsonl, Rewriter, add_session, count, empty_truth, filler, pad_len,
    read_jsonl, rewrite, scale_keys, span_ms, template_dirs,
};

/// One template session.
struct Template {
    /// The main chat: its header and what precedes the first typed prompt; the turns.
    head: Vec<Value>,
    turns: Vec<Value>,
    span_ms: i64,
    /// Each sub-agent's chat (header first).
    children: Vec<Vec<Value>>,
    /// The session ids of the chats, the main one's first.
    sessions: Vec<String>,
    cwd: String,
    /// The template's project folder name.
    slug: String,
}

/// `tmp/<project>` of a template folder, when it holds a JSONL chat.
fn project_dir(dir: &Path) -> Option<PathBuf> {
    let tmp = dir.join("gemini").join("tmp");
    corpus::sorted_entries(&tmp)
        .ok()?
        .into_iter()
        .find(|p| main_chat(p).is_some())
}

fn main_chat(project: &Path) -> Option<PathBuf> {
    corpus::sorted_entries(&project.join("chats"))
        .ok()?
        .into_iter()
        .find(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with("session-") && p.extension().is_some_and(|e| e == "jsonl")
        })
}

fn session_id(chat: &[Value]) -> Option<String> {
    chat.first()?.get("sessionId")?.as_str().map(str::to_owned)
}

fn load_template(dir: &Path) -> io::Result<Template> {
    let bad = || io::Error::new(io::ErrorKind::InvalidData, format!("{}", dir.display()));
    let project = project_dir(dir).ok_or_else(bad)?;
    let lines = read_jsonl(&main_chat(&project).ok_or_else(bad)?)?;
    let main_id = session_id(&lines).ok_or_else(bad)?;
    let mut children = Vec::new();
    let sub = project.join("chats").join(&main_id);
    if sub.is_dir() {
        for path in corpus::sorted_entries(&sub)? {
            if path.extension().is_some_and(|e| e == "jsonl") {
                children.push(read_jsonl(&path)?);
            }
        }
    }
    let mut sessions = vec![main_id];
    sessions.extend(children.iter().filter_map(|c| session_id(c)));
    let cwd = fs::read_to_string(project.join(".project_root"))?
        .trim()
        .to_owned();
    let is_prompt = |l: &Value| l.get("id").is_some() && l["type"] == "user";
    let start = lines
        .iter()
        .skip(1)
        .position(is_prompt)
        .map_or(lines.len(), |i| i + 1);
    let turns = lines[start..].to_vec();
    let ts = |l: &Value| l.get("timestamp")?.as_str().and_then(corpus::parse_ms);
    Ok(Template {
        span_ms: span_ms(&turns, ts),
        head: lines[..start].to_vec(),
        turns,
        children,
        sessions,
        cwd,
        slug: project
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    })
}

/// The project folder name Gemini CLI gives a working directory (its last component).
fn slug_of(cwd: &str) -> &str {
    cwd.rsplit('/').next().unwrap_or(cwd)
}

/// `projects.json`, and `.project_root` in `tmp/<project>` and `history/<project>`.
fn write_projects(gemini: &Path) -> io::Result<()> {
    let mut projects = serde_json::Map::new();
    for cwd in corpus::PROJECTS {
        let slug = slug_of(cwd);
        projects.insert(cwd.to_owned(), Value::from(slug));
        for place in ["tmp", "history"] {
            let dir = gemini.join(place).join(slug);
            fs::create_dir_all(&dir)?;
            fs::write(dir.join(".project_root"), cwd)?;
        }
    }
    let text =
        serde_json::to_vec_pretty(&json!({ "projects": projects })).map_err(io::Error::other)?;
    fs::write(gemini.join("projects.json"), text)
}

/// Generates Gemini CLI sessions of about `target_bytes` under `home` (a `GEMINI_CLI_HOME`).
pub fn generate(templates: &Path, home: &Path, target_bytes: u64, seed: u64) -> io::Result<Truth> {
    let templates: Vec<Template> = template_dirs(templates, |d| project_dir(d).is_some())?
        .iter()
        .map(|d| load_template(d))
        .collect::<io::Result<_>>()?;
    let gemini = home.join(".gemini");
    write_projects(&gemini)?;
    let mut rng = Rng::new(seed);
    let mut truth = empty_truth(seed, target_bytes);
    while truth.bytes < target_bytes {
        let draw = Draw::new(&mut rng, templates.len());
        let t = &templates[draw.template];
        let mut fixed = IdMap::new();
        for old in &t.sessions {
            fixed.insert(old.clone(), rng.uuid());
        }
        let slug = slug_of(draw.cwd);
        let paths = vec![
            (t.cwd.clone(), draw.cwd.to_owned()),
            (
                format!("/.gemini/tmp/{}", t.slug),
                format!("/.gemini/tmp/{slug}"),
            ),
        ];
        let mut session = Session {
            t,
            draw: &draw,
            chats: gemini.join("tmp").join(slug).join("chats"),
            pads: HashMap::new(),
            tokens: Tokens::default(),
            files: 0,
            bytes: 0,
        };
        let mut ids = Ids {
            rng: &mut rng,
            map: fixed,
            shift_ms: draw.shift_ms,
            paths: &paths,
        };
        let (id, main) = session.write(&mut ids)?;
        add_session(&mut truth, &id, main, &session.tokens);
        truth.files += session.files;
        truth.bytes += session.bytes;
    }
    Ok(truth)
}

/// One generated session being written.
struct Session<'a> {
    t: &'a Template,
    draw: &'a Draw,
    chats: PathBuf,
    /// How much each tool call's output is padded with, by generated call id.
    pads: HashMap<String, Option<usize>>,
    tokens: Tokens,
    files: u64,
    bytes: u64,
}

impl Session<'_> {
    /// Writes the main chat, then its sub-agents'; returns the session id and the main chat.
    fn write(&mut self, ids: &mut Ids<'_>) -> io::Result<(String, PathBuf)> {
        let t = self.t;
        let id = ids.map[&t.sessions[0]].clone();
        let path = self
            .chats
            .join(chat_name(t.head.first(), ids.shift_ms, &id));
        let mut chat = Chat::create(&path)?;
        for line in &t.head {
            chat.emit(line, ids, self.draw.per_mille, None)?;
        }
        let base = ids.map.clone();
        let mut first: Option<IdMap> = None;
        for repeat in 0..corpus::MAX_REPEATS {
            ids.map.clone_from(&base);
            ids.shift_ms = self.draw.shift_ms + repeat as i64 * t.span_ms;
            for line in &t.turns {
                chat.emit(line, ids, self.draw.per_mille, Some(&mut self.pads))?;
            }
            first.get_or_insert_with(|| ids.map.clone());
            if chat.out.bytes >= self.draw.size_goal || t.turns.is_empty() {
                break;
            }
        }
        self.done(chat)?;
        let first = first.unwrap_or(base);
        for child in &t.children {
            ids.map.clone_from(&first);
            ids.shift_ms = self.draw.shift_ms;
            let old = session_id(child).unwrap_or_default();
            let path = self
                .chats
                .join(&id)
                .join(format!("{}.jsonl", ids.uuid(&old)));
            let mut chat = Chat::create(&path)?;
            for line in child {
                chat.emit(line, ids, self.draw.per_mille, None)?;
            }
            self.done(chat)?;
        }
        Ok((id, path))
    }

    fn done(&mut self, chat: Chat) -> io::Result<()> {
        for tokens in chat.responses.values() {
            self.tokens.add(tokens);
        }
        self.bytes += chat.out.finish()?;
        self.files += 1;
        Ok(())
    }
}

/// `session-YYYY-MM-DDTHH-MM-<first 8 characters of the id>.jsonl`, at the header's start time.
fn chat_name(header: Option<&Value>, shift_ms: i64, id: &str) -> String {
    let start = header
        .and_then(|h| h.get("startTime"))
        .and_then(Value::as_str)
        .and_then(corpus::parse_ms)
        .unwrap_or(0)
        + shift_ms;
    let t = chrono::DateTime::from_timestamp_millis(start).unwrap_or_default();
    let prefix: String = id.chars().take(8).collect();
    format!("session-{}-{prefix}.jsonl", t.format("%Y-%m-%dT%H-%M"))
}

/// One chat file being written, with the last tokens of each model message id.
struct Chat {
    out: Jsonl,
    responses: HashMap<String, Tokens>,
}

impl Chat {
    fn create(path: &Path) -> io::Result<Self> {
        Ok(Self {
            out: Jsonl::create(path)?,
            responses: HashMap::new(),
        })
    }

    fn emit(
        &mut self,
        template: &Value,
        ids: &mut Ids<'_>,
        per_mille: u64,
        pads: Option<&mut HashMap<String, Option<usize>>>,
    ) -> io::Result<()> {
        let mut line = template.clone();
        rewrite(&mut line, "", &mut Rw { ids: &mut *ids });
        if let Some(pads) = pads {
            pad_responses(&mut line, pads, ids.rng);
        }
        let listed = line
            .pointer_mut("/$set/messages")
            .and_then(Value::as_array_mut);
        for m in listed.into_iter().flatten() {
            self.message(m, per_mille);
        }
        if line.get("id").is_some() && line.get("type").is_some() {
            self.message(&mut line, per_mille);
        }
        self.out.line(&line)
    }

    /// Scales a message's tokens; a model turn's are its id's latest.
    fn message(&mut self, m: &mut Value, per_mille: u64) {
        if m.get("type").and_then(Value::as_str) != Some("gemini") {
            return;
        }
        let Some(t) = m.get_mut("tokens").filter(|t| t.is_object()) else {
            return;
        };
        scale_keys(
            t,
            &["input", "output", "cached", "thoughts", "tool"],
            per_mille,
        );
        let n = |k: &str| count(t, k);
        let total = n("input") + n("output") + n("thoughts") + n("tool");
        let cached = n("cached").min(n("input"));
        let tokens = Tokens {
            input: n("input") - cached + n("tool"),
            output: n("output") + n("thoughts"),
            cache_creation: 0,
            cache_read: cached,
            messages: 1,
        };
        if let Some(v) = t.get_mut("total") {
            *v = Value::from(total);
        }
        if let Some(id) = m.get("id").and_then(Value::as_str) {
            self.responses.insert(id.to_owned(), tokens);
        }
    }
}

/// Pads every `functionResponse` output, by call id.
fn pad_responses(v: &mut Value, pads: &mut HashMap<String, Option<usize>>, rng: &mut Rng) {
    match v {
        Value::Object(map) => {
            if let Some(r) = map.get_mut("functionResponse") {
                let id = r.get("id").and_then(Value::as_str).unwrap_or("").to_owned();
                let n = *pads.entry(id).or_insert_with(|| pad_len(rng));
                if let (Some(n), Some(Value::String(text))) = (n, r.pointer_mut("/response/output"))
                {
                    text.push('\n');
                    text.push_str(&filler(n));
                }
                return;
            }
            for item in map.values_mut() {
                pad_responses(item, pads, rng);
            }
        }
        Value::Array(items) => {
            for item in items {
                pad_responses(item, pads, rng);
            }
        }
        _ => {}
    }
}

/// Gemini CLI's ids and times in a template record.
struct Rw<'a, 'b> {
    ids: &'a mut Ids<'b>,
}

/// `run_shell_command__run_shell_command_1796454673971_0`: (prefix, milliseconds, index).
fn call_id(text: &str) -> Option<(&str, u64, &str)> {
    let mut parts = text.rsplitn(3, '_');
    let n = parts.next()?;
    let ms = parts.next()?;
    let prefix = parts.next()?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (ms.len() == 13 && digits(ms) && digits(n)).then(|| (prefix, ms.parse().unwrap_or(0), n))
}

impl Rewriter for Rw<'_, '_> {
    fn string(&mut self, key: &str, text: &str) -> Option<String> {
        if key == "id" {
            if text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Some(self.ids.id(text, |rng, _| rng.hex(32)));
            }
            if let Some((prefix, ms, n)) = call_id(text) {
                return Some(self.ids.id(text, |_, shift| {
                    format!("{prefix}_{}_{n}", ms.saturating_add_signed(shift))
                }));
            }
        }
        self.ids.common(text)
    }
}
