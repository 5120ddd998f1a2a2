//! Agent sources: the transcripts of each coding agent behind one interface. A source finds its
//! agent's transcript files, scans one file into the neutral [`FileScan`] the session list and
//! reports are built from, and reads one session in full (its detail, a thread's conversation,
//! the secrets it holds). The index, evidence, the explorer and `show` go through here, so
//! another agent's reader plugs in as one more [`Agent`] with its [`AgentSource`] without
//! touching them.
//!
//! Calls dispatch once per file or per session, never per line: a scan of one file runs
//! entirely inside its source.

mod claude_code;
mod codex;
mod gemini;
mod opencode;
pub use codex::patch_changes as codex_patch_changes;
pub mod thread;

use std::path::{Path, PathBuf};

use crate::config::Env;
use crate::pricing::PriceTable;
use crate::session::SessionSummary;
use crate::session::detail::{Conversation, Open, SessionDetail, ThreadRef};
use crate::transcript::agent::Agent;
use crate::transcript::file_scan::FileScan;
use crate::transcript::source_file::SourceFile;
use crate::transcript::{Diagnostic, TranscriptError};

/// Every agent with a source, in the order their sessions are looked for.
pub const ALL: &[Agent] = &[
    Agent::ClaudeCode,
    Agent::Codex,
    Agent::Gemini,
    Agent::OpenCode,
];

/// What looking for transcripts found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Discovery {
    /// The folders searched that exist.
    pub searched: Vec<PathBuf>,
    /// Every transcript file found, each naming its agent.
    pub files: Vec<SourceFile>,
}

/// How the empty session list speaks of one agent's transcripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hints {
    /// Where the agent's transcripts are looked for by default, in words (said when none of
    /// those folders exists).
    pub default_places: &'static str,
    /// How to have them looked for elsewhere.
    pub elsewhere: &'static str,
}

/// One agent's transcripts.
pub trait AgentSource: Send + Sync {
    /// The agent whose transcripts this source reads.
    fn agent(&self) -> Agent;

    /// Every transcript file of the agent on this machine (found from `env`), with the folders
    /// searched. Problems finding them are added to `notes`.
    fn discover(&self, env: &dyn Env, notes: &mut Vec<Diagnostic>) -> Discovery;

    /// The transcript files in one folder (a project folder, or an archived copy of one).
    fn files_in(&self, folder: &Path, notes: &mut Vec<Diagnostic>) -> Vec<SourceFile>;

    /// Scans `file`, resuming `scan` past its `resume_offset` (a new scan starts at 0). A source
    /// that cannot resume resets `*scan` and reads the file from the start.
    fn scan(&self, file: &SourceFile, scan: &mut FileScan) -> Result<(), TranscriptError>;

    /// Scans a file's contents held in memory (embedded demo data, tests).
    fn scan_bytes(&self, file: &SourceFile, bytes: &[u8]) -> FileScan;

    /// Reads the session's files (opened through `open`) and assembles its detail. Problems are
    /// reported in its warnings; nothing here fails.
    fn detail(&self, s: &SessionSummary, open: &Open<'_>, prices: &PriceTable) -> SessionDetail;

    /// One thread of the session: the main thread or a sub-agent's.
    fn conversation(
        &self,
        s: &SessionSummary,
        thread: ThreadRef<'_>,
        open: &Open<'_>,
    ) -> Conversation;

    /// The detail and the main thread's conversation. A source that reads both in one pass
    /// overrides this.
    fn detail_and_conversation(
        &self,
        s: &SessionSummary,
        open: &Open<'_>,
        prices: &PriceTable,
    ) -> (SessionDetail, Conversation) {
        (
            self.detail(s, open, prices),
            self.conversation(s, ThreadRef::Main, open),
        )
    }

    /// The secrets the session's transcripts hold, by rule, counted with the evidence's
    /// redaction rules (it reads every line again).
    fn secrets(&self, s: &SessionSummary, open: &Open<'_>) -> crate::redact::Counts;

    /// What the empty session list says of the agent's transcripts.
    fn hints(&self) -> Hints;
}

/// The source of `agent`.
pub fn of(agent: Agent) -> &'static dyn AgentSource {
    match agent {
        Agent::ClaudeCode => &claude_code::ClaudeCode,
        Agent::Codex => &codex::Codex,
        Agent::Gemini => &gemini::Gemini,
        Agent::OpenCode => &opencode::OpenCode,
    }
}

/// The transcript files of the given agents on this machine, with the folders searched.
pub fn discover(env: &dyn Env, agents: &[Agent], notes: &mut Vec<Diagnostic>) -> Discovery {
    let mut out = Discovery::default();
    for &agent in agents {
        let found = of(agent).discover(env, notes);
        out.searched.extend(found.searched);
        out.files.extend(found.files);
    }
    out
}

/// Scans `file` with its agent's source (see [`AgentSource::scan`]).
pub fn scan(file: &SourceFile, scan: &mut FileScan) -> Result<(), TranscriptError> {
    of(file.agent).scan(file, scan)
}

/// The session's detail, read by its agent's source.
/// The calls its recording holds and the transcript lacks are among its turns.
pub fn detail(s: &SessionSummary, open: &Open<'_>, prices: &PriceTable) -> SessionDetail {
    let mut d = of(s.agent).detail(s, open, prices);
    d.add_recorded_turns();
    d
}

/// One thread of the session, read by its agent's source.
pub fn conversation(s: &SessionSummary, thread: ThreadRef<'_>, open: &Open<'_>) -> Conversation {
    of(s.agent).conversation(s, thread, open)
}

/// The session's detail and main-thread conversation, read by its agent's source.
pub fn detail_and_conversation(
    s: &SessionSummary,
    open: &Open<'_>,
    prices: &PriceTable,
) -> (SessionDetail, Conversation) {
    let (mut d, c) = of(s.agent).detail_and_conversation(s, open, prices);
    d.add_recorded_turns();
    (d, c)
}

/// The secrets of the session's transcripts, counted by its agent's source.
pub fn secrets(s: &SessionSummary, open: &Open<'_>) -> crate::redact::Counts {
    of(s.agent).secrets(s, open)
}

/// The billable usage of an Anthropic Messages API `usage` object (what a response's
/// `message_start` and `message_delta` carry, and what Claude Code copies into its transcripts),
/// for readers of the API's own traffic such as the recorder.
pub fn api_usage(usage: &serde_json::Value) -> crate::usage::Usage {
    serde_json::from_value::<crate::transcript::wire::RawUsage>(usage.clone())
        .map(|u| u.to_usage())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_agent_has_its_own_source() {
        assert!(!ALL.is_empty());
        for &agent in ALL {
            assert_eq!(of(agent).agent(), agent);
        }
    }

    /// Discovery asks the sources of the agents named, and only those.
    #[test]
    fn discovery_reads_the_sources_of_the_agents_asked_for() {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/claude/v2.1.197-parallel_thinking_retry_failure");
        let env =
            crate::config::VarsEnv::new([("CLAUDE_CONFIG_DIR", fixture.display().to_string())]);
        let mut notes = Vec::new();
        let none = discover(&env, &[], &mut notes);
        assert_eq!(none, Discovery::default());
        let all = discover(&env, ALL, &mut notes);
        assert!(!all.files.is_empty());
        assert_eq!(all, of(Agent::ClaudeCode).discover(&env, &mut notes));
        assert!(notes.is_empty(), "{notes:?}");
    }
}
