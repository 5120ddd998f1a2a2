//! The checks of each scenario in `fixtures/scenarios/`, on git-vouch's reports.

use serde_json::Value;

mod archive;
mod blame;
mod guard;
mod insights;
mod recorder;
pub use guard::{guard_enforce, guard_observe, guard_watch};
pub use insights::insights_loop;
pub use recorder::{record_compact, record_session};

use super::checks::{
    agent_commits, credited, files, ledger, linked, row, session_figures, sessions_list,
};
use super::expect::{Run, assert_tokens, read_jsonl};

fn session_record(run: &Run, id: &str) -> Value {
    let path = run.state().join(format!("sessions/{id}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {}: {e}", run.context(), path.display()));
    serde_json::from_str(&text).expect("session record JSON")
}

fn file(tool: &str, name: &str, add: u64, del: u64) -> (String, String, u64, u64, Option<String>) {
    (tool.into(), name.into(), add, del, None)
}

/// 1. Write + Edit + Bash commit + Read after `git vouch init`.
pub fn write_edit_bash_read(run: &Run) {
    let id = run.id(1);
    sessions_list(run, std::slice::from_ref(&id));
    let show = session_figures(run, &id);
    let want = vec![
        file("Write", "greet.py", 6, 0),
        file("Edit", "greet.py", 2, 1),
    ];
    assert_eq!(files(&show), want, "{}", run.context());
    assert_eq!(agent_commits(&show), ["Add greet module"]);
    assert_eq!(
        linked(&show),
        [("Add greet module".into(), "recorded".into(), 7)]
    );
    credited(run, "Add greet module", &[&id], &[("greet.py", &[[1, 7]])]);
    assert!(
        run.trailers(&run.commit("Install git-vouch hooks"))
            .is_empty()
    );
    let events = ledger(run, &id);
    let order: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "PostToolUse")
        .filter_map(|e| e["tool"].as_str())
        .collect();
    assert_eq!(
        order,
        ["Write", "Edit", "Bash", "Read"],
        "{}",
        run.context()
    );
    let record = session_record(run, &id);
    assert_eq!(record["source"], "startup");
    assert_eq!(record["end_reason"], "other");
    blame::blame_after_a_person_edits(run, &id);
    archive::read_from_the_archive_after_cleanup(run, &id);
}

/// 2. A subagent reads and edits a file; the parent commits.
pub fn subagent_edit(run: &Run) {
    let ctx = run.context();
    let id = run.id(1);
    sessions_list(run, std::slice::from_ref(&id));
    let show = session_figures(run, &id);
    let nodes = show["subagents"].as_array().expect("subagents");
    assert_eq!(nodes.len(), 1, "{ctx}: {nodes:?}");
    let node = &nodes[0];
    assert_eq!(node["kind"], "task");
    assert_eq!(node["agent_type"], "general-purpose");
    assert_eq!(node["description"], "Update the changelog");
    assert_eq!(node["tool_calls"], 2, "{ctx}");
    let sub = run.tokens(&id, Some("subagent[0]"));
    assert_tokens(&node["tokens"], &sub, &format!("{ctx}: subagent"));
    let agent_call = show["tool_calls"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == "Agent"))
        .expect("the Agent call");
    assert_eq!(node["tool_use_id"], agent_call["id"], "{ctx}");
    let agent = node["agent_id"].as_str().expect("agent id").to_owned();
    let mut want = file("Edit", "CHANGELOG.md", 5, 0);
    want.4 = Some(agent.clone());
    assert_eq!(files(&show), vec![want], "{ctx}");
    credited(
        run,
        "Changelog: Unreleased section",
        &[&id],
        &[("CHANGELOG.md", &[[3, 7]])],
    );
    let events = ledger(run, &id);
    let edit = events
        .iter()
        .find(|e| e["event"] == "PostToolUse" && e["tool"] == "Edit")
        .expect("the subagent's Edit in the ledger");
    assert_eq!(edit["agent_id"], agent.as_str(), "{ctx}");
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "SubagentStop" && e["agent_id"] == agent.as_str()),
        "{ctx}: SubagentStop"
    );
    let edits = run.ledger(&format!("edits/{id}.jsonl"));
    assert!(
        edits
            .iter()
            .any(|e| e["type"] == "edit" && e["agent_id"] == agent.as_str()),
        "{ctx}: the attribution ledger names the subagent: {edits:?}"
    );
}

/// 3. `--continue` keeps the session; `--resume <id> --fork-session` starts a new one.
pub fn continue_fork(run: &Run) {
    let ctx = run.context();
    let (first, fork) = (run.id(1), run.id(3));
    assert_eq!(run.id(2), first, "{ctx}: --continue keeps the session id");
    assert_ne!(fork, first, "{ctx}: the fork is a new session");
    let doc = sessions_list(run, &[first.clone(), fork.clone()]);
    credited(run, "Add todo list", &[&first], &[("todo.txt", &[[1, 2]])]);
    credited(
        run,
        "Add a third todo item",
        &[&first],
        &[("todo.txt", &[[3, 3]])],
    );
    credited(
        run,
        "Start shopping notes",
        &[&fork],
        &[("notes.txt", &[[1, 4]])],
    );
    // Replayed history is counted once, for the session that had it first.
    let show = session_figures(run, &first);
    assert_eq!(
        agent_commits(&show),
        ["Add todo list", "Add a third todo item"]
    );
    let show = session_figures(run, &fork);
    assert_eq!(
        agent_commits(&show),
        ["Start shopping notes"],
        "{ctx}: fork"
    );
    assert_eq!(
        files(&show),
        vec![file("Write", "notes.txt", 4, 0)],
        "{ctx}: fork"
    );
    assert_eq!(
        row(&doc, &first)["user_prompts"],
        2,
        "{ctx}: prompts of {first}"
    );
    assert_eq!(
        row(&doc, &fork)["user_prompts"],
        1,
        "{ctx}: prompts of fork {fork}"
    );
    ledger(run, &first);
    ledger(run, &fork);
    for id in [&first, &fork] {
        let record = session_record(run, id);
        assert_eq!(record["end_reason"], "other", "{ctx}: {id} ended: {record}");
    }
}

/// 4. Parallel tool calls, thinking, a retried 529, a failing Bash command.
pub fn parallel_thinking_retry_failure(run: &Run) {
    let ctx = run.context();
    let id = run.id(1);
    let errors: Vec<u16> = run
        .log
        .iter()
        .filter(|e| e.kind == "error")
        .map(|e| e.status)
        .collect();
    assert_eq!(
        errors,
        [529],
        "{ctx}: one overloaded answer, then the retry"
    );
    let doc = sessions_list(run, std::slice::from_ref(&id));
    // The four-block response (thinking, text, two Reads) is one message.
    assert_eq!(row(&doc, &id)["assistant_messages"], run.served().count());
    // 2.1.197 writes no record of the retried error; newer versions write system/api_error.
    let api_errors = u64::from(run.version != super::cli::PINNED);
    assert_eq!(row(&doc, &id)["api_errors"], api_errors, "{ctx}");
    let show = session_figures(run, &id);
    let bash = show["tools"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["name"] == "Bash"))
        .expect("Bash in tools[]");
    assert_eq!(bash["failed"], 1, "{ctx}: {bash}");
    let failed: Vec<&Value> = show["tool_calls"]
        .as_array()
        .expect("tool_calls")
        .iter()
        .filter(|c| c["status"] != "ok")
        .collect();
    assert_eq!(failed.len(), 1, "{ctx}: {failed:?}");
    assert_eq!(failed[0]["status"], "failed");
    assert!(
        failed[0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("Exit code 1"))
    );
    let mut got = files(&show);
    got.sort();
    let want = vec![
        file("Edit", "config.ini", 1, 1),
        file("Write", "CHANGES.txt", 3, 0),
    ];
    assert_eq!(got, want, "{ctx}");
    let files = [
        ("CHANGES.txt", &[[1, 3]][..]),
        ("config.ini", &[[3, 3]][..]),
    ];
    credited(run, "Turn debug off", &[&id], &files);
    let events = ledger(run, &id);
    let failure = events
        .iter()
        .find(|e| e["event"] == "PostToolUseFailure")
        .expect("PostToolUseFailure in the ledger");
    assert_eq!(failure["tool"], "Bash");
    assert_eq!(failure["ok"], false);
    assert_eq!(failure["tool_use_id"], failed[0]["id"], "{ctx}");
}

/// 5. The agent pushes to a local bare remote itself; pre-push runs with no terminal.
pub fn agent_push(run: &Run) {
    let ctx = run.context();
    let id = run.id(1);
    sessions_list(run, std::slice::from_ref(&id));
    let show = session_figures(run, &id);
    assert_eq!(linked(&show), [("Add NOTICE".into(), "recorded".into(), 2)]);
    credited(run, "Add NOTICE", &[&id], &[("NOTICE", &[[1, 2]])]);
    let remote = run.wd.root.join("remote.git");
    let remote = remote.to_str().expect("utf-8");
    let head = run.wd.git(&["rev-parse", "HEAD"]);
    let pushed = run.wd.git(&["--git-dir", remote, "rev-parse", "main"]);
    assert_eq!(pushed, head, "{ctx}: the remote has the agent's commit");
    let message = run
        .wd
        .git(&["--git-dir", remote, "log", "-1", "--format=%B", "main"]);
    assert!(
        message.contains(&format!("Vouch-Session: {id}")),
        "{ctx}: {message}"
    );
    let pushes = run.ledger("pushes.jsonl");
    assert_eq!(pushes.len(), 1, "{ctx}: {pushes:?}");
    let install = run.commit("Install git-vouch hooks");
    let notice = run.commit("Add NOTICE");
    assert_eq!(pushes[0]["remote"], "origin");
    assert_eq!(pushes[0]["refs"][0]["local_ref"], "refs/heads/main");
    assert_eq!(
        pushes[0]["refs"][0]["commits"],
        serde_json::json!([install, notice])
    );
    assert_eq!(pushes[0]["sessions"], serde_json::json!([id]));
    let stream = run.wd.root.join("agent_push-session-1.stream.jsonl");
    // The session is named by its short id and its first prompt.
    let line = format!(
        "git-vouch: pushing 2 commits to origin; 1 made with 1 agent session ({} “",
        &id[..8]
    );
    let told = read_jsonl(&stream)
        .iter()
        .any(|l| l.to_string().contains(&line));
    assert!(told, "{ctx}: the agent's push output lacks {line:?}");
    let events = ledger(run, &id);
    let push = events
        .iter()
        .find(|e| e["event"] == "PostToolUse" && e["summary"] == "git push origin main");
    assert!(push.is_some_and(|e| e["ok"] == true), "{ctx}: {events:?}");
    // No terminal, `vouch.review` optional: an attestation marked as not reviewed went along.
    let note = run.wd.git(&[
        "--git-dir",
        remote,
        "notes",
        "--ref=refs/notes/vouch",
        "show",
        &notice,
    ]);
    let predicate = signed_predicate(&note);
    assert_eq!(predicate["review"]["reviewed_by_person"], false, "{ctx}");
    assert_eq!(
        predicate["evidence"]["sessions"][0]["id"],
        id.as_str(),
        "{ctx}"
    );
    assert!(told_agent(run, "agent_push", "attested 2 commits"), "{ctx}");
}

/// The predicate of the first attestation in a note (the DSSE payload, decoded).
fn signed_predicate(note: &str) -> Value {
    use base64::Engine;
    let envelope: Value = serde_json::from_str(note.lines().next().expect("a line")).expect("JSON");
    let payload = base64::engine::general_purpose::STANDARD
        .decode(envelope["payload"].as_str().expect("payload"))
        .expect("base64");
    let statement: Value = serde_json::from_slice(&payload).expect("statement");
    statement["predicate"].clone()
}

/// Whether the agent's session output (its stream) contains `text`.
fn told_agent(run: &Run, scenario: &str, text: &str) -> bool {
    let stream = run
        .wd
        .root
        .join(format!("{scenario}-session-1.stream.jsonl"));
    read_jsonl(&stream)
        .iter()
        .any(|l| l.to_string().contains(text))
}

/// 5b. The agent pushes with `vouch.review required` and no terminal: refused, nothing sent.
pub fn agent_push_required(run: &Run) {
    let ctx = run.context();
    let id = run.id(1);
    let remote = run.wd.root.join("remote.git");
    let remote = remote.to_str().expect("utf-8");
    let head = run.wd.git(&["rev-parse", "HEAD"]);
    let pushed = run.wd.git(&["--git-dir", remote, "rev-parse", "main"]);
    assert_ne!(
        pushed, head,
        "{ctx}: the remote must not have the agent's commit"
    );
    assert_eq!(pushed.trim(), run.commit("Initial commit"), "{ctx}");
    assert!(
        told_agent(
            run,
            "agent_push_required",
            "push refused: vouch.review is `required`"
        ),
        "{ctx}: the agent was not told why"
    );
    assert!(
        told_agent(run, "agent_push_required", "git vouch review "),
        "{ctx}"
    );
    let notes = run
        .wd
        .git(&["--git-dir", remote, "for-each-ref", "refs/notes"]);
    assert!(notes.trim().is_empty(), "{ctx}: {notes}");
    // The session and its commit are still recorded, ready for `git vouch review`.
    credited(run, "Add NOTICE", &[&id], &[("NOTICE", &[[1, 2]])]);
    let pushes = run.ledger("pushes.jsonl");
    assert_eq!(pushes.len(), 1, "{ctx}: the refused push is recorded");
}

/// 6. Two sessions at once in one repository, each committing its own file.
pub fn concurrent_sessions(run: &Run) {
    let ctx = run.context();
    let (a, b) = (run.id(1), run.id(2));
    assert_ne!(a, b);
    // They overlapped (the script holds each commit until the other session wrote its file).
    let pos = |id: &str, tool: &str| {
        run.served()
            .position(|e| e.session_id.as_deref() == Some(id) && e.tools == [tool])
            .expect("served call")
    };
    assert!(pos(&b, "Write") < pos(&a, "Bash"), "{ctx}: no overlap");
    assert!(pos(&a, "Write") < pos(&b, "Bash"), "{ctx}: no overlap");
    sessions_list(run, &[a.clone(), b.clone()]);
    for (id, subject, name, n) in [
        (&a, "Add alpha", "alpha.txt", 3),
        (&b, "Add beta", "beta.txt", 2),
    ] {
        let show = session_figures(run, id);
        assert_eq!(
            linked(&show),
            [(subject.into(), "recorded".into(), n)],
            "{ctx}"
        );
        credited(run, subject, &[id], &[(name, &[[1, n as u32]])]);
        ledger(run, id);
        let edits = run.ledger(&format!("edits/{id}.jsonl"));
        assert!(
            edits
                .iter()
                .all(|e| e["type"] != "edit" || e["path"] == name),
            "{ctx}: {id} edits: {edits:?}"
        );
    }
}
