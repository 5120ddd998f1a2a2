//! The detail screen's marks, warnings, redacted view, tool call pop-up and diff keys.

use super::{KeyCode, draw, open_session, press, type_keys};

const RENAME: &str = "Refactor: rename TaskStore";

/// Opens the rename session's README.md diff (its sub-agent's edit; no hook saw the commit).
fn readme_diff() -> (
    git_vouch::tui::App,
    git_vouch::tui::worker::Source,
    tempfile::TempDir,
) {
    let (mut app, source, dir) = open_session(RENAME);
    type_keys(&mut app, &source, "5");
    press(&mut app, &source, KeyCode::Enter);
    let files = app
        .open_data()
        .and_then(|d| match &d.changes {
            git_vouch::tui::app::detail::Changes::Ready(c) => Some(c[0].files.clone()),
            _ => None,
        })
        .unwrap();
    let at = files.iter().position(|f| f.path == "README.md").unwrap();
    for _ in 0..at {
        type_keys(&mut app, &source, "j");
    }
    press(&mut app, &source, KeyCode::Enter);
    (app, source, dir)
}

#[test]
fn without_a_record_no_line_is_marked_as_a_persons() {
    let (mut app, _source, _dir) = readme_diff();
    let screen = draw(&mut app, (80, 24));
    assert!(!screen.contains(" H+"), "{screen}");
    assert!(!screen.contains("H person"), "{screen}");
    assert!(screen.contains("A agent 2 · ? unknown 0"), "{screen}");
    assert!(screen.contains("agent lines found by matching"), "{screen}");
    insta::assert_snapshot!("detail_diff_without_record_80x24", screen);
}

/// Sideways scroll, wrap and maximise of a diff wider than its pane, at 80x24.
#[test]
fn wide_diffs_scroll_sideways_wrap_and_maximise() {
    let (mut app, source, _dir) = readme_diff();
    draw(&mut app, (80, 24));
    type_keys(&mut app, &source, ">>");
    let shifted = draw(&mut app, (80, 24));
    assert_eq!(app.detail.as_ref().unwrap().files.diff_hscroll, 16);
    insta::assert_snapshot!("detail_diff_scrolled_80x24", shifted);
    // Never past the widest line: the state is clamped by update, not by the draw.
    type_keys(&mut app, &source, &">".repeat(40));
    let far = app.detail.as_ref().unwrap().files.diff_hscroll;
    assert!(far > 16 && far < 100, "{far}");
    type_keys(&mut app, &source, &"<".repeat(40));
    assert_eq!(app.detail.as_ref().unwrap().files.diff_hscroll, 0);
    type_keys(&mut app, &source, "w");
    insta::assert_snapshot!("detail_diff_wrapped_80x24", draw(&mut app, (80, 24)));
    type_keys(&mut app, &source, "wz");
    let maximised = draw(&mut app, (80, 24));
    assert!(!maximised.contains("Files (8)"), "{maximised}");
    insta::assert_snapshot!("detail_diff_maximised_80x24", maximised);
    // Back leaves the diff and its maximised view.
    press(&mut app, &source, KeyCode::Esc);
    assert!(!app.detail.as_ref().unwrap().files.maximized);
}

/// `enter` on a failed call opens its input and error in full; `q` closes it.
#[test]
fn a_failed_tool_call_opens_in_full() {
    let (mut app, source, _dir) = open_session(super::IMPORT);
    let detail = app.open_data().unwrap().detail.clone().unwrap();
    let stats = detail.tool_stats();
    let tool = stats.iter().position(|s| s.failed > 0).unwrap();
    let name = stats[tool].name.clone();
    let failed = detail
        .tool_calls
        .iter()
        .filter(|c| c.name == name)
        .position(|c| c.status.as_str() == "failed")
        .unwrap();
    type_keys(&mut app, &source, "3");
    type_keys(&mut app, &source, &"j".repeat(tool));
    press(&mut app, &source, KeyCode::Enter);
    type_keys(&mut app, &source, &"j".repeat(failed));
    press(&mut app, &source, KeyCode::Enter);
    let screen = draw(&mut app, (80, 24));
    assert!(app.detail.as_ref().unwrap().tools.open);
    assert!(
        screen.contains("┌ Bash call") && screen.contains("│Error"),
        "{screen}"
    );
    assert!(screen.contains("FAIL: test_rows_become_tasks"), "{screen}");
    insta::assert_snapshot!("detail_tool_call_open_80x24", screen);
    type_keys(&mut app, &source, "q");
    let tools = &app.detail.as_ref().unwrap().tools;
    assert!(!tools.open && tools.calls_focus);
}

const GITHUB: &str = "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";

/// A session with secrets in its prompt and in a failed call's error, on an unpriced model.
fn secret_session(dir: &std::path::Path) -> git_vouch::index::Catalog {
    let lines = [
        serde_json::json!({"type":"user","uuid":"u1","timestamp":"2026-11-21T10:00:00Z",
            "cwd":"/tmp/x","sessionId":"s-secret",
            "message":{"content":format!("deploy with {GITHUB} and AKIAIOSFODNN7EXAMPL2")}}),
        serde_json::json!({"type":"assistant","uuid":"a1","timestamp":"2026-11-21T10:00:01Z",
            "requestId":"r1","message":{"id":"m1","model":"claude-imaginary-9",
            "usage":{"input_tokens":10,"output_tokens":5},
            "content":[{"type":"tool_use","id":"t1","name":"Bash",
                 "input":{"command":format!("curl -H 'Authorization: token {GITHUB}' api")}}]}}),
        serde_json::json!({"type":"user","uuid":"u2","timestamp":"2026-11-21T10:00:02Z",
            "message":{"content":[{"type":"tool_result","tool_use_id":"t1","is_error":true,
            "content":format!("401: bad credentials {GITHUB}")}]}}),
    ];
    let path = dir.join("s-secret.jsonl");
    let text: String = lines.iter().map(|l| l.to_string() + "\n").collect();
    std::fs::write(&path, text).unwrap();
    let summary = git_vouch::session::SessionSummary {
        id: "s-secret".into(),
        project: "x".into(),
        cwd: Some("/tmp/x".into()),
        first_prompt: Some(format!("deploy with {GITHUB} and AKIAIOSFODNN7EXAMPL2")),
        unpriced_models: vec!["claude-imaginary-9".into()],
        files: vec![path],
        ..git_vouch::session::SessionSummary::default()
    };
    git_vouch::index::Catalog {
        sessions: vec![summary],
        ..git_vouch::index::Catalog::default()
    }
}

/// Secrets are warned about with their counts; `R` hides them in every tab, marked in the
/// header, until pressed again.
#[test]
fn secrets_are_warned_and_the_redacted_view_hides_them() {
    let dir = tempfile::tempdir().unwrap();
    let source = git_vouch::tui::worker::Source::Local {
        cache: None,
        data_dir: None,
        archives: Vec::new(),
    };
    let mut app = super::app(secret_session(dir.path()), &[], None);
    press(&mut app, &source, KeyCode::Enter);
    let overview = draw(&mut app, (80, 24));
    assert!(overview.contains(GITHUB), "{overview}");
    assert!(
        overview.contains("4 secrets in this session (1 aws-access-key-id, 3 github-token)"),
        "{overview}"
    );
    assert!(
        overview.contains("no price for claude-imaginary-9"),
        "{overview}"
    );
    insta::assert_snapshot!("detail_secrets_overview_80x24", overview);
    type_keys(&mut app, &source, "R");
    let hidden = draw(&mut app, (80, 24));
    assert!(hidden.contains("REDACTED view"), "{hidden}");
    assert!(hidden.contains("[REDACTED:github-token]"), "{hidden}");
    insta::assert_snapshot!("detail_secrets_redacted_overview_80x24", hidden);
    type_keys(&mut app, &source, "6e");
    let chat = draw(&mut app, (80, 24));
    assert!(!chat.contains("ghp_"), "{chat}");
    insta::assert_snapshot!("detail_secrets_redacted_conversation_80x24", chat);
    type_keys(&mut app, &source, "3");
    press(&mut app, &source, KeyCode::Enter);
    let calls = draw(&mut app, (80, 24));
    assert!(!calls.contains("ghp_"), "{calls}");
    press(&mut app, &source, KeyCode::Enter);
    let call = draw(&mut app, (80, 24));
    assert!(
        !call.contains("ghp_") && call.contains("bad credentials"),
        "{call}"
    );
    insta::assert_snapshot!("detail_secrets_redacted_tool_call_80x24", call);
    type_keys(&mut app, &source, "R");
    let shown = draw(&mut app, (80, 24));
    assert!(shown.contains(GITHUB), "{shown}");
}

/// A session whose repository is not on this machine: the commits its transcript names are
/// shown as what they are, in the Overview and the Files tab alike (not as linked commits, and
/// not left out of one of them).
#[test]
fn commits_from_the_transcript_are_labelled_and_shown_in_both_tabs() {
    let (mut app, source, _dir) = open_session("use a subagent to create notes.txt");
    let sha = {
        let d = app.open_data().and_then(|x| x.detail.as_ref()).unwrap();
        assert_eq!(d.commits.len(), 1, "the agent made one commit");
        d.commits[0].sha.clone()
    };
    type_keys(&mut app, &source, "1");
    let overview = draw(&mut app, (120, 40));
    assert!(
        overview.contains(&format!("{sha} "))
            && overview.contains("(made by the agent, from its transcript)"),
        "{overview}"
    );
    type_keys(&mut app, &source, "5");
    let files = draw(&mut app, (120, 40));
    assert!(
        files.contains("Commits the agent made, from its transcript") && files.contains(&sha),
        "{files}"
    );
}

/// A session in a repository whose ledger holds the guard's checks of two of its calls.
fn guarded_session(dir: &std::path::Path) -> git_vouch::index::Catalog {
    let repo = dir.join("shop");
    std::fs::create_dir_all(repo.join(".git/vouch/events")).unwrap();
    let cwd = repo.to_str().unwrap();
    let lines = [
        serde_json::json!({"type":"user","uuid":"u1","timestamp":"2026-11-21T10:00:00Z",
            "cwd":cwd,"sessionId":"s-guard","message":{"content":"clean up the old shop"}}),
        serde_json::json!({"type":"assistant","uuid":"a1","timestamp":"2026-11-21T10:00:01Z",
            "requestId":"r1","message":{"id":"m1","model":"claude-sonnet-4-5-20250929",
            "usage":{"input_tokens":10,"output_tokens":5},
            "content":[{"type":"tool_use","id":"t1","name":"Bash",
                 "input":{"command":"rm -rf /srv/shop-old"}}]}}),
        serde_json::json!({"type":"user","uuid":"u2","timestamp":"2026-11-21T10:00:02Z",
            "message":{"content":[{"type":"tool_result","tool_use_id":"t1","is_error":true,
            "content":"git-vouch guard denied this critical-risk call"}]}}),
    ];
    let path = dir.join("s-guard.jsonl");
    let text: String = lines.iter().map(|l| l.to_string() + "\n").collect();
    std::fs::write(&path, text).unwrap();
    let guard = |id: &str, level: &str, verdict: &str, summary: &str| {
        serde_json::json!({"ts":"2026-11-21T10:00:01Z","event":"PreToolUse","tool_use_id":id,
            "tool":"Bash","summary":summary,"guard":{"mode":"enforce","level":level,
            "categories":["destructive"],"rules":["delete-outside-repository"],
            "verdict":verdict,"interactive":true,"micros":90}})
    };
    let ledger = [
        guard("t0", "low", "allow", "ls"),
        guard("t1", "critical", "deny", "rm -rf /srv/shop-old"),
    ];
    let text: String = ledger.iter().map(|l| l.to_string() + "\n").collect();
    std::fs::write(repo.join(".git/vouch/events/s-guard.jsonl"), text).unwrap();
    let summary = git_vouch::session::SessionSummary {
        id: "s-guard".into(),
        project: "shop".into(),
        cwd: Some(cwd.into()),
        first_prompt: Some("clean up the old shop".into()),
        files: vec![path],
        ..git_vouch::session::SessionSummary::default()
    };
    git_vouch::index::Catalog {
        sessions: vec![summary],
        ..git_vouch::index::Catalog::default()
    }
}

/// The overview says what the guard decided in the session, from its repository's ledger.
#[test]
fn the_overview_shows_the_guards_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let source = git_vouch::tui::worker::Source::Local {
        cache: None,
        data_dir: None,
        archives: Vec::new(),
    };
    let mut app = super::app(guarded_session(dir.path()), &[], None);
    press(&mut app, &source, KeyCode::Enter);
    let overview = draw(&mut app, (100, 30));
    assert!(
        overview.contains("Guard       2 calls checked · 1 critical, 0 high · 1 denied, 0 asked"),
        "{overview}"
    );
    assert!(
        overview.contains("critical denied, no result · rm -rf /srv/shop-old"),
        "{overview}"
    );
}

/// The Guard tab: every call the guard checked, in order, with its risk and who decided (the
/// watcher's name where one answered), and the selected call's rules and reason below.
#[test]
fn the_guard_tab_lists_every_checked_call_and_who_decided() {
    use git_vouch::capture::record::EventRecord;
    use git_vouch::evidence::guard::{GuardAccount, of_events, timeline};
    use std::collections::BTreeSet;

    let (mut app, source, _dir) = open_session(super::IMPORT);
    let line = |json: &str| -> EventRecord { serde_json::from_str(json).unwrap() };
    let events = vec![
        line(
            r#"{"ts":"2026-11-20T10:00:01Z","event":"PreToolUse","tool":"Bash","tool_use_id":"t1","summary":"cargo test","guard":{"mode":"enforce","level":"low","verdict":"allow","interactive":true,"micros":40}}"#,
        ),
        line(
            r#"{"ts":"2026-11-20T10:00:02Z","event":"PostToolUse","tool":"Bash","tool_use_id":"t1"}"#,
        ),
        line(
            r#"{"ts":"2026-11-20T10:00:03Z","event":"PreToolUse","tool":"Bash","tool_use_id":"t2","summary":"git push --force origin main","guard":{"mode":"enforce","level":"high","categories":["history_rewrite"],"rules":["force-push-protected"],"verdict":"deny","reason":"git-vouch guard: alice denied this call from git vouch watch: use a pull request.","interactive":false,"micros":60,"held":{"answer":"deny","by":"alice","reason":"use a pull request","waited_ms":4100}}}"#,
        ),
        line(
            r#"{"ts":"2026-11-20T10:00:04Z","event":"PreToolUse","tool":"Bash","tool_use_id":"t3","summary":"rm -rf /srv/other","guard":{"mode":"enforce","level":"critical","categories":["destructive"],"rules":["delete-outside-repository"],"verdict":"deny","reason":"git-vouch guard denied this critical-risk call","interactive":false,"micros":55}}"#,
        ),
    ];
    let none = BTreeSet::new();
    let account = GuardAccount {
        evidence: of_events(&events, &none).unwrap(),
        timeline: timeline(&events, &none),
    };
    let id = app.detail.as_ref().unwrap().session.clone();
    app.loaded.get_mut(&id).unwrap().guard = Some(std::sync::Arc::new(account));
    type_keys(&mut app, &source, "7");
    let screen = draw(&mut app, (120, 30));
    insta::assert_snapshot!("detail_guard_calls_120x30", screen);
    for want in [
        "3 calls checked · 1 critical, 1 high · 2 denied, 0 asked",
        "not asked, ran",
        "person denied (alice), no result",
        "denied, no result",
    ] {
        assert!(screen.contains(want), "{want}: {screen}");
    }
    type_keys(&mut app, &source, "j");
    let screen = draw(&mut app, (120, 30));
    assert!(screen.contains("rules force-push-protected"), "{screen}");
    assert!(screen.contains("use a pull request"), "{screen}");
    type_keys(&mut app, &source, "G");
    let screen = draw(&mut app, (120, 30));
    assert!(
        screen.contains("rules delete-outside-repository"),
        "{screen}"
    );
}

/// A recorded session's overview: the recorded figures, the transcript's, and the calls the
/// transcript lacks (counted in the session's figures above them).
#[test]
fn the_overview_shows_what_the_recording_adds() {
    use git_vouch::session::recorded::{CallKind, MissingCall, Recording};
    use git_vouch::usage::Tokens;
    let dir = tempfile::tempdir().unwrap();
    let source = git_vouch::tui::worker::Source::Local {
        cache: None,
        data_dir: None,
        archives: Vec::new(),
    };
    let mut catalog = guarded_session(dir.path());
    let s = &mut catalog.sessions[0];
    s.tokens = Tokens {
        input: 10,
        output: 5,
        ..Tokens::default()
    };
    s.assistant_messages = 1;
    let tokens = Tokens {
        input: 2_000,
        output: 400,
        ..Tokens::default()
    };
    let cost = git_vouch::money::Usd::from_picos(12_000_000_000);
    let mut recording = Recording::default();
    recording.recorded.calls = 2;
    recording.recorded.tokens = tokens;
    recording.recorded.tokens.input += 10;
    recording.recorded.tokens.output += 5;
    recording.recorded.cost = cost;
    recording.not_in_transcript.push(MissingCall {
        at: "2026-11-21T10:00:03Z".parse().unwrap(),
        kind: CallKind::Compaction,
        model: "claude-sonnet-4-5-20250929".into(),
        message_id: Some("msg_compact".into()),
        request_id: None,
        tokens,
        cost: Some(cost),
    });
    s.add_recording(recording);
    let mut app = super::app(catalog, &[], None);
    press(&mut app, &source, KeyCode::Enter);
    let overview = draw(&mut app, (100, 30));
    for line in [
        "Tokens      2.4K",
        "Recorded    2 calls, 2.4K tokens, $0.01",
        "Transcript  1 call, 15 tokens, $0.00",
        "Difference  1 call not in the transcript: compaction, 2.4K tokens, $0.01 (counted above)",
        "Messages    0 prompts, 2 responses",
    ] {
        assert!(overview.contains(line), "{line}\n{overview}");
    }
}
