//! Our entries in hook settings JSON, Claude Code's settings files and Codex CLI's `hooks.json`
//! alike (the same shape: `{"hooks": {Event: [{"matcher", "hooks": [{"type": "command", …}]}]}}`):
//! building, merging and taking them out.
//!
//! Settings are handled as generic JSON so unknown keys survive (in their order: serde_json's
//! `preserve_order`). Our entries are recognised by their [`Flavor`]'s marker in their command;
//! an entry that also holds someone else's hooks keeps those.

use std::path::Path;

use serde_json::{Map, Value, json};

use super::InstallError;
use crate::capture::agent_hook::{event_of, hook_word};
use crate::guard::watch::HOOK_TIMEOUT_SECS;
use crate::transcript::agent::Agent;
use crate::transcript::hook_event::HookEvent;

/// The Claude Code events we listen to.
pub const EVENTS: [&str; 9] = [
    HookEvent::SessionStart.name(),
    HookEvent::UserPromptSubmit.name(),
    HookEvent::PreToolUse.name(),
    HookEvent::PostToolUse.name(),
    HookEvent::PostToolUseFailure.name(),
    HookEvent::SubagentStop.name(),
    HookEvent::PreCompact.name(),
    HookEvent::Stop.name(),
    HookEvent::SessionEnd.name(),
];

/// The Codex CLI events we listen to (it has no PostToolUseFailure: a failed call is a
/// PostToolUse).
pub const CODEX_EVENTS: [&str; 8] = [
    HookEvent::SessionStart.name(),
    HookEvent::UserPromptSubmit.name(),
    HookEvent::PreToolUse.name(),
    HookEvent::PostToolUse.name(),
    HookEvent::SubagentStop.name(),
    HookEvent::PreCompact.name(),
    HookEvent::Stop.name(),
    HookEvent::SessionEnd.name(),
];

/// The Gemini CLI events we listen to, by its names (recorded as their Claude Code
/// counterparts: BeforeTool as PreToolUse, AfterAgent as Stop, …).
pub const GEMINI_EVENTS: [&str; 7] = [
    "SessionStart",
    "BeforeAgent",
    "BeforeTool",
    "AfterTool",
    "AfterAgent",
    "PreCompress",
    "SessionEnd",
];

/// Codex gives a SessionEnd hook 1 s unless told otherwise, and at most 3 s.
pub const CODEX_SESSION_END_SECS: u64 = 3;

/// Whose hooks an entry holds: the agent, and the events it listens to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flavor {
    pub agent: Agent,
    pub events: &'static [&'static str],
}

impl Flavor {
    pub const CLAUDE: Self = Self {
        agent: Agent::ClaudeCode,
        events: &EVENTS,
    };
    pub const CODEX: Self = Self {
        agent: Agent::Codex,
        events: &CODEX_EVENTS,
    };
    pub const GEMINI: Self = Self {
        agent: Agent::Gemini,
        events: &GEMINI_EVENTS,
    };

    /// What identifies our entries: `git-vouch hook claude`, `git-vouch hook codex`.
    pub fn marker(self) -> String {
        format!("git-vouch hook {}", hook_word(self.agent))
    }

    /// The shell command for one event: runs git-vouch only if it is installed, and always
    /// exits 0 (exit 2 would block the agent; a missing binary would be an error on every tool
    /// call).
    pub fn command(self, event: &str) -> String {
        let word = hook_word(self.agent);
        format!("command -v git-vouch >/dev/null 2>&1 && git-vouch hook {word} {event} || true")
    }

    /// The timeout an entry sets, in seconds. PreToolUse's: the guard may hold a call for a
    /// person at `git vouch watch`, always well inside it (`guard::watch::MAX_WAIT_SECS`), and an
    /// explicit value keeps older Claude Code versions (60 s by default before 2.1.3) from
    /// cutting the hold short. Codex's SessionEnd: its longest.
    /// Gemini CLI's are in milliseconds (its default, 60 s, is shorter than a hold).
    pub fn timeout(self, event: &str) -> Option<u64> {
        match (self.agent, event_of(self.agent, event)) {
            (Agent::Gemini, HookEvent::PreToolUse) => Some(HOOK_TIMEOUT_SECS * 1000),
            (_, HookEvent::PreToolUse) => Some(HOOK_TIMEOUT_SECS),
            (Agent::Codex, HookEvent::SessionEnd) => Some(CODEX_SESSION_END_SECS),
            _ => None,
        }
    }
}

/// The shell command for one Claude Code event (see [`Flavor::command`]).
pub fn command(event: &str) -> String {
    Flavor::CLAUDE.command(event)
}

/// Our Claude Code entry for one event (see [`Flavor::entry`]).
pub fn entry(event: &str) -> Value {
    Flavor::CLAUDE.entry(event)
}

impl Flavor {
    /// Our entry for one event.
    pub fn entry(self, event: &str) -> Value {
        let command = self.command(event);
        let hooks = match self.timeout(event) {
            Some(t) => json!([{ "type": "command", "command": command, "timeout": t }]),
            None => json!([{ "type": "command", "command": command }]),
        };
        // Tool events carry a matcher: we want every tool for the event ledger (Gemini CLI's is
        // a regular expression).
        let every = if self.agent == Agent::Gemini {
            ".*"
        } else {
            "*"
        };
        if event_of(self.agent, event).is_tool_event() {
            json!({ "matcher": every, "hooks": hooks })
        } else {
            json!({ "hooks": hooks })
        }
    }

    /// The events of `doc` that have one of our entries.
    pub fn events_with_ours(self, doc: &Value) -> Vec<&'static str> {
        let marker = self.marker();
        self.events
            .iter()
            .copied()
            .filter(|e| {
                doc.get("hooks")
                    .and_then(|h| h.get(e))
                    .and_then(Value::as_array)
                    .is_some_and(|list| list.iter().any(|x| has_ours(x, &marker)))
            })
            .collect()
    }
}

/// The Claude Code events of `doc` that have one of our entries.
pub fn events_with_ours(doc: &Value) -> Vec<&'static str> {
    Flavor::CLAUDE.events_with_ours(doc)
}

/// Reads settings JSON; a missing or blank file is an empty object.
pub fn parse(path: &Path, bytes: Option<&[u8]>) -> Result<Value, InstallError> {
    let Some(bytes) = bytes.filter(|b| !b.iter().all(u8::is_ascii_whitespace)) else {
        return Ok(Value::Object(Map::new()));
    };
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| {
        let text = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        InstallError::InvalidJson {
            path: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: text.strip_suffix(&suffix).unwrap_or(&text).to_owned(),
        }
    })?;
    if !doc.is_object() {
        return Err(shape(path, "the top level is not a JSON object"));
    }
    Ok(doc)
}

/// Adds (or refreshes) our entry for each event of `flavor`, and drops ours from events we no
/// longer use.
pub(super) fn merge_as(flavor: Flavor, doc: &mut Value, path: &Path) -> Result<(), InstallError> {
    let marker = flavor.marker();
    let Some(obj) = doc.as_object_mut() else {
        return Err(shape(path, "the top level is not a JSON object"));
    };
    let Value::Object(hooks) = obj
        .entry("hooks")
        .or_insert_with(|| Value::Object(Map::new()))
    else {
        return Err(shape(path, "`hooks` is not an object"));
    };
    let stale: Vec<String> = hooks
        .keys()
        .filter(|k| !flavor.events.contains(&k.as_str()))
        .cloned()
        .collect();
    for event in stale {
        if let Some(Value::Array(list)) = hooks.get_mut(&event)
            && strip_list(list, &marker)
            && list.is_empty()
        {
            hooks.shift_remove(&event);
        }
    }
    for &event in flavor.events {
        let Value::Array(list) = hooks.entry(event).or_insert_with(|| json!([])) else {
            return Err(shape(path, &format!("`hooks.{event}` is not a list")));
        };
        let desired = flavor.entry(event);
        let mut placed = false;
        for mut e in std::mem::take(list) {
            if !has_ours(&e, &marker) {
                list.push(e);
            } else if !placed && only_ours(&e, &marker) {
                list.push(desired.clone());
                placed = true;
            } else if strip_entry(&mut e, &marker) {
                list.push(e);
            }
        }
        if !placed {
            list.push(desired);
        }
    }
    Ok(())
}

/// Takes our entries out, and the event lists and `hooks` object that only held ours.
pub(super) fn strip_as(flavor: Flavor, doc: &mut Value) -> bool {
    let marker = flavor.marker();
    let Some(Value::Object(hooks)) = doc.get_mut("hooks") else {
        return false;
    };
    let mut removed = false;
    let mut emptied = Vec::new();
    for (event, list) in hooks.iter_mut() {
        if let Value::Array(list) = list
            && strip_list(list, &marker)
        {
            removed = true;
            if list.is_empty() {
                emptied.push(event.clone());
            }
        }
    }
    for event in &emptied {
        hooks.shift_remove(event);
    }
    if removed
        && hooks.is_empty()
        && let Some(obj) = doc.as_object_mut()
    {
        obj.shift_remove("hooks");
    }
    removed
}

/// Removes our hooks from a list of entries; true if any were there.
fn strip_list(list: &mut Vec<Value>, marker: &str) -> bool {
    let mut changed = false;
    list.retain_mut(|e| {
        if !has_ours(e, marker) {
            return true;
        }
        changed = true;
        strip_entry(e, marker)
    });
    changed
}

/// Removes our hooks from one entry; true if other hooks remain in it.
fn strip_entry(entry: &mut Value, marker: &str) -> bool {
    match entry.get_mut("hooks") {
        Some(Value::Array(hooks)) => {
            hooks.retain(|h| !is_ours(h, marker));
            !hooks.is_empty()
        }
        _ => true,
    }
}

fn entry_hooks(entry: &Value) -> &[Value] {
    entry
        .get("hooks")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn has_ours(entry: &Value, marker: &str) -> bool {
    entry_hooks(entry).iter().any(|h| is_ours(h, marker))
}

fn only_ours(entry: &Value, marker: &str) -> bool {
    let hooks = entry_hooks(entry);
    !hooks.is_empty() && hooks.iter().all(|h| is_ours(h, marker))
}

/// Whether a handler is ours (its command runs `git-vouch hook <agent>`).
pub fn is_ours(hook: &Value, marker: &str) -> bool {
    hook.get("command")
        .and_then(Value::as_str)
        .is_some_and(|c| c.contains(marker))
}

/// Pretty JSON with a final newline, as Claude Code writes it.
pub(super) fn pretty(doc: &Value) -> Vec<u8> {
    // Serialising a `Value` cannot fail: its keys are strings.
    let mut bytes = serde_json::to_vec_pretty(doc).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

fn shape(path: &Path, what: &str) -> InstallError {
    InstallError::UnexpectedShape {
        path: path.to_path_buf(),
        what: what.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pre_tool_use_carries_a_timeout_longer_than_any_hold_and_an_old_entry_gets_it() {
        let pre = entry("PreToolUse");
        assert_eq!(pre["hooks"][0]["timeout"], HOOK_TIMEOUT_SECS);
        const { assert!(crate::guard::watch::MAX_WAIT_SECS < HOOK_TIMEOUT_SECS) };
        assert!(entry("PostToolUse")["hooks"][0].get("timeout").is_none());
        // An install from before the timeout is brought up to date by `init` again.
        let mut doc = json!({"hooks": {"PreToolUse": [{"matcher": "*", "hooks": [
            {"type": "command", "command": command("PreToolUse")}
        ]}]}});
        merge_as(Flavor::CLAUDE, &mut doc, Path::new("settings.json")).unwrap();
        assert_eq!(doc["hooks"]["PreToolUse"], json!([pre]));
    }

    #[test]
    fn shared_entries_and_duplicates_are_untangled() {
        let path = Path::new("settings.json");
        let user = json!({ "type": "command", "command": "./lint.sh" });
        let old_ours = json!({ "type": "command", "command": "git-vouch hook claude Stop --old" });
        let mut doc = json!({
            "hooks": {
                "Stop": [
                    { "hooks": [user.clone(), old_ours.clone()] },
                    { "hooks": [old_ours.clone()] },
                    { "hooks": [old_ours] },
                ],
                "PostCompact": [{ "hooks": [{ "command": "git-vouch hook claude PostCompact" }] }],
            },
            "other": 1,
        });
        merge_as(Flavor::CLAUDE, &mut doc, path).unwrap();
        assert_eq!(
            doc["hooks"]["Stop"],
            json!([{ "hooks": [user.clone()] }, entry("Stop")]),
            "the user's hook stays, one current entry of ours replaces the old ones"
        );
        assert!(doc["hooks"].get("PostCompact").is_none());
        assert_eq!(events_with_ours(&doc), EVENTS);
        let merged = doc.clone();
        merge_as(Flavor::CLAUDE, &mut doc, path).unwrap();
        assert_eq!(doc, merged);

        assert!(strip_as(Flavor::CLAUDE, &mut doc));
        assert_eq!(
            doc,
            json!({ "hooks": { "Stop": [{ "hooks": [user] }] }, "other": 1 })
        );
        assert!(!strip_as(Flavor::CLAUDE, &mut doc));
    }

    /// Gemini CLI's entries: its event names, a regular-expression matcher on tool events, a
    /// BeforeTool timeout in milliseconds; Codex's SessionEnd timeout within its 3 s.
    #[test]
    fn each_agent_gets_entries_in_its_own_terms() {
        let before = Flavor::GEMINI.entry("BeforeTool");
        assert_eq!(before["matcher"], ".*");
        assert_eq!(before["hooks"][0]["timeout"], HOOK_TIMEOUT_SECS * 1000);
        assert_eq!(
            before["hooks"][0]["command"],
            "command -v git-vouch >/dev/null 2>&1 && git-vouch hook gemini BeforeTool || true"
        );
        assert!(Flavor::GEMINI.entry("AfterAgent").get("matcher").is_none());
        let end = Flavor::CODEX.entry("SessionEnd");
        assert_eq!(end["hooks"][0]["timeout"], CODEX_SESSION_END_SECS);
        let mut doc = json!({"hooks": {"BeforeTool": [{"hooks": [{"command": "./mine.sh"}]}]}});
        merge_as(Flavor::GEMINI, &mut doc, Path::new("settings.json")).unwrap();
        assert_eq!(Flavor::GEMINI.events_with_ours(&doc), GEMINI_EVENTS);
        assert!(Flavor::CODEX.events_with_ours(&doc).is_empty());
        assert!(strip_as(Flavor::GEMINI, &mut doc));
        assert_eq!(
            doc,
            json!({"hooks": {"BeforeTool": [{"hooks": [{"command": "./mine.sh"}]}]}})
        );
    }

    #[test]
    fn bad_json_and_bad_shapes_name_the_file() {
        let path = Path::new("s.json");
        let err = parse(path, Some(b"{\n  \"a\": 1,\n  oops\n}")).unwrap_err();
        assert!(
            matches!(err, InstallError::InvalidJson { line: 3, .. }),
            "{err}"
        );
        assert!(err.to_string().starts_with("s.json:3:"), "{err}");
        assert!(parse(path, Some(b"[1]")).is_err());
        assert_eq!(parse(path, Some(b" \n")).unwrap(), json!({}));
        let mut doc = json!({ "hooks": { "Stop": {} } });
        assert!(
            merge_as(Flavor::CLAUDE, &mut doc, path)
                .unwrap_err()
                .to_string()
                .contains("hooks.Stop")
        );
    }
}
