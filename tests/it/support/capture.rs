//! Recording, as the Claude Code hooks would, that an agent session wrote some lines.

#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Utc};
use git_vouch::capture::record::{EditKind, EditLine, EditRecord, LineRef};
use git_vouch::capture::state::{StateDir, append_json};
use git_vouch::fingerprint::line_hash;

/// Appends an edit record: `session` (in `agent`, if any) wrote `lines` as lines 1.. of `path`.
pub fn agent_wrote(
    state: &StateDir,
    session: &str,
    agent: Option<&str>,
    path: &str,
    lines: &[&str],
) {
    let record = EditRecord {
        ts: DateTime::parse_from_rfc3339("2026-11-21T06:07:57Z")
            .unwrap()
            .with_timezone(&Utc),
        session_id: session.into(),
        agent_id: agent.map(str::to_owned),
        tool_use_id: format!("toolu_{path}"),
        tool: "Write".into(),
        path: path.into(),
        kind: EditKind::Lines,
        lines: lines
            .iter()
            .enumerate()
            .map(|(i, l)| LineRef {
                line: i as u32 + 1,
                hash: line_hash(l),
            })
            .collect(),
        removed: 0,
    };
    append_json(&state.edits_file(session), &EditLine::Edit(record)).unwrap();
}

/// The agent configuration the SessionStart hook recorded for `session` (under the worktree's
/// state folder `state`), checked for the settings file it must name, with its hooks when
/// `hooks` (git-vouch's own are among them) and its model when `model`.
pub fn recorded_config(
    state: &std::path::Path,
    session: &str,
    settings: &str,
    hooks: bool,
    model: Option<&str>,
) -> serde_json::Value {
    let path = state.join(format!("config/{session}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("SessionStart recorded {}: {e}", path.display()));
    let config: serde_json::Value = serde_json::from_str(&text).unwrap();
    let sha = config["config_sha256"].as_str().unwrap_or_default();
    assert!(sha.len() == 64, "{config:#}");
    let file = config["settings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["path"] == settings)
        .unwrap_or_else(|| panic!("{settings} among the settings: {config:#}"));
    if hooks {
        let commands = file["hooks"].as_array().map_or(0, Vec::len);
        assert!(commands >= 4, "git-vouch's hooks in {settings}: {file:#}");
    }
    if let Some(model) = model {
        assert_eq!(file["model"], model, "{file:#}");
    }
    assert!(
        !text.contains("/home/") && !text.contains("/tmp/"),
        "no machine path in the record: {text}"
    );
    config
}

/// The JSON lines of a file the hooks wrote.
pub fn jsonl(path: &std::path::Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// The one session record a capture run left under `state` (`sessions/<id>.json`), checked to
/// name `agent`: its id and the record.
pub fn one_session(state: &std::path::Path, agent: &str) -> (String, serde_json::Value) {
    let sessions: Vec<std::path::PathBuf> = std::fs::read_dir(state.join("sessions"))
        .expect("sessions/ recorded by the hooks")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&sessions[0]).expect("session record"))
            .expect("JSON");
    assert_eq!(record["agent"], agent, "{record:#}");
    let id = record["session_id"]
        .as_str()
        .expect("session_id")
        .to_owned();
    (id, record)
}

/// What every agent's capture run records of the scenario: the events from SessionStart to
/// Stop, exactly one call the guard denied (the deletion `outside_rm` outside the repository,
/// whose folder under `root` is still there) and the edit ledger naming `hello.txt`.
pub fn guarded_run(state: &std::path::Path, id: &str, outside_rm: &str, root: &std::path::Path) {
    let events = jsonl(&state.join(format!("events/{id}.jsonl")));
    let names: Vec<&str> = events.iter().filter_map(|e| e["event"].as_str()).collect();
    for wanted in [
        "SessionStart",
        "UserPromptSubmit",
        "PreToolUse",
        "PostToolUse",
        "Stop",
    ] {
        assert!(names.contains(&wanted), "{wanted} in {names:?}");
    }
    let denied: Vec<&serde_json::Value> = events
        .iter()
        .filter(|e| e["guard"]["verdict"] == "deny")
        .collect();
    assert_eq!(denied.len(), 1, "{events:#?}");
    let summary = denied[0]["summary"].as_str().unwrap_or_default();
    assert!(summary.contains(outside_rm), "{:#}", denied[0]);
    assert!(
        root.join("outside/keep.txt").exists(),
        "the guard's denial kept the folder outside the repository"
    );
    let edits =
        std::fs::read_to_string(state.join(format!("edits/{id}.jsonl"))).expect("edits recorded");
    assert!(edits.contains("hello.txt"), "{edits}");
}
