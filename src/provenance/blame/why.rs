//! `git vouch blame --why LINE`: the story of one line — its commit, the session and the prompt
//! behind it, the tool call that wrote it with the patch it applied, and the conversation
//! around that call.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::writings::prompts;
use super::{Blame, BlameCommit, BlameError, BlameLine, BlameSession, SessionReader};
use crate::session::detail::{
    Conversation, EntryKind, SessionDetail, ThreadRef, ToolCall, ToolStatus,
};

/// The JSON schema name of `git vouch blame --why LINE --json`.
pub const WHY_SCHEMA: &str = "git-vouch/blame-why@1";

/// Conversation steps shown before and after the call.
const AROUND: usize = 4;

/// One line's story.
#[derive(Debug, Clone, Serialize)]
pub struct Why {
    pub schema: &'static str,
    pub path: String,
    pub line: BlameLine,
    pub commit: Option<BlameCommit>,
    pub session: Option<BlameSession>,
    /// The prompt the call answered, in full.
    pub prompt: Option<WhyPrompt>,
    pub tool_call: Option<WhyTool>,
    /// The steps around the call, in the thread that made it (a sub-agent's, if one did).
    pub conversation: Vec<WhyEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WhyPrompt {
    pub number: usize,
    /// How many prompts the session has.
    pub of: usize,
    pub at: Option<DateTime<Utc>>,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct WhyTool {
    pub id: String,
    pub name: String,
    pub input: String,
    /// `ok`, `failed` or `pending`.
    pub status: &'static str,
    pub started: Option<DateTime<Utc>>,
    /// The sub-agent that made the call.
    pub agent_id: Option<String>,
    /// The patch the call applied, as recorded (`@@` headers, then ` `, `-`, `+` lines); empty
    /// for a file the call created whole.
    pub patch: Vec<String>,
    /// The call created the file, with this many lines.
    pub created: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WhyEntry {
    pub at: Option<DateTime<Utc>>,
    /// `prompt`, `answer`, `thinking`, `tool` or `summary`.
    pub kind: &'static str,
    pub text: String,
    /// This step is the call that wrote the line.
    pub this_call: bool,
}

/// The story of line `n` of `blame`.
pub fn why(blame: &Blame, n: u32, reader: &dyn SessionReader) -> Result<Why, BlameError> {
    let line = blame
        .line(n)
        .cloned()
        .ok_or_else(|| BlameError::NoSuchLine {
            path: blame.path.clone(),
            line: n,
            lines: blame.lines.len(),
        })?;
    let mut out = Why {
        schema: WHY_SCHEMA,
        path: blame.path.clone(),
        commit: line
            .commit
            .as_deref()
            .and_then(|c| blame.commit(c))
            .cloned(),
        session: line
            .session
            .as_deref()
            .and_then(|s| blame.session(s))
            .cloned(),
        prompt: None,
        tool_call: None,
        conversation: Vec::new(),
        line,
    };
    if let (Some(session), Some(call)) = (out.line.session.clone(), out.line.tool_use_id.clone()) {
        let story = call_story(&session, &call, out.line.prompt, reader);
        out.prompt = story.prompt;
        out.tool_call = story.tool_call;
        out.conversation = story.conversation;
    }
    Ok(out)
}

/// What led to one tool call of a session: the prompt it answered, the call with its patch, and
/// the conversation around it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CallStory {
    pub prompt: Option<WhyPrompt>,
    pub tool_call: Option<WhyTool>,
    pub conversation: Vec<WhyEntry>,
}

/// The story of call `call_id` of session `session` (numbered `prompt` answered it), read from
/// its transcript; empty when the session is not found.
pub fn call_story(
    session: &str,
    call_id: &str,
    prompt: Option<usize>,
    reader: &dyn SessionReader,
) -> CallStory {
    let Some(summary) = reader.sessions().iter().find(|s| s.id == session) else {
        return CallStory::default();
    };
    let (detail, main) = reader.read(summary);
    let (prompts, _) = prompts(&main);
    let prompt = prompt.and_then(|n| {
        let p = prompts.get(n.checked_sub(1)?)?;
        Some(WhyPrompt {
            number: p.number,
            of: prompts.len(),
            at: p.at,
            text: p.text.clone(),
        })
    });
    let call = detail.tool_calls.iter().find(|c| c.id == call_id);
    let tool_call = call.map(|c| tool(c, &detail));
    let thread = match call.and_then(|c| c.agent_id.as_deref()) {
        Some(agent) => reader.thread(summary, ThreadRef::Agent(agent)),
        None => main,
    };
    CallStory {
        prompt,
        tool_call,
        conversation: around(&thread, call_id),
    }
}

/// The call as the story tells it, with the patch it applied.
fn tool(c: &ToolCall, detail: &SessionDetail) -> WhyTool {
    let touches = || detail.files.iter().filter(|f| f.tool_use_id == c.id);
    WhyTool {
        id: c.id.clone(),
        name: c.name.clone(),
        input: c.input_summary.clone(),
        status: match c.status {
            ToolStatus::Ok => "ok",
            ToolStatus::Failed { .. } => "failed",
            ToolStatus::Pending => "pending",
        },
        started: c.started,
        agent_id: c.agent_id.clone(),
        patch: touches()
            .flat_map(|f| &f.hunks)
            .flat_map(|h| {
                let header = format!(
                    "@@ -{},{} +{},{} @@",
                    h.old_start, h.old_lines, h.new_start, h.new_lines
                );
                std::iter::once(header).chain(h.lines.iter().cloned())
            })
            .collect(),
        created: touches().find(|f| f.created).map(|f| f.lines_added),
    }
}

/// The steps of `thread` around the call `id`.
fn around(thread: &Conversation, id: &str) -> Vec<WhyEntry> {
    let at = thread
        .entries
        .iter()
        .position(|e| matches!(&e.kind, EntryKind::Tool(t) if t.id == id));
    let Some(at) = at else {
        return Vec::new();
    };
    let from = at.saturating_sub(AROUND);
    let to = (at + AROUND + 1).min(thread.entries.len());
    thread.entries[from..to]
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let (kind, text) = match &e.kind {
                EntryKind::Prompt(t) => ("prompt", t.clone()),
                EntryKind::Answer(t) => ("answer", t.clone()),
                EntryKind::Thinking(t) => ("thinking", t.clone()),
                EntryKind::Summary(t) => ("summary", t.clone()),
                EntryKind::Tool(t) => ("tool", format!("{} {}", t.name, t.input)),
            };
            WhyEntry {
                at: e.at,
                kind,
                text,
                this_call: from + i == at,
            }
        })
        .collect()
}
