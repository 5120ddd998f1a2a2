//! Links sub-agent threads to the Task/Agent calls that started them and nests them.
//!
//! Links are tried in order of reliability: the `meta.json` sidecar's `toolUseId`, the Task
//! result's `toolUseResult.agentId`, `agent_progress` lines, the `agentId:` tail of the result
//! text, and last (inline side chains of Claude Code ≤ 2.0.27, and agent files with nothing
//! else) the thread's first prompt equal to a Task call's `input.prompt`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::collect::{Collector, UseSeen};
use super::thread::Thread;
use super::{SubagentKind, SubagentNode};
use crate::pricing::PriceTable;
use crate::transcript::Diagnostic;

/// Nesting deeper than this is treated as a cycle.
const MAX_DEPTH: usize = 32;

/// Builds the sub-agent tree of a session.
pub fn build(
    c: &Collector,
    main: &Path,
    prices: &PriceTable,
    warnings: &mut Vec<Diagnostic>,
) -> Vec<SubagentNode> {
    let mut threads = c.threads.clone();
    let links = Links::gather(c);
    add_missing(c, &links, main, &mut threads, warnings);
    let mut linked: HashMap<String, String> = HashMap::new();
    for t in &threads {
        if let Some(use_id) = links.for_thread(t) {
            linked.insert(t.id.clone(), use_id);
        }
    }
    match_prompts(c, &threads, &mut linked);
    let mut nodes: Vec<(Option<String>, SubagentNode)> = threads
        .iter()
        .map(|t| {
            let use_seen = linked.get(&t.id).and_then(|u| c.use_by_id(u));
            let parent = use_seen
                .and_then(|u| u.thread.clone())
                .filter(|p| *p != t.id);
            if parent.is_none() && t.meta.as_ref().and_then(|m| m.spawn_depth) > Some(1) {
                warnings.push(Diagnostic::file(
                    &t.path,
                    format!("nested sub-agent {} has no known parent", t.id),
                ));
            }
            (parent, node(c, t, use_seen, prices))
        })
        .collect();
    let known: HashSet<String> = nodes.iter().map(|(_, n)| n.agent_id.clone()).collect();
    for (parent, _) in &mut nodes {
        if parent.as_ref().is_some_and(|p| !known.contains(p)) {
            *parent = None;
        }
    }
    let mut roots = nest(None, &mut nodes, 0);
    // Whatever is left sits on a cycle of parents: show it at the top.
    while let Some(first) = nodes.first_mut() {
        first.0 = None;
        roots.extend(nest(None, &mut nodes, 0));
    }
    roots
}

/// The explicit links found in the session, by agent id, one map per source.
struct Links {
    result: HashMap<String, String>,
    progress: HashMap<String, String>,
    tail: HashMap<String, String>,
}

impl Links {
    fn gather(c: &Collector) -> Self {
        let mut links = Self {
            result: HashMap::new(),
            progress: HashMap::new(),
            tail: HashMap::new(),
        };
        for u in c.uses.iter().filter(|u| u.starts_agent()) {
            let Some(r) = c.results.get(&u.id) else {
                continue;
            };
            if let Some(a) = &r.agent_id {
                links
                    .result
                    .entry(a.clone())
                    .or_insert_with(|| u.id.clone());
            }
            if let Some(a) = &r.tail_agent_id {
                links.tail.entry(a.clone()).or_insert_with(|| u.id.clone());
            }
        }
        for (agent, use_id) in &c.progress_links {
            links
                .progress
                .entry(agent.clone())
                .or_insert_with(|| use_id.clone());
        }
        links
    }

    fn for_thread(&self, t: &Thread) -> Option<String> {
        t.meta
            .as_ref()
            .and_then(|m| m.tool_use_id.clone())
            .or_else(|| self.result.get(&t.id).cloned())
            .or_else(|| self.progress.get(&t.id).cloned())
            .or_else(|| self.tail.get(&t.id).cloned())
    }
}

/// Agents named by a Task result or progress line whose transcript is not among the files.
fn add_missing(
    c: &Collector,
    links: &Links,
    main: &Path,
    threads: &mut Vec<Thread>,
    warnings: &mut Vec<Diagnostic>,
) {
    let mut known: HashSet<String> = threads.iter().map(|t| t.id.clone()).collect();
    let named = links
        .result
        .iter()
        .chain(&links.progress)
        .chain(&links.tail);
    let mut missing: Vec<(&String, &String)> = named.filter(|(a, _)| !known.contains(*a)).collect();
    missing.sort();
    for (agent, use_id) in missing {
        if !known.insert(agent.clone()) {
            continue;
        }
        let at = c.use_by_id(use_id).and_then(|u| u.at);
        warnings.push(Diagnostic::file(
            main,
            format!("transcript of sub-agent {agent} (tool call {use_id}) not found"),
        ));
        threads.push(Thread {
            id: agent.clone(),
            path: PathBuf::new(),
            first_at: at,
            prompt: None,
            meta: None,
        });
    }
}

/// Links the remaining threads by their first prompt: the Task call with the same prompt that
/// started last before the thread, else the first unclaimed one.
fn match_prompts(c: &Collector, threads: &[Thread], linked: &mut HashMap<String, String>) {
    let mut claimed: HashSet<String> = linked.values().cloned().collect();
    for t in threads {
        if linked.contains_key(&t.id) {
            continue;
        }
        let Some(prompt) = t.prompt.as_deref().map(str::trim) else {
            continue;
        };
        let candidates: Vec<&UseSeen> = c
            .uses
            .iter()
            .filter(|u| u.starts_agent() && !claimed.contains(&u.id))
            .filter(|u| u.thread.as_deref() != Some(t.id.as_str()))
            .filter(|u| u.prompt.as_deref().map(str::trim) == Some(prompt))
            .collect();
        let before = candidates
            .iter()
            .filter(|u| u.at.is_some() && u.at <= t.first_at)
            .max_by_key(|u| u.at);
        if let Some(u) = before.or(candidates.first()) {
            claimed.insert(u.id.clone());
            linked.insert(t.id.clone(), u.id.clone());
        }
    }
}

fn node(c: &Collector, t: &Thread, u: Option<&UseSeen>, prices: &PriceTable) -> SubagentNode {
    let meta = t.meta.clone().unwrap_or_default();
    let result = u.and_then(|u| c.results.get(&u.id));
    let usage = c.tally.thread(Some(&t.id), prices);
    let kind = if t.id.starts_with("acompact-") {
        SubagentKind::Compaction
    } else if t.id.starts_with("aside_question-") {
        SubagentKind::SideQuestion
    } else if u.is_some() || meta.agent_type.is_some() {
        SubagentKind::Task
    } else {
        SubagentKind::Unknown
    };
    SubagentNode {
        agent_id: t.id.clone(),
        agent_type: meta
            .agent_type
            .or_else(|| u.and_then(|u| u.subagent_type.clone()))
            .or_else(|| result.and_then(|r| r.agent_type.clone())),
        description: meta
            .description
            .or_else(|| u.and_then(|u| u.description.clone())),
        tool_use_id: u.map(|u| u.id.clone()),
        kind,
        tokens: usage.tokens,
        // Without its transcript nothing is known of what it cost.
        cost: usage.cost.filter(|_| !t.path.as_os_str().is_empty()),
        models: usage.models,
        tool_calls: c
            .uses
            .iter()
            .filter(|x| x.thread.as_deref() == Some(t.id.as_str()))
            .count() as u64,
        path: (!t.path.as_os_str().is_empty()).then(|| t.path.clone()),
        started: t.first_at,
        children: Vec::new(),
    }
}

/// Takes the nodes whose parent is `parent` out of `pending`, with their own children.
fn nest(
    parent: Option<&str>,
    pending: &mut Vec<(Option<String>, SubagentNode)>,
    depth: usize,
) -> Vec<SubagentNode> {
    let (mut mine, rest): (Vec<_>, Vec<_>) = std::mem::take(pending)
        .into_iter()
        .partition(|(p, _)| p.as_deref() == parent || depth >= MAX_DEPTH);
    *pending = rest;
    mine.sort_by(|a, b| (a.1.started, &a.1.agent_id).cmp(&(b.1.started, &b.1.agent_id)));
    mine.into_iter()
        .map(|(_, mut n)| {
            n.children = nest(Some(&n.agent_id.clone()), pending, depth + 1);
            n
        })
        .collect()
}
