//! The Codex reader on small rollouts written out here, one trap each; the recorded rollouts of
//! the real CLI are read in `tests/it/codex_e2e`.

use std::path::Path;

use serde_json::{Value, json};

use super::collect::read_bytes;
use crate::agent_source::thread::{Depth, Step};
use crate::usage::Tokens;

fn rollout(lines: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    for l in lines {
        out.extend(serde_json::to_vec(l).unwrap());
        out.push(b'\n');
    }
    out
}

#[allow(clippy::needless_pass_by_value)] // Called with json! literals.
fn line(ts: &str, kind: &str, payload: Value) -> Value {
    json!({"timestamp": ts, "type": kind, "payload": payload})
}

const ROOT: &str = "01a244e2-5eda-7751-91e4-86aac158d5af";
const CHILD: &str = "01a244e2-a743-7d81-8f5b-1534f795530b";
/// A turn id older than CHILD (the parent's), and one younger (the child's own).
const OLD_TURN: &str = "01a244e2-0000-7000-8000-000000000000";
const OWN_TURN: &str = "01a244e2-ffff-7000-8000-000000000000";

fn meta(id: &str) -> Value {
    line(
        "2026-12-05T06:00:00.000Z",
        "session_meta",
        json!({"id": id, "cwd": "/w/r", "cli_version": "0.150.0", "git": {"branch": "main"}}),
    )
}

fn usage(input: u64, cached: u64, output: u64, reasoning: u64) -> Value {
    json!({"input_tokens": input, "cached_input_tokens": cached, "output_tokens": output,
           "reasoning_output_tokens": reasoning, "total_tokens": input + output})
}

#[allow(clippy::needless_pass_by_value)] // Called with json! literals.
fn token_count(ts: &str, total: Value, last: Option<Value>) -> Value {
    let mut info = json!({"total_token_usage": total});
    if let Some(l) = last {
        info["last_token_usage"] = l;
    }
    line(
        ts,
        "event_msg",
        json!({"type": "token_count", "info": info}),
    )
}

fn turn(ts: &str, turn_id: &str, model: &str) -> Value {
    line(
        ts,
        "turn_context",
        json!({"turn_id": turn_id, "model": model, "cwd": "/w/r",
        "approval_policy": "on-request", "sandbox_policy": {"type": "workspace-write"}}),
    )
}

fn sum(read: &crate::agent_source::thread::ThreadRead) -> Tokens {
    let mut t = Tokens::default();
    for r in &read.responses {
        t.add(&r.tokens);
    }
    t
}

/// Cached input is part of input, reasoning part of output: 1000 in with 200 cached and 50 out
/// with 10 reasoning is 800 + 200 cached + 50 out, never 1000 + 200 or 60.
#[test]
fn token_usage_records_count_each_response_once_by_its_id() {
    let bytes = rollout(&[
        meta(ROOT),
        turn("2026-12-05T06:00:01.000Z", OWN_TURN, "gpt-5.5"),
        line(
            "2026-12-05T06:00:02.000Z",
            "token_usage_record",
            json!({"response_id": "resp_1", "usage": usage(1000, 200, 50, 10)}),
        ),
        token_count(
            "2026-12-05T06:00:02.000Z",
            usage(1000, 200, 50, 10),
            Some(usage(1000, 200, 50, 10)),
        ),
        line(
            "2026-12-05T06:00:03.000Z",
            "token_usage_record",
            json!({"response_id": "resp_2", "usage": usage(1370, 1000, 40, 0)}),
        ),
        token_count(
            "2026-12-05T06:00:03.000Z",
            usage(2370, 1200, 90, 10),
            Some(usage(1370, 1000, 40, 0)),
        ),
    ]);
    let read = read_bytes(&bytes, Path::new("r.jsonl"), Depth::Full);
    assert!(read.warnings.is_empty(), "{:?}", read.warnings);
    assert_eq!(read.responses.len(), 2);
    assert_eq!(read.responses[0].id.as_deref(), Some("resp_1"));
    assert_eq!(read.responses[0].model, "gpt-5.5");
    assert_eq!(
        sum(&read),
        Tokens {
            input: 800 + 370,
            output: 90,
            cache_read: 1200,
            ..Tokens::default()
        }
    );
    assert_eq!(
        read.permission_modes,
        ["approval:on-request", "sandbox:workspace-write"]
    );
}

/// Older rollouts: `token_count` only. A repeated event is one response; an event with the
/// total alone is the growth of the total; a total that shrank starts a new baseline.
#[test]
fn token_counts_of_older_rollouts_follow_the_running_total() {
    let bytes = rollout(&[
        meta(ROOT),
        turn("2026-12-05T06:00:01.000Z", OWN_TURN, "gpt-5"),
        token_count(
            "2026-12-05T06:00:02.000Z",
            usage(100, 0, 10, 0),
            Some(usage(100, 0, 10, 0)),
        ),
        token_count(
            "2026-12-05T06:00:02.000Z",
            usage(100, 0, 10, 0),
            Some(usage(100, 0, 10, 0)),
        ),
        token_count("2026-12-05T06:00:03.000Z", usage(250, 80, 30, 5), None),
        token_count("2026-12-05T06:00:04.000Z", usage(40, 0, 4, 0), None),
    ]);
    let read = read_bytes(&bytes, Path::new("r.jsonl"), Depth::Full);
    let tokens: Vec<Tokens> = read.responses.iter().map(|r| r.tokens).collect();
    assert_eq!(
        tokens,
        [
            Tokens {
                input: 100,
                output: 10,
                ..Tokens::default()
            },
            Tokens {
                input: 70,
                output: 20,
                cache_read: 80,
                ..Tokens::default()
            },
            Tokens {
                input: 40,
                output: 4,
                ..Tokens::default()
            },
        ]
    );
    assert_ne!(read.responses[0].key, read.responses[1].key);
}

/// A sub-agent's rollout copies its parent's history. With `subagent_history_start_ordinal`
/// the copy is the lines before it; without, it ends at the child's first own turn (a UUIDv7
/// turn id younger than the child). The copied `token_count` events are never counted, and the
/// child's running total continues from the copy's.
#[test]
fn a_child_never_counts_the_history_it_copied() {
    let child_meta = |ordinal: Option<u64>| {
        let mut p = json!({"id": CHILD, "session_id": ROOT, "cwd": "/w/r",
            "source": {"subagent": {"thread_spawn": {"parent_thread_id": ROOT, "depth": 1,
                "agent_path": "/root/child_task", "agent_nickname": "Copernicus"}}}});
        if let Some(o) = ordinal {
            p["subagent_history_start_ordinal"] = json!(o);
        }
        json!({"timestamp": "2026-12-05T06:00:05.000Z", "ordinal": 0, "type": "session_meta", "payload": p})
    };
    let with_ordinal = |mut l: Value, o: u64| {
        l["ordinal"] = json!(o);
        l
    };
    let copied = [
        meta(ROOT),
        turn("2026-12-05T06:00:05.000Z", OLD_TURN, "gpt-5.5"),
        token_count(
            "2026-12-05T06:00:05.000Z",
            usage(5000, 0, 500, 0),
            Some(usage(5000, 0, 500, 0)),
        ),
        line(
            "2026-12-05T06:00:05.000Z",
            "event_msg",
            json!({"type": "turn_aborted"}),
        ),
    ];
    let own = [
        turn("2026-12-05T06:00:06.000Z", OWN_TURN, "gpt-5.5"),
        token_count("2026-12-05T06:00:07.000Z", usage(5300, 100, 520, 0), None),
    ];
    for recorded in [true, false] {
        let mut lines = vec![child_meta(recorded.then_some(5))];
        for (i, l) in copied.iter().chain(&own).enumerate() {
            lines.push(if recorded {
                with_ordinal(l.clone(), i as u64 + 1)
            } else {
                l.clone()
            });
        }
        let read = read_bytes(&rollout(&lines), Path::new("child.jsonl"), Depth::Full);
        assert_eq!(read.identity.session, ROOT);
        assert_eq!(read.identity.parent.as_deref(), Some(ROOT));
        assert_eq!(read.identity.nickname.as_deref(), Some("Copernicus"));
        assert_eq!(
            sum(&read),
            Tokens {
                input: 200,
                output: 20,
                cache_read: 100,
                ..Tokens::default()
            },
            "recorded ordinal: {recorded}"
        );
    }
}

/// Calls of every shape, with their outcomes, the files a patch changed and the conversation.
#[test]
fn calls_outcomes_and_changes() {
    let patch = "*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch\n";
    let bytes = rollout(&[
        meta(ROOT),
        line(
            "2026-12-05T06:00:01.000Z",
            "event_msg",
            json!({"type": "user_message", "message": "Say hi"}),
        ),
        line(
            "2026-12-05T06:00:01.000Z",
            "response_item",
            json!({"type": "message", "role": "user",
            "content": [{"type": "input_text", "text": "<environment_context>x</environment_context>"}]}),
        ),
        line(
            "2026-12-05T06:00:02.000Z",
            "response_item",
            json!({"type": "function_call",
            "name": "exec_command", "arguments": "{\"cmd\":\"false\"}", "call_id": "c1"}),
        ),
        line(
            "2026-12-05T06:00:03.000Z",
            "event_msg",
            json!({"type": "item_completed", "item": {
            "type": "CommandExecution", "id": "c1", "status": "failed", "exit_code": 1,
            "aggregated_output": "nope"}}),
        ),
        line(
            "2026-12-05T06:00:04.000Z",
            "response_item",
            json!({"type": "custom_tool_call",
            "name": "apply_patch", "input": patch, "call_id": "c2"}),
        ),
        line(
            "2026-12-05T06:00:05.000Z",
            "event_msg",
            json!({"type": "item_completed", "item": {
            "type": "FileChange", "id": "c2", "status": "completed",
            "changes": {"/w/r/hello.txt": {"type": "add", "content": "hello\n"}}}}),
        ),
        line(
            "2026-12-05T06:00:06.000Z",
            "response_item",
            json!({"type": "message", "role": "assistant",
            "content": [{"type": "output_text", "text": "Done."}]}),
        ),
    ]);
    let read = read_bytes(&bytes, Path::new("r.jsonl"), Depth::Full);
    assert_eq!(read.calls.len(), 2);
    assert_eq!(read.calls[0].command.as_deref(), Some("false"));
    assert_eq!(
        read.calls[0].outcome,
        crate::agent_source::thread::Outcome::Failed("nope".into())
    );
    assert_eq!(
        read.calls[1].outcome,
        crate::agent_source::thread::Outcome::Ok
    );
    let (call, changes) = &read.changes[0];
    assert_eq!(*call, 1);
    assert_eq!(changes[0].path, "/w/r/hello.txt");
    assert!(changes[0].created);
    let prompts: Vec<&Step> = read.steps.iter().map(|(_, s)| s).collect();
    assert_eq!(prompts[0], &Step::Prompt("Say hi".into()));
    assert_eq!(prompts.last(), Some(&&Step::Answer("Done.".into())));
    let scan = crate::agent_source::thread::scan::file_scan(&read, bytes.len() as u64);
    assert_eq!(scan.user_prompts, 1);
    assert_eq!(scan.paths, ["/w/r/hello.txt"]);
    assert_eq!(scan.command(0), Some("false"));
    assert_eq!(scan.failures.len(), 1);
}

/// A line that is not a record is skipped with a warning naming it; the rest is read.
#[test]
fn bad_lines_are_named_and_skipped() {
    let mut bytes = rollout(&[meta(ROOT)]);
    bytes.extend(b"{not json\n");
    bytes.extend(rollout(&[turn(
        "2026-12-05T06:00:01.000Z",
        OWN_TURN,
        "gpt-5.5",
    )]));
    let read = read_bytes(&bytes, Path::new("r.jsonl"), Depth::Full);
    assert_eq!(read.warnings.len(), 1);
    assert_eq!(read.warnings[0].line, Some(2));
    assert_eq!(read.permission_modes.len(), 2);
    let none = read_bytes(
        b"{\"type\":\"event_msg\",\"payload\":{}}\n",
        Path::new("x.jsonl"),
        Depth::Full,
    );
    assert!(none.warnings[0].message.contains("no session_meta"));
}

/// A child's secrets are those of its own lines: the parent's history it copied holds the
/// parent's, counted in the parent's rollout.
#[test]
fn a_childs_secrets_leave_out_the_history_it_copied() {
    let message = |ts: &str, text: &str| {
        line(
            ts,
            "response_item",
            json!({"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}),
        )
    };
    let aws = "key AKIAABCDEFGHIJKLMNOP";
    let github = format!("token ghp_{}", "a1B2".repeat(9));
    let child_meta = json!({"timestamp": "2026-12-05T06:00:05.000Z", "ordinal": 0,
        "type": "session_meta", "payload": {"id": CHILD, "session_id": ROOT,
        "subagent_history_start_ordinal": 3,
        "source": {"subagent": {"thread_spawn": {"parent_thread_id": ROOT}}}}});
    let mut lines = vec![
        child_meta,
        meta(ROOT),
        message("2026-12-05T06:00:05.000Z", aws),
        turn("2026-12-05T06:00:06.000Z", OWN_TURN, "gpt-5.5"),
        message("2026-12-05T06:00:07.000Z", &github),
    ];
    for (i, l) in lines.iter_mut().enumerate() {
        l["ordinal"] = json!(i);
    }
    let text = String::from_utf8(rollout(&lines)).unwrap();
    let open = move |_: &Path| crate::session::detail::open_text(Some(text.clone()));
    let counts = super::secrets::count(&[Path::new("child.jsonl").to_path_buf()], &open);
    assert_eq!(counts.get("github-token"), Some(&1), "{counts:?}");
    assert_eq!(counts.get("aws-access-key-id"), None, "{counts:?}");
}
