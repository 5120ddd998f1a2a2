//! One session in full from its threads (the main one and every sub-agent's), read into the
//! session detail and conversations every screen shows.

use chrono::{DateTime, Utc};

use super::call::{Call, Outcome};
use super::{Response, Step, ThreadRead};
use crate::fingerprint::{is_distinctive, line_hash};
use crate::pricing::PriceTable;
use crate::session::SessionSummary;
use crate::session::detail::commit::{printed_commit, runs_git_commit};
use crate::session::detail::{
    AgentCommit, Conversation, Entry, EntryKind, FileTouch, Open, SessionDetail, SubagentKind,
    SubagentNode, ThreadRef, ToolCall, ToolEntry, ToolOutcome, ToolStatus, TurnUsage,
};
use crate::usage::Usage;

/// Result text shown in a conversation, in lines.
const RESULT_LINES: usize = 12;

/// The threads of the session read by `read` from each of its files, main thread first.
pub fn threads(
    s: &SessionSummary,
    open: &Open<'_>,
    read: impl Fn(&std::path::Path, &Open<'_>) -> ThreadRead,
) -> Vec<ThreadRead> {
    let mut out: Vec<ThreadRead> = s.files.iter().map(|p| read(p, open)).collect();
    // The same thread in two files (an archived copy and the live one): the first is kept.
    let mut seen = std::collections::HashSet::new();
    out.retain(|t| seen.insert(t.identity.thread.clone()));
    out.sort_by_key(|t| (t.identity.is_subagent(), t.first_ts_ms));
    out
}

fn at(ms: Option<i64>) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms?)
}

/// The session's detail.
pub fn detail(s: &SessionSummary, threads: &[ThreadRead], prices: &PriceTable) -> SessionDetail {
    let mut d = SessionDetail {
        summary: s.clone(),
        tool_calls: Vec::new(),
        subagents: Vec::new(),
        files: Vec::new(),
        commits: Vec::new(),
        turns: Vec::new(),
        warnings: Vec::new(),
        secrets: crate::redact::Counts::new(),
        notices: Vec::new(),
    };
    for t in threads {
        let agent = t.identity.is_subagent().then(|| t.identity.thread.clone());
        d.warnings.extend(t.warnings.iter().cloned());
        d.turns
            .extend(t.responses.iter().map(|r| turn(r, agent.clone(), prices)));
        for (i, call) in t.calls.iter().enumerate() {
            d.tool_calls.push(tool_call(call, agent.clone()));
            if let Some(c) = commit(call, agent.clone()) {
                d.commits.push(c);
            }
            for (_, changes) in t.changes.iter().filter(|(c, _)| *c == i) {
                d.files
                    .extend(changes.iter().map(|ch| touch(ch, call, agent.clone())));
            }
        }
    }
    d.tool_calls
        .sort_by_key(|c| (c.started.is_none(), c.started));
    d.turns.sort_by_key(|t| (t.at.is_none(), t.at));
    d.subagents = tree(threads, None, prices);
    d.notices.extend(crate::session::detail::unpriced_notice(
        &s.unpriced_models,
        prices.override_file(),
    ));
    d
}

fn turn(r: &Response, agent_id: Option<String>, prices: &PriceTable) -> TurnUsage {
    let usage = Usage {
        tokens: r.tokens,
        ..Usage::default()
    };
    let when = at(Some(r.ts_ms).filter(|t| *t > 0));
    TurnUsage {
        at: when,
        message_id: r.id.clone(),
        agent_id,
        model: r.model.clone(),
        tokens: r.tokens,
        cost: match r.stored_cost {
            Some(picos) => Some(crate::money::Usd::from_picos(u128::from(picos))),
            None => prices.cost(&r.model, &usage, when),
        },
        not_in_transcript: None,
    }
}

fn tool_call(c: &Call, agent_id: Option<String>) -> ToolCall {
    let (started, finished) = (at(c.started_ms), at(c.finished_ms));
    ToolCall {
        id: c.id.clone(),
        name: c.name.clone(),
        input_summary: c.summary(),
        started,
        finished,
        duration_ms: c.started_ms.zip(c.finished_ms).map(|(s, f)| f - s),
        status: match &c.outcome {
            Outcome::Pending => ToolStatus::Pending,
            Outcome::Ok => ToolStatus::Ok,
            Outcome::Failed(e) => ToolStatus::Failed { error: e.clone() },
        },
        agent_id,
        command: c.command.clone(),
        path: c.files.first().cloned(),
    }
}

fn commit(c: &Call, agent_id: Option<String>) -> Option<AgentCommit> {
    if !runs_git_commit(c.command.as_deref()?) || c.outcome != Outcome::Ok {
        return None;
    }
    let printed = printed_commit(c.output.as_deref()?)?;
    Some(AgentCommit {
        sha: printed.sha,
        kind: Some("committed".to_owned()),
        branch: printed.branch,
        subject: Some(printed.subject),
        tool_use_id: c.id.clone(),
        agent_id,
        at: at(c.finished_ms.or(c.started_ms)),
    })
}

fn touch(ch: &super::Change, call: &Call, agent_id: Option<String>) -> FileTouch {
    let added_hashes = ch
        .hunks
        .iter()
        .flat_map(|h| &h.lines)
        .filter_map(|l| l.strip_prefix('+'))
        .filter(|l| is_distinctive(l))
        .map(line_hash)
        .collect();
    FileTouch {
        path: ch.path.clone(),
        tool: call.name.clone(),
        tool_use_id: call.id.clone(),
        agent_id,
        hunks: ch.hunks.clone(),
        lines_added: ch.added(),
        lines_removed: ch.removed(),
        created: ch.created,
        added_hashes,
        edges: Vec::new(),
    }
}

/// The sub-agents whose parent is `parent` (`None`: the main thread), each with its own.
fn tree(threads: &[ThreadRead], parent: Option<&str>, prices: &PriceTable) -> Vec<SubagentNode> {
    let main = threads.iter().find(|t| !t.identity.is_subagent());
    let parent_thread = parent.or_else(|| main.map(|m| m.identity.thread.as_str()));
    threads
        .iter()
        .filter(|t| t.identity.is_subagent() && t.identity.parent.as_deref() == parent_thread)
        .map(|t| node(t, threads, prices))
        .collect()
}

fn node(t: &ThreadRead, threads: &[ThreadRead], prices: &PriceTable) -> SubagentNode {
    let id = &t.identity;
    let mut tokens = crate::usage::Tokens::default();
    let mut cost = Some(crate::money::Usd::ZERO);
    let mut models: Vec<String> = Vec::new();
    for r in &t.responses {
        tokens.add(&r.tokens);
        let c = turn(r, None, prices).cost;
        cost = cost.zip(c).map(|(a, b)| a + b);
        if !models.contains(&r.model) {
            models.push(r.model.clone());
        }
    }
    let spawn = spawn_call(threads, t);
    SubagentNode {
        agent_id: id.thread.clone(),
        agent_type: id.nickname.clone(),
        description: spawn.map(Call::summary),
        tool_use_id: spawn.map(|c| c.id.clone()),
        kind: SubagentKind::Task,
        tokens,
        cost,
        models,
        tool_calls: t.calls.len() as u64,
        path: Some(t.path.clone()),
        started: at(t.first_ts_ms),
        children: tree(threads, Some(&id.thread), prices),
    }
}

/// The parent's call that started `child`: the one that names the child's thread, else the one
/// whose summary is the child's task, else the parent's last sub-agent call before the child
/// began.
fn spawn_call<'a>(threads: &'a [ThreadRead], child: &ThreadRead) -> Option<&'a Call> {
    let parent = threads
        .iter()
        .find(|t| Some(&t.identity.thread) == child.identity.parent.as_ref())?;
    let spawns = || {
        parent
            .calls
            .iter()
            .filter(|c| crate::session::figures::starts_subagent(&c.name))
    };
    let task = child.identity.task.as_deref();
    let id = child.identity.thread.as_str();
    spawns()
        .find(|c| c.child.as_deref() == Some(id))
        .or_else(|| spawns().find(|c| task.is_some_and(|t| c.summary() == t)))
        .or_else(|| spawns().rfind(|c| c.started_ms <= child.first_ts_ms))
}

/// One thread's conversation.
pub fn conversation(threads: &[ThreadRead], which: ThreadRef<'_>) -> Conversation {
    let t = threads.iter().find(|t| match which {
        ThreadRef::Main => !t.identity.is_subagent(),
        ThreadRef::Agent(id) => t.identity.thread == id,
    });
    let Some(t) = t else {
        return Conversation::default();
    };
    let entries = t
        .steps
        .iter()
        .map(|(ts, step)| Entry {
            at: at(*ts),
            kind: match step {
                Step::Prompt(p) => EntryKind::Prompt(p.clone()),
                Step::Answer(a) => EntryKind::Answer(a.clone()),
                Step::Reasoning(r) => EntryKind::Thinking(r.clone()),
                Step::Call(i) => EntryKind::Tool(tool_entry(&t.calls[*i])),
            },
        })
        .collect();
    Conversation {
        entries,
        warnings: t.warnings.clone(),
    }
}

fn tool_entry(c: &Call) -> ToolEntry {
    let result = (c.outcome != Outcome::Pending).then(|| {
        let text = c.output.clone().unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        ToolOutcome {
            text: lines
                .iter()
                .take(RESULT_LINES)
                .copied()
                .collect::<Vec<_>>()
                .join("\n"),
            is_error: matches!(c.outcome, Outcome::Failed(_)),
            more_lines: lines.len().saturating_sub(RESULT_LINES),
            at: at(c.finished_ms),
        }
    });
    ToolEntry {
        id: c.id.clone(),
        name: c.name.clone(),
        input: c.summary(),
        result,
    }
}
