//! Everything one rollout says of its thread, gathered in one pass into the neutral
//! [`ThreadRead`]: its identity, billed responses, tool calls with their outcomes and file
//! changes, and the conversation's steps.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use super::items::{call_of, take_output};
use super::meter::Meter;
use super::patch;
use super::rollout::{self, Line, Visit, ts_ms};
use crate::agent_source::thread::call::{Call, clip};
use crate::agent_source::thread::{Depth, Identity, Step, ThreadRead, text_of};
use crate::session::detail::Open;

/// Reads the whole rollout at `path`.
pub fn read(path: &Path, open: &Open<'_>) -> ThreadRead {
    let mut c = Collector::new(Depth::Full);
    let mut warnings = Vec::new();
    rollout::read(path, open, &mut c, &mut warnings);
    let mut t = c.finish();
    t.warnings = warnings;
    t.path = path.to_path_buf();
    t
}

/// Reads a rollout held in memory.
pub fn read_bytes(bytes: &[u8], path: &Path, depth: Depth) -> ThreadRead {
    read_from(bytes, path, depth)
}

/// Reads a rollout from an open reader (decompressed already).
pub fn read_from(r: impl std::io::Read, path: &Path, depth: Depth) -> ThreadRead {
    let mut c = Collector::new(depth);
    let mut warnings = Vec::new();
    rollout::read_from(r, path, &mut c, &mut warnings);
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
        self.out.saw(ts);
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
    fn new(depth: Depth) -> Self {
        Self {
            out: ThreadRead::new(depth),
            ..Self::default()
        }
    }

    fn policies(&mut self, p: &rollout::Payload<'_>) {
        let policy = rollout::value(p.sandbox_policy);
        let sandbox = policy.get("type").or(Some(&policy)).and_then(Value::as_str);
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

    fn item(&mut self, kind: &str, p: &rollout::Payload<'_>, ts: Option<i64>) {
        match kind {
            "message" => {
                let text = message_text(p);
                if text.trim().is_empty() {
                    return;
                }
                match p.role.as_deref() {
                    Some("assistant") => {
                        self.item_answers += 1;
                        self.out.step(ts, Step::Answer(text));
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
            "reasoning" if self.out.full() => {
                let text = text_of(p.summary);
                if !text.trim().is_empty() {
                    self.out.step(ts, Step::Reasoning(text));
                }
            }
            "reasoning" => {}
            "function_call_output" | "custom_tool_call_output" => {
                if let Some(&i) = p.call_id.as_deref().and_then(|id| self.by_call.get(id)) {
                    let output = p.output.map(|r| rollout::value(Some(r)));
                    let full = self.out.full();
                    take_output(&mut self.out.calls[i], output.as_ref(), ts, full);
                }
            }
            _ => {
                if let Some(call) = call_of(kind, p, ts) {
                    self.push_call(call);
                }
            }
        }
    }

    fn push_call(&mut self, call: Call) {
        let changes = call.patch.as_deref().map(patch::parse);
        let id = call.id.clone();
        let i = self.out.push_call(call);
        if let Some(changes) = changes {
            self.out.set_changes(i, changes);
        }
        self.by_call.insert(id, i);
    }

    fn event(&mut self, kind: &str, p: &rollout::Payload<'_>, ts: Option<i64>) {
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
                if let (Some(id), Some(changes)) = (p.call_id.as_deref(), p.changes) {
                    self.changed(id, changes);
                }
            }
            _ => {}
        }
    }

    /// An `item_completed` event: a command's exit, or the files a patch changed.
    fn completed(&mut self, item: &rollout::Completed<'_>, ts: Option<i64>) {
        let Some(id) = item.id.as_deref() else { return };
        let status = item.status.as_deref().unwrap_or("completed");
        match item.kind.as_deref() {
            Some("CommandExecution") => {
                let ok = status == "completed" && item.exit_code.is_none_or(|c| c == 0);
                let out = item.aggregated_output.as_deref();
                self.ended(Some(id), ok, ts, out);
                if let Some(&i) = self.by_call.get(id)
                    && let Some(text) = out.filter(|_| self.out.full())
                {
                    self.out.calls[i].output.get_or_insert_with(|| clip(text));
                }
            }
            Some("FileChange") => {
                self.ended(Some(id), status == "completed", ts, None);
                if let Some(changes) = item.changes {
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
    fn changed(&mut self, id: &str, changes: &serde_json::value::RawValue) {
        let Some(&i) = self.by_call.get(id) else {
            return;
        };
        self.out
            .set_changes(i, patch::from_event(&rollout::value(Some(changes))));
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
        self.out.steps = steps;
        self.out.sort_steps();
        self.out.responses = self.meter.finish();
        self.out
    }
}

/// The text of a message item's parts.
fn message_text(p: &rollout::Payload<'_>) -> String {
    text_of(p.content)
}

/// Context Codex adds as user messages (environment, instructions, AGENTS.md), not typed.
fn injected(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with('<') || t.starts_with("# AGENTS.md")
}
