//! What git-vouch must report after each scenario. Expected token totals and tool counts come
//! from the mock's log (the scripted usage of the responses it actually served), so every
//! figure is compared exactly.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::expect::{Run, assert_tokens, tool_histogram};
use super::scenario::Usage;

/// `show <id>`: the session's tokens and tool counts equal what the mock served to it.
pub fn session_figures(run: &Run, id: &str) -> Value {
    let ctx = format!("{} session {id}", run.context());
    let show = run.show(id);
    assert_eq!(show["schema"], "git-vouch/session@1");
    assert_eq!(show["session"]["id"], id, "{ctx}");
    assert_tokens(&show["session"]["tokens"], &run.tokens(id, None), &ctx);
    let tools = run.tools(id);
    assert_eq!(tool_histogram(&show), tools, "{ctx}: tools[]");
    let calls: u64 = tools.values().sum();
    assert_eq!(show["session"]["tool_calls"], calls, "{ctx}: tool_calls");
    assert_eq!(show["warnings"], serde_json::json!([]), "{ctx}: warnings");
    show
}

/// `sessions --json`: exactly these sessions, and totals equal to everything the mock served.
pub fn sessions_list(run: &Run, ids: &[String]) -> Value {
    let doc = run.vouch(&["sessions", "--json"]);
    let listed: BTreeSet<&str> = doc["sessions"]
        .as_array()
        .expect("sessions[]")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    let want: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
    assert_eq!(listed, want, "{}: sessions listed", run.context());
    let mut all = Usage::default();
    for e in run.served() {
        all.add(&e.usage.unwrap_or_default());
    }
    assert_tokens(&doc["totals"]["tokens"], &all, &run.context());
    doc
}

/// A session's row in `sessions --json`.
pub fn row<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["sessions"]
        .as_array()
        .expect("sessions[]")
        .iter()
        .find(|s| s["id"] == id)
        .expect("session row")
}

/// The commit with `subject` carries exactly the trailers of `sessions`, and its record credits
/// them and attributes `files` (path → ai_lines ranges, all lines the agent's).
pub fn credited(run: &Run, subject: &str, sessions: &[&str], files: &[(&str, &[[u32; 2]])]) {
    let ctx = format!("{}: commit {subject:?}", run.context());
    let sha = run.commit(subject);
    assert_eq!(
        run.trailers(&sha),
        sessions,
        "{ctx}: Vouch-Session trailers"
    );
    let record = run.commit_record(&sha);
    assert_eq!(
        record["sessions"],
        serde_json::json!(sessions),
        "{ctx}: record"
    );
    assert_eq!(record["source"], "recorded", "{ctx}");
    let got: BTreeMap<&str, &Value> = record["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| (f["path"].as_str().unwrap_or(""), f))
        .collect();
    assert_eq!(
        got.keys().copied().collect::<BTreeSet<_>>(),
        files.iter().map(|(p, _)| *p).collect::<BTreeSet<_>>(),
        "{ctx}: files"
    );
    for (path, ranges) in files {
        let f = got[path];
        assert_eq!(
            f["ai_lines"],
            serde_json::json!(ranges),
            "{ctx}: {path} ai_lines"
        );
        assert_eq!(
            f["human_lines"],
            serde_json::json!([]),
            "{ctx}: {path} human"
        );
        let n: u32 = ranges.iter().map(|r| r[1] - r[0] + 1).sum();
        assert_eq!(f["lines_added"], n, "{ctx}: {path} lines_added");
        assert_eq!(
            f["ai_sessions"],
            serde_json::json!(sessions),
            "{ctx}: {path}"
        );
    }
}

/// `show`'s `linked_commits`: (subject, source, agent lines), in order.
pub fn linked(show: &Value) -> Vec<(String, String, u64)> {
    show["linked_commits"]
        .as_array()
        .expect("linked_commits")
        .iter()
        .map(|c| {
            (
                c["subject"].as_str().unwrap_or("").to_owned(),
                c["source"].as_str().unwrap_or("").to_owned(),
                c["agent_lines"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

/// Subjects of the commits `show` says the agent made itself.
pub fn agent_commits(show: &Value) -> Vec<String> {
    show["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .filter_map(|c| c["subject"].as_str().map(str::to_owned))
        .collect()
}

/// (tool, file name, lines added, lines removed, agent id) of `show`'s `files[]`.
pub fn files(show: &Value) -> Vec<(String, String, u64, u64, Option<String>)> {
    show["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap_or("");
            (
                f["tool"].as_str().unwrap_or("").to_owned(),
                path.rsplit('/').next().unwrap_or("").to_owned(),
                f["lines_added"].as_u64().unwrap_or(0),
                f["lines_removed"].as_u64().unwrap_or(0),
                f["agent_id"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

/// The session's event ledger, `events/<id>.jsonl`: every tool call of the mock log has its
/// PreToolUse and PostToolUse (or PostToolUseFailure) line, and the session started and ended.
pub fn ledger(run: &Run, id: &str) -> Vec<Value> {
    let ctx = format!("{}: events/{id}.jsonl", run.context());
    let events = run.ledger(&format!("events/{id}.jsonl"));
    let names: Vec<&str> = events.iter().filter_map(|e| e["event"].as_str()).collect();
    for needed in ["UserPromptSubmit", "Stop", "SessionEnd"] {
        assert!(names.contains(&needed), "{ctx}: no {needed} in {names:?}");
    }
    let count = |event: &str| names.iter().filter(|n| **n == event).count() as u64;
    let calls: u64 = run.tools(id).values().sum();
    assert_eq!(count("PreToolUse"), calls, "{ctx}: PreToolUse lines");
    assert_eq!(
        count("PostToolUse") + count("PostToolUseFailure"),
        calls,
        "{ctx}: PostToolUse(Failure) lines"
    );
    events
}
