//! What one session wrote, tool call by tool call, with the prompt each call answered: the
//! lookup blame uses to name the edit and the prompt behind a line.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::fingerprint::line_hash;
use crate::git::paths::RepoPaths;
use crate::session::SessionSummary;
use crate::session::detail::{Conversation, EntryKind, LineEdge, SessionDetail, SubagentNode};

/// One file tool call of a session.
#[derive(Debug, Clone)]
pub struct Write {
    pub tool_use_id: String,
    pub tool: String,
    /// The sub-agent that made the call, if not the main agent.
    pub agent_id: Option<String>,
    pub at: Option<DateTime<Utc>>,
    hashes: Vec<u64>,
    edges: Vec<LineEdge>,
    /// Index into [`Writings::prompts`].
    pub prompt: Option<usize>,
}

/// A prompt the person sent in the main conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// 1-based, among the session's prompts.
    pub number: usize,
    pub at: Option<DateTime<Utc>>,
    pub text: String,
}

/// What a session wrote, by path relative to its repository's top.
#[derive(Debug, Clone, Default)]
pub struct Writings {
    pub by_path: HashMap<String, Vec<Write>>,
    pub prompts: Vec<Prompt>,
}

impl Writings {
    /// Reads `detail` and its main conversation; `worktree` is the session's own repository
    /// (another clone of the same one is fine: paths are made relative to its top).
    pub fn of(worktree: &RepoPaths, detail: &SessionDetail, main: &Conversation) -> Self {
        let (prompts, prompt_of_call) = prompts(main);
        let launched_by = launchers(&detail.subagents);
        let started: HashMap<&str, Option<DateTime<Utc>>> = detail
            .tool_calls
            .iter()
            .map(|c| (c.id.as_str(), c.started))
            .collect();
        let mut by_path: HashMap<String, Vec<Write>> = HashMap::new();
        for f in &detail.files {
            let Some(rel) = worktree.relative(Path::new(&f.path)) else {
                continue;
            };
            // A sub-agent's call answers the prompt its launching call answered.
            let prompt = prompt_of_call
                .get(f.tool_use_id.as_str())
                .copied()
                .or_else(|| {
                    let launcher = launched_by.get(f.agent_id.as_deref()?)?;
                    prompt_of_call.get(launcher.as_str()).copied()
                });
            by_path.entry(rel).or_default().push(Write {
                tool_use_id: f.tool_use_id.clone(),
                tool: f.tool.clone(),
                agent_id: f.agent_id.clone(),
                at: started.get(f.tool_use_id.as_str()).copied().flatten(),
                hashes: f.added_hashes.clone(),
                edges: f.edges.clone(),
                prompt,
            });
        }
        Self { by_path, prompts }
    }

    /// The session's last write of `text` to `path` made no later than `before` (all writes
    /// when `None`): the whole line among its added lines, else a piece an edit began or ended
    /// with.
    pub fn find(&self, path: &str, text: &str, before: Option<DateTime<Utc>>) -> Option<&Write> {
        let writes = self.by_path.get(path)?;
        let hash = line_hash(text);
        // Commit times have whole seconds: a write in the commit's own second counts.
        let in_time = |w: &&Write| match (before, w.at) {
            (Some(b), Some(at)) => at < b + chrono::Duration::seconds(1),
            _ => true,
        };
        let whole = writes
            .iter()
            .filter(in_time)
            .rfind(|w| w.hashes.contains(&hash));
        whole.or_else(|| {
            writes
                .iter()
                .filter(in_time)
                .rfind(|w| w.edges.iter().any(|e| e.fits(text)))
        })
    }
}

/// The main conversation's prompts, and for each tool call the prompt it answered.
pub fn prompts(main: &Conversation) -> (Vec<Prompt>, HashMap<&str, usize>) {
    let mut prompts: Vec<Prompt> = Vec::new();
    let mut of_call = HashMap::new();
    for e in &main.entries {
        match &e.kind {
            EntryKind::Prompt(text) => prompts.push(Prompt {
                number: prompts.len() + 1,
                at: e.at,
                text: text.clone(),
            }),
            EntryKind::Tool(t) if !prompts.is_empty() => {
                of_call.insert(t.id.as_str(), prompts.len() - 1);
            }
            _ => {}
        }
    }
    (prompts, of_call)
}

/// Each sub-agent's launching tool call, sub-agents of sub-agents mapped to the main agent's
/// call that started their line.
fn launchers(nodes: &[SubagentNode]) -> HashMap<String, String> {
    fn walk(nodes: &[SubagentNode], root: Option<&str>, out: &mut HashMap<String, String>) {
        for n in nodes {
            let launcher = root.or(n.tool_use_id.as_deref());
            if let Some(l) = launcher {
                out.insert(n.agent_id.clone(), l.to_owned());
            }
            walk(&n.children, launcher, out);
        }
    }
    let mut out = HashMap::new();
    walk(nodes, None, &mut out);
    out
}

/// Whether the session's tool calls worked on a file whose path ends with `rel` (a cheap test
/// before its transcript is read).
pub fn may_have_written(s: &SessionSummary, rel: &str) -> bool {
    let tail = format!("/{rel}");
    s.file_paths
        .iter()
        .any(|p| p == rel || p.replace('\\', "/").ends_with(&tail))
}
