//! What a run must have left behind, read from opencode's database (read-only): per session,
//! every assistant message against the completion the mock served it (tokens exactly under
//! opencode's disjoint mapping, cost, model), the session totals, the child session's
//! `parent_id`; and each scenario's tool calls, files and commits. Also the same checks of a
//! recorded or derived fixture against its `expected.json` (no CLI needed).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::cli::VERSION;
use super::scenario::{CHILD, Item, MAIN, MODEL, PROVIDER, Scenario, Step, Usage};
use super::store::{Store, Tokens};
use super::{OpencodeRun, ScriptedUsage};

/// What opencode stores for a completion's usage (`input` and `output` without the cached and
/// reasoning tokens; `total` = prompt + completion).
pub fn stored_tokens(u: Usage) -> Tokens {
    Tokens {
        input: u.input - u.cached,
        output: u.output - u.reasoning,
        reasoning: u.reasoning,
        cache_read: u.cached,
        cache_write: 0,
        total: u.input + u.output,
    }
}

fn usage_of(s: &ScriptedUsage) -> Usage {
    Usage {
        input: s.input,
        cached: s.cached,
        output: s.output,
        reasoning: s.reasoning,
    }
}

pub fn assert_cost(got: &Value, want: f64, ctx: &str) {
    let got = got.as_f64().unwrap_or_else(|| panic!("{ctx}: cost {got}"));
    assert!(
        (got - want).abs() < 1e-12,
        "{ctx}: cost {got}, expected {want}"
    );
}

/// Per thread, the session the mock saw (`x-session-id`) and what it served it (side calls
/// excluded), in order.
pub fn served_by_thread(run: &OpencodeRun) -> BTreeMap<String, (String, Vec<&ScriptedUsage>)> {
    let mut map: BTreeMap<String, (String, Vec<&ScriptedUsage>)> = BTreeMap::new();
    for s in run.responses.iter().filter(|s| !s.side) {
        let entry = map
            .entry(s.thread.clone())
            .or_insert_with(|| (s.session_id.clone(), Vec::new()));
        assert_eq!(
            entry.0, s.session_id,
            "{}: thread {} spoke as two sessions",
            run.name, s.thread
        );
        entry.1.push(s);
    }
    map
}

/// The session id of a thread.
pub fn session_of(run: &OpencodeRun, thread: &str) -> String {
    served_by_thread(run)
        .get(thread)
        .unwrap_or_else(|| panic!("{}: the mock served no thread {thread}", run.name))
        .0
        .clone()
}

/// Per session, exactly: its assistant messages are the completions the mock served it (same
/// order, none twice, none for the title request), each with opencode's disjoint tokens, the
/// configured price and the mock model; its `step-finish` parts carry the same figures; the
/// session row's totals are their sums; the child's `parent_id` is the parent's id.
pub fn usage_matches_the_mock(run: &OpencodeRun) {
    let store = run.store();
    let sc = Scenario::get(&run.name);
    let threads = served_by_thread(run);
    let ctx = format!("{} ({})", run.name, store.source.display());

    let in_db: BTreeSet<&str> = store.sessions.iter().map(|s| s.id.as_str()).collect();
    let served: BTreeSet<&str> = threads.values().map(|(id, _)| id.as_str()).collect();
    assert_eq!(
        in_db, served,
        "{ctx}: the sessions vs. the sessions the mock served"
    );
    let main_id = session_of(run, MAIN);

    // The one project: the repository, identified by its root commit.
    let root_commit = run.git(&["rev-list", "--max-parents=0", "HEAD"]);
    let root_commit = root_commit.trim();
    assert_eq!(store.projects.len(), 1, "{ctx}: {:?}", store.projects);
    let project = &store.projects[0];
    assert_eq!(project["id"], root_commit, "{ctx}: project.id");
    assert_eq!(
        project["worktree"],
        run.repo_str(),
        "{ctx}: project.worktree"
    );
    assert_eq!(project["vcs"], "git", "{ctx}");

    for (thread, (session_id, served)) in &threads {
        let ctx = format!("{ctx} {thread} {session_id}");
        let session = store.session(session_id);
        let row = session.row.as_ref().expect("a DB row");
        assert_eq!(session.project_id, root_commit, "{ctx}: project_id");
        assert_eq!(row["directory"], run.repo_str(), "{ctx}: directory");
        assert_eq!(row["version"], VERSION, "{ctx}: version");
        let want_parent = (thread != MAIN).then(|| main_id.clone());
        assert_eq!(session.parent_id, want_parent, "{ctx}: parent_id");
        let steps = sc.steps(thread).expect("a scripted thread");
        messages_match(run, &store, session_id, served, steps, &ctx);
        tools_match(&store, &sc, thread, session_id, &ctx);
    }
    title_is_not_stored(run, &store, &main_id, &ctx);
}

/// A session's assistant messages and `step-finish` parts against the completions served,
/// and the session row's totals against their sums.
fn messages_match(
    run: &OpencodeRun,
    store: &Store,
    session_id: &str,
    served: &[&ScriptedUsage],
    steps: &[Step],
    ctx: &str,
) {
    let messages = store.messages(session_id, "assistant");
    assert_eq!(
        messages.len(),
        served.len(),
        "{ctx}: one assistant message per completion served"
    );
    assert_eq!(served.len(), steps.len(), "{ctx}: the whole script");
    let mut sum = [0_u64; 4];
    let mut cost = 0.0;
    for ((m, s), step) in messages.iter().zip(served).zip(steps) {
        let ctx = format!("{ctx} {} ({})", m.id, s.completion_id);
        let u = usage_of(s);
        let t = Tokens::of(&m.data);
        assert_eq!(t, stored_tokens(u), "{ctx}: tokens");
        assert_cost(&m.data["cost"], u.cost(), &ctx);
        assert_eq!(m.data["modelID"], MODEL, "{ctx}");
        assert_eq!(m.data["providerID"], PROVIDER, "{ctx}");
        assert_eq!(m.data["path"]["cwd"], run.repo_str(), "{ctx}: path.cwd");
        assert_eq!(m.data["path"]["root"], run.repo_str(), "{ctx}: path.root");
        let calls = step.items.iter().any(|i| !matches!(i, Item::Text(_)));
        let finish = if calls { "tool-calls" } else { "stop" };
        assert_eq!(m.data["finish"], finish, "{ctx}: finish");
        let finishes: Vec<_> = store
            .parts_of(&m.id)
            .into_iter()
            .filter(|p| p.data["type"] == "step-finish")
            .collect();
        assert_eq!(finishes.len(), 1, "{ctx}: one step-finish part");
        assert_eq!(
            Tokens::of(&finishes[0].data),
            t,
            "{ctx}: step-finish tokens"
        );
        assert_cost(&finishes[0].data["cost"], u.cost(), &ctx);
        for (acc, n) in sum
            .iter_mut()
            .zip([t.input, t.output, t.reasoning, t.cache_read])
        {
            *acc += n;
        }
        cost += u.cost();
    }
    let row = store.session(session_id).row.as_ref().expect("a DB row");
    let col = |c: &str| row[c].as_u64().unwrap_or_else(|| panic!("{ctx}: {c}"));
    let cols = [
        "tokens_input",
        "tokens_output",
        "tokens_reasoning",
        "tokens_cache_read",
    ];
    for (c, want) in cols.into_iter().zip(sum) {
        assert_eq!(col(c), want, "{ctx}: session.{c}");
    }
    assert_eq!(col("tokens_cache_write"), 0, "{ctx}");
    assert_cost(&row["cost"], cost, &format!("{ctx}: session.cost"));
}

/// A session's tool calls, in order, each with the call id the mock gave, completed.
fn tools_match(store: &Store, sc: &Scenario, thread: &str, session_id: &str, ctx: &str) {
    let tools = store.parts(session_id, "tool");
    let names: Vec<&str> = tools
        .iter()
        .filter_map(|p| p.data["tool"].as_str())
        .collect();
    assert_eq!(names, sc.tool_calls(thread), "{ctx}: tool parts");
    let mut want_ids = Vec::new();
    for (i, step) in sc.steps(thread).unwrap_or_default().iter().enumerate() {
        let n = step
            .items
            .iter()
            .filter(|i| !matches!(i, Item::Text(_)))
            .count();
        want_ids.extend((0..n).map(|k| format!("call_{thread}_{i}_{k}")));
    }
    let ids: Vec<&str> = tools
        .iter()
        .filter_map(|p| p.data["callID"].as_str())
        .collect();
    assert_eq!(ids, want_ids, "{ctx}: callID");
    for p in &tools {
        // The capture scenario's deletion outside the repository is the guard's to deny.
        let denied = p.data["state"]["input"]["command"] == super::scenario::OUTSIDE_RM;
        let want = if denied { "error" } else { "completed" };
        assert_eq!(p.data["state"]["status"], want, "{ctx}: {}", p.data);
    }
}

/// The title request: one, for the main session, its usage stored nowhere.
fn title_is_not_stored(run: &OpencodeRun, store: &Store, main_id: &str, ctx: &str) {
    let side: Vec<&ScriptedUsage> = run.responses.iter().filter(|s| s.side).collect();
    assert_eq!(side.len(), 1, "{ctx}: one title request: {side:?}");
    assert_eq!(
        side[0].session_id, main_id,
        "{ctx}: the title request's session"
    );
    let all = store
        .messages
        .iter()
        .filter(|m| m.data["role"] == "assistant");
    let side_tokens = stored_tokens(usage_of(side[0]));
    assert!(
        all.clone().all(|m| Tokens::of(&m.data) != side_tokens),
        "{ctx}: the title request's usage is stored"
    );
    assert_eq!(
        all.count(),
        run.responses.iter().filter(|s| !s.side).count(),
        "{ctx}: assistant messages"
    );
}

/// The tool part of `tool` in a session (the only one).
fn tool_part<'a>(store: &'a Store, session: &str, tool: &str) -> &'a Value {
    let parts: Vec<_> = store
        .parts(session, "tool")
        .into_iter()
        .filter(|p| p.data["tool"] == tool)
        .collect();
    assert_eq!(parts.len(), 1, "one {tool} call in {session}");
    &parts[0].data
}

pub fn bash_write_edit_commit(run: &OpencodeRun) {
    let store = run.store();
    assert_eq!(store.sessions.len(), 1, "one session");
    let id = session_of(run, MAIN);
    let hello = run.repo.join("hello.txt");
    let hello = hello.to_str().expect("utf-8");

    let tools: Vec<&Value> = store
        .parts(&id, "tool")
        .into_iter()
        .map(|p| &p.data)
        .collect();
    assert_eq!(tools.len(), 4, "{tools:?}");
    let (echo, write, edit, commit) = (tools[0], tools[1], tools[2], tools[3]);
    assert_eq!(echo["state"]["input"]["command"], "echo hi-from-shell");
    assert_eq!(echo["state"]["output"], "hi-from-shell\n");
    assert_eq!(echo["state"]["metadata"]["exit"], 0);
    assert_eq!(
        write["state"]["input"],
        json!({"filePath": hello, "content": "hello\n"})
    );
    assert_eq!(write["state"]["metadata"]["filepath"], hello);
    assert_eq!(write["state"]["metadata"]["exists"], false);
    assert_eq!(edit["state"]["input"]["filePath"], hello);
    let diff = edit["state"]["metadata"]["diff"]
        .as_str()
        .expect("edit diff");
    assert!(diff.contains("-hello\n+hello, updated\n"), "{diff}");
    assert_eq!(edit["state"]["metadata"]["filediff"]["additions"], 1);
    assert_eq!(edit["state"]["metadata"]["filediff"]["deletions"], 1);
    assert_eq!(commit["state"]["metadata"]["exit"], 0, "{commit}");
    assert_eq!(
        store.file_changes(&id),
        [(hello.to_owned(), "add"), (hello.to_owned(), "update")]
    );

    // Snapshot patches name the file; the user message's summary has the net diff.
    let patched: BTreeSet<&str> = store
        .parts(&id, "patch")
        .iter()
        .flat_map(|p| p.data["files"].as_array().expect("patch.files"))
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(patched, BTreeSet::from([hello]), "patch parts");
    let users = store.messages(&id, "user");
    assert_eq!(users.len(), 1);
    let diffs = &users[0].data["summary"]["diffs"];
    assert_eq!(diffs[0]["file"], "hello.txt", "{diffs}");
    assert_eq!(diffs[0]["status"], "added", "{diffs}");

    // The agent's commit, with the edited file, and nothing left over.
    assert_eq!(run.git(&["log", "-1", "--format=%s"]).trim(), "Add hello");
    assert_eq!(run.git(&["rev-list", "--count", "HEAD"]).trim(), "2");
    assert_eq!(run.git(&["show", "HEAD:hello.txt"]), "hello, updated\n");
    assert_eq!(
        run.git(&["show", "--name-status", "--format=", "HEAD"])
            .trim(),
        "A\thello.txt"
    );
    assert_eq!(run.git(&["status", "--porcelain"]), "");
}

pub fn subagent(run: &OpencodeRun) {
    let store = run.store();
    assert_eq!(store.sessions.len(), 2, "a parent and a child session");
    let (parent, child) = (session_of(run, MAIN), session_of(run, CHILD));
    let row = store.session(&child).row.clone().expect("a DB row");
    assert_eq!(
        store.session(&child).parent_id.as_deref(),
        Some(parent.as_str())
    );
    assert_eq!(row["title"], "Create child file (@general subagent)");
    assert_eq!(row["agent"], "general");
    assert_eq!(
        store.session(&parent).row.as_ref().expect("row")["agent"],
        "build"
    );
    for m in store.messages(&child, "assistant") {
        assert_eq!(m.data["agent"], "general", "{}", m.data);
    }

    // The parent's task call names the child session; it returned the child's last text.
    let task = tool_part(&store, &parent, "task");
    let meta = &task["state"]["metadata"];
    assert_eq!(meta["sessionId"], child.as_str(), "{task}");
    assert_eq!(meta["parentSessionId"], parent.as_str(), "{task}");
    assert_eq!(task["state"]["input"]["subagent_type"], "general");
    assert_eq!(task["state"]["input"]["description"], "Create child file");
    let output = task["state"]["output"].as_str().expect("task output");
    assert!(
        output.contains(&format!("<task id=\"{child}\"")) && output.contains("child.txt created."),
        "{output}"
    );
    let echo = tool_part(&store, &parent, "bash");
    assert_eq!(echo["state"]["output"], "parent-before-task\n");

    // The child wrote the file; it was not offered `task` (no grandchildren).
    let path = run.repo.join("child.txt");
    let path = path.to_str().expect("utf-8");
    assert_eq!(store.file_changes(&child), [(path.to_owned(), "add")]);
    assert!(store.file_changes(&parent).is_empty());
    assert_eq!(
        std::fs::read_to_string(run.repo.join("child.txt")).expect("child.txt"),
        "from the child\n"
    );
    for e in run.requests.iter().filter(|e| e.kind == "completion") {
        let has_task = e.tools.iter().any(|t| t == "task");
        let is_child = e.thread.as_deref() == Some(CHILD);
        assert_eq!(
            has_task, !is_child,
            "request #{} offered {:?}",
            e.seq, e.tools
        );
    }
    assert_eq!(run.git(&["status", "--porcelain"]), "?? child.txt\n");
}

/// A recorded or derived fixture's store against its `expected.json` threads (keyed by any
/// name; each with `thread_id`, `parent_id`, `model`, `tool_calls`, `file_changes`,
/// `responses`, `total`): exactly these sessions, these assistant messages with these
/// figures, these tools and files; the DB's session totals (absent from legacy storage) agree.
pub fn store_matches_expected(store: &Store, threads: &serde_json::Map<String, Value>) {
    let ctx = store.source.display().to_string();
    let want: BTreeSet<&str> = threads
        .values()
        .filter_map(|t| t["thread_id"].as_str())
        .collect();
    let got: BTreeSet<&str> = store.sessions.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(got, want, "{ctx}: sessions");
    for (name, t) in threads {
        let id = t["thread_id"].as_str().expect("thread_id");
        let ctx = format!("{ctx} {name} {id}");
        let session = store.session(id);
        assert_eq!(
            session.parent_id.as_deref(),
            t["parent_id"].as_str(),
            "{ctx}: parent"
        );
        let responses = t["responses"].as_array().expect("responses");
        let messages = store.messages(id, "assistant");
        let ids: Vec<&str> = messages.iter().map(|m| m.id.as_str()).collect();
        let want_ids: Vec<&str> = responses
            .iter()
            .filter_map(|r| r["response_id"].as_str())
            .collect();
        assert_eq!(ids, want_ids, "{ctx}: assistant messages");
        for (m, r) in messages.iter().zip(responses) {
            let n = |k: &str| r[k].as_u64().expect("a count");
            let u = Usage {
                input: n("input"),
                cached: n("cached"),
                output: n("output"),
                reasoning: n("reasoning"),
            };
            assert_eq!(n("total"), u.input + u.output, "{ctx}: {r}");
            assert_eq!(Tokens::of(&m.data), stored_tokens(u), "{ctx}: {}", m.id);
            assert_cost(&m.data["cost"], u.cost(), &ctx);
            assert_cost(&r["cost"], u.cost(), &ctx);
            assert_eq!(m.data["modelID"], t["model"], "{ctx}");
        }
        let names: Vec<&str> = store
            .parts(id, "tool")
            .iter()
            .filter_map(|p| p.data["tool"].as_str())
            .collect();
        let want_names: Vec<&str> = t["tool_calls"]
            .as_array()
            .expect("tool_calls")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(names, want_names, "{ctx}: tool calls");
        let changes: Vec<Value> = store
            .file_changes(id)
            .into_iter()
            .map(|(path, kind)| json!({"path": path, "kind": kind}))
            .collect();
        assert_eq!(
            Value::from(changes),
            t["file_changes"],
            "{ctx}: file changes"
        );
        if let Some(row) = &session.row {
            let total = &t["total"];
            let col = |c: &str| row[c].as_u64().expect("a total");
            let tot = |k: &str| total[k].as_u64().expect("a total");
            assert_eq!(col("tokens_input"), tot("input") - tot("cached"), "{ctx}");
            assert_eq!(
                col("tokens_output"),
                tot("output") - tot("reasoning"),
                "{ctx}"
            );
            assert_eq!(col("tokens_reasoning"), tot("reasoning"), "{ctx}");
            assert_eq!(col("tokens_cache_read"), tot("cached"), "{ctx}");
            assert_eq!(row["cost"], total["cost"], "{ctx}: session.cost");
        }
    }
}
