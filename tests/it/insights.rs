//! `git vouch insights` as a user runs it: the demo sessions are healthy (no false positives on
//! sessions that did their work and ran their tests), and a session that loops on a failing
//! command, gives up and claims success anyway is found out, with the calls behind each finding.

#![allow(clippy::unwrap_used)]

use serde_json::{Value, json};

use crate::support::cli::TestEnv;
use crate::support::git::git_in;

#[test]
fn the_demo_sessions_are_healthy() {
    let env = TestEnv::new();
    let doc = env.json(&["--demo", "insights", "--json"]);
    assert_eq!(doc["schema"], "git-vouch/insights@1");
    let sessions = doc["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 8);
    for s in sessions {
        assert_eq!(s["health"], 100, "{s}");
        assert_eq!(s["grade"], "A", "{s}");
        assert_eq!(s["findings"], json!([]), "{s}");
        assert_eq!(s["rules_version"], 2);
    }
}

fn line(value: &Value) -> String {
    value.to_string() + "\n"
}

/// A session that runs `cargo build` four times, failing each time, edits a file in between
/// the first attempts, and ends saying it is fixed.
fn looping_session() -> String {
    let envelope = |kind: &str, n: usize, message: Value| {
        json!({"type":kind,"sessionId":"s-loop","cwd":"/srv/shop","uuid":format!("u{n}"),
            "timestamp":format!("2026-03-01T10:00:{n:02}Z"),"message":message})
    };
    let call = |n: usize, name: &str, input: Value| {
        let mut v = envelope(
            "assistant",
            n,
            json!({"id":format!("m{n}"),"model":"claude-sonnet-4-5",
            "usage":{"input_tokens":10,"output_tokens":5},
            "content":[{"type":"tool_use","id":format!("toolu_{n:02}"),"name":name,"input":input}]}),
        );
        v["requestId"] = json!(format!("r{n}"));
        v
    };
    let result = |n: usize, text: &str, error: bool| {
        envelope(
            "user",
            n + 1,
            json!({"content":[{"type":"tool_result","tool_use_id":format!("toolu_{n:02}"),"content":text,"is_error":error}]}),
        )
    };
    let mut text = line(&envelope("user", 0, json!({"content":"Fix the build"})));
    text += &line(&call(
        2,
        "Edit",
        json!({"file_path":"/srv/shop/src/lib.rs","old_string":"a","new_string":"b"}),
    ));
    text += &line(&result(2, "ok", false));
    for n in [4, 6, 8, 10] {
        text += &line(&call(n, "Bash", json!({"command":"cargo build"})));
        text += &line(&result(
            n,
            "error[E0308]: mismatched types\nExit code 101",
            true,
        ));
    }
    let mut answer = envelope(
        "assistant",
        12,
        json!({"id":"m12","model":"claude-sonnet-4-5",
        "usage":{"input_tokens":10,"output_tokens":5},"content":[{"type":"text","text":"Fixed, the build should work now."}]}),
    );
    answer["requestId"] = json!("r12");
    text += &line(&answer);
    text
}

#[test]
fn a_looping_session_that_gives_up_and_claims_success_is_found_out() {
    let env = TestEnv::new();
    env.write("-srv-shop/s-loop.jsonl", &looping_session());
    let doc = env.json(&["insights", "--session", "s-lo", "--json"]);
    let session = &doc["sessions"][0];
    let ids: Vec<&str> = session["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    for want in ["loop", "abandoned", "unverified_completion", "tool_errors"] {
        assert!(ids.contains(&want), "{want}: {ids:?}");
    }
    let finding = |id: &str| {
        session["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        finding("loop")["calls"],
        json!(["toolu_04", "toolu_06", "toolu_08", "toolu_10"])
    );
    assert_eq!(finding("loop")["severity"], "high");
    assert_eq!(finding("unverified_completion")["confidence"], "medium");
    assert_eq!(session["tool_errors"][0]["tool"], "Bash");
    assert_eq!(session["tool_errors"][0]["classes"]["syntax_or_runtime"], 4);
    // Three high findings and a low one: 100 − 3×25 − 3.
    assert_eq!(
        (session["health"].as_u64(), session["grade"].as_str()),
        (Some(22), Some("F"))
    );

    // The same findings from the index a second run reads, and read without it.
    let warm = env.json(&["insights", "--session", "s-lo", "--json"]);
    let uncached = env.json(&["insights", "--session", "s-lo", "--json", "--no-cache"]);
    assert_eq!((&warm, &uncached), (&doc, &doc));
    let listed = env.json(&["sessions", "--json"]);
    let row = &listed["sessions"][0];
    assert_eq!((&row["health"], &row["grade"]), (&json!(22), &json!("F")));
    assert_eq!(row["findings"]["loop"], 1);

    let out = env.run(&["insights", "--session", "s-loop"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("s-loop · Fix the build: health 22 (F), 4 findings"),
        "{text}"
    );
    assert!(
        text.contains("calls: toolu_04, toolu_06, toolu_08, toolu_10"),
        "{text}"
    );
    assert!(
        text.contains("Bash failed 4 of 4 (100%): 4 syntax_or_runtime"),
        "{text}"
    );
    let table = String::from_utf8(env.run(&["insights"]).stdout).unwrap();
    assert!(table.contains("22  F"), "{table}");
    let none = env.run(&["insights", "--session", "nothing-like-it"]);
    assert_eq!(none.status.code(), Some(1), "{none:?}");
}

/// `insights RANGE`: the sessions the range's commits credit, the others left out, and a
/// credited session that is not on this machine named.
#[test]
fn a_range_gives_the_sessions_its_commits_credit() {
    let env = TestEnv::new();
    env.write("-srv-shop/s-loop.jsonl", &looping_session());
    let other = looping_session().replace("s-loop", "s-other");
    env.write("-srv-shop/s-other.jsonl", &other);
    let repo = env.root().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    let vars = env.vars();
    git_in(&vars, &repo, &["init", "-q", "-b", "main"]);
    git_in(
        &vars,
        &repo,
        &["commit", "-q", "--allow-empty", "-m", "Start"],
    );
    let message = "Fix the build\n\nVouch-Session: s-loop, s-gone\n";
    git_in(
        &vars,
        &repo,
        &["commit", "-q", "--allow-empty", "-m", message],
    );
    let out = env
        .command(&["insights", "HEAD~1..HEAD", "--json"])
        .current_dir(&repo)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = doc["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["s-loop"],
        "s-other is credited by no commit of the range"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("session s-gone of HEAD~1..HEAD is not on this machine"),
        "{stderr}"
    );
    let both = env
        .command(&["insights", "HEAD~1..HEAD", "--session", "s-loop"])
        .current_dir(&repo)
        .output()
        .unwrap();
    assert_eq!(
        both.status.code(),
        Some(2),
        "a range or a session, not both"
    );
}

/// The session the real CLI recorded for `insights_loop` (`fixtures/insights`, recorded with
/// `GIT_VOUCH_RECORD=insights`): its findings as the live scenario checks them, read from the
/// committed transcript so they hold without the CLI too.
#[test]
fn the_recorded_looping_session_is_found_out() {
    let env = TestEnv::new();
    let fixture = crate::support::cli::fixture("insights/v2.1.197-insights_loop");
    crate::support::shared::copy_tree(&fixture, &env.claude_config);
    let doc = env.json(&["insights", "--json"]);
    let sessions = doc["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1, "{doc}");
    let found: Vec<(&str, &str)> = sessions[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["id"].as_str().unwrap(), f["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            ("loop", "high"),
            ("unverified_completion", "high"),
            ("edit_churn", "medium"),
            ("tool_errors", "low"),
        ]
    );
    assert_eq!(sessions[0]["health"], 37);
    // The loop's calls are the session's three Bash calls.
    let id = sessions[0]["id"].as_str().unwrap();
    let show = env.json(&["show", id, "--json"]);
    let bash: Vec<&Value> = show["tool_calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == "Bash")
        .map(|c| &c["id"])
        .collect();
    assert_eq!(bash.len(), 3);
    let calls: Vec<&Value> = sessions[0]["findings"][0]["calls"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(calls, bash);
}
