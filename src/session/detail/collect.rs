//! One pass over a session's files: tool calls, their results, sub-agent threads and links, and
//! usage, each reduced to the facts the detail view needs.

use std::collections::HashMap;
use std::io::BufReader;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::Open;
use super::commit::{self, GitCommit, PrintedCommit};
use super::facts::{self, EditInput, PatchFacts};
use super::tally::{Tally, min_time};
use super::thread::{Thread, agent_of, inline_thread, prompt_of, read_meta};
use crate::transcript::Diagnostic;
use crate::transcript::hash::hash64;
use crate::transcript::record::{AssistantLine, Block, Body, Record, UserLine, read_records};
use crate::transcript::tool::ToolKind;

/// A tool call as first seen.
#[derive(Debug, Clone)]
pub struct UseSeen {
    pub id: String,
    pub name: String,
    pub summary: String,
    pub at: Option<DateTime<Utc>>,
    /// The sub-agent thread that made the call (`None`: the main thread).
    pub thread: Option<String>,
    pub edit: Option<EditInput>,
    /// Task/Agent calls: `input.prompt`, `input.subagent_type`, `input.description`.
    pub prompt: Option<String>,
    pub subagent_type: Option<String>,
    pub description: Option<String>,
    /// Bash calls whose command runs `git commit`.
    pub commits: bool,
    /// Bash calls: the command (clipped to [`facts::COMMAND_CHARS`]).
    pub command: Option<String>,
    /// Read calls: the file read (editing calls carry theirs in `edit`).
    pub read_path: Option<String>,
}

impl UseSeen {
    /// A Task or Agent call: it starts a sub-agent.
    pub fn starts_agent(&self) -> bool {
        crate::session::figures::starts_subagent(&self.name)
    }
}

/// A tool result as first seen.
#[derive(Debug, Clone, Default)]
pub struct ResultSeen {
    pub at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    pub duration_ms: Option<i64>,
    /// `toolUseResult.agentId` / `agentType` (Task/Agent results).
    pub agent_id: Option<String>,
    pub agent_type: Option<String>,
    /// `agentId: <id>` at the end of the result text.
    pub tail_agent_id: Option<String>,
    pub patch: Option<PatchFacts>,
    /// The result text says a file was created (results without `toolUseResult`).
    pub created_hint: bool,
    pub git: Option<GitCommit>,
    pub printed: Option<PrintedCommit>,
}

/// Everything gathered from a session's files.
#[derive(Debug, Default)]
pub struct Collector {
    pub uses: Vec<UseSeen>,
    use_ids: HashMap<String, usize>,
    pub results: HashMap<String, ResultSeen>,
    /// `(agentId, parentToolUseID)` of `agent_progress` lines, in order.
    pub progress_links: Vec<(String, String)>,
    pub threads: Vec<Thread>,
    thread_ids: HashMap<String, usize>,
    pub tally: Tally,
    pub warnings: Vec<Diagnostic>,
    /// Hashes of record uuids copied from an earlier session (a fork's history): skipped.
    pub skip: std::collections::HashSet<u64>,
    /// Hashes of tool call ids counted for an earlier session: skipped.
    pub skip_tools: std::collections::HashSet<u64>,
}

/// Where the records of one file go.
struct FileState<'p> {
    path: &'p Path,
    /// The agent id of an agent file.
    agent: Option<String>,
    /// Inline side-chain line uuid → its thread id.
    sidechain: HashMap<String, String>,
}

impl Collector {
    /// Reads one transcript file of the session, handing each record on to `then` once it has
    /// been looked at (so that one pass can feed other readers).
    pub fn read_file(&mut self, path: &Path, open: &Open<'_>, then: &mut dyn FnMut(&Record)) {
        let agent = agent_of(path);
        if let Some(id) = &agent {
            let meta = read_meta(path, open);
            self.thread(id, path).meta = meta;
        }
        let reader = match open(path) {
            Ok(r) => r,
            Err(e) => {
                self.warnings
                    .push(Diagnostic::file(path, format!("cannot read: {e}")));
                return;
            }
        };
        let mut state = FileState {
            path,
            agent,
            sidechain: HashMap::new(),
        };
        let mut warnings = Vec::new();
        let read = read_records(BufReader::new(reader), path, &mut warnings, |r| {
            let copied = r
                .uuid
                .as_deref()
                .is_some_and(|u| self.skip.contains(&hash64(u.as_bytes())));
            self.record(r, &mut state, copied);
            then(r);
        });
        if let Err(e) = read {
            warnings.push(Diagnostic::file(path, format!("read failed: {e}")));
        }
        self.warnings.append(&mut warnings);
    }

    fn thread(&mut self, id: &str, path: &Path) -> &mut Thread {
        let i = *self.thread_ids.entry(id.to_owned()).or_insert_with(|| {
            self.threads.push(Thread {
                id: id.to_owned(),
                path: path.to_path_buf(),
                first_at: None,
                prompt: None,
                meta: None,
            });
            self.threads.len() - 1
        });
        &mut self.threads[i]
    }

    /// Takes in one record. Of a record copied from an earlier session only the responses, tool
    /// calls and results are looked at: the summary decides which of them this session counts.
    fn record(&mut self, r: &Record, file: &mut FileState<'_>, copied: bool) {
        let thread = match &file.agent {
            Some(a) => Some(a.clone()),
            None if r.is_sidechain => Some(inline_thread(r, &mut file.sidechain)),
            None => None,
        };
        if copied {
            match &r.body {
                Body::Assistant(a) => self.assistant(a, r.timestamp, thread.as_deref()),
                Body::User(u) => self.results(u, r.timestamp),
                _ => {}
            }
            return;
        }
        if let Some(id) = &thread {
            let t = self.thread(id, file.path);
            t.first_at = min_time(t.first_at, r.timestamp);
            if let (None, Body::User(u), None) = (&t.prompt, &r.body, &r.parent_uuid) {
                t.prompt = prompt_of(u);
            }
        }
        match &r.body {
            Body::Assistant(a) => self.assistant(a, r.timestamp, thread.as_deref()),
            Body::User(u) => self.results(u, r.timestamp),
            Body::Progress(p) => {
                if let Some((agent, parent)) = p.agent_link() {
                    self.progress_links
                        .push((agent.to_owned(), parent.to_owned()));
                }
            }
            _ => {}
        }
    }

    fn assistant(&mut self, a: &AssistantLine, at: Option<DateTime<Utc>>, thread: Option<&str>) {
        for block in &a.content {
            if let Block::ToolUse { id, name, input } = block {
                self.tool_use(id, name, input, at, thread);
            }
        }
        self.tally.add(a, thread, at);
    }

    fn tool_use(
        &mut self,
        id: &str,
        name: &str,
        input: &Value,
        at: Option<DateTime<Utc>>,
        thread: Option<&str>,
    ) {
        if self.use_ids.contains_key(id) || self.skip_tools.contains(&hash64(id.as_bytes())) {
            return;
        }
        let get = |k: &str| input.get(k).and_then(Value::as_str).map(str::to_owned);
        let agent = crate::session::figures::starts_subagent(name);
        let kind = ToolKind::of(name);
        self.use_ids.insert(id.to_owned(), self.uses.len());
        self.uses.push(UseSeen {
            id: id.to_owned(),
            name: name.to_owned(),
            summary: facts::input_summary(name, input),
            at,
            thread: thread.map(str::to_owned),
            edit: facts::edit_input(name, input),
            prompt: get("prompt").filter(|_| agent),
            subagent_type: get("subagent_type").filter(|_| agent),
            description: get("description").filter(|_| agent),
            commits: kind == ToolKind::Bash
                && get("command").is_some_and(|c| commit::runs_git_commit(&c)),
            command: get("command")
                .filter(|_| kind == ToolKind::Bash)
                .map(|c| crate::transcript::scan::clip(&c, facts::COMMAND_CHARS)),
            read_path: get("file_path").filter(|_| kind == ToolKind::Read),
        });
    }

    fn results(&mut self, u: &UserLine, at: Option<DateTime<Utc>>) {
        let count = u
            .content
            .iter()
            .filter(|b| matches!(b, Block::ToolResult { .. }))
            .count();
        // The structured result belongs to the line's only tool result.
        let structured = u.tool_use_result.as_ref().filter(|_| count == 1);
        for block in &u.content {
            let Block::ToolResult {
                tool_use_id,
                text,
                is_error,
            } = block
            else {
                continue;
            };
            if self.results.contains_key(tool_use_id) {
                continue;
            }
            // Only sub-agent results end with `agentId: …`; a result whose call is not known
            // (yet) is searched too.
            let agent_call = self
                .use_by_id(tool_use_id)
                .is_none_or(UseSeen::starts_agent);
            let mut seen = result_seen(structured, text, *is_error, at);
            if agent_call {
                seen.tail_agent_id = facts::tail_agent_id(text);
            }
            self.results.insert(tool_use_id.clone(), seen);
        }
    }

    /// The tool call with this id.
    pub fn use_by_id(&self, id: &str) -> Option<&UseSeen> {
        self.use_ids.get(id).map(|&i| &self.uses[i])
    }
}

fn result_seen(
    structured: Option<&Value>,
    text: &str,
    is_error: bool,
    at: Option<DateTime<Utc>>,
) -> ResultSeen {
    let s = structured.filter(|v| v.is_object());
    let get = |k: &str| s.and_then(|v| v.get(k)?.as_str()).map(str::to_owned);
    let stdout = s.and_then(|v| v.get("stdout")?.as_str()).unwrap_or(text);
    ResultSeen {
        at,
        error: is_error.then(|| facts::error_text(structured, text)),
        duration_ms: s.and_then(facts::result_duration_ms),
        agent_id: get("agentId"),
        agent_type: get("agentType"),
        tail_agent_id: None,
        patch: s.and_then(facts::patch_facts),
        created_hint: text.starts_with("File created successfully"),
        git: s.and_then(commit::git_commit),
        printed: commit::printed_commit(stdout),
    }
}
