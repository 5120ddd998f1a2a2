//! One agent thread, read, in terms shared by the agents whose transcripts are not Claude
//! Code's (Codex CLI, Gemini CLI, opencode): who it is, its billed responses, its tool calls with
//! their outcomes and the files they changed, and its conversation. Each agent's reader turns its
//! own format into a [`ThreadRead`]; the session list's scan ([`scan`]) and the session's detail
//! ([`detail`]) are built from those the same way for every such agent.

pub mod call;
pub mod change;
pub mod detail;
pub mod scan;

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::transcript::Diagnostic;
use crate::transcript::lenient::{List, Obj};
use crate::transcript::wire::Str;
use crate::usage::Tokens;

pub use call::{Call, Outcome};
pub use change::Change;

/// Who a thread is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// The thread's own id.
    pub thread: String,
    /// The session it belongs to (a sub-agent's is its root thread's).
    pub session: String,
    /// Set for a sub-agent: its parent's thread id.
    pub parent: Option<String>,
    /// A sub-agent's name.
    pub nickname: Option<String>,
    /// A sub-agent's task, as the parent's call that started it summarises it.
    pub task: Option<String>,
    pub cwd: Option<String>,
    pub version: Option<String>,
    pub git_branch: Option<String>,
}

impl Identity {
    /// Whether the thread is a sub-agent of another.
    pub fn is_subagent(&self) -> bool {
        self.parent.is_some()
    }
}

/// One billed response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Unique within the agent's sessions (the thread and the response's own id, or another
    /// stable mark of it).
    pub key: u128,
    /// The response's id, when recorded.
    pub id: Option<String>,
    pub tokens: Tokens,
    pub ts_ms: i64,
    pub model: String,
    /// The cost the agent recorded itself (opencode), in picodollars: it is the response's cost.
    pub stored_cost: Option<u64>,
}

/// One step of the thread, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Prompt(String),
    Answer(String),
    Reasoning(String),
    /// Index into [`ThreadRead::calls`].
    Call(usize),
}

/// How much of a thread a reader keeps. The session list and the reports need the prompts, the
/// last answer, the calls and the paths they changed; the detail and the conversation need all
/// of it (reasoning, whole answers, call output, diff lines).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Depth {
    Summary,
    #[default]
    Full,
}

/// Answers a summary keeps are clipped to this many characters (the list shows fewer).
pub const SUMMARY_ANSWER_CHARS: usize = 240;

/// One thread, read.
#[derive(Debug, Default)]
pub struct ThreadRead {
    /// How much of the thread is kept.
    pub depth: Depth,
    /// The file read.
    pub path: PathBuf,
    pub identity: Identity,
    pub responses: Vec<Response>,
    pub calls: Vec<Call>,
    /// The files each call changed, by index into `calls`.
    pub changes: Vec<(usize, Vec<Change>)>,
    pub steps: Vec<(Option<i64>, Step)>,
    /// Permission settings in force (approval and sandbox policies, approval modes), in the
    /// order first seen.
    pub permission_modes: Vec<String>,
    pub first_ts_ms: Option<i64>,
    pub last_ts_ms: Option<i64>,
    pub errors: u32,
    pub compactions: u32,
    pub warnings: Vec<Diagnostic>,
}

impl ThreadRead {
    /// An empty thread read to `depth`.
    pub fn new(depth: Depth) -> Self {
        Self {
            depth,
            ..Self::default()
        }
    }

    /// Whether the whole thread is kept (diff lines, call output, reasoning).
    pub fn full(&self) -> bool {
        self.depth == Depth::Full
    }

    /// Adds a conversation step; a summary keeps no reasoning and only the start of answers.
    pub fn step(&mut self, at: Option<i64>, step: Step) {
        let step = match (self.depth, step) {
            (Depth::Summary, Step::Reasoning(_)) => return,
            (Depth::Summary, Step::Answer(a)) => Step::Answer(clip_chars(&a, SUMMARY_ANSWER_CHARS)),
            (_, step) => step,
        };
        self.steps.push((at, step));
    }

    /// Notes a record's time.
    pub fn saw(&mut self, ts_ms: Option<i64>) {
        if let Some(t) = ts_ms {
            self.first_ts_ms = Some(self.first_ts_ms.map_or(t, |f| f.min(t)));
            self.last_ts_ms = Some(self.last_ts_ms.map_or(t, |l| l.max(t)));
        }
    }

    /// Adds a call and its step; returns its index.
    pub fn push_call(&mut self, mut call: Call) -> usize {
        let i = self.calls.len();
        if !self.full() {
            call.output = None;
        }
        self.steps.push((call.started_ms, Step::Call(i)));
        self.calls.push(call);
        i
    }

    /// Sets the files call `i` changed (replacing what was known).
    pub fn set_changes(&mut self, i: usize, mut changes: Vec<Change>) {
        if !self.full() {
            for c in &mut changes {
                c.hunks = Vec::new();
            }
        }
        match self.changes.iter_mut().rev().find(|(c, _)| *c == i) {
            Some(slot) => slot.1 = changes,
            None => self.changes.push((i, changes)),
        }
    }

    /// Orders the steps by time (stable: steps of one instant keep their order).
    pub fn sort_steps(&mut self) {
        self.steps.sort_by_key(|(t, _)| t.unwrap_or(i64::MAX));
    }
}

/// The text of a content kept raw (a message's, a reasoning summary's): a string, or parts with
/// `text`, joined by line breaks.
pub fn text_of(raw: Option<&RawValue>) -> String {
    #[derive(Deserialize)]
    struct Piece<'a> {
        #[serde(default, borrow)]
        text: Str<'a>,
    }
    let Some(raw) = raw else {
        return String::new();
    };
    if let Ok(s) = serde_json::from_str::<String>(raw.get()) {
        return s;
    }
    let parts: List<Obj<Piece<'_>>> = serde_json::from_str(raw.get()).unwrap_or_default();
    parts
        .0
        .into_iter()
        .flatten()
        .filter_map(|p| p.0?.text.0)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first `max` characters of `text`.
pub fn clip_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => text[..at].to_owned(),
        None => text.to_owned(),
    }
}

/// Milliseconds since the epoch of an RFC 3339 timestamp.
pub fn ts_ms(ts: Option<&str>) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(ts?)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// The model a thread names nowhere (Codex rollouts of September 2025 and older): unknown, so
/// unpriced, never free.
pub const UNRECORDED_MODEL: &str = "unrecorded-model";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_keeps_prompts_calls_and_paths_but_not_text_it_does_not_show() {
        let long = "word ".repeat(100);
        for depth in [Depth::Summary, Depth::Full] {
            let mut t = ThreadRead::new(depth);
            t.step(Some(1), Step::Prompt(long.clone()));
            t.step(Some(2), Step::Reasoning("thinking".into()));
            t.step(Some(3), Step::Answer(long.clone()));
            let i = t.push_call(Call {
                id: "c1".into(),
                output: Some("output".into()),
                ..Call::default()
            });
            t.set_changes(i, vec![Change::whole("a.txt".into(), "x\ny\n", '+')]);
            let full = depth == Depth::Full;
            assert_eq!(
                t.steps[0].1,
                Step::Prompt(long.clone()),
                "prompts stay whole"
            );
            assert_eq!(
                t.steps.iter().any(|(_, s)| matches!(s, Step::Reasoning(_))),
                full
            );
            let answer = t.steps.iter().find_map(|(_, s)| match s {
                Step::Answer(a) => Some(a.chars().count()),
                _ => None,
            });
            assert_eq!(answer, Some(if full { 500 } else { SUMMARY_ANSWER_CHARS }));
            assert_eq!(t.calls[0].output.is_some(), full);
            assert_eq!(t.changes[0].1[0].path, "a.txt");
            assert_eq!(t.changes[0].1[0].added(), if full { 2 } else { 0 });
        }
    }
}
