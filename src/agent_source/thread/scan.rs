//! A thread as the session list and reports read it: the neutral [`FileScan`].

use std::collections::HashMap;

use super::call::{Outcome, first_line};
use super::{Response, SUMMARY_ANSWER_CHARS, Step, ThreadRead, clip_chars};
use crate::transcript::file_scan::{CallStatus, Entry, FileScan, NO_PATH, ToolUse};
use crate::transcript::hash::{hash64, hash128};
use crate::usage::Usage;

/// Typed prompts are kept this long in lists.
const PROMPT_CHARS: usize = 240;
/// Failed calls' error text is kept this long.
const FAILURE_CHARS: usize = 300;
/// Commands are kept this long (the insights compare them).
const COMMAND_CHARS: usize = 2000;

/// The scan of one read thread; `len` is the file's size (it is not resumed: a file that grew
/// is read again).
pub fn file_scan(t: &ThreadRead, len: u64) -> FileScan {
    let id = &t.identity;
    let mut scan = FileScan {
        session_id: Some(id.session.clone()).filter(|s| !s.is_empty()),
        agent_id: id.is_subagent().then(|| id.thread.clone()),
        cwd: id.cwd.clone(),
        git_branch: id.git_branch.clone(),
        permission_modes: t.permission_modes.clone(),
        version: id.version.clone(),
        first_line_ts_ms: t.first_ts_ms,
        first_ts_ms: t.first_ts_ms,
        last_ts_ms: t.last_ts_ms,
        api_errors: t.errors,
        compactions: t.compactions,
        warnings: t.warnings.clone(),
        resume_offset: len,
        ..FileScan::default()
    };
    entries(t, &mut scan);
    tools(t, &mut scan);
    prompts(t, &mut scan);
    scan.shrink_to_fit();
    scan
}

fn entries(t: &ThreadRead, scan: &mut FileScan) {
    for r in &t.responses {
        let model = match scan.models.iter().position(|m| *m == r.model) {
            Some(i) => i,
            None => {
                scan.models.push(r.model.clone());
                scan.models.len() - 1
            }
        };
        scan.entries.push(Entry {
            key: r.key,
            msg: msg_hash(r),
            usage: Usage {
                tokens: r.tokens,
                ..Usage::default()
            },
            ts_ms: r.ts_ms,
            model: u16::try_from(model).unwrap_or(u16::MAX),
            sidechain: false,
            legacy_cost: r.stored_cost,
        });
    }
}

fn tools(t: &ThreadRead, scan: &mut FileScan) {
    let mut changed: HashMap<usize, Vec<&str>> = HashMap::new();
    for (i, changes) in &t.changes {
        changed
            .entry(*i)
            .or_default()
            .extend(changes.iter().map(|c| c.path.as_str()));
    }
    let mut path_ids: HashMap<&str, u32> = HashMap::new();
    for (i, call) in t.calls.iter().enumerate() {
        let name = match scan.tool_names.iter().position(|n| *n == call.name) {
            Some(n) => n,
            None => {
                scan.tool_names.push(call.name.clone());
                scan.tool_names.len() - 1
            }
        };
        let index = scan.tools.len() as u32;
        let paths = changed.get(&i).map_or(&[][..], Vec::as_slice);
        for p in paths {
            path_ids.entry(p).or_insert_with(|| {
                scan.paths.push((*p).to_owned());
                scan.paths.len() as u32 - 1
            });
        }
        let path = paths.first().map_or(NO_PATH, |p| path_ids[p]);
        let status = match &call.outcome {
            Outcome::Pending => CallStatus::Pending,
            Outcome::Ok => CallStatus::Ok,
            Outcome::Failed(why) => {
                scan.failures.push((index, first_line_clip(why)));
                CallStatus::Failed
            }
        };
        let input = call
            .command
            .as_deref()
            .or(call.patch.as_deref())
            .unwrap_or("");
        scan.tools.push(ToolUse {
            id: hash64(call.id.as_bytes()),
            name: u16::try_from(name).unwrap_or(u16::MAX),
            key: hash64(format!("{}\0{input}{}", call.name, call.summary()).as_bytes()),
            ts_ms: call.started_ms.unwrap_or(0),
            path,
            output_bytes: 0,
            status,
            sidechain: false,
        });
        scan.call_ids.push_str(&call.id);
        scan.call_ids.push('\n');
        if let Some(c) = &call.command {
            scan.push_command(index, &clip_chars(c, COMMAND_CHARS));
        }
    }
}

/// The person's prompts (a sub-agent's come from its parent, and are not counted).
fn prompts(t: &ThreadRead, scan: &mut FileScan) {
    let typed = !t.identity.is_subagent();
    for (ts, step) in t.steps.iter().filter(|_| typed) {
        if let Step::Prompt(text) = step {
            let clipped = clip_chars(text.trim(), PROMPT_CHARS);
            scan.user_prompts += 1;
            scan.first_prompt.get_or_insert_with(|| clipped.clone());
            let at = ts.unwrap_or(0).to_string();
            let key = hash128(&t.identity.thread, &format!("prompt:{at}:{text}")) as u64;
            scan.prompts.push((key, clipped));
        }
    }
    scan.ending.last_answer = t.steps.iter().rev().find_map(|(_, s)| match s {
        Step::Answer(a) => Some(clip_chars(a, SUMMARY_ANSWER_CHARS)),
        _ => None,
    });
}

/// The hash of a response's id (its key's low half when it has none).
fn msg_hash(r: &Response) -> u64 {
    r.id.as_deref()
        .map_or(r.key as u64, |id| hash64(id.as_bytes()))
}

fn first_line_clip(text: &str) -> String {
    clip_chars(&first_line(text), FAILURE_CHARS)
}
