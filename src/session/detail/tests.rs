//! Linking and deduplication rules, on small hand-made sessions.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::{
    SessionDetail, SubagentKind, ThreadRef, ToolStatus, load_conversation, load_detail,
    load_detail_and_conversation, open_text,
};
use crate::pricing::PriceTable;
use crate::session::SessionSummary;

const MAIN: &str = "p/s.jsonl";

fn agent_path(id: &str) -> String {
    format!("p/s/subagents/agent-{id}.jsonl")
}

/// An assistant line calling one tool.
fn call(id: &str, name: &str, input: &Value, ts: &str) -> Value {
    json!({"type":"assistant","timestamp":ts,"requestId":format!("req_{id}"),
        "message":{"id":format!("msg_{id}"),"model":"claude-sonnet-4-5-20250929",
        "usage":{"input_tokens":10,"output_tokens":5},
        "content":[{"type":"tool_use","id":id,"name":name,"input":input}]}})
}

/// A user line with the result of one tool call.
fn result(id: &str, text: &str, tur: &Value, ts: &str) -> Value {
    json!({"type":"user","timestamp":ts,
        "message":{"content":[{"type":"tool_result","tool_use_id":id,"content":text}]},
        "toolUseResult":tur})
}

fn prompt(text: &str, uuid: &str, sidechain: bool) -> Value {
    json!({"type":"user","uuid":uuid,"parentUuid":null,"isSidechain":sidechain,
        "timestamp":"2026-01-01T00:00:01Z","message":{"content":text}})
}

fn jsonl(lines: &[Value]) -> String {
    lines.iter().map(|l| l.to_string() + "\n").collect()
}

fn load(files: &[(&str, String)]) -> SessionDetail {
    let map: HashMap<PathBuf, String> = files
        .iter()
        .map(|(p, t)| (PathBuf::from(p), t.clone()))
        .collect();
    let summary = SessionSummary {
        files: files
            .iter()
            .map(|(p, _)| PathBuf::from(p))
            .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
            .collect(),
        ..SessionSummary::default()
    };
    let open = move |p: &Path| open_text(map.get(p).cloned());
    load_detail(&summary, &open, PriceTable::embedded())
}

fn agent_file(id: &str, calls: &[Value]) -> (String, String) {
    let mut lines = vec![prompt("do it", &format!("u-{id}"), true)];
    lines.extend(calls.iter().cloned());
    (agent_path(id), jsonl(&lines))
}

fn link_of(d: &SessionDetail, agent: &str) -> Option<String> {
    d.subagents_flat()
        .into_iter()
        .find(|(_, n)| n.agent_id == agent)
        .and_then(|(_, n)| n.tool_use_id.clone())
}

#[test]
fn meta_json_wins_over_the_result_agent_id() {
    let main = jsonl(&[
        call(
            "t1",
            "Agent",
            &json!({"prompt":"x"}),
            "2026-01-01T00:00:00Z",
        ),
        call(
            "t2",
            "Agent",
            &json!({"prompt":"y"}),
            "2026-01-01T00:00:00Z",
        ),
        result("t2", "ok", &json!({"agentId":"a1"}), "2026-01-01T00:00:05Z"),
    ]);
    let (ap, at) = agent_file("a1", &[]);
    let meta = json!({"agentType":"Explore","toolUseId":"t1"}).to_string();
    let d = load(&[
        (MAIN, main),
        (&ap, at),
        ("p/s/subagents/agent-a1.meta.json", meta),
    ]);
    assert_eq!(link_of(&d, "a1").as_deref(), Some("t1"));
    assert_eq!(d.subagents[0].agent_type.as_deref(), Some("Explore"));
}

#[test]
fn result_progress_and_tail_links() {
    let main = jsonl(&[
        call(
            "t1",
            "Task",
            &json!({"description":"one"}),
            "2026-01-01T00:00:00Z",
        ),
        call("t2", "Task", &json!({}), "2026-01-01T00:00:00Z"),
        call("t3", "Agent", &json!({}), "2026-01-01T00:00:00Z"),
        json!({"type":"progress","parentToolUseID":"t2","toolUseID":"agent_msg_1",
            "data":{"type":"agent_progress","agentId":"a2","message":{"type":"assistant",
            "message":{"id":"msg_embedded","usage":{"input_tokens":999}}}}}),
        result(
            "t1",
            "done",
            &json!({"agentId":"a1","status":"completed"}),
            "2026-01-01T00:00:02Z",
        ),
        result(
            "t3",
            "done\nagentId: a3 (use SendMessage…)",
            &Value::Null,
            "2026-01-01T00:00:02Z",
        ),
    ]);
    let files: Vec<(String, String)> = ["a1", "a2", "a3"]
        .iter()
        .map(|a| agent_file(a, &[]))
        .collect();
    let mut all = vec![(MAIN, main)];
    all.extend(files.iter().map(|(p, t)| (p.as_str(), t.clone())));
    let d = load(&all);
    assert_eq!(link_of(&d, "a1").as_deref(), Some("t1"));
    assert_eq!(link_of(&d, "a2").as_deref(), Some("t2"));
    assert_eq!(link_of(&d, "a3").as_deref(), Some("t3"));
    assert!(d.subagents.iter().all(|n| n.kind == SubagentKind::Task));
    // The usage copy inside the progress line is never counted.
    assert!(d.subagents.iter().all(|n| n.tokens.total() == 0));
}

#[test]
fn inline_side_chains_match_task_prompts() {
    let main = jsonl(&[
        call(
            "t0",
            "Task",
            &json!({"description":"no prompt"}),
            "2026-01-01T00:00:00Z",
        ),
        call(
            "t1",
            "Task",
            &json!({"prompt":"first job"}),
            "2026-01-01T00:00:00Z",
        ),
        call(
            "t2",
            "Task",
            &json!({"prompt":"second job"}),
            "2026-01-01T00:00:00Z",
        ),
        prompt("second job", "root-2", true),
        json!({"type":"assistant","uuid":"x2","parentUuid":"root-2","isSidechain":true,
            "requestId":"r9","message":{"id":"m9","model":"claude-sonnet-4-5-20250929",
            "usage":{"input_tokens":7},"content":[{"type":"tool_use","id":"s1","name":"Read","input":{"file_path":"f"}}]}}),
        prompt("first job", "root-1", true),
    ]);
    let d = load(&[(MAIN, main)]);
    assert_eq!(link_of(&d, "sidechain-root-2").as_deref(), Some("t2"));
    assert_eq!(link_of(&d, "sidechain-root-1").as_deref(), Some("t1"));
    let read = d.tool_calls.iter().find(|c| c.id == "s1");
    assert_eq!(
        read.and_then(|c| c.agent_id.as_deref()),
        Some("sidechain-root-2")
    );
    let second = d
        .subagents
        .iter()
        .find(|n| n.agent_id == "sidechain-root-2");
    assert_eq!(second.map(|n| (n.tokens.input, n.tool_calls)), Some((7, 1)));
}

#[test]
fn nested_agents_become_children_and_compactions_count() {
    let main = jsonl(&[call("t1", "Agent", &json!({}), "2026-01-01T00:00:00Z")]);
    let (p1, f1) = agent_file(
        "a1",
        &[call("t2", "Agent", &json!({}), "2026-01-01T00:00:02Z")],
    );
    let (p2, f2) = agent_file("a2", &[]);
    let (pc, fc) = agent_file(
        "acompact-abc",
        &[call(
            "t9",
            "Bash",
            &json!({"command":"true"}),
            "2026-01-01T00:00:09Z",
        )],
    );
    let m1 = json!({"toolUseId":"t1","spawnDepth":1}).to_string();
    let m2 = json!({"toolUseId":"t2","spawnDepth":2}).to_string();
    let d = load(&[
        (MAIN, main),
        (&p1, f1),
        ("p/s/subagents/agent-a1.meta.json", m1),
        (&p2, f2),
        ("p/s/subagents/agent-a2.meta.json", m2),
        (&pc, fc),
    ]);
    let roots: Vec<&str> = d.subagents.iter().map(|n| n.agent_id.as_str()).collect();
    assert_eq!(roots, vec!["a1", "acompact-abc"]);
    assert_eq!(d.subagents[0].children[0].agent_id, "a2");
    let compact = &d.subagents[1];
    assert_eq!(compact.kind, SubagentKind::Compaction);
    assert_eq!(compact.tokens.total(), 15);
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn replayed_calls_are_listed_once_and_missing_agents_are_reported() {
    let first = jsonl(&[
        call("t1", "Task", &json!({}), "2026-01-01T00:00:00Z"),
        result(
            "t1",
            "ok",
            &json!({"agentId":"gone","totalDurationMs":1234}),
            "2026-01-01T00:00:09Z",
        ),
    ]);
    let d = load(&[(MAIN, first.clone()), ("p/s2.jsonl", first)]);
    assert_eq!(d.tool_calls.len(), 1);
    assert_eq!(d.tool_calls[0].duration_ms, Some(1234));
    assert_eq!(d.subagents.len(), 1);
    assert_eq!(d.subagents[0].cost, None);
    assert_eq!(d.warnings.len(), 1);
    assert!(d.warnings[0].message.contains("gone"));
}

/// A Bash call and its plain-text result.
fn bash(id: &str, command: &str, output: &str, second: u32) -> [Value; 2] {
    let at = |s: u32| format!("2026-01-01T00:00:{s:02}Z");
    [
        call(id, "Bash", &json!({ "command": command }), &at(second)),
        result(id, output, &Value::Null, &at(second + 1)),
    ]
}

#[test]
fn commits_come_from_git_commit_output() {
    let mut lines = Vec::new();
    lines.extend(bash(
        "c1",
        "git commit -m x",
        "[feature 1234abc] Subject
 1 file",
        0,
    ));
    lines.extend(bash("c2", "cat log", "[main abcdef0] old output", 2));
    let d = load(&[(MAIN, jsonl(&lines))]);
    let shas: Vec<(&str, Option<&str>, Option<&str>)> = d
        .commits
        .iter()
        .map(|c| (c.sha.as_str(), c.branch.as_deref(), c.subject.as_deref()))
        .collect();
    assert_eq!(shas, vec![("1234abc", Some("feature"), Some("Subject"))]);
    let bash = d.tool_stats().into_iter().find(|s| s.name == "Bash");
    assert_eq!(bash.map(|s| (s.calls, s.median_ms)), Some((2, Some(1000))));
}

#[test]
fn files_count_only_successful_edits() {
    let edit = |id: &str, path: &str| {
        let input = json!({"file_path":path,"old_string":"a","new_string":"b"});
        call(id, "Edit", &input, "2026-01-01T00:00:04Z")
    };
    let main = jsonl(&[
        edit("e1", "f"),
        json!({"type":"user","timestamp":"2026-01-01T00:00:05Z","message":{"content":[
            {"type":"tool_result","tool_use_id":"e1","is_error":true,
             "content":"<tool_use_error>File has not been read yet.</tool_use_error>"}]}}),
        edit("e2", "g"),
        call(
            "w1",
            "Write",
            &json!({"file_path":"h","content":"1\n2\n3\n"}),
            "2026-01-01T00:00:07Z",
        ),
        result(
            "w1",
            "File created successfully at: h",
            &Value::Null,
            "2026-01-01T00:00:08Z",
        ),
    ]);
    let d = load(&[(MAIN, main)]);
    let status = |id: &str| {
        d.tool_calls
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.status.clone())
    };
    let failed = ToolStatus::Failed {
        error: "File has not been read yet.".into(),
    };
    assert_eq!(status("e1"), Some(failed));
    assert_eq!(status("e2"), Some(ToolStatus::Pending));
    let files: Vec<(&str, u64, bool)> = d
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.lines_added, f.created))
        .collect();
    assert_eq!(files, vec![("h", 3, true)]);
}

/// The explorer reads the detail and the main conversation in one pass; it must give what the
/// two separate readers give, on every demo session (sub-agents, side chains, compactions).
#[test]
fn one_pass_reads_what_two_passes_read() {
    let prices = PriceTable::embedded();
    let open = |p: &Path| open_text(crate::demo::read_file(p));
    let catalog = crate::demo::catalog(prices);
    assert!(catalog.sessions.len() > 3, "the demo has sessions");
    let mut entries = 0;
    for summary in &catalog.sessions {
        let (detail, conversation) = load_detail_and_conversation(summary, &open, prices);
        assert_eq!(
            detail,
            load_detail(summary, &open, prices),
            "{}",
            summary.id
        );
        let main = load_conversation(
            &summary.files,
            ThreadRef::Main,
            &summary.replayed_uuids,
            &open,
        );
        assert_eq!(conversation, main, "{}", summary.id);
        entries += main.entries.len();
    }
    assert!(
        entries > 50,
        "the demo conversations have entries ({entries})"
    );
}
