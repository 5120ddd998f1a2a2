//! The flat lists of a session's detail: tool calls, files touched, commits, per-tool stats.

use std::collections::{BTreeMap, HashSet};

use super::collect::{Collector, ResultSeen, UseSeen};
use super::{AgentCommit, FileTouch, PathTotals, ToolCall, ToolStat, ToolStatus};
use crate::transcript::tool::ToolKind;

/// Every tool call, by start time (calls without a time keep their reading order, last).
pub fn tool_calls(c: &Collector) -> Vec<ToolCall> {
    let mut calls: Vec<ToolCall> = c
        .uses
        .iter()
        .map(|u| call(u, c.results.get(&u.id)))
        .collect();
    calls.sort_by_key(|t| (t.started.is_none(), t.started));
    calls
}

fn call(u: &UseSeen, r: Option<&ResultSeen>) -> ToolCall {
    let finished = r.and_then(|r| r.at);
    let elapsed =
        u.at.zip(finished)
            .map(|(a, b)| (b - a).num_milliseconds())
            .filter(|ms| *ms >= 0);
    ToolCall {
        id: u.id.clone(),
        name: u.name.clone(),
        input_summary: u.summary.clone(),
        started: u.at,
        finished,
        duration_ms: r.and_then(|r| r.duration_ms).or(elapsed),
        status: match r {
            None => ToolStatus::Pending,
            Some(ResultSeen {
                error: Some(error), ..
            }) => ToolStatus::Failed {
                error: error.clone(),
            },
            Some(_) => ToolStatus::Ok,
        },
        agent_id: u.thread.clone(),
        command: u.command.clone(),
        path: u
            .read_path
            .clone()
            .or_else(|| u.edit.as_ref().map(|e| e.path.clone())),
    }
}

/// Successful calls of the file-editing tools, with their patches where recorded.
pub fn files(c: &Collector) -> Vec<FileTouch> {
    let mut out: Vec<(Option<chrono::DateTime<chrono::Utc>>, FileTouch)> = c
        .uses
        .iter()
        .filter(|u| ToolKind::of(&u.name).writes_file())
        .filter_map(|u| {
            let r = c.results.get(&u.id).filter(|r| r.error.is_none())?;
            Some((u.at, touch(u, r)?))
        })
        .collect();
    out.sort_by_key(|(at, _)| (at.is_none(), *at));
    out.into_iter().map(|(_, t)| t).collect()
}

fn touch(u: &UseSeen, r: &ResultSeen) -> Option<FileTouch> {
    let facts = r.patch.clone().unwrap_or_default();
    let path = facts
        .path
        .clone()
        .or_else(|| u.edit.as_ref().map(|e| e.path.clone()))?;
    let count = |c: char| {
        facts
            .hunks
            .iter()
            .flat_map(|h| &h.lines)
            .filter(|l| l.starts_with(c))
            .count() as u64
    };
    let (added, removed) = if !facts.hunks.is_empty() {
        (count('+'), count('-'))
    } else if let Some(n) = facts.content_lines {
        (n, 0)
    } else {
        u.edit.as_ref().map_or((0, 0), |e| (e.added, e.removed))
    };
    let added_hashes = if facts.hunks.is_empty() {
        u.edit
            .as_ref()
            .map(|e| e.added_hashes.clone())
            .unwrap_or_default()
    } else {
        facts
            .hunks
            .iter()
            .flat_map(|h| &h.lines)
            .filter_map(|l| l.strip_prefix('+'))
            .filter(|l| crate::fingerprint::is_distinctive(l))
            .map(crate::fingerprint::line_hash)
            .collect()
    };
    // A structured patch holds whole lines; only an edit's input can hold parts of lines.
    let edges = match (&u.edit, facts.hunks.is_empty()) {
        (Some(e), true) => e.edges.clone(),
        _ => Vec::new(),
    };
    Some(FileTouch {
        added_hashes,
        edges,
        path,
        tool: u.name.clone(),
        tool_use_id: u.id.clone(),
        agent_id: u.thread.clone(),
        hunks: facts.hunks,
        lines_added: added,
        lines_removed: removed,
        created: facts.created || (r.patch.is_none() && r.created_hint),
    })
}

/// The changes to each path, summed; paths sorted.
pub fn by_path(files: &[FileTouch]) -> Vec<PathTotals> {
    let mut map: BTreeMap<&str, PathTotals> = BTreeMap::new();
    for f in files {
        let e = map.entry(&f.path).or_insert_with(|| PathTotals {
            path: f.path.clone(),
            ..PathTotals::default()
        });
        e.added += f.lines_added;
        e.removed += f.lines_removed;
        e.edits += 1;
        e.created |= f.created;
        if !e.by.contains(&f.agent_id) {
            e.by.push(f.agent_id.clone());
        }
    }
    map.into_values().collect()
}

/// Commits made by successful Bash calls: `gitOperation.commit` where recorded, else the
/// `[branch sha] subject` line of a `git commit` command's output. Each sha once.
pub fn commits(c: &Collector) -> Vec<AgentCommit> {
    let mut seen = HashSet::new();
    let mut out: Vec<AgentCommit> = Vec::new();
    for u in c
        .uses
        .iter()
        .filter(|u| ToolKind::of(&u.name) == ToolKind::Bash)
    {
        let Some(r) = c.results.get(&u.id).filter(|r| r.error.is_none()) else {
            continue;
        };
        let printed = r.printed.as_ref().filter(|_| u.commits || r.git.is_some());
        let commit = match (&r.git, printed) {
            (Some(g), p) => AgentCommit {
                sha: g.sha.clone(),
                kind: g.kind.clone(),
                branch: g
                    .branch
                    .clone()
                    .or_else(|| p.and_then(|p| p.branch.clone())),
                subject: p.map(|p| p.subject.clone()),
                tool_use_id: u.id.clone(),
                agent_id: u.thread.clone(),
                at: r.at,
            },
            (None, Some(p)) => AgentCommit {
                sha: p.sha.clone(),
                kind: None,
                branch: p.branch.clone(),
                subject: Some(p.subject.clone()),
                tool_use_id: u.id.clone(),
                agent_id: u.thread.clone(),
                at: r.at,
            },
            (None, None) => continue,
        };
        if seen.insert(commit.sha.clone()) {
            out.push(commit);
        }
    }
    out.sort_by_key(|c| (c.at.is_none(), c.at));
    out
}

/// Calls, failures and median duration per tool, most used first.
pub fn tool_stats(calls: &[ToolCall]) -> Vec<ToolStat> {
    let mut by_name: BTreeMap<&str, (ToolStat, Vec<i64>)> = BTreeMap::new();
    for c in calls {
        let (stat, durations) = by_name.entry(&c.name).or_insert_with(|| {
            let stat = ToolStat {
                name: c.name.clone(),
                calls: 0,
                failed: 0,
                pending: 0,
                median_ms: None,
            };
            (stat, Vec::new())
        });
        stat.calls += 1;
        match c.status {
            ToolStatus::Ok => {}
            ToolStatus::Failed { .. } => stat.failed += 1,
            ToolStatus::Pending => stat.pending += 1,
        }
        durations.extend(c.duration_ms);
    }
    let mut out: Vec<ToolStat> = by_name
        .into_values()
        .map(|(mut stat, mut d)| {
            d.sort_unstable();
            stat.median_ms = median(&d);
            stat
        })
        .collect();
    out.sort_by(|a, b| b.calls.cmp(&a.calls).then_with(|| a.name.cmp(&b.name)));
    out
}

/// The median of sorted values (the mean of the middle two, rounded down, for an even count).
fn median(sorted: &[i64]) -> Option<i64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some(i64::midpoint(sorted[n / 2 - 1], sorted[n / 2])),
    }
}
