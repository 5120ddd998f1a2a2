//! One session in full, for `git vouch show`: every tool call with its outcome and timing, the
//! sub-agent tree with per-agent usage, the files the agent edited and the commits it made.
//!
//! Built by reading all of the session's files (main transcript, agent files and their
//! `meta.json` sidecars) with the tolerant record decoder. Files are opened through a caller's
//! [`Open`] function, so the embedded demo data works the same as files on disk.

mod collect;
pub mod commit;
mod conversation;
mod facts;
mod notices;
pub use facts::input_summary;
pub use notices::scan_secrets;
pub use notices::secrets as secrets_notice;
pub use notices::unpriced as unpriced_notice;
mod outputs;
mod tally;
#[cfg(test)]
mod tests;
mod thread;
mod tree;

pub(crate) use conversation::load_conversation;
pub use conversation::{Conversation, Entry, EntryKind, ThreadRef, ToolEntry, ToolOutcome};

use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::SessionSummary;
use crate::money::Usd;
use crate::pricing::PriceTable;
use crate::transcript::Diagnostic;
use crate::usage::Tokens;

/// Opens a file of the session for reading.
pub type Open<'a> = dyn Fn(&Path) -> std::io::Result<Box<dyn Read + Send>> + 'a;

/// Everything one session did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDetail {
    /// The row the detail was opened from.
    pub summary: SessionSummary,
    /// Every tool call, by start time; a call replayed in several files is listed once.
    pub tool_calls: Vec<ToolCall>,
    /// Sub-agents that were not started by another sub-agent; nested ones are their children.
    pub subagents: Vec<SubagentNode>,
    /// One entry per successful Edit, Write, MultiEdit or NotebookEdit call.
    pub files: Vec<FileTouch>,
    pub commits: Vec<AgentCommit>,
    /// Every API response (main thread and sub-agents), in time order.
    pub turns: Vec<TurnUsage>,
    pub warnings: Vec<Diagnostic>,
    /// Secrets in the session's transcripts, by rule (the evidence redacts them).
    pub secrets: crate::redact::Counts,
    /// Session-level warnings in words: models without a price, secrets.
    pub notices: Vec<String>,
}

/// The usage of one API response: one turn of the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnUsage {
    pub at: Option<DateTime<Utc>>,
    /// The response's `message.id` (what a recording of the exchange names too).
    pub message_id: Option<String>,
    /// The sub-agent that made the request; `None` on the main thread.
    pub agent_id: Option<String>,
    pub model: String,
    pub tokens: Tokens,
    /// `None` when the model has no price.
    pub cost: Option<Usd>,
    /// A call only the recording holds, and why the transcript lacks it.
    pub not_in_transcript: Option<super::recorded::CallKind>,
}

/// One tool call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    /// One line: the command, file path, pattern or description, clipped.
    pub input_summary: String,
    pub started: Option<DateTime<Utc>>,
    pub finished: Option<DateTime<Utc>>,
    /// The duration the result reports (`durationMs`, `totalDurationMs`), else the time from
    /// the call to its result.
    pub duration_ms: Option<i64>,
    pub status: ToolStatus,
    /// The sub-agent that made the call; `None` on the main thread.
    pub agent_id: Option<String>,
    /// Bash calls: the whole command (up to 4,000 characters).
    pub command: Option<String>,
    /// File tools (Read, Edit, Write, MultiEdit, NotebookEdit): the file.
    pub path: Option<String>,
}

/// How a tool call ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolStatus {
    Ok,
    Failed {
        error: String,
    },
    /// No result was recorded (interrupted, or still running).
    Pending,
}

/// A sub-agent, with the agents it started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubagentNode {
    pub agent_id: String,
    pub agent_type: Option<String>,
    pub description: Option<String>,
    /// The Task/Agent tool call that started it.
    pub tool_use_id: Option<String>,
    pub kind: SubagentKind,
    /// Its own usage (children not included).
    pub tokens: Tokens,
    /// `None` when one of its models has no price, or its transcript is missing.
    pub cost: Option<Usd>,
    pub models: Vec<String>,
    /// Tool calls it made itself.
    pub tool_calls: u64,
    /// Its transcript (the main file for an inline side chain); `None` when it is missing.
    pub path: Option<PathBuf>,
    /// Time of its first line.
    pub started: Option<DateTime<Utc>>,
    pub children: Vec<Self>,
}

/// What started a sub-agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubagentKind {
    /// A Task/Agent tool call.
    Task,
    /// The model call that compacted the context (`agent-acompact-*`).
    Compaction,
    /// A `/btw` side question (`agent-aside_question-*`).
    SideQuestion,
    Unknown,
}

/// A file changed by one tool call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileTouch {
    pub path: String,
    pub tool: String,
    pub tool_use_id: String,
    pub agent_id: Option<String>,
    /// The structured patch, when the transcript recorded one.
    pub hunks: Vec<Hunk>,
    pub lines_added: u64,
    pub lines_removed: u64,
    pub created: bool,
    /// Hashes of the added lines (trailing whitespace ignored), to recognise them in commits.
    pub added_hashes: Vec<u64>,
    /// The first and last new lines of each Edit or MultiEdit string, which may be parts of
    /// lines (an edit can start or end mid-line), to recognise the whole lines in commits.
    pub edges: Vec<LineEdge>,
}

/// A piece of a line an edit wrote, when the edit may have started or ended mid-line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineEdge {
    /// The first line of a new string: the whole line ends with it.
    Ends(String),
    /// The last line of a new string: the whole line starts with it.
    Starts(String),
    /// A one-line new string: the whole line holds it.
    Inside(String),
}

impl LineEdge {
    /// Whether `line` (trailing whitespace ignored) is a whole line this piece is part of.
    pub fn fits(&self, line: &str) -> bool {
        let line = line.trim_end();
        match self {
            Self::Ends(p) => line.ends_with(p.trim_end()),
            Self::Starts(p) => line.starts_with(p.as_str()),
            Self::Inside(p) => line.contains(p.trim_end()),
        }
    }
}

/// One hunk of a structured patch; `lines` start with ` `, `-` or `+`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    pub old_start: u64,
    pub old_lines: u64,
    pub new_start: u64,
    pub new_lines: u64,
    pub lines: Vec<String>,
}

/// A commit the agent made with a Bash `git commit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentCommit {
    /// As reported (usually abbreviated).
    pub sha: String,
    /// `gitOperation.commit.kind` (`committed`, `amended`…), when recorded.
    pub kind: Option<String>,
    pub branch: Option<String>,
    pub subject: Option<String>,
    pub tool_use_id: String,
    /// The sub-agent that committed; `None` on the main thread.
    pub agent_id: Option<String>,
    pub at: Option<DateTime<Utc>>,
}

/// Every change to one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathTotals {
    pub path: String,
    pub added: u64,
    pub removed: u64,
    pub edits: u64,
    /// One of the calls created it.
    pub created: bool,
    /// Who edited it: `None` for the main thread, else the sub-agent.
    pub by: Vec<Option<String>>,
}

/// Calls of one tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolStat {
    pub name: String,
    pub calls: u64,
    pub failed: u64,
    pub pending: u64,
    /// Median of the known durations.
    pub median_ms: Option<i64>,
}

/// Reads the session's files (in `summary.files`) and assembles its detail. Problems are
/// reported in `warnings`; nothing here fails. Claude Code's reader: others go through the
/// session's agent source.
pub(crate) fn load_detail(
    summary: &SessionSummary,
    open: &Open<'_>,
    prices: &PriceTable,
) -> SessionDetail {
    detail_pass(summary, open, prices, None)
}

/// [`load_detail`] and the main thread's [`load_conversation`] from one pass over the files:
/// decoding the lines is most of the work on a large session, so it is done once for both.
pub(crate) fn load_detail_and_conversation(
    summary: &SessionSummary,
    open: &Open<'_>,
    prices: &PriceTable,
) -> (SessionDetail, Conversation) {
    let mut main = conversation::MainThread::new(&summary.replayed_uuids);
    let mut warnings = Vec::new();
    let detail = detail_pass(summary, open, prices, Some((&mut main, &mut warnings)));
    (detail, main.finish(warnings))
}

/// Where the records of main-thread files go besides the detail, and the warnings of those files.
type Also<'a> = Option<(&'a mut conversation::MainThread, &'a mut Vec<Diagnostic>)>;

fn detail_pass(
    summary: &SessionSummary,
    open: &Open<'_>,
    prices: &PriceTable,
    mut also: Also<'_>,
) -> SessionDetail {
    let mut c = collect::Collector::default();
    c.skip = summary.replayed_uuids.iter().copied().collect();
    c.skip_tools = summary.dropped_tools.iter().copied().collect();
    c.tally.dropped = summary.dropped_responses.iter().copied().collect();
    // Main-thread files first: side questions and compactions replay the parent's lines, and
    // the first copy of a tool call or result is the one kept.
    let mut files: Vec<&PathBuf> = summary.files.iter().collect();
    files.sort_by_key(|p| thread::agent_of(p).is_some());
    let main = files.first().map_or(Path::new(""), |p| p.as_path());
    for path in &files {
        let before = c.warnings.len();
        match also.as_mut().filter(|_| thread::agent_of(path).is_none()) {
            Some((conversation, warnings)) => {
                c.read_file(path, open, &mut |r| conversation.offer(r));
                warnings.extend_from_slice(&c.warnings[before..]);
            }
            None => c.read_file(path, open, &mut |_| {}),
        }
    }
    let mut warnings = std::mem::take(&mut c.warnings);
    let subagents = tree::build(&c, main, prices, &mut warnings);
    let notices = notices::unpriced(&summary.unpriced_models, prices.override_file())
        .into_iter()
        .collect();
    SessionDetail {
        secrets: crate::redact::Counts::new(),
        notices,
        summary: summary.clone(),
        tool_calls: outputs::tool_calls(&c),
        subagents,
        files: outputs::files(&c),
        commits: outputs::commits(&c),
        turns: c.tally.turns(prices),
        warnings,
    }
}

/// The secrets the session's transcripts hold, by rule, counted with the evidence's redaction
/// rules. It reads every line again, so it is not part of [`load_detail`]: `show` calls it, and
/// the explorer on a worker thread after the detail is on screen.
pub(crate) fn load_secrets(summary: &SessionSummary, open: &Open<'_>) -> crate::redact::Counts {
    let files: Vec<&PathBuf> = summary.files.iter().collect();
    let skip: std::collections::HashSet<u64> = summary.replayed_uuids.iter().copied().collect();
    notices::scan_secrets(&files, open, &skip)
}

/// Opens a file on disk.
pub fn open_file(path: &Path) -> std::io::Result<Box<dyn Read + Send>> {
    Ok(Box::new(std::fs::File::open(path)?))
}

/// Serves text held in memory (`None`: not found), for embedded data.
pub fn open_text(text: Option<String>) -> std::io::Result<Box<dyn Read + Send>> {
    match text {
        Some(t) => Ok(Box::new(std::io::Cursor::new(t.into_bytes()))),
        None => Err(std::io::ErrorKind::NotFound.into()),
    }
}

impl SessionDetail {
    /// Calls, failures and median duration per tool, most used first.
    pub fn tool_stats(&self) -> Vec<ToolStat> {
        outputs::tool_stats(&self.tool_calls)
    }

    /// The files touched, one entry per path (sorted), with the changes summed.
    pub fn files_by_path(&self) -> Vec<PathTotals> {
        outputs::by_path(&self.files)
    }

    /// The summary's warnings and those of the full read, each once.
    pub fn all_warnings(&self) -> Vec<&Diagnostic> {
        let mut out: Vec<&Diagnostic> = self.summary.warnings.iter().collect();
        for w in &self.warnings {
            if !out.contains(&w) {
                out.push(w);
            }
        }
        out
    }

    /// Records the secrets [`load_secrets`] found, and its warning.
    pub fn record_secrets(&mut self, counts: crate::redact::Counts) {
        self.notices.extend(notices::secrets(&counts));
        self.secrets = counts;
    }

    /// Every warning in words, session-level ones first: what each screen and `show` list.
    pub fn warning_lines(&self) -> Vec<String> {
        let mut out = self.notices.clone();
        out.extend(self.all_warnings().iter().map(ToString::to_string));
        out
    }

    /// Every sub-agent node, depth first, with its depth (0 for roots).
    pub fn subagents_flat(&self) -> Vec<(usize, &SubagentNode)> {
        fn walk<'a>(
            nodes: &'a [SubagentNode],
            depth: usize,
            out: &mut Vec<(usize, &'a SubagentNode)>,
        ) {
            for n in nodes {
                out.push((depth, n));
                walk(&n.children, depth + 1, out);
            }
        }
        let mut out = Vec::new();
        walk(&self.subagents, 0, &mut out);
        out
    }
}

impl SubagentKind {
    /// The snake_case name used in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Task => "task",
            Self::Compaction => "compaction",
            Self::SideQuestion => "side_question",
            Self::Unknown => "unknown",
        }
    }
}

impl ToolStatus {
    /// `ok`, `failed` or `pending`.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Failed { .. } => "failed",
            Self::Pending => "pending",
        }
    }
}
