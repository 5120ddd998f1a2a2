//! A session recorded by `git vouch record` counts what the API answered: the calls its transcript
//! lacks are added to its figures in `sessions`, `usage` and `show`, named with why, the
//! transcript's own figures beside them; the store's call table is filled for stores written
//! before it existed; a damaged store leaves the session as its transcript counts it.

use std::path::Path;

use git_vouch::recorder::store::Store;
use serde_json::{Value, json};

use crate::support::cli::TestEnv;

const SESSION: &str = "5e55a0e0-0000-4000-8000-00000000c0de";

/// A repository at `repo` and a two-response session whose working folder it is.
fn recorded_world() -> (TestEnv, std::path::PathBuf) {
    let env = TestEnv::new();
    let repo = env.dir.path().join("shop");
    std::fs::create_dir_all(repo.join(".git/vouch")).unwrap();
    let cwd = repo.to_str().unwrap();
    let line = |uuid: &str, at: &str, msg: &str, output: u64| {
        json!({"type":"assistant","uuid":uuid,"timestamp":at,"cwd":cwd,"sessionId":SESSION,
            "requestId":format!("req_{msg}"),"message":{"id":msg,"role":"assistant",
            "model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"ok"}],
            "usage":{"input_tokens":100,"output_tokens":output,
                "cache_creation_input_tokens":0,"cache_read_input_tokens":0}}})
    };
    let lines = [
        json!({"type":"user","uuid":"u1","timestamp":"2026-11-21T10:00:00Z","cwd":cwd,
            "sessionId":SESSION,"message":{"role":"user","content":"tidy the shop"}}),
        line("a1", "2026-11-21T10:00:01Z", "msg_one", 10),
        line("a2", "2026-11-21T10:00:02Z", "msg_two", 20),
    ];
    let text: String = lines.iter().map(|l| l.to_string() + "\n").collect();
    env.write(&format!("-shop/{SESSION}.jsonl"), &text);
    (env, repo)
}

/// A billed exchange as the recorder stores it.
fn call(message_id: &str, at: &str, compaction: bool, output: u64) -> Value {
    json!({
        "started": at, "method": "POST", "path": "/v1/messages", "status": 200,
        "request_id": format!("req_{message_id}"), "session_id": SESSION, "agent_id": null,
        "parent_agent_id": null, "retry": 0, "model": "claude-sonnet-4-5-20250929",
        "params": {}, "system": null, "tools": null,
        "messages": {"after": null, "kept": 0, "new": []},
        "response": {"id": message_id, "model": "claude-sonnet-4-5-20250929", "content": [],
            "stop_reason": "end_turn", "stop_sequence": null,
            "usage": {"input_tokens": 100, "output_tokens": output,
                "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
            "error": null, "complete": true, "events": 6, "pings": 0},
        "ttfb_ms": 5, "duration_ms": 9, "outcome": {"state": "completed"},
        "purpose": if compaction { Some("compaction") } else { None },
        "request_bytes": 100, "response_bytes": 200
    })
}

fn record(dir: &Path, calls: &[Value]) {
    let store = Store::open(dir).unwrap();
    for c in calls {
        store
            .add(&serde_json::from_value(c.clone()).unwrap())
            .unwrap();
    }
}

fn tokens(v: &Value) -> u64 {
    v["tokens"]["total"].as_u64().unwrap()
}

#[test]
fn the_calls_a_transcript_lacks_are_counted_and_named_everywhere() {
    let (env, repo) = recorded_world();
    let before = env.json(&["sessions", "--json"]);
    assert!(before["sessions"][0].get("recording").is_none(), "{before}");
    // Both answers the transcript holds, a compaction and a side call it lacks, and a refused
    // request (not billed).
    let mut refused = call("msg_refused", "2026-11-21T10:00:06Z", false, 1);
    refused["status"] = json!(400);
    record(
        &repo.join(".git/vouch/exchanges"),
        &[
            call("msg_one", "2026-11-21T10:00:01Z", false, 10),
            call("msg_two", "2026-11-21T10:00:02Z", false, 20),
            call("msg_compact", "2026-11-21T10:00:04Z", true, 300),
            call("msg_title", "2026-11-21T10:00:05Z", false, 4000),
            refused,
        ],
    );
    let doc = env.json(&["sessions", "--json"]);
    let row = &doc["sessions"][0];
    let rec = &row["recording"];
    assert_eq!(tokens(&rec["transcript"]), 230, "{rec}");
    assert_eq!(rec["transcript"]["calls"], 2);
    assert_eq!(tokens(&rec["recorded"]), 230 + 400 + 4100, "{rec}");
    assert_eq!(rec["recorded"]["calls"], 4);
    assert_eq!(
        tokens(row),
        230 + 400 + 4100,
        "the session's figure is what was billed"
    );
    assert_eq!(row["assistant_messages"], 4);
    let kinds: Vec<&str> = rec["not_in_transcript"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["compaction", "side_call"]);
    assert_eq!(doc["totals"]["tokens"], row["tokens"]);

    let show = env.json(&["show", SESSION, "--json"]);
    assert_eq!(show["session"], *row, "show and sessions say the same");
    let models_total: u64 = show["models"].as_array().unwrap().iter().map(tokens).sum();
    assert_eq!(models_total, tokens(row));
    let usage = env.json(&["usage", "daily", "--json", "--timezone", "UTC"]);
    assert_eq!(usage["totals"]["tokens"], row["tokens"], "{usage}");
    assert_eq!(usage["totals"]["cost_usd"], row["cost_usd"], "{usage}");

    let text = String::from_utf8(env.run(&["show", SESSION]).stdout).unwrap();
    assert!(
        text.contains("2 calls not in the transcript: compaction, side call, 4.5K tokens"),
        "{text}"
    );
    let list = String::from_utf8(env.run(&["sessions"]).stdout).unwrap();
    assert!(
        list.contains("Recorded by git vouch record: 1 session; the figures count 2 calls not in the transcript"),
        "{list}"
    );
}

#[test]
fn a_store_written_before_the_call_table_is_filled_when_opened() {
    let (env, repo) = recorded_world();
    let dir = repo.join(".git/vouch/exchanges");
    std::fs::create_dir_all(&dir).unwrap();
    {
        // The layout of schema 1: exchanges and blobs, no calls.
        let conn = rusqlite::Connection::open(dir.join("exchanges.sqlite3")).unwrap();
        conn.execute_batch(
            "CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
             INSERT INTO meta VALUES('schema', 1);
             CREATE TABLE blobs(hash TEXT PRIMARY KEY, body BLOB NOT NULL);
             CREATE TABLE exchanges(id INTEGER PRIMARY KEY, started TEXT NOT NULL,
                 session TEXT, agent TEXT, record BLOB NOT NULL);",
        )
        .unwrap();
        let ex = call("msg_compact", "2026-11-21T10:00:04Z", true, 300);
        conn.execute(
            "INSERT INTO exchanges(started, session, record) VALUES(?1, ?2, ?3)",
            rusqlite::params![
                "2026-11-21T10:00:04Z",
                SESSION,
                serde_json::to_vec(&ex).unwrap()
            ],
        )
        .unwrap();
    }
    let doc = env.json(&["sessions", "--json"]);
    let rec = &doc["sessions"][0]["recording"];
    assert_eq!(rec["not_in_transcript"][0]["kind"], "compaction", "{doc}");
    assert_eq!(tokens(&doc["sessions"][0]), 230 + 400);
    let calls = Store::open(&dir).unwrap().calls(Some(SESSION)).unwrap();
    assert_eq!(calls.len(), 1);
}

#[test]
fn a_damaged_store_is_named_and_the_transcript_counted_alone() {
    let (env, repo) = recorded_world();
    let dir = repo.join(".git/vouch/exchanges");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("exchanges.sqlite3"),
        b"not a database, a crash's leftovers",
    )
    .unwrap();
    let out = env.run(&["sessions", "--json"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("exchanges.sqlite3") && stderr.contains("its recordings are left out"),
        "{stderr}"
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(tokens(&doc["sessions"][0]), 230);
    assert!(doc["sessions"][0].get("recording").is_none());
}

/// The real binary in tmux on a recorded session: the overview names the call the transcript
/// lacks, the Exchanges tab lists the recorded calls and opens one, and the replay runs to the
/// session's figures.
#[test]
fn the_explorer_shows_a_recording_in_a_real_terminal() {
    use crate::support::tmux::{self, Tmux};
    if !tmux::available() {
        return;
    }
    let (env, repo) = recorded_world();
    record(
        &repo.join(".git/vouch/exchanges"),
        &[
            call("msg_one", "2026-11-21T10:00:01Z", false, 10),
            call("msg_two", "2026-11-21T10:00:02Z", false, 20),
            call("msg_compact", "2026-11-21T10:00:04Z", true, 300),
        ],
    );
    let bin = env!("CARGO_BIN_EXE_git-vouch");
    let t = Tmux::run(env.root(), &env.string_vars(), &format!("'{bin}'"));
    t.wait("the session", |s| s.contains("tidy the shop"));
    t.keys(&["Enter"]);
    t.wait("the overview's recording lines", |s| {
        s.contains("Recorded    3 calls, 630 tokens")
            && s.contains("Difference  1 call not in the transcript: compaction, 400 tokens")
    });
    t.keys(&["9"]);
    t.wait("the Exchanges tab", |s| {
        s.contains("3 calls recorded") && s.contains("compaction, not in the transcript")
    });
    t.keys(&["Enter"]);
    t.wait("a call in full", |s| {
        s.contains("API call 1") && s.contains("Response · end_turn")
    });
    // `q` closes the call (an Escape followed at once by a key reads as alt+key).
    t.keys(&["q"]);
    t.wait("the call closed", |s| !s.contains("API call 1"));
    t.keys(&["P", "G"]);
    t.wait("the replay at its end", |s| {
        s.contains("Replay") && s.contains("So far 3 API calls · 630 tokens")
    });
    t.keys(&["q", "q", "q"]);
    t.wait("the question", |s| s.contains("Quit git-vouch?"));
    t.keys(&["y"]);
    let screen = t.wait("the explorer to exit", |s| s.contains("EXITED"));
    assert!(screen.contains("EXITED 0"), "{screen}");
}
