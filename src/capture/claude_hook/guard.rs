//! The guard's turn in the PreToolUse hook: before anything else is recorded, the call is checked
//! under the repository's `vouch.guard` mode, the decision is printed as Claude Code's structured
//! output, and the check is kept for the event's ledger line. Every way this can go wrong (an
//! unreadable mode or rules file, a payload that cannot be read, a panic) ends in a decision made
//! on purpose ([`crate::guard::check::unassessed`]), never a silent allow.

use std::env;
use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Instant;

use serde_json::Value;

use crate::capture::hook_panic::{self, Notice};
use crate::capture::payload::Payload;
use crate::capture::state::StateDir;
use crate::clock::Clock;
use crate::git::config;
use crate::guard::check::{self, Call, Checked, GuardRecord, unassessed};
use crate::guard::decide::{GuardMode, Verdict, hook_output};
use crate::guard::paths::Place;
use crate::guard::rules::Rules;
use crate::redact::RedactOptions;
use crate::redact::detect::Detector;
use crate::transcript::repeats::call_key;

use super::{alert, streak};

/// The guard's check of one call, for its ledger line.
pub(super) struct Guarded {
    pub record: GuardRecord,
    /// The call's key (tool and input), which the loop breaker compares.
    pub key: Option<u64>,
    /// Where alerts go (`vouch.guardWebhook`), when set.
    pub webhook: Option<String>,
}

/// Checks the call in `payload` (whose raw bytes are `bytes`) and prints the decision; `None`
/// when the mode is `off`.
pub(super) fn check_call(
    state: &StateDir,
    payload: &Payload,
    bytes: &[u8],
    clock: &dyn Clock,
) -> Option<Guarded> {
    let started = Instant::now();
    let interactive = interactive();
    let (mode, webhook) = settings(state);
    if mode == Ok(GuardMode::Off) {
        return None;
    }
    let mut key = None;
    let context = "hook claude PreToolUse (guard)";
    let checked = hook_panic::catch(context, Notice::Silent, clock, || {
        hook_panic::test_trigger("guard");
        checked(mode.clone(), state, payload, bytes, interactive, &mut key)
    })
    .unwrap_or_else(|| {
        let why = "internal error, logged to errors.log".to_owned();
        unassessed(mode.unwrap_or(GuardMode::Ask), why, interactive, started)
    });
    print(&checked);
    Some(Guarded {
        record: checked.record,
        key,
        webhook,
    })
}

/// The decision for a PreToolUse payload that could not be read (`why`), in the repository of
/// the working folder: under `ask` or `enforce` a person decides; nothing is printed otherwise.
pub(super) fn unreadable_payload(why: &str) {
    let Some(state) = env::current_dir().ok().and_then(|d| StateDir::discover(&d)) else {
        return;
    };
    let mode = settings(&state).0.unwrap_or(GuardMode::Ask);
    print(&unassessed(
        mode,
        why.to_owned(),
        interactive(),
        Instant::now(),
    ));
}

/// Whether the call's decision keeps it from running.
pub(super) fn denied(guarded: Option<&Guarded>) -> bool {
    guarded.is_some_and(|g| g.record.verdict == Verdict::Deny)
}

fn checked(
    mode: Result<GuardMode, String>,
    state: &StateDir,
    payload: &Payload,
    bytes: &[u8],
    interactive: bool,
    key: &mut Option<u64>,
) -> Checked {
    let started = Instant::now();
    let worktree = &state.repo.worktree;
    let Some(tool) = payload.tool_name.as_deref().filter(|t| !t.is_empty()) else {
        let mode = mode.unwrap_or(GuardMode::Ask);
        return unassessed(
            mode,
            "the payload names no tool".to_owned(),
            interactive,
            started,
        );
    };
    let whole: Value = serde_json::from_slice(bytes).unwrap_or(Value::Null);
    let input = whole.get("tool_input").unwrap_or(&Value::Null);
    let cwd = payload
        .cwd
        .as_deref()
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .unwrap_or_else(|| worktree.clone());
    let place = Place {
        cwd,
        repository: Some(worktree.clone()),
        home: env::var_os("HOME").map(PathBuf::from),
    };
    let call_key = call_key(tool, input);
    *key = Some(call_key);
    let agent = payload.agent_id.as_deref();
    let rules = Rules::for_repository(worktree).map_err(|e| e.to_string());
    let limit = rules.as_ref().map_or(0, |r| r.max_repeated_failures);
    let failed_before = payload.session().filter(|_| limit > 0).map_or(0, |sid| {
        streak::failed_before(&state.events_file(sid), agent, call_key, limit)
    });
    let call = Call {
        tool,
        input,
        place,
        failed_before,
    };
    let secrets = Detector::new(RedactOptions::default());
    check::check_with(
        mode,
        &call,
        rules.as_ref(),
        interactive,
        Some(&secrets),
        started,
    )
}

/// `vouch.guard` of the repository (or why it cannot be used) and `vouch.guardWebhook`.
fn settings(state: &StateDir) -> (Result<GuardMode, String>, Option<String>) {
    match config::values(&state.repo, &[GuardMode::KEY, alert::KEY]) {
        Ok(mut values) => {
            let webhook = values.pop().flatten().filter(|u| !u.trim().is_empty());
            let mode = values.pop().flatten();
            let mode = GuardMode::from_value(mode.as_deref()).map_err(|e| e.to_string());
            (mode, webhook)
        }
        Err(e) => (Err(e.to_string()), None),
    }
}

fn interactive() -> bool {
    let entrypoint = env::var("CLAUDE_CODE_ENTRYPOINT").ok();
    let ci = env::var("CI").ok();
    check::interactive(entrypoint.as_deref(), ci.as_deref())
}

/// Prints the decision on stdout, where Claude Code reads it (nothing for "no objection").
fn print(checked: &Checked) {
    if let Some(output) = hook_output(&checked.decision) {
        let mut line = output.to_string();
        line.push('\n');
        let _ = io::stdout().lock().write_all(line.as_bytes());
    }
}
