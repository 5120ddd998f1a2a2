//! `git-vouch hook claude|codex|gemini|opencode <event>`: records one hook event of Claude Code,
//! Codex CLI, Gemini CLI or opencode (through git-vouch's opencode plugin, which hands its events
//! over in Claude Code's shape) into the state folder of the repository it happened in. Codex's hooks are shaped
//! like Claude Code's (the same events and payload fields, its shell tool named `Bash`); Gemini
//! CLI's carry the same fields under other event names ([`event_of`]). Codex's patches and Gemini
//! CLI's file tools are recorded like shell calls, by the files they changed.
//!
//! On the agent's hot path: it reads the payload from stdin (capped), never blocks the agent
//! (always exits 0), prints nothing but SessionStart's one-line JSON banner and the guard's decisions, and writes problems to
//! `errors.log`. No git (never `index.lock`), no database, no transcript parsing: a few small
//! locked appends, plus a worktree walk around Bash calls and an incremental transcript copy when
//! a turn stops or compacts. PreToolUse first asks the guard ([`guard`]), whose decision is
//! printed as Claude Code's structured output (nothing when it has no objection).
//!
//! Per event: `sessions/<id>.json` is created or updated under its lock file (tool events, the
//! hot path, only move `last_event_at` once a minute), one line goes to `events/<id>.jsonl`, and
//! file tools and Bash calls add their `edits/<id>.jsonl` lines (see [`super::attribution`] and
//! [`super::snapshot`]).

use std::env;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

mod alert;
mod guard;
mod hold;
mod ledger;
mod live_export;
mod streak;

use ledger::{append_lines, apply, lock};

use super::agent_config;
use super::archive;
use super::attribution::{self, Produced};
use super::hook_panic::{self, Notice};
use super::payload::{Payload, clip, owned};
use super::record::{EditKind, EditLine, EventRecord, SessionRecord};
use super::snapshot;
use super::state::{self, StateDir};
use crate::clock::Clock;
use crate::git::config;
use crate::transcript::agent::Agent;
use crate::transcript::hook_event::HookEvent;
use crate::transcript::tool::ToolKind;

/// Largest payload read; a larger one is drained and ignored.
pub const MAX_PAYLOAD: u64 = 32 * 1024 * 1024;
/// Tool events move a session's `last_event_at` only when it is older than this.
const REFRESH_SECS: i64 = 60;
const BANNER: &[u8] = b"{\"systemMessage\":\"git-vouch: recording this session\"}\n";

/// Why a payload could not be used at all.
#[derive(Debug, thiserror::Error)]
pub enum PayloadError {
    #[error("payload too large ({0} bytes); nothing recorded")]
    TooLarge(u64),
    #[error("cannot read the payload from stdin: {0}")]
    Stdin(#[source] io::Error),
    #[error("empty payload on stdin; nothing recorded")]
    Empty,
    #[error("payload is not valid hook JSON ({0}); nothing recorded")]
    Json(#[source] serde_json::Error),
}

/// The word naming an agent in its hook command (`git-vouch hook <word> <event>`).
pub const fn hook_word(agent: Agent) -> &'static str {
    match agent {
        Agent::ClaudeCode => "claude",
        Agent::Codex => "codex",
        Agent::Gemini => "gemini",
        Agent::OpenCode => "opencode",
    }
}

/// Handles one hook event of `agent` whose payload is on stdin. Never fails: even a panic is
/// caught and logged (see [`hook_panic`]), so the process exits 0.
pub fn run(agent: Agent, event: &str, clock: &dyn Clock) {
    let context = format!("hook {} {event}", hook_word(agent));
    hook_panic::catch(&context, Notice::Silent, clock, || {
        record(agent, event, clock);
    });
}

/// The kind of a tool for recording: Codex's `apply_patch` and the file tools of Gemini CLI and
/// opencode change files the way a shell call may, so they are recorded like one (the worktree
/// before and after); their shells are `run_shell_command` and `bash`.
fn tool_kind(agent: Agent, name: &str) -> ToolKind {
    match (agent, name) {
        (Agent::Codex, "apply_patch")
        | (Agent::Gemini, "run_shell_command" | "write_file" | "replace")
        | (Agent::OpenCode, "bash" | "write" | "edit" | "multiedit" | "patch") => ToolKind::Bash,
        _ => ToolKind::of(name),
    }
}

/// The event a hook's name means: Claude Code's and Codex CLI's names as they are, Gemini CLI's
/// (`BeforeTool`, `AfterTool`, `BeforeAgent`, `AfterAgent`, `PreCompress`) as their Claude Code
/// counterparts, under which they are recorded.
pub fn event_of(agent: Agent, name: &str) -> HookEvent {
    let name = match (agent, name) {
        (Agent::Gemini, "BeforeTool") => "PreToolUse",
        (Agent::Gemini, "AfterTool") => "PostToolUse",
        (Agent::Gemini, "BeforeAgent") => "UserPromptSubmit",
        (Agent::Gemini, "AfterAgent") => "Stop",
        (Agent::Gemini, "PreCompress") => "PreCompact",
        _ => name,
    };
    HookEvent::parse(name)
}

fn record(agent: Agent, name: &str, clock: &dyn Clock) {
    let input = read_payload(&mut io::stdin().lock(), MAX_PAYLOAD);
    // Events git-vouch does not know are ignored.
    let event = event_of(agent, name);
    if event == HookEvent::Other {
        return;
    }
    let now = clock.now();
    let context = format!("hook {} {name}", hook_word(agent));
    let parsed = input.and_then(|bytes| {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(PayloadError::Empty);
        }
        Ok(bytes)
    });
    let unusable = |error: &str| {
        if event == HookEvent::PreToolUse {
            guard::unreadable_payload(agent, error);
        }
        log_without_payload(now, &context, error);
    };
    let bytes = match parsed {
        Ok(bytes) => bytes,
        Err(e) => return unusable(&e.to_string()),
    };
    let payload = match Payload::parse(&bytes) {
        Ok(p) => p,
        Err(e) => return unusable(&PayloadError::Json(e).to_string()),
    };
    let Some(state) = locate(&payload).filter(|s| s.repo.git_dir.is_dir()) else {
        return; // Not in a git repository (or its git dir is gone): nothing to record.
    };
    // One reading of the repository's configuration serves the guard (PreToolUse) and the
    // worktree snapshots around Bash calls (the global excludes file).
    let bash = payload
        .tool_name
        .as_deref()
        .is_some_and(|t| tool_kind(agent, t) == ToolKind::Bash);
    let post = matches!(
        event,
        HookEvent::PostToolUse | HookEvent::PostToolUseFailure
    );
    let config = (event == HookEvent::PreToolUse || (bash && post))
        .then(|| config::Config::read(&state.repo));
    // The guard answers first: the agent waits for its decision, not for the recording.
    let guard = config
        .as_ref()
        .filter(|_| event == HookEvent::PreToolUse)
        .and_then(|c| {
            guard::check_call(agent, &state, &payload, &bytes, guard::settings(c), clock)
        });
    let excludes = config
        .as_ref()
        .filter(|_| bash)
        .and_then(config::Config::excludes_file);
    let Some(sid) = payload.session() else {
        state.log_error(now, &context, "missing session id; nothing recorded");
        return;
    };
    if !state::is_clean_id(sid) {
        let stored = state::file_id(sid);
        state.log_error(
            now,
            &context,
            &format!("session id {sid:?} is not a plain file name; stored as {stored}"),
        );
    }
    let hook = Hook {
        agent,
        state,
        now,
        event,
        sid,
        payload: &payload,
        context,
        guard,
        excludes,
    };
    let recorded = hook.handle();
    if recorded {
        banner(agent, event, &payload);
    }
}

/// Claude Code shows SessionStart's banner to the person. Codex takes a SessionStart hook's
/// output for context the model reads: no banner there.
fn banner(agent: Agent, event: HookEvent, payload: &Payload) {
    if agent == Agent::ClaudeCode
        && event == HookEvent::SessionStart
        && payload.source.as_deref() != Some("compact")
    {
        let _ = io::stdout().lock().write_all(BANNER);
    }
}

/// Reads stdin up to `cap` bytes; beyond it, drains the rest without keeping it.
pub fn read_payload(input: &mut dyn Read, cap: u64) -> Result<Vec<u8>, PayloadError> {
    let mut bytes = Vec::with_capacity(16 * 1024);
    input
        .take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(PayloadError::Stdin)?;
    if bytes.len() as u64 <= cap {
        return Ok(bytes);
    }
    let total = bytes.len() as u64 + io::copy(input, &mut io::sink()).unwrap_or(0);
    Err(PayloadError::TooLarge(total))
}

/// Logs to the state folder of the working directory, if it is in a repository.
fn log_without_payload(now: DateTime<Utc>, context: &str, message: &str) {
    if let Some(state) = env::current_dir().ok().and_then(|d| StateDir::discover(&d)) {
        state.log_error(now, context, message);
    }
}

/// The state folder for an event: the one of the file a file tool names (so edits in a linked
/// worktree land in that worktree), else the one of `cwd`.
fn locate(payload: &Payload) -> Option<StateDir> {
    let cwd = payload
        .cwd
        .as_deref()
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| env::current_dir().ok())?;
    let file_tool = payload
        .tool_name
        .as_deref()
        .is_some_and(|t| ToolKind::of(t).names_file());
    let from_file = payload
        .tool_path()
        .filter(|_| file_tool)
        .and_then(|p| cwd.join(p).parent().and_then(StateDir::discover));
    from_file.or_else(|| StateDir::discover(&cwd))
}

/// One event being recorded.
struct Hook<'a> {
    agent: Agent,
    state: StateDir,
    now: DateTime<Utc>,
    event: HookEvent,
    sid: &'a str,
    payload: &'a Payload<'a>,
    context: String,
    /// The guard's check of a PreToolUse call (none in mode `off`).
    guard: Option<guard::Guarded>,
    /// The global excludes file, for the snapshots around a Bash call.
    excludes: Option<PathBuf>,
}

impl Hook<'_> {
    /// Records the event; true when the session record was written.
    fn handle(&self) -> bool {
        let session = self.update_session();
        if let Err(e) = &session {
            self.log(&format!("cannot update the session record: {e}"));
        }
        let mut record = self.event_record();
        match (self.event, tool_kind(self.agent, self.tool())) {
            // A denied call never runs: nothing to compare after it.
            (HookEvent::PreToolUse, ToolKind::Bash) if !guard::denied(self.guard.as_ref()) => {
                self.bash_before();
            }
            (HookEvent::PostToolUse | HookEvent::PostToolUseFailure, ToolKind::Bash) => {
                record.files = self.bash_after();
            }
            (HookEvent::PostToolUse, tool) if tool.writes_file() => {
                self.file_edit(record.files.first().map(String::as_str));
            }
            _ => {}
        }
        if self.event.settles_transcript() {
            self.archive();
        }
        // What governed the agent is read from its settings files.
        if self.event == HookEvent::SessionStart
            && self.payload.source.as_deref() != Some("compact")
        {
            self.record_config();
        }
        if self.event == HookEvent::SessionEnd {
            snapshot::drop_session(&self.state, self.sid);
            self.export_live();
        }
        self.alert(&record);
        self.append(&self.state.events_file(self.sid), &[record]);
        session.is_ok()
    }

    /// Starts the guard's alert for this call, if it deserves one and a webhook is set.
    fn alert(&self, record: &EventRecord) {
        let Some(guarded) = &self.guard else { return };
        let Some(url) = guarded.webhook.as_deref() else {
            return;
        };
        if !alert::wanted(&guarded.record) {
            return;
        }
        let worktree = &self.state.repo.worktree;
        let repository = worktree.file_name().map(|n| n.to_string_lossy());
        let alert = alert::Alert {
            repository: repository.as_deref().unwrap_or(""),
            session: self.sid,
            tool: self.tool(),
            agent_id: record.agent_id.as_deref(),
            summary: record.summary.as_deref(),
            record: &guarded.record,
        };
        if let Err(e) = alert::send(url, &alert) {
            self.log(&e);
        }
    }

    /// Starts the session's OpenTelemetry export when the repository names a collector.
    fn export_live(&self) {
        let wanted = config::value(&self.state.repo, live_export::KEY);
        let Ok(Some(endpoint)) = wanted else { return };
        if endpoint.trim().is_empty() {
            return;
        }
        if let Err(e) = live_export::start(&self.state.repo.worktree, self.sid) {
            self.log(&e);
        }
    }

    fn tool(&self) -> &str {
        self.payload.tool_name.as_deref().unwrap_or("")
    }

    fn log(&self, message: &str) {
        self.state.log_error(self.now, &self.context, message);
    }

    fn event_record(&self) -> EventRecord {
        let p = self.payload;
        let ok = match self.event {
            HookEvent::PostToolUse => Some(true),
            HookEvent::PostToolUseFailure => Some(false),
            _ => None,
        };
        let cwd = p
            .cwd
            .as_deref()
            .map_or_else(|| self.state.repo.worktree.clone(), PathBuf::from);
        let file = p
            .tool_path()
            .and_then(|f| self.state.repo.relative(&cwd.join(f)));
        EventRecord {
            ts: self.now,
            event: self.event.name().to_owned(),
            tool_use_id: owned(&p.tool_use_id),
            tool: owned(&p.tool_name),
            agent_id: owned(&p.agent_id),
            agent_type: owned(&p.agent_type),
            files: file.into_iter().collect(),
            ok,
            error: p.error.as_deref().map(|e| clip(e, 300)),
            duration_ms: p.duration_ms,
            prompt_id: owned(&p.prompt_id),
            summary: p.summary(self.event),
            call_key: self.guard.as_ref().and_then(|g| g.key).map(streak::hex),
            guard: self.guard.as_ref().map(|g| g.record.clone()),
        }
    }

    /// Records what governed the agent as the session starts (or resumes): its instruction
    /// files, settings, MCP servers, agents, commands and skills (see [`agent_config`]).
    fn record_config(&self) {
        let root = &self.state.repo.worktree;
        let cwd = self
            .payload
            .cwd
            .as_deref()
            .map_or_else(|| root.clone(), PathBuf::from);
        let var = |name: &str| {
            env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let home = var("HOME");
        let (user_dir, user_label) = match self.agent {
            Agent::ClaudeCode => (
                var("CLAUDE_CONFIG_DIR").or_else(|| home.map(|h| h.join(".claude"))),
                "~/.claude",
            ),
            Agent::Codex => (
                var("CODEX_HOME").or_else(|| home.map(|h| h.join(".codex"))),
                "~/.codex",
            ),
            Agent::Gemini => (
                var("GEMINI_CLI_HOME").or(home).map(|h| h.join(".gemini")),
                "~/.gemini",
            ),
            Agent::OpenCode => (
                var("XDG_CONFIG_HOME")
                    .or_else(|| home.map(|h| h.join(".config")))
                    .map(|d| d.join("opencode")),
                "~/.config/opencode",
            ),
        };
        let places = agent_config::Places {
            user_dir,
            user_label,
            managed_dir: Path::new(agent_config::MANAGED_DIR),
            root,
            cwd: &cwd,
        };
        let mut config = match self.agent {
            Agent::ClaudeCode => agent_config::collect(&places, self.now),
            Agent::Codex => agent_config::collect_codex(&places, self.now),
            Agent::Gemini => agent_config::collect_gemini(&places, self.now),
            Agent::OpenCode => agent_config::collect_opencode(&places, self.now),
        };
        let command_line = agent_config::launch::agent_command_line(self.agent);
        config.launch_mode =
            agent_config::launch::mode(self.agent, command_line.as_deref(), &config.settings);
        let kept = agent_config::keep_contents(&config, &self.state.config_files_dir());
        let written = state::write_json(&self.state.config_file(self.sid), &config);
        if let Err(e) = kept.and(written) {
            self.log(&format!("cannot record the agent's configuration: {e}"));
        }
    }

    /// Creates or updates `sessions/<id>.json` under its lock file.
    fn update_session(&self) -> io::Result<()> {
        let path = self.state.session_file(self.sid);
        if self.session_is_fresh(&path) {
            return Ok(());
        }
        let _lock = lock(&path.with_extension("json.lock"))?;
        let old = self.read_session(&path)?;
        let mut rec = old.clone().unwrap_or_else(|| SessionRecord {
            session_id: self.sid.to_owned(),
            agent: self.agent.id().to_owned(),
            started_at: Some(self.now),
            ..SessionRecord::default()
        });
        apply(&mut rec, self.event, self.payload, self.now);
        if old.as_ref() == Some(&rec) {
            return Ok(());
        }
        state::write_json(&path, &rec)
    }

    /// Whether a tool event can leave the record alone: it would only move `last_event_at`, by
    /// less than [`REFRESH_SECS`]. Tool events are the hot path; this costs one read, no lock.
    fn session_is_fresh(&self, path: &Path) -> bool {
        if !self.event.is_tool_event() {
            return false;
        }
        let Some(old) = fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice::<SessionRecord>(&b).ok())
        else {
            return false;
        };
        let mut new = old.clone();
        apply(&mut new, self.event, self.payload, self.now);
        new.last_event_at = old.last_event_at;
        let recent = |t: DateTime<Utc>| (self.now - t).num_seconds() < REFRESH_SECS;
        new == old && old.last_event_at.is_some_and(recent)
    }

    /// The current record; a corrupt one is kept aside (`.corrupt`) and started anew.
    fn read_session(&self, path: &Path) -> io::Result<Option<SessionRecord>> {
        let bytes = match fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        serde_json::from_slice(&bytes).map(Some).or_else(|e| {
            let aside = path.with_extension("json.corrupt");
            let (from, to) = (path.display(), aside.display());
            self.log(&format!(
                "{from} is corrupt ({e}); kept as {to}, record started anew"
            ));
            fs::rename(path, &aside).map(|()| None)
        })
    }

    fn file_edit(&self, rel: Option<&str>) {
        let Some(rel) = rel else { return };
        if let Some(produced) = attribution::produced(self.tool(), self.payload) {
            let line = self.edit_record(rel, produced);
            self.append(&self.state.edits_file(self.sid), &[line]);
        }
    }

    fn edit_record(&self, path: &str, produced: Produced) -> EditLine {
        EditLine::Edit(attribution::record(
            self.payload,
            self.sid,
            self.now,
            path,
            produced,
        ))
    }

    fn snapshot_file(&self) -> PathBuf {
        snapshot::file_for(&self.state, self.sid, self.payload.tool_use_id.as_deref())
    }

    fn bash_before(&self) {
        let file = self.snapshot_file();
        if let Err(e) = snapshot::before(&self.state, &file, self.excludes.as_deref()) {
            self.log(&format!(
                "cannot save the worktree snapshot {}: {e}",
                file.display()
            ));
        }
    }

    /// Records the files a Bash call created, changed or deleted; returns them, sorted.
    fn bash_after(&self) -> Vec<String> {
        let file = self.snapshot_file();
        let changes = match snapshot::after(&self.state, &file, self.excludes.as_deref()) {
            Ok(changes) => changes,
            Err(e) => {
                let file = file.display();
                self.log(&format!(
                    "no usable snapshot from before this Bash call ({file}: {e}); \
                     its file changes are not recorded"
                ));
                return Vec::new();
            }
        };
        let changed = changes.created.iter().chain(&changes.modified);
        let lines: Vec<EditLine> = (changed.map(|p| (p, EditKind::WholeFile)))
            .chain(changes.deleted.iter().map(|p| (p, EditKind::Deleted)))
            .map(|(path, kind)| self.edit_record(path, Produced::whole(kind)))
            .collect();
        self.append(&self.state.edits_file(self.sid), &lines);
        let mut files = [changes.created, changes.modified, changes.deleted].concat();
        files.sort();
        files
    }

    fn archive(&self) {
        let Some(transcript) = self.payload.transcript_path.as_deref() else {
            return self.log("no transcript_path in the payload; transcript not copied");
        };
        let extra = self.payload.agent_transcript_path.as_deref().map(Path::new);
        let dest = self.state.transcripts_dir(self.sid);
        for problem in archive::archive(Path::new(transcript), extra, &dest).problems {
            self.log(&problem.to_string());
        }
    }

    /// Appends JSON lines with one write, logging (not failing) on error.
    fn append<T: serde::Serialize>(&self, path: &Path, rows: &[T]) {
        let mut bytes = Vec::with_capacity(256 * rows.len());
        for row in rows {
            if serde_json::to_writer(&mut bytes, row).is_ok() {
                bytes.push(b'\n');
            }
        }
        if bytes.is_empty() {
            return;
        }
        match append_lines(path, &bytes) {
            Ok(None) => {}
            Ok(Some(warning)) => self.log(&format!("{}: {warning}", path.display())),
            Err(e) => self.log(&format!("cannot append to {}: {e}", path.display())),
        }
    }
}
