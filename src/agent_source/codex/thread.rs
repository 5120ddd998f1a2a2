//! Everything one rollout says of its thread, gathered in one pass: its identity, billed
//! responses, tool calls with their outcomes and file changes, and the conversation's steps.
//! The scan (lists, reports) and the detail (`show`, the explorer) are both built from it.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use super::calls::{Call, clip};
use super::meter::{Meter, Response};
use super::patch::{self, Change};
use super::rollout::{self, Identity, Line, Visit, ts_ms};
use crate::session::detail::Open;
use crate::transcript::Diagnostic;

/// One step of the thread, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Prompt(String),
    Answer(String),
    Reasoning(String),
    /// Index into [`ThreadRead::calls`].
    Call(usize),
}

/// One rollout, read.
#[derive(Debug, Default)]
pub struct ThreadRead {
    /// The rollout read.
    pub path: std::path::PathBuf,
    pub identity: Identity,
    pub responses: Vec<Response>,
    pub calls: Vec<Call>,
    /// The files each call changed, by index into `calls`.
    pub changes: Vec<(usize, Vec<Change>)>,
    pub steps: Vec<(Option<i64>, Step)>,
    /// Approval and sandbox policies in force, in the order first seen.
    pub permission_modes: Vec<String>,
    pub first_ts_ms: Option<i64>,
    pub last_ts_ms: Option<i64>,
    pub errors: u32,
    pub compactions: u32,
    pub warnings: Vec<Diagnostic>,
}

/// Reads the rollout at `path`.
pub fn read(path: &Path, open: &Open<'_>) -> ThreadRead {
    let mut c = Collector::default();
    let mut warnings = Vec::new();
    rollout::read(path, open, &mut c, &mut warnings);
    let mut t = c.finish();
    t.warnings = warnings;
    t.path = path.to_path_buf();
    t
}

/// Reads a rollout held in memory.
pub fn read_bytes(bytes: &[u8], path: &Path) -> ThreadRead {
    let mut c = Collector::default();
    let mut warnings = Vec::new();
    rollout::read_from(bytes, path, &mut c, &mut warnings);
    let mut t = c.finish();
    t.warnings = warnings;
    t.path = path.to_path_buf();
    t
}

#[derive(Default)]
struct Collector {
    out: ThreadRead,
    meter: Meter,
    by_call: HashMap<String, usize>,
    /// Prompts from `user_message` events, and from user `message` items (used only when a
    /// rollout has no events: the items also hold the context Codex injects).
    typed: Vec<(Option<i64>, String)>,
    item_prompts: Vec<(Option<i64>, String)>,
    /// Answers from assistant `message` items and from `agent_message` events (the same text;
    /// the items win when there are any).
    item_answers: usize,
    event_answers: Vec<(Option<i64>, String)>,
}

impl Visit for Collector {
    fn identity(&mut self, id: &Identity) {
        self.out.identity = id.clone();
        self.meter = Meter::new(&id.thread);
    }

    fn line(&mut self, line: &Line<'_>, _line_no: u64) {
        let ts = ts_ms(line.timestamp.as_deref());
        if let Some(t) = ts {
            self.out.first_ts_ms.get_or_insert(t);
            self.out.last_ts_ms = Some(self.out.last_ts_ms.map_or(t, |l| l.max(t)));
        }
        self.meter.own(line, ts.unwrap_or(0));
        let p = &line.payload;
        match (line.kind.as_ref(), p.kind.as_deref().unwrap_or("")) {
            ("turn_context", _) => self.policies(p),
            ("response_item", kind) => self.item(kind, p, ts),
            ("event_msg", kind) => self.event(kind, p, ts),
            ("compacted", _) => self.out.compactions += 1,
            _ => {}
        }
    }

    fn copied(&mut self, line: &Line<'_>) {
        self.meter.copied(line);
    }
}

impl Collector {
    fn policies(&mut self, p: &rollout::Payload) {
        let sandbox = p
            .sandbox_policy
            .as_ref()
            .and_then(|s| s.get("type").or(Some(s)))
            .and_then(Value::as_str);
        let modes = [
            p.approval_policy
                .as_deref()
                .map(|a| format!("approval:{a}")),
            sandbox.map(|s| format!("sandbox:{s}")),
        ];
        for m in modes.into_iter().flatten() {
            if !self.out.permission_modes.contains(&m) {
                self.out.permission_modes.push(m);
            }
        }
    }

    fn item(&mut self, kind: &str, p: &rollout::Payload, ts: Option<i64>) {
        match kind {
            "message" => {
                let text = message_text(p);
                if text.trim().is_empty() {
                    return;
                }
                match p.role.as_deref() {
                    Some("assistant") => {
                        self.item_answers += 1;
                        self.out.steps.push((ts, Step::Answer(text)));
                    }
                    Some("user") if !injected(&text) => self.item_prompts.push((ts, text)),
                    _ => {}
                }
            }
            // Messages between agents: the task a parent sent this sub-agent (in a parent, a
            // sub-agent's report, which is no prompt).
            "agent_message" if self.out.identity.is_subagent() => {
                let text = message_text(p);
                if !text.trim().is_empty() {
                    self.item_prompts.push((ts, text));
                }
            }
            "reasoning" => {
                let text = rollout::text_of(p.summary.as_ref());
                if !text.trim().is_empty() {
                    self.out.steps.push((ts, Step::Reasoning(text)));
                }
            }
            "function_call_output" | "custom_tool_call_output" => {
                if let Some(&i) = p.call_id.as_ref().and_then(|id| self.by_call.get(id)) {
                    self.out.calls[i].take_output(p.output.as_ref(), ts);
                }
            }
            _ => {
                if let Some(call) = Call::from_item(kind, p, ts) {
                    self.push_call(call, ts);
                }
            }
        }
    }

    fn push_call(&mut self, call: Call, ts: Option<i64>) {
        let i = self.out.calls.len();
        if let Some(text) = &call.patch {
            self.out.changes.push((i, patch::parse(text)));
        }
        self.by_call.insert(call.id.clone(), i);
        self.out.calls.push(call);
        self.out.steps.push((ts, Step::Call(i)));
    }

    fn event(&mut self, kind: &str, p: &rollout::Payload, ts: Option<i64>) {
        match kind {
            "user_message" => {
                if let Some(m) = p.message.as_deref().filter(|m| !m.trim().is_empty()) {
                    self.typed.push((ts, m.to_owned()));
                }
            }
            "agent_message" => {
                if let Some(m) = p.message.as_deref().filter(|m| !m.trim().is_empty()) {
                    self.event_answers.push((ts, m.to_owned()));
                }
            }
            "error" | "stream_error" => self.out.errors += 1,
            "context_compacted" => self.out.compactions += 1,
            "item_completed" => {
                if let Some(item) = &p.item {
                    self.completed(item, ts);
                }
            }
            "exec_command_end" => self.ended(
                p.call_id.as_deref(),
                p.exit_code == Some(0),
                ts,
                p.stderr.as_deref(),
            ),
            "patch_apply_end" => {
                self.ended(
                    p.call_id.as_deref(),
                    p.success.unwrap_or(true),
                    ts,
                    p.stderr.as_deref(),
                );
                if let (Some(id), Some(changes)) = (p.call_id.as_deref(), &p.changes) {
                    self.changed(id, changes);
                }
            }
            _ => {}
        }
    }

    /// An `item_completed` event: a command's exit, or the files a patch changed.
    fn completed(&mut self, item: &Value, ts: Option<i64>) {
        let get = |k: &str| item.get(k).and_then(Value::as_str);
        let Some(id) = get("id") else { return };
        let status = get("status").unwrap_or("completed");
        match get("type") {
            Some("CommandExecution") => {
                let code = item.get("exit_code").and_then(Value::as_i64);
                let ok = status == "completed" && code.is_none_or(|c| c == 0);
                let out = get("aggregated_output");
                self.ended(Some(id), ok, ts, out);
                if let Some(&i) = self.by_call.get(id)
                    && let Some(text) = out
                {
                    self.out.calls[i].output.get_or_insert_with(|| clip(text));
                }
            }
            Some("FileChange") => {
                self.ended(Some(id), status == "completed", ts, None);
                if let Some(changes) = item.get("changes") {
                    self.changed(id, changes);
                }
            }
            _ => {}
        }
    }

    fn ended(&mut self, id: Option<&str>, ok: bool, ts: Option<i64>, why: Option<&str>) {
        if let Some(&i) = id.and_then(|id| self.by_call.get(id)) {
            self.out.calls[i].take_status(ok, ts, why);
        }
    }

    /// The files a call changed as Codex reports them (absolute paths, the applied diff): they
    /// replace what the patch text said.
    fn changed(&mut self, id: &str, changes: &Value) {
        let Some(&i) = self.by_call.get(id) else {
            return;
        };
        let changes = patch::from_event(changes);
        match self.out.changes.iter_mut().find(|(c, _)| *c == i) {
            Some(slot) => slot.1 = changes,
            None => self.out.changes.push((i, changes)),
        }
    }

    fn finish(mut self) -> ThreadRead {
        let prompts = if self.typed.is_empty() {
            std::mem::take(&mut self.item_prompts)
        } else {
            std::mem::take(&mut self.typed)
        };
        let mut steps: Vec<(Option<i64>, Step)> = prompts
            .into_iter()
            .map(|(t, s)| (t, Step::Prompt(s)))
            .collect();
        if self.item_answers == 0 {
            steps.extend(
                self.event_answers
                    .drain(..)
                    .map(|(t, s)| (t, Step::Answer(s))),
            );
        }
        steps.append(&mut self.out.steps);
        // Stable: steps of one instant keep prompt-first, then file order.
        steps.sort_by_key(|(t, _)| t.unwrap_or(i64::MAX));
        self.out.steps = steps;
        self.out.responses = self.meter.finish();
        self.out
    }
}

/// The text of a message item's parts.
fn message_text(p: &rollout::Payload) -> String {
    rollout::text_of(p.content.as_ref())
}

/// Context Codex adds as user messages (environment, instructions, AGENTS.md), not typed.
fn injected(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with('<') || t.starts_with("# AGENTS.md")
}
