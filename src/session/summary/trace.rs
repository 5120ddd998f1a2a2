//! A session's insights, from the scans of its files: the calls and responses the session counts
//! (each copy once, as the figures count them), the main thread's compactions and ending, read
//! into the detectors' [`Trace`].

use super::{Dedup, ScannedFile};
use crate::insights::trace::{Call, Request};
use crate::insights::{self, Insights, Rules, Trace};
use crate::money::Usd;
use crate::pricing::PriceTable;
use crate::transcript::file_scan::{FileScan, NO_PATH};
use crate::transcript::source_file::FileRole;

/// The thread of an inline side chain's calls (Claude Code 2.0.27 and older wrote them into the
/// main file without an agent id).
const INLINE_SIDE_CHAIN: &str = "side-chain";

/// Runs the detectors over the session made of `members`, whose counted responses cost
/// `costs` (in the order the files and their responses are read).
pub(super) fn insights(
    rules: &Rules,
    members: &[usize],
    files: &[&ScannedFile],
    dedup: &Dedup,
    costs: &[Option<Usd>],
    prices: &PriceTable,
    cwd: Option<&str>,
) -> Insights {
    let mut trace = Trace {
        cwd,
        prices: Some(prices),
        ..Trace::default()
    };
    let mut costs = costs.iter().copied();
    for &fi in members {
        let f = files[fi];
        let scan = &f.scan;
        let thread = match &f.source.role {
            FileRole::Main | FileRole::Other => None,
            FileRole::Agent { agent_id } => Some(agent_id.as_str()),
        };
        if thread.is_some_and(|a| a.starts_with("acompact-")) {
            trace.compaction_calls += 1;
        }
        let side = |sidechain: bool| {
            if sidechain && thread.is_none() {
                Some(INLINE_SIDE_CHAIN)
            } else {
                thread
            }
        };
        calls(scan, &dedup.tools[fi], &side, &mut trace.calls);
        for (e, _) in scan
            .entries
            .iter()
            .zip(&dedup.entries[fi])
            .filter(|(_, k)| **k)
        {
            let model = scan.models[e.model as usize].as_str();
            trace.requests.push(Request {
                thread: side(e.sidechain),
                ts_ms: e.ts_ms,
                model,
                tokens: e.usage.tokens,
                cost: costs.next().flatten(),
            });
        }
        if f.source.role == FileRole::Main {
            trace.compactions.extend(&scan.compaction_marks);
            trace.last_answer = scan.ending.last_answer.as_deref().or(trace.last_answer);
            trace.open_prompt = scan.ending.open_prompt.as_deref();
        }
    }
    trace.calls.sort_by_key(|c| c.ts_ms);
    trace.compactions.sort_by_key(|m| m.ts_ms);
    insights::of_trace(rules, &trace)
}

/// The calls of one file the session counts (`keep`), with what the scan kept of each.
fn calls<'a>(
    scan: &'a FileScan,
    keep: &[bool],
    thread: &dyn Fn(bool) -> Option<&'a str>,
    out: &mut Vec<Call<'a>>,
) {
    // Commands, search paths and edits are in call order; failures in the order results came.
    let text_of = |list: &'a [(u32, String)], i: u32| {
        let at = list.binary_search_by_key(&i, |(k, _)| *k).ok()?;
        Some(list[at].1.as_str())
    };
    let mut failures: Vec<&(u32, String)> = scan.failures.iter().collect();
    failures.sort_by_key(|(i, _)| *i);
    let mut ids = scan.call_ids();
    for ((i, t), keep) in (0u32..).zip(&scan.tools).zip(keep) {
        let id = ids.next().unwrap_or_default();
        if !*keep {
            continue;
        }
        let failure = failures
            .binary_search_by_key(&i, |(k, _)| *k)
            .ok()
            .map(|at| failures[at].1.as_str());
        let edit = scan
            .edits
            .binary_search_by_key(&i, |e| e.call)
            .ok()
            .map(|at| (scan.edits[at].old, scan.edits[at].new));
        out.push(Call {
            id,
            name: scan
                .tool_names
                .get(usize::from(t.name))
                .map_or("", String::as_str),
            thread: thread(t.sidechain),
            key: t.key,
            ts_ms: t.ts_ms,
            status: t.status,
            error: failure,
            path: (t.path != NO_PATH)
                .then(|| scan.paths.get(t.path as usize).map(String::as_str))
                .flatten(),
            search_path: text_of(&scan.search_paths, i),
            command: scan.command(i),
            edit,
            output_bytes: t.output_bytes,
        });
    }
}
