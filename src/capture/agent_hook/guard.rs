//! The guard's turn in the PreToolUse hook: before anything else is recorded, the call is checked
//! under the repository's `vouch.guard` mode, the decision is printed as the agent's structured
//! output (Claude Code's `hookSpecificOutput`, which Codex CLI reads too), and the check is kept
//! for the event's ledger line.
//!
//! Codex CLI cannot ask a person from a hook (it takes `ask` for an error and runs the call), so
//! for Codex a call the guard would ask about is denied, saying that a person has to run or
//! approve it (at `git vouch watch`, which holds such calls when attached). Its `apply_patch`
//! calls are checked as writes of each file the patch changes. Every way this can go wrong (an
//! unreadable mode or rules file, a payload that cannot be read, a panic) ends in a decision made
//! on purpose ([`crate::guard::check::unassessed`]), never a silent allow.

use std::env;
use std::io::{self, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::capture::hook_panic::{self, Notice};
use crate::capture::payload::Payload;
use crate::capture::state::StateDir;
use crate::clock::Clock;
use crate::git::config;
use crate::guard::check::{self, Call, Checked, GuardRecord, unassessed};
use crate::guard::decide::{Decision, GuardMode, Verdict, approved_output, hook_output};
use crate::guard::paths::Place;
use crate::guard::rules::Rules;
use crate::guard::watch;
use crate::redact::RedactOptions;
use crate::redact::detect::Detector;
use crate::transcript::agent::Agent;
use crate::transcript::repeats::call_key;

use super::{alert, hold, streak};

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
    agent: Agent,
    state: &StateDir,
    payload: &Payload,
    bytes: &[u8],
    settings: Settings,
    clock: &dyn Clock,
) -> Option<Guarded> {
    let started = Instant::now();
    let interactive = interactive(agent);
    let mode = settings.mode;
    if mode == Ok(GuardMode::Off) {
        return None;
    }
    let mut key = None;
    let context = "hook claude PreToolUse (guard)";
    let whole: Value = serde_json::from_slice(bytes).unwrap_or(Value::Null);
    let check = |interactive: bool, key: &mut Option<u64>| {
        hook_panic::catch(context, Notice::Silent, clock, || {
            hook_panic::test_trigger("guard");
            checked(
                agent,
                mode.clone(),
                state,
                payload,
                &whole,
                interactive,
                key,
            )
        })
        .unwrap_or_else(|| {
            let why = "internal error, logged to errors.log".to_owned();
            unassessed(
                mode.clone().unwrap_or(GuardMode::Ask),
                why,
                interactive,
                started,
            )
        })
    };
    let mut checked = check(interactive, &mut key);
    if let Some(tool) = payload.tool_name.as_deref().filter(|t| !t.is_empty()) {
        let call = hold::Call {
            payload,
            tool,
            input: whole.get("tool_input").unwrap_or(&Value::Null),
        };
        let answerable = || check(true, &mut None);
        checked = hold::if_watched(
            state,
            &call,
            checked,
            interactive,
            settings.wait,
            answerable,
        );
    }
    if agent != Agent::ClaudeCode {
        cannot_ask(agent, &mut checked);
    }
    print(agent, &checked);
    Some(Guarded {
        record: checked.record,
        key,
        webhook: settings.webhook,
    })
}

/// The decision for a PreToolUse payload that could not be read (`why`), in the repository of
/// the working folder: under `ask` or `enforce` a person decides; nothing is printed otherwise.
pub(super) fn unreadable_payload(agent: Agent, why: &str) {
    let Some(state) = env::current_dir().ok().and_then(|d| StateDir::discover(&d)) else {
        return;
    };
    let mode = settings(&config::Config::read(&state.repo))
        .mode
        .unwrap_or(GuardMode::Ask);
    let mut checked = unassessed(mode, why.to_owned(), interactive(agent), Instant::now());
    if agent != Agent::ClaudeCode {
        cannot_ask(agent, &mut checked);
    }
    print(agent, &checked);
}

/// For an agent that cannot ask a person from its hook (Codex CLI, Gemini CLI): a call to ask
/// about is denied instead, and the denial says why.
fn cannot_ask(agent: Agent, checked: &mut Checked) {
    if checked.decision.verdict != Verdict::Ask {
        return;
    }
    let why = checked.decision.reason.take().unwrap_or_default();
    let reason = format!(
        "{why}. {agent} cannot ask from a hook, so git-vouch denied the call: ask the person to \
         run it, or to approve it at `git vouch watch`."
    );
    checked.decision = Decision {
        verdict: Verdict::Deny,
        reason: Some(reason),
    };
    checked.record.verdict = Verdict::Deny;
    checked.record.reason.clone_from(&checked.decision.reason);
    checked.record.interactive = false;
}

/// Whether the call's decision keeps it from running.
pub(super) fn denied(guarded: Option<&Guarded>) -> bool {
    guarded.is_some_and(|g| g.record.verdict == Verdict::Deny)
}

fn checked(
    agent: Agent,
    mode: Result<GuardMode, String>,
    state: &StateDir,
    payload: &Payload,
    whole: &Value,
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
    let subagent = payload.agent_id.as_deref();
    let rules =
        Rules::for_repository_cached(worktree, Some(&state.cache_dir())).map_err(|e| e.to_string());
    let limit = rules.as_ref().map_or(0, |r| r.max_repeated_failures);
    let failed_before = payload.session().filter(|_| limit > 0).map_or(0, |sid| {
        streak::failed_before(&state.events_file(sid), subagent, call_key, limit)
    });
    let secrets = Detector::new(RedactOptions::default());
    let check_one = |tool: &str, input: &Value| {
        let call = Call {
            tool,
            input,
            place: place.clone(),
            failed_before,
        };
        check::check_with(
            mode.clone(),
            &call,
            rules.as_ref(),
            interactive,
            Some(&secrets),
            started,
        )
    };
    if let Some(claude) = gemini_tool(agent, tool) {
        return check_one(claude, input);
    }
    if let Some((claude, input)) = opencode_call(agent, tool, input) {
        return check_one(claude, &input);
    }
    let writes = patch_writes(agent, tool, input);
    if writes.is_empty() {
        return check_one(tool, input);
    }
    writes
        .iter()
        .map(|input| check_one("Write", input))
        .reduce(|worst, one| {
            if rank(one.decision.verdict) > rank(worst.decision.verdict) {
                one
            } else {
                worst
            }
        })
        .unwrap_or_else(|| check_one(tool, input))
}

/// A Codex patch as the guard checks it: a write of each file it changes (the content its added
/// lines make; a deleted file is written empty). Empty for any other call.
fn patch_writes(agent: Agent, tool: &str, input: &Value) -> Vec<Value> {
    let patch = input.get("command").and_then(Value::as_str);
    let changes = match (agent, tool, patch) {
        (Agent::Codex, "apply_patch", Some(p)) => crate::agent_source::codex_patch_changes(p),
        _ => return Vec::new(),
    };
    changes
        .into_iter()
        .map(|c| {
            let added: Vec<&str> = c
                .hunks
                .iter()
                .flat_map(|h| &h.lines)
                .filter_map(|l| l.strip_prefix('+'))
                .collect();
            serde_json::json!({"file_path": c.path, "content": added.join("\n")})
        })
        .collect()
}

/// The Claude Code tool a Gemini CLI tool is checked as (their inputs share `command`,
/// `file_path`, `content`, `old_string` and `new_string`).
fn gemini_tool(agent: Agent, tool: &str) -> Option<&'static str> {
    if agent != Agent::Gemini {
        return None;
    }
    Some(match tool {
        "run_shell_command" => "Bash",
        "write_file" => "Write",
        "replace" => "Edit",
        "read_file" | "read_many_files" => "Read",
        "glob" => "Glob",
        "grep_search" | "search_file_content" => "Grep",
        "web_fetch" => "WebFetch",
        _ => return None,
    })
}

/// The Claude Code call an opencode call is checked as: its tool and its input with Claude
/// Code's names (`filePath` as `file_path`, `oldString` as `old_string`, …).
fn opencode_call(agent: Agent, tool: &str, input: &Value) -> Option<(&'static str, Value)> {
    if agent != Agent::OpenCode {
        return None;
    }
    let claude = match tool {
        "bash" => "Bash",
        "write" => "Write",
        "edit" | "multiedit" => "Edit",
        "read" => "Read",
        "glob" => "Glob",
        "grep" => "Grep",
        "webfetch" => "WebFetch",
        _ => return None,
    };
    let mut out = serde_json::Map::new();
    for (key, value) in input.as_object().into_iter().flatten() {
        let name = match key.as_str() {
            "filePath" => "file_path",
            "oldString" => "old_string",
            "newString" => "new_string",
            other => other,
        };
        out.insert(name.to_owned(), value.clone());
    }
    Some((claude, Value::Object(out)))
}

fn rank(v: Verdict) -> u8 {
    match v {
        Verdict::Allow => 0,
        Verdict::Ask => 1,
        Verdict::Deny => 2,
    }
}

/// The repository's guard settings.
pub(super) struct Settings {
    /// `vouch.guard`, or why it cannot be used.
    mode: Result<GuardMode, String>,
    /// `vouch.guardWebhook`.
    webhook: Option<String>,
    /// How long a call is held for `git vouch watch` (`vouch.guardWait`).
    wait: Duration,
}

pub(super) fn settings(config: &config::Config) -> Settings {
    match config.values(&[GuardMode::KEY, alert::KEY, watch::WAIT_KEY]) {
        Ok(mut values) => {
            let wait = watch::wait_for(values.pop().flatten().as_deref());
            let webhook = values.pop().flatten().filter(|u| !u.trim().is_empty());
            let mode = values.pop().flatten();
            let mode = GuardMode::from_value(mode.as_deref()).map_err(|e| e.to_string());
            Settings {
                mode,
                webhook,
                wait,
            }
        }
        Err(e) => Settings {
            mode: Err(e.to_string()),
            webhook: None,
            wait: watch::wait_for(None),
        },
    }
}

/// Whether a person can answer the agent's prompt: never for Codex CLI and Gemini CLI, whose
/// hooks cannot ask.
fn interactive(agent: Agent) -> bool {
    if agent != Agent::ClaudeCode {
        return false;
    }
    let entrypoint = env::var("CLAUDE_CODE_ENTRYPOINT").ok();
    let ci = env::var("CI").ok();
    check::interactive(entrypoint.as_deref(), ci.as_deref())
}

/// Prints the decision on stdout, where the agent reads it (nothing for "no objection"; for
/// Claude Code an explicit `allow` when a person allowed the call at `git vouch watch`). Gemini
/// CLI (and git-vouch's opencode plugin) reads `{"decision": "deny", "reason"}`; Codex CLI reads
/// Claude Code's shape.
fn print(agent: Agent, checked: &Checked) {
    if matches!(agent, Agent::Gemini | Agent::OpenCode) {
        if checked.decision.verdict != Verdict::Allow {
            let reason = checked.decision.reason.clone().unwrap_or_default();
            let line = serde_json::json!({"decision": "deny", "reason": reason}).to_string();
            let _ = writeln!(io::stdout().lock(), "{line}");
        }
        return;
    }
    let approved = checked
        .record
        .held
        .as_ref()
        .is_some_and(|h| h.answer == Some(watch::Answer::Allow));
    let output = if approved {
        Some(approved_output(
            checked.decision.reason.as_deref().unwrap_or_default(),
        ))
    } else {
        hook_output(&checked.decision)
    };
    if let Some(output) = output {
        let mut line = output.to_string();
        line.push('\n');
        let _ = io::stdout().lock().write_all(line.as_bytes());
    }
}
