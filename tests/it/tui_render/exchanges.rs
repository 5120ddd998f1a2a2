//! The Exchanges tab of a recorded session: every recorded API call listed with its figures, the
//! ones the transcript lacks marked, and one call opened in full (system prompt and tools folded
//! until `e`).

use git_vouch::pricing::PriceTable;
use git_vouch::recorder::store::Store;
use serde_json::{Value, json};

use super::{KeyCode, draw, press, type_keys};

const SESSION: &str = "s-rec";

/// A recorded exchange of [`SESSION`] as the recorder stores it, over `fields`.
fn exchange(store: &Store, at: &str, message_id: &str, fields: &Value) -> Value {
    let system = store
        .put(&json!([{"type":"text",
        "text":"You are Claude Code.\nUse the tools.\nBe brief."}]))
        .unwrap();
    let tools = store
        .put(&json!([
        {"name":"Bash","description":"Runs a command.\nIn a shell.","input_schema":{}},
        {"name":"Read","description":"Reads a file.","input_schema":{}}]))
        .unwrap();
    let prompt = store
        .put(&json!({"role":"user","content":"list the shop's files"}))
        .unwrap();
    let mut ex = json!({
        "started": at, "method": "POST", "path": "/v1/messages", "status": 200,
        "request_id": format!("req_{message_id}"), "session_id": SESSION, "agent_id": null,
        "parent_agent_id": null, "retry": 0, "model": "claude-sonnet-4-5-20250929",
        "params": {"max_tokens": 32000, "stream": true}, "system": system, "tools": tools,
        "messages": {"after": null, "kept": 0, "new": [prompt]},
        "response": {"id": message_id, "model": "claude-sonnet-4-5-20250929",
            "content": [{"type":"thinking","thinking":"The files, then.","signature":"sig"},
                {"type":"tool_use","id":"t1","name":"Bash","input":{"command":"ls"}}],
            "stop_reason": "tool_use", "stop_sequence": null,
            "usage": {"input_tokens": 1000, "output_tokens": 50,
                "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
            "error": null, "complete": true, "events": 9, "pings": 1},
        "ttfb_ms": 210, "duration_ms": 1450, "outcome": {"state": "completed"},
        "request_bytes": 100, "response_bytes": 200
    });
    for (k, v) in fields.as_object().unwrap() {
        ex[k] = v.clone();
    }
    ex
}

/// A session in a repository whose store holds its answered call, a compaction its transcript
/// lacks and an overloaded retry; its recording added as the explorer's load adds it.
fn recorded_session(dir: &std::path::Path) -> git_vouch::index::Catalog {
    let repo = dir.join("shop");
    git2::Repository::init(&repo).unwrap();
    let cwd = repo.to_str().unwrap();
    let lines = [
        json!({"type":"user","uuid":"u1","timestamp":"2026-11-21T10:00:00Z","cwd":cwd,
            "sessionId":SESSION,"message":{"role":"user","content":"list the shop's files"}}),
        json!({"type":"assistant","uuid":"a1","timestamp":"2026-11-21T10:00:02Z","cwd":cwd,
            "sessionId":SESSION,"requestId":"req_msg_1","message":{"id":"msg_1",
            "model":"claude-sonnet-4-5-20250929","role":"assistant",
            "usage":{"input_tokens":1000,"output_tokens":50},
            "content":[{"type":"tool_use","id":"t1","name":"Bash","input":{"command":"ls"}}]}}),
    ];
    let project = dir.join("-shop");
    std::fs::create_dir_all(&project).unwrap();
    let path = project.join(format!("{SESSION}.jsonl"));
    let text: String = lines.iter().map(|l| l.to_string() + "\n").collect();
    std::fs::write(path, text).unwrap();
    let store = Store::open(&repo.join(".git/vouch/exchanges")).unwrap();
    let overloaded = json!({"status": 529, "retry": 0, "ttfb_ms": 30, "duration_ms": 31,
        "response": {"id": null, "model": null, "content": [], "stop_reason": null,
            "stop_sequence": null, "usage": null, "complete": false, "events": 0, "pings": 0,
            "error": {"type": "overloaded_error", "message": "Overloaded"}}});
    let compaction = json!({"purpose": "compaction", "ttfb_ms": 400, "duration_ms": 5200});
    let retried = json!({"retry": 1});
    for (at, id, fields) in [
        ("2026-11-21T10:00:01Z", "msg_0", &overloaded),
        ("2026-11-21T10:00:01.500Z", "msg_1", &retried),
        ("2026-11-21T10:00:05Z", "msg_c", &compaction),
    ] {
        let ex = exchange(&store, at, id, fields);
        store.add(&serde_json::from_value(ex).unwrap()).unwrap();
    }
    // The session summed up as the index sums it.
    let prices = PriceTable::embedded();
    let source = git_vouch::agent_source::of(git_vouch::transcript::agent::Agent::ClaudeCode);
    let files = source.files_in(&project, &mut Vec::new());
    let options = git_vouch::index::LoadOptions::default();
    let mut sessions = git_vouch::index::load_catalog(files, &options, prices)
        .unwrap()
        .sessions;
    let errors = git_vouch::recorder::accounting::add_recordings(
        &mut sessions,
        &dir.join("data"),
        prices,
        |s| git_vouch::agent_source::detail(s, &git_vouch::session::detail::open_file, prices),
    );
    assert!(errors.is_empty(), "{errors:?}");
    git_vouch::index::Catalog {
        sessions,
        ..git_vouch::index::Catalog::default()
    }
}

#[test]
fn the_exchanges_tab_lists_the_recorded_calls_and_opens_one_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let source = git_vouch::tui::worker::Source::Local {
        cache: None,
        data_dir: None,
        archives: Vec::new(),
    };
    let catalog = recorded_session(dir.path());
    let rec = catalog.sessions[0].recording.as_deref().unwrap();
    assert_eq!(rec.recorded.calls, 2, "the 529 was not billed");
    assert_eq!(rec.not_in_transcript.len(), 1);
    let mut app = super::app(catalog, &[], None);
    press(&mut app, &source, KeyCode::Enter);
    type_keys(&mut app, &source, "9");
    let list = draw(&mut app, (120, 24));
    for text in [
        "3 calls recorded · billed 2 calls, 2.1K tokens",
        "1 not in the transcript",
        "529",
        "overloaded_error: Overloaded",
        "compaction, not in the transcript",
        "1450 ms",
    ] {
        assert!(list.contains(text), "{text}\n{list}");
    }
    insta::assert_snapshot!("exchanges_list_120x24", list);
    type_keys(&mut app, &source, "j");
    press(&mut app, &source, KeyCode::Enter);
    let open = draw(&mut app, (100, 30));
    for text in [
        "POST /v1/messages · ok · 2026-11-21 10:00:01.500",
        "first byte 210 ms · took 1450 ms · retry 1",
        "System prompt · 45 characters",
        "You are Claude Code. … (e unfolds)",
        "Tools · 2",
        "Bash, Read",
        "Messages · 1 new",
        "list the shop's files",
        "Response · tool_use",
        "thinking, signed:",
        "tool_use Bash {\"command\":\"ls\"}",
    ] {
        assert!(open.contains(text), "{text}\n{open}");
    }
    insta::assert_snapshot!("exchanges_open_100x30", open);
    type_keys(&mut app, &source, "e");
    let unfolded = draw(&mut app, (100, 30));
    assert!(unfolded.contains("Be brief."), "{unfolded}");
    assert!(unfolded.contains("Bash · Runs a command."), "{unfolded}");
    press(&mut app, &source, KeyCode::Esc);
    let back = draw(&mut app, (100, 24));
    assert!(!back.contains("API call"), "{back}");
    assert!(back.contains("9 API"), "{back}");
}

#[test]
fn a_session_without_a_recording_says_how_to_make_one() {
    let dir = tempfile::tempdir().unwrap();
    let source = git_vouch::tui::worker::Source::Local {
        cache: None,
        data_dir: None,
        archives: Vec::new(),
    };
    let mut catalog = recorded_session(dir.path());
    catalog.sessions[0].recording = None;
    let mut app = super::app(catalog, &[], None);
    press(&mut app, &source, KeyCode::Enter);
    type_keys(&mut app, &source, "9");
    let screen = draw(&mut app, (100, 24));
    assert!(
        screen.contains("No recording of this session's API calls."),
        "{screen}"
    );
}

/// `P` replays the session over its tabs: the cursor starts at the first event and plays with
/// the clock's ticks (idle time compressed) to the end, where the figures so far are the
/// session's; `j`/`k` step, `space` pauses, `+`/`-` change the speed, `q` leaves.
#[test]
fn a_replay_steps_through_the_events_to_the_sessions_figures() {
    use git_vouch::tui::msg::Msg;
    let dir = tempfile::tempdir().unwrap();
    let source = git_vouch::tui::worker::Source::Local {
        cache: None,
        data_dir: None,
        archives: Vec::new(),
    };
    let catalog = recorded_session(dir.path());
    let total = git_vouch::present::tokens(catalog.sessions[0].tokens.total());
    let cost = catalog.sessions[0].cost;
    let mut app = super::app(catalog, &[], None);
    press(&mut app, &source, KeyCode::Enter);
    type_keys(&mut app, &source, "P");
    let start = draw(&mut app, (100, 20));
    for text in [
        "Replay 0:00 of 0:05 · 1× · playing · 1 of 5 events",
        "prompt    list the shop's files",
        "So far 0 API calls · 0 tokens",
        "space pause",
    ] {
        assert!(start.contains(text), "{text}\n{start}");
    }
    // Ticks of the clock move a playing replay; at 64x two ticks pass the end.
    type_keys(&mut app, &source, "++++++++");
    assert_eq!(
        app.detail.as_ref().unwrap().replay.as_ref().unwrap().speed,
        64
    );
    app.update(Msg::Tick);
    app.update(Msg::Tick);
    let end = draw(&mut app, (100, 20));
    for text in [
        "Replay 0:05 of 0:05 · 64× · paused · 5 of 5 events",
        "API error 529 · overloaded_error: Overloaded",
        "tool      Bash ls",
        "compaction, not in the transcript",
        &format!("So far 2 API calls · {total} tokens · {cost} · 1 tool call"),
    ] {
        assert!(end.contains(text), "{text}\n{end}");
    }
    insta::assert_snapshot!("replay_end_100x20", end);
    // Stepping back pauses on the event before; the figures follow the cursor.
    type_keys(&mut app, &source, "k");
    let back = draw(&mut app, (100, 20));
    assert!(back.contains("4 of 5 events"), "{back}");
    assert!(back.contains("So far 1 API call ·"), "{back}");
    type_keys(&mut app, &source, "g");
    assert!(draw(&mut app, (100, 20)).contains("0 of 5 events"));
    type_keys(&mut app, &source, "q");
    let tab = draw(&mut app, (100, 20));
    assert!(!tab.contains("Replay"), "{tab}");
    assert!(tab.contains("Session"), "{tab}");
}
