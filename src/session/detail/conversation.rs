//! A thread of a session as a readable timeline: prompts, answers, thinking, and each tool call
//! with its result folded in. The text is kept as recorded (clipped); whoever shows it must
//! clean it first, since transcripts are untrusted.

use std::collections::{HashMap, HashSet};
use std::io::BufReader;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::Open;
use super::facts::input_summary;
use super::thread::{agent_of, inline_thread};
use crate::transcript::Diagnostic;
use crate::transcript::hash::hash64;
use crate::transcript::record::{Block, Body, Record, read_records};

/// Lines of a tool result kept; the rest are counted.
const RESULT_LINES: usize = 40;
/// Characters of a tool result kept.
const RESULT_CHARS: usize = 4000;
/// Characters of a prompt, answer, thinking or summary kept (pasted logs can be huge).
const TEXT_CHARS: usize = 20_000;

/// Which thread of a session to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadRef<'a> {
    /// The person's conversation with the main agent.
    Main,
    /// One sub-agent, by its agent id.
    Agent(&'a str),
}

/// A thread in reading order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conversation {
    pub entries: Vec<Entry>,
    pub warnings: Vec<Diagnostic>,
}

/// One step of the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub at: Option<DateTime<Utc>>,
    pub kind: EntryKind,
}

/// What a step is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// Text the person (or, in a sub-agent, the parent agent) sent.
    Prompt(String),
    /// Text the model answered.
    Answer(String),
    Thinking(String),
    Tool(ToolEntry),
    /// The summary a compaction left in place of the earlier conversation.
    Summary(String),
}

/// A tool call with its result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolEntry {
    pub id: String,
    pub name: String,
    /// One line: the command, path or pattern.
    pub input: String,
    /// `None` while no result was recorded.
    pub result: Option<ToolOutcome>,
}

/// The result of a tool call, clipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolOutcome {
    pub text: String,
    pub is_error: bool,
    /// Lines left out of `text`.
    pub more_lines: usize,
    pub at: Option<DateTime<Utc>>,
}

/// Reads one thread of the session whose files are `files`. Lines whose uuid hash is in `skip`
/// (history copied from an earlier session) are left out, and lines replayed in several files
/// are shown once.
pub(crate) fn load_conversation(
    files: &[PathBuf],
    thread: ThreadRef<'_>,
    skip: &[u64],
    open: &Open<'_>,
) -> Conversation {
    let own_file = match thread {
        ThreadRef::Agent(id) => files.iter().find(|p| agent_of(p).as_deref() == Some(id)),
        ThreadRef::Main => None,
    };
    let chosen: Vec<&PathBuf> = match own_file {
        Some(f) => vec![f],
        None => files.iter().filter(|p| agent_of(p).is_none()).collect(),
    };
    let mut b = Builder::new(skip);
    for path in chosen {
        let keep = match (thread, own_file) {
            (ThreadRef::Main, _) => Keep::MainThread,
            (ThreadRef::Agent(_), Some(_)) => Keep::All,
            (ThreadRef::Agent(id), None) => Keep::SideChain(id),
        };
        b.read(path, keep, open);
    }
    Conversation {
        entries: b.entries,
        warnings: b.warnings,
    }
}

/// The main thread's conversation, built from records handed to it by a pass that reads the
/// session's files for the detail as well (see [`super::load_detail_and_conversation`]).
pub(super) struct MainThread(Builder);

impl MainThread {
    /// Lines whose uuid hash is in `skip` are left out (as in [`load_conversation`]).
    pub(super) fn new(skip: &[u64]) -> Self {
        Self(Builder::new(skip))
    }

    /// A record of a main-thread file, in file order.
    pub(super) fn offer(&mut self, r: &Record) {
        self.0.offer(r, Keep::MainThread, &mut HashMap::new());
    }

    /// The conversation, with the problems met reading its files.
    pub(super) fn finish(self, warnings: Vec<Diagnostic>) -> Conversation {
        Conversation {
            entries: self.0.entries,
            warnings,
        }
    }
}

/// Which records of a file belong to the thread.
#[derive(Clone, Copy)]
enum Keep<'a> {
    All,
    MainThread,
    /// The inline side chain with this thread id (old main files).
    SideChain(&'a str),
}

struct Builder {
    entries: Vec<Entry>,
    tools: HashMap<String, usize>,
    seen: HashSet<String>,
    warnings: Vec<Diagnostic>,
    skip: HashSet<u64>,
}

impl Builder {
    fn new(skip: &[u64]) -> Self {
        Self {
            entries: Vec::new(),
            tools: HashMap::new(),
            seen: HashSet::new(),
            warnings: Vec::new(),
            skip: skip.iter().copied().collect(),
        }
    }

    fn read(&mut self, path: &Path, keep: Keep<'_>, open: &Open<'_>) {
        let reader = match open(path) {
            Ok(r) => r,
            Err(e) => {
                let message = format!("cannot read: {e}");
                self.warnings.push(Diagnostic::file(path, message));
                return;
            }
        };
        let mut sidechain = HashMap::new();
        let mut warnings = Vec::new();
        let read = read_records(BufReader::new(reader), path, &mut warnings, |r| {
            self.offer(r, keep, &mut sidechain);
        });
        if let Err(e) = read {
            warnings.push(Diagnostic::file(path, format!("read failed: {e}")));
        }
        self.warnings.append(&mut warnings);
    }

    /// Adds the record if it belongs to the thread and was not seen before.
    fn offer(&mut self, r: &Record, keep: Keep<'_>, sidechain: &mut HashMap<String, String>) {
        let wanted = match keep {
            Keep::All => true,
            Keep::MainThread => !r.is_sidechain,
            Keep::SideChain(id) => r.is_sidechain && inline_thread(r, sidechain) == id,
        };
        if wanted && self.first_copy(r) {
            self.record(r);
        }
    }

    /// False for lines copied from an earlier session or already read in another file.
    fn first_copy(&mut self, r: &Record) -> bool {
        let Some(uuid) = &r.uuid else { return true };
        !self.skip.contains(&hash64(uuid.as_bytes())) && self.seen.insert(uuid.clone())
    }

    fn record(&mut self, r: &Record) {
        let at = r.timestamp;
        match &r.body {
            Body::User(u) if !r.is_meta => {
                for block in &u.content {
                    match block {
                        Block::Text(t) if u.is_compact_summary => {
                            self.push(at, EntryKind::Summary(clip_text(t)));
                        }
                        Block::Text(t) => self.push(at, EntryKind::Prompt(clip_text(t))),
                        Block::ToolResult {
                            tool_use_id,
                            text,
                            is_error,
                        } => self.result(tool_use_id, text, *is_error, at),
                        _ => {}
                    }
                }
            }
            Body::Assistant(a) => {
                for block in &a.content {
                    match block {
                        Block::Text(t) if !t.trim().is_empty() => {
                            self.push(at, EntryKind::Answer(clip_text(t)));
                        }
                        Block::Thinking(t) if !t.trim().is_empty() => {
                            self.push(at, EntryKind::Thinking(clip_text(t)));
                        }
                        Block::ToolUse { id, name, input } if !self.tools.contains_key(id) => {
                            self.tools.insert(id.clone(), self.entries.len());
                            let tool = ToolEntry {
                                id: id.clone(),
                                name: name.clone(),
                                input: input_summary(name, input),
                                result: None,
                            };
                            self.push(at, EntryKind::Tool(tool));
                        }
                        _ => {}
                    }
                }
            }
            Body::Summary { summary, .. } if !summary.is_empty() => {
                self.push(at, EntryKind::Summary(clip_text(summary)));
            }
            _ => {}
        }
    }

    /// Adds a step (its text clipped already).
    fn push(&mut self, at: Option<DateTime<Utc>>, kind: EntryKind) {
        self.entries.push(Entry { at, kind });
    }

    fn result(&mut self, id: &str, text: &str, is_error: bool, at: Option<DateTime<Utc>>) {
        let Some(&i) = self.tools.get(id) else { return };
        if let EntryKind::Tool(tool) = &mut self.entries[i].kind
            && tool.result.is_none()
        {
            let (text, more_lines) = clip_result(text);
            tool.result = Some(ToolOutcome {
                text,
                is_error,
                more_lines,
                at,
            });
        }
    }
}

/// The first characters of a text, line breaks kept, saying how many were left out.
fn clip_text(text: &str) -> String {
    match text.char_indices().nth(TEXT_CHARS) {
        Some((cut, _)) => {
            let left = text[cut..].chars().count();
            format!("{}\n… {left} more characters", &text[..cut])
        }
        None => text.to_owned(),
    }
}

/// The first lines and characters of a result, and how many lines were left out.
fn clip_result(text: &str) -> (String, usize) {
    let total = text.lines().count();
    let mut out = String::new();
    let mut kept = 0;
    for line in text.lines().take(RESULT_LINES) {
        if out.len() + line.len() > RESULT_CHARS {
            if kept == 0 {
                out = crate::transcript::scan::clip(line, RESULT_CHARS);
                kept = 1;
            }
            break;
        }
        if kept > 0 {
            out.push('\n');
        }
        out.push_str(line);
        kept += 1;
    }
    (out, total - kept)
}

#[cfg(test)]
mod tests;
