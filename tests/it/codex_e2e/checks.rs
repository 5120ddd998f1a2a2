//! What a run must have left behind: the rollouts against the usage the mock served, and each
//! scenario's files, commits and rollout structure.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::CodexRun;
use super::rollout::Rollout;
use super::scenario::{CHILD, MAIN, Usage, agent_path};

/// The run's rollouts by thread (`main`, a subagent's task name); one per thread.
pub fn by_thread(run: &CodexRun) -> BTreeMap<String, Rollout> {
    let mut map = BTreeMap::new();
    for path in &run.rollouts {
        let r = Rollout::load(path);
        let thread = r.thread();
        let clash = map.insert(thread.clone(), r);
        assert!(
            clash.is_none(),
            "{}: two rollouts for thread {thread}",
            run.name
        );
    }
    map
}

fn sum(a: Usage, b: Usage) -> Usage {
    Usage {
        input: a.input + b.input,
        cached: a.cached + b.cached,
        output: a.output + b.output,
        reasoning: a.reasoning + b.reasoning,
    }
}

const ZERO: Usage = Usage {
    input: 0,
    cached: 0,
    output: 0,
    reasoning: 0,
};

/// Per thread, exactly: the `token_usage_record`s keyed by `response_id` are the responses
/// the mock served that thread (in the same order, none twice, none in a copied prefix), and
/// each `token_count` has the response as `last_token_usage` and the running sum as
/// `total_token_usage`.
pub fn usage_matches_the_mock(run: &CodexRun) {
    let threads = by_thread(run);
    let served_threads: BTreeSet<&str> = run.responses.iter().map(|r| r.thread.as_str()).collect();
    let rollout_threads: BTreeSet<&str> = threads.keys().map(String::as_str).collect();
    assert_eq!(
        rollout_threads, served_threads,
        "{}: the threads with rollouts vs. the threads the mock served",
        run.name
    );
    for (thread, r) in &threads {
        let ctx = format!("{} {thread} ({})", run.name, r.path.display());
        let served: Vec<(String, Usage)> = run
            .responses
            .iter()
            .filter(|s| s.thread == *thread)
            .map(|s| {
                let u = Usage {
                    input: s.input,
                    cached: s.cached,
                    output: s.output,
                    reasoning: s.reasoning,
                };
                (s.response_id.clone(), u)
            })
            .collect();
        let records = r.usage_records();
        let keyed: BTreeMap<&str, Usage> =
            records.iter().map(|(id, u)| (id.as_str(), *u)).collect();
        let want: BTreeMap<&str, Usage> = served.iter().map(|(id, u)| (id.as_str(), *u)).collect();
        assert_eq!(
            keyed.len(),
            records.len(),
            "{ctx}: a response_id recorded twice"
        );
        assert_eq!(keyed, want, "{ctx}: token_usage_record by response_id");
        assert_eq!(records, served, "{ctx}: token_usage_records in order");

        // Every record is the thread's own, written after its copied prefix (if any).
        let start = r.start_ordinal().unwrap_or(0);
        for l in r.lines.iter().filter(|l| l["type"] == "token_usage_record") {
            assert_eq!(l["payload"]["thread_id"], r.thread_id(), "{ctx}: {l}");
            let ordinal = l["ordinal"].as_u64().expect("token_usage_record.ordinal");
            assert!(
                ordinal >= start,
                "{ctx}: a usage record in the copied prefix: {l}"
            );
        }

        let counts = r.token_counts();
        assert_eq!(
            counts.len(),
            served.len(),
            "{ctx}: one token_count per response"
        );
        let mut total = ZERO;
        for ((last, cumulative), (id, u)) in counts.iter().zip(&served) {
            total = sum(total, *u);
            assert_eq!(
                *last,
                Some(*u),
                "{ctx}: token_count.last_token_usage of {id}"
            );
            assert_eq!(
                *cumulative, total,
                "{ctx}: token_count.total_token_usage after {id}"
            );
        }

        let models = r.models();
        assert!(
            !models.is_empty() && models.iter().all(|m| m == "gpt-5.5"),
            "{ctx}: turn_context.model: {models:?}"
        );
        assert_eq!(r.meta()["cli_version"], "0.171.0", "{ctx}");
        assert_eq!(r.meta()["model_provider"], "mock", "{ctx}");
    }
    state_db_agrees(run, &threads);
}

/// The CLI's own bookkeeping (`state_5.sqlite`): `threads.tokens_used` is each thread's total
/// (input + output over its responses), `thread_spawn_edges` links each subagent to its parent.
fn state_db_agrees(run: &CodexRun, threads: &BTreeMap<String, Rollout>) {
    let db = rusqlite::Connection::open_with_flags(
        run.home.join("state_5.sqlite"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open state_5.sqlite");
    let mut rows = db
        .prepare("SELECT id, tokens_used FROM threads")
        .expect("threads");
    let used: BTreeMap<String, i64> = rows
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query threads")
        .map(|r| r.expect("a threads row"))
        .collect();
    assert_eq!(
        used.len(),
        threads.len(),
        "{}: threads rows {used:?}",
        run.name
    );
    for (thread, r) in threads {
        let total: i64 = run
            .responses
            .iter()
            .filter(|s| s.thread == *thread)
            .map(|s| (s.input + s.output) as i64)
            .sum();
        assert_eq!(
            used.get(r.thread_id()),
            Some(&total),
            "{} {thread}: threads.tokens_used",
            run.name
        );
    }
    let mut rows = db
        .prepare("SELECT parent_thread_id, child_thread_id FROM thread_spawn_edges")
        .expect("thread_spawn_edges");
    let mut edges: Vec<(String, String)> = rows
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query edges")
        .map(|r| r.expect("an edge"))
        .collect();
    edges.sort();
    let mut want: Vec<(String, String)> = threads
        .values()
        .filter_map(|r| {
            let parent = r.meta()["parent_thread_id"].as_str()?;
            Some((parent.to_owned(), r.thread_id().to_owned()))
        })
        .collect();
    want.sort();
    assert_eq!(edges, want, "{}: thread_spawn_edges", run.name);
}

/// The single change of a `FileChange` item: (path, change).
fn single_change(item: &Value) -> (&str, &Value) {
    let changes = item["changes"].as_object().expect("FileChange.changes");
    assert_eq!(changes.len(), 1, "{item}");
    let (path, change) = changes.iter().next().expect("one change");
    (path.as_str(), change)
}

pub fn shell_patch_commit(run: &CodexRun) {
    let threads = by_thread(run);
    assert_eq!(threads.len(), 1, "one rollout");
    let r = &threads[MAIN];
    let meta = r.meta();
    assert_eq!(meta["thread_source"], "user");
    assert_eq!(meta["cwd"], run.repo.to_str().expect("utf-8"));
    assert!(meta.get("subagent_history_start_ordinal").is_none());
    let initial = run.git(&["rev-list", "--max-parents=0", "HEAD"]);
    assert_eq!(
        meta["git"]["commit_hash"],
        initial.trim(),
        "session_meta.git"
    );
    assert_eq!(meta["git"]["branch"], "main");

    let hello = run.repo.join("hello.txt");
    let hello = hello.to_str().expect("utf-8");
    let changes = r.completed("FileChange");
    assert_eq!(changes.len(), 2, "two FileChange items: {changes:?}");
    let (path, add) = single_change(changes[0]);
    assert_eq!(path, hello);
    assert_eq!(add["type"], "add");
    assert_eq!(add["content"], "hello\n");
    let (path, update) = single_change(changes[1]);
    assert_eq!(path, hello);
    assert_eq!(update["type"], "update", "{update}");
    let diff = update["unified_diff"].as_str().expect("unified_diff");
    assert!(
        diff.contains("-hello\n") && diff.contains("+hello, updated\n"),
        "{diff}"
    );
    for c in &changes {
        assert_eq!(c["status"], "completed", "{c}");
    }

    let commands = r.completed("CommandExecution");
    assert_eq!(commands.len(), 2, "{commands:?}");
    assert_eq!(commands[0]["aggregated_output"], "hi-from-shell\n");
    for c in &commands {
        assert_eq!(c["exit_code"], 0, "{c}");
    }

    // The agent's commit, with the updated file, and nothing left over.
    assert_eq!(run.git(&["log", "-1", "--format=%s"]).trim(), "Add hello");
    assert_eq!(run.git(&["show", "HEAD:hello.txt"]), "hello, updated\n");
    assert_eq!(
        std::fs::read_to_string(run.repo.join("hello.txt")).expect("hello.txt"),
        "hello, updated\n"
    );
    assert_eq!(run.git(&["status", "--porcelain"]), "");
}

pub fn subagent(run: &CodexRun) {
    let threads = by_thread(run);
    assert_eq!(
        threads.keys().map(String::as_str).collect::<Vec<_>>(),
        [CHILD, MAIN],
        "a rollout for the parent and one for the child"
    );
    let (parent, child) = (&threads[MAIN], &threads[CHILD]);
    let pid = parent.thread_id();
    let meta = child.meta();
    assert_eq!(meta["thread_source"], "subagent", "{meta}");
    assert_eq!(meta["parent_thread_id"], pid);
    assert_eq!(meta["forked_from_id"], pid);
    assert_eq!(
        meta["session_id"], pid,
        "the child's session_id is the root thread's"
    );
    assert_eq!(meta["agent_path"], agent_path(CHILD));
    let spawn = &meta["source"]["subagent"]["thread_spawn"];
    assert_eq!(spawn["parent_thread_id"], pid, "{spawn}");
    assert_eq!(spawn["depth"], 1);
    assert_eq!(spawn["agent_path"], agent_path(CHILD));
    let start = child
        .start_ordinal()
        .expect("the child's session_meta.subagent_history_start_ordinal");

    // The copied prefix: the parent's session_meta and turn up to the spawn, no usage.
    let copied: Vec<&Value> = child.lines[1..]
        .iter()
        .filter(|l| l["ordinal"].as_u64().is_some_and(|o| o < start))
        .collect();
    assert!(
        copied
            .iter()
            .any(|l| l["type"] == "session_meta" && l["payload"]["id"] == pid),
        "the parent's session_meta is copied"
    );
    assert!(
        copied
            .iter()
            .any(|l| l["payload"]["type"] == "function_call"
                && l["payload"]["name"] == "spawn_agent"),
        "the parent's spawn_agent call is copied"
    );
    assert!(
        !copied
            .iter()
            .any(|l| l["type"] == "token_usage_record" || l["payload"]["type"] == "token_count"),
        "0.171 copies no usage into the child"
    );
    let own = child.own();
    assert!(
        own.iter().any(|l| l["payload"]["type"] == "task_started"),
        "the child's own turn"
    );

    // The parent spawned, waited and ran a command; the child made the file.
    for name in ["spawn_agent", "wait_agent"] {
        assert!(
            parent.lines.iter().any(|l| l["type"] == "response_item"
                && l["payload"]["name"] == name
                && l["payload"]["namespace"] == "collaboration"),
            "the parent's {name} call"
        );
    }
    let commands = parent.completed("CommandExecution");
    assert_eq!(commands.len(), 2, "{commands:?}");
    assert_eq!(commands[0]["aggregated_output"], "parent-before-spawn\n");
    assert_eq!(commands[1]["aggregated_output"], "README.md\n");
    assert!(parent.completed("FileChange").is_empty());
    let changes = child.completed("FileChange");
    assert_eq!(changes.len(), 1, "{changes:?}");
    let (path, add) = single_change(changes[0]);
    assert_eq!(path, run.repo.join("child.txt").to_str().expect("utf-8"));
    assert_eq!(add["type"], "add");
    assert_eq!(add["content"], "from the child\n");
    assert_eq!(
        std::fs::read_to_string(run.repo.join("child.txt")).expect("child.txt"),
        "from the child\n"
    );
}
