//! OpenAI Codex CLI rollouts for the mixed corpus (see `corpus_agents.rs`).
//!
//! The templates are the recorded rollouts of `fixtures/codex/*` that bill by
//! `token_usage_record` (Codex 0.171: `v0.171.0-shell_patch_commit`, `v0.171.0-subagent`), one
//! session per folder: a root thread, and the sub-agents whose `session_meta` names it. Each
//! generated session:
//!
//! - gives every thread a fresh UUIDv7 id stamped at its shifted creation time (the reader tells a
//!   child's own turns from its copy of the parent by that order), and every turn id and item id
//!   (`msg_…`, `fc_…`: UUIDv7 as well, their time shifted), response id, call id and message id a
//!   fresh one;
//! - repeats the root thread's task (`task_started` to `task_complete`) until its rollout reaches
//!   the session's size, each repetition later, with fresh ids and ordinals that go on counting;
//! - scales every `token_usage_record.usage` and `token_count.last_token_usage`, and recomputes
//!   the running totals (`turn_token_usage`, `thread_token_usage`, `total_token_usage`) from them
//!   as Codex keeps them;
//! - appends 200 to 8,000 bytes to half the root thread's tool outputs;
//! - writes each thread to `sessions/YYYY/MM/DD/rollout-<time>-<thread id>.jsonl` at its shifted
//!   start, the working directory replaced by one of the fake projects everywhere.
//!
//! A sub-agent's rollout is written once, with the root's first repetition's ids in its copy of
//! the parent's history. It keeps the template's ordinals, so `subagent_history_start_ordinal`
//! still says where its own lines start.
//!
//! The truth of a session: the `token_usage_record` usages of its threads' own lines (cached and
//! cache-write input are parts of input, reasoning is part of output).

use std::io;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::corpus::{self, Rng, Tokens, Truth};
use crate::corpus_agents::{
    Draw, IdMap, Ids, Jsonl, Rewriter, add_session, empty_truth, filler, pad_len, read_jsonl,
    rewrite, scale, span_ms, template_dirs, uuid_v7, uuid_v7_ms,
};

/// Codex's usage counts, in the order it writes them.
const USAGE_KEYS: [&str; 6] = [
    "input_tokens",
    "cached_input_tokens",
    "cache_write_input_tokens",
    "output_tokens",
    "reasoning_output_tokens",
    "total_tokens",
];

/// One template thread.
struct Thread {
    lines: Vec<Value>,
    /// Its first own ordinal (a sub-agent's copy of its parent comes before).
    own_from: Option<u64>,
}

/// One template session.
struct Template {
    /// The root thread: `session_meta` and what precedes its first task; the task; the rest.
    head: Vec<Value>,
    turns: Vec<Value>,
    tail: Vec<Value>,
    span_ms: i64,
    children: Vec<Thread>,
    /// The session's thread ids, the root's first.
    threads: Vec<String>,
    cwd: String,
}

fn rollouts(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for path in corpus::sorted_entries(dir)? {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            rollouts(&path, out)?;
        } else if name.starts_with("rollout-") && path.extension().is_some_and(|e| e == "jsonl") {
            out.push(path);
        }
    }
    Ok(())
}

/// A folder whose rollouts (plain, at least one) all bill by `token_usage_record`.
fn bills_by_record(dir: &Path) -> bool {
    let mut files = Vec::new();
    rollouts(&dir.join("sessions"), &mut files).is_ok()
        && !files.is_empty()
        && files
            .iter()
            .all(|f| std::fs::read_to_string(f).is_ok_and(|t| t.contains("\"token_usage_record\"")))
}

fn payload_str<'a>(line: &'a Value, key: &str) -> Option<&'a str> {
    line.get("payload")?.get(key)?.as_str()
}

/// The thread a rollout's `session_meta` says it descends from.
fn parent_of(meta: &Value) -> Option<&str> {
    payload_str(meta, "parent_thread_id")
        .or_else(|| payload_str(meta, "forked_from_id"))
        .or_else(|| {
            meta.pointer("/payload/source/subagent/thread_spawn/parent_thread_id")
                .and_then(Value::as_str)
        })
}

fn is_event(line: &Value, kind: &str) -> bool {
    line.get("type").and_then(Value::as_str) == Some("event_msg")
        && payload_str(line, "type") == Some(kind)
}

fn load_template(dir: &Path) -> io::Result<Template> {
    let mut files = Vec::new();
    rollouts(&dir.join("sessions"), &mut files)?;
    let mut threads: Vec<Vec<Value>> = files
        .iter()
        .map(|f| read_jsonl(f))
        .collect::<io::Result<_>>()?;
    let bad = || io::Error::new(io::ErrorKind::InvalidData, format!("{}", dir.display()));
    let root = threads
        .iter()
        .position(|t| t.first().is_some_and(|m| parent_of(m).is_none()))
        .ok_or_else(bad)?;
    let lines = threads.remove(root);
    let id_of = |t: &[Value]| {
        t.first()
            .and_then(|m| payload_str(m, "id"))
            .map(str::to_owned)
    };
    let mut ids = vec![id_of(&lines).ok_or_else(bad)?];
    ids.extend(threads.iter().filter_map(|t| id_of(t)));
    let cwd = lines
        .first()
        .and_then(|m| payload_str(m, "cwd"))
        .unwrap_or("/")
        .to_owned();
    let first = lines.iter().position(|l| is_event(l, "task_started"));
    let last = lines.iter().rposition(|l| is_event(l, "task_complete"));
    let (head, turns, tail) = match (first, last) {
        (Some(f), Some(l)) if l >= f => (
            lines[..f].to_vec(),
            lines[f..=l].to_vec(),
            lines[l + 1..].to_vec(),
        ),
        _ => (lines, Vec::new(), Vec::new()),
    };
    let ts = |l: &Value| l.get("timestamp")?.as_str().and_then(corpus::parse_ms);
    let children = threads
        .into_iter()
        .map(|lines| Thread {
            own_from: lines.first().and_then(|m| {
                m.pointer("/payload/subagent_history_start_ordinal")
                    .and_then(Value::as_u64)
            }),
            lines,
        })
        .collect();
    Ok(Template {
        span_ms: span_ms(&turns, ts),
        head,
        turns,
        tail,
        children,
        threads: ids,
        cwd,
    })
}

/// Generates Codex sessions of about `target_bytes` under `home` (a `CODEX_HOME`).
pub fn generate(templates: &Path, home: &Path, target_bytes: u64, seed: u64) -> io::Result<Truth> {
    let templates: Vec<Template> = template_dirs(templates, bills_by_record)?
        .iter()
        .map(|d| load_template(d))
        .collect::<io::Result<_>>()?;
    let mut rng = Rng::new(seed);
    let mut truth = empty_truth(seed, target_bytes);
    while truth.bytes < target_bytes {
        let draw = Draw::new(&mut rng, templates.len());
        let t = &templates[draw.template];
        let mut fixed = IdMap::new();
        for old in &t.threads {
            let ms = uuid_v7_ms(old).unwrap_or(0);
            let new = uuid_v7(&mut rng, ms.saturating_add_signed(draw.shift_ms));
            fixed.insert(old.clone(), new);
        }
        let paths = vec![(t.cwd.clone(), draw.cwd.to_owned())];
        let mut session = Session {
            t,
            draw: &draw,
            home,
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
    home: &'a Path,
    tokens: Tokens,
    files: u64,
    bytes: u64,
}

impl Session<'_> {
    /// Writes the root thread, then its sub-agents; returns the session id and the root's file.
    fn write(&mut self, ids: &mut Ids<'_>) -> io::Result<(String, PathBuf)> {
        let t = self.t;
        let id = ids.map[&t.threads[0]].clone();
        let start = t
            .head
            .first()
            .map_or(ids.shift_ms, |m| start_ms(m, ids.shift_ms));
        let path = rollout_path(self.home, start, &id);
        let mut out = Jsonl::create(&path)?;
        let mut m = Meter {
            ordinal: Some(0),
            ..Meter::default()
        };
        let pm = self.draw.per_mille;
        for line in &t.head {
            emit(line, ids, &mut m, pm, false, &mut out)?;
        }
        let base = ids.map.clone();
        let mut first: Option<IdMap> = None;
        for repeat in 0..corpus::MAX_REPEATS {
            ids.map.clone_from(&base);
            ids.shift_ms = self.draw.shift_ms + repeat as i64 * t.span_ms;
            for line in &t.turns {
                emit(line, ids, &mut m, pm, true, &mut out)?;
            }
            first.get_or_insert_with(|| ids.map.clone());
            if out.bytes >= self.draw.size_goal || t.turns.is_empty() {
                break;
            }
        }
        for line in &t.tail {
            emit(line, ids, &mut m, pm, false, &mut out)?;
        }
        self.done(out.finish()?, &m.tokens);
        let first = first.unwrap_or(base);
        for child in &t.children {
            ids.map.clone_from(&first);
            ids.shift_ms = self.draw.shift_ms;
            self.write_child(child, ids)?;
        }
        Ok((id, path))
    }

    fn write_child(&mut self, child: &Thread, ids: &mut Ids<'_>) -> io::Result<()> {
        let Some(meta) = child.lines.first() else {
            return Ok(());
        };
        let old = payload_str(meta, "id").unwrap_or_default();
        let id = ids.uuid(old);
        let path = rollout_path(self.home, start_ms(meta, ids.shift_ms), &id);
        let mut out = Jsonl::create(&path)?;
        let mut m = Meter {
            own_from: child.own_from,
            ..Meter::default()
        };
        for line in &child.lines {
            emit(line, ids, &mut m, self.draw.per_mille, false, &mut out)?;
        }
        self.done(out.finish()?, &m.tokens);
        Ok(())
    }

    fn done(&mut self, bytes: u64, tokens: &Tokens) {
        self.files += 1;
        self.bytes += bytes;
        self.tokens.add(tokens);
    }
}

/// The shifted time of a rollout's first line.
fn start_ms(meta: &Value, shift_ms: i64) -> i64 {
    meta.get("timestamp")
        .and_then(Value::as_str)
        .and_then(corpus::parse_ms)
        .unwrap_or(0)
        + shift_ms
}

/// `sessions/YYYY/MM/DD/rollout-YYYY-MM-DDTHH-MM-SS-<id>.jsonl`, as Codex names a rollout.
fn rollout_path(home: &Path, start_ms: i64, id: &str) -> PathBuf {
    let t = chrono::DateTime::from_timestamp_millis(start_ms).unwrap_or_default();
    home.join("sessions")
        .join(t.format("%Y/%m/%d").to_string())
        .join(format!(
            "rollout-{}-{id}.jsonl",
            t.format("%Y-%m-%dT%H-%M-%S")
        ))
}

/// One thread's running totals and truth.
#[derive(Default)]
struct Meter {
    /// The next ordinal to write (the root's lines are renumbered; a child's keep theirs).
    ordinal: Option<u64>,
    own_from: Option<u64>,
    thread: [u64; 6],
    turn: [u64; 6],
    counted: [u64; 6],
    tokens: Tokens,
}

/// Writes one template line, remapped, renumbered, its usage scaled and counted.
fn emit(
    template: &Value,
    ids: &mut Ids<'_>,
    m: &mut Meter,
    per_mille: u64,
    pad: bool,
    out: &mut Jsonl,
) -> io::Result<()> {
    let mut line = template.clone();
    rewrite(&mut line, "", &mut Rw { ids: &mut *ids });
    if let Some(n) = m.ordinal {
        line["ordinal"] = Value::from(n);
        m.ordinal = Some(n + 1);
    }
    let own = m
        .own_from
        .is_none_or(|from| line.get("ordinal").and_then(Value::as_u64) >= Some(from));
    usage(&mut line, m, per_mille, own);
    if pad {
        pad_output(&mut line, ids.rng);
    }
    out.line(&line)
}

fn usage(line: &mut Value, m: &mut Meter, per_mille: u64, own: bool) {
    let kind = line.get("type").and_then(Value::as_str).unwrap_or("");
    let record = kind == "token_usage_record";
    let event = kind == "event_msg";
    let sub = payload_str(line, "type").unwrap_or("");
    let started = event && sub == "task_started";
    let counted = event && sub == "token_count";
    let Some(p) = line.get_mut("payload") else {
        return;
    };
    if started {
        m.turn = [0; 6];
    } else if record && let Some(u) = p.get_mut("usage") {
        let add = scale_usage(u, per_mille);
        for (i, n) in add.iter().enumerate() {
            m.thread[i] += n;
            m.turn[i] += n;
        }
        for (key, total) in [
            ("turn_token_usage", m.turn),
            ("thread_token_usage", m.thread),
        ] {
            if let Some(v) = p.get_mut(key) {
                *v = usage_value(&total);
            }
        }
        if own {
            m.tokens.add(&tokens_of(&add));
        }
    } else if counted && let Some(info) = p.get_mut("info").filter(|i| i.is_object()) {
        if let Some(last) = info.get_mut("last_token_usage") {
            let add = scale_usage(last, per_mille);
            for (c, a) in m.counted.iter_mut().zip(add) {
                *c += a;
            }
        }
        if let Some(v) = info.get_mut("total_token_usage") {
            *v = usage_value(&m.counted);
        }
    }
}

/// Scales a usage object (the total stays input + output); returns its counts.
fn scale_usage(u: &mut Value, per_mille: u64) -> [u64; 6] {
    let mut out = [0; 6];
    for (i, key) in USAGE_KEYS.iter().enumerate().take(5) {
        out[i] = scale(u.get(*key).and_then(Value::as_u64).unwrap_or(0), per_mille);
    }
    out[5] = out[0] + out[3];
    if u.is_object() {
        *u = usage_value(&out);
    }
    out
}

fn usage_value(c: &[u64; 6]) -> Value {
    json!({
        "input_tokens": c[0],
        "cached_input_tokens": c[1],
        "cache_write_input_tokens": c[2],
        "output_tokens": c[3],
        "reasoning_output_tokens": c[4],
        "total_tokens": c[5],
    })
}

/// A response's tokens as git-vouch bills them.
fn tokens_of(c: &[u64; 6]) -> Tokens {
    let cached = c[1].min(c[0]);
    let write = c[2].min(c[0] - cached);
    Tokens {
        input: c[0] - cached - write,
        output: c[3],
        cache_creation: write,
        cache_read: cached,
        messages: 1,
    }
}

/// Appends filler to half the tool outputs.
fn pad_output(line: &mut Value, rng: &mut Rng) {
    let is_output = matches!(
        payload_str(line, "type"),
        Some("function_call_output" | "custom_tool_call_output")
    );
    if !is_output {
        return;
    }
    let Some(n) = pad_len(rng) else {
        return;
    };
    if let Some(Value::String(text)) = line.pointer_mut("/payload/output") {
        text.push('\n');
        text.push_str(&filler(n));
    }
}

/// Codex's ids and times in a template line.
struct Rw<'a, 'b> {
    ids: &'a mut Ids<'b>,
}

/// `call_main_0_0`, `resp_…_0`, `msg_main_4_0`: the mock's ids, without a UUID.
fn is_word_id(text: &str) -> bool {
    text.contains('_')
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl Rewriter for Rw<'_, '_> {
    fn string(&mut self, key: &str, text: &str) -> Option<String> {
        if matches!(key, "id" | "call_id" | "response_id") && is_word_id(text) {
            let prefix = format!("{}_", text.split('_').next().unwrap_or("id"));
            return Some(self.ids.id(text, |rng, _| rng.token(&prefix)));
        }
        self.ids.common(text)
    }

    fn number(&mut self, key: &str, n: &serde_json::Number) -> Option<Value> {
        let v = n.as_u64()?;
        let shift = self.ids.shift_ms;
        match key {
            "started_at_ms" | "completed_at_ms" => {
                Some(Value::from(v.saturating_add_signed(shift)))
            }
            "started_at" | "completed_at" => {
                Some(Value::from(v.saturating_add_signed(shift / 1000)))
            }
            _ => None,
        }
    }

    fn key(&mut self, key: &str) -> Option<String> {
        self.ids.paths_in(key)
    }
}
