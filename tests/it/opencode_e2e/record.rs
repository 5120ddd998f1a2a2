//! Recording `fixtures/opencode/v<version>-<scenario>/`: the CLI's own database as
//! `opencode/opencode.db` (the data dir's layout, so `XDG_DATA_HOME=<fixture>`), and
//! `expected.json`, what the mock served each session.
//!
//! The database is made a clean single file: the WAL is checkpointed into it, it is copied with
//! `VACUUM INTO`, switched to `journal_mode=DELETE`, every text column of every table has the
//! work folder's paths replaced (`UPDATE … SET c = replace(c, …)`), and it is vacuumed again with 1 KiB pages.
//! Paths: the repository → `/home/dev/<scenario>`, HOME → `/home/dev`, TMPDIR → `/tmp`,
//! anything else in the work folder → `/home/dev/work`.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::cli::VERSION;
use super::scenario::{
    MODEL, PRICE_CACHE_READ, PRICE_CACHE_WRITE, PRICE_INPUT, PRICE_OUTPUT, PROVIDER, SCENARIOS,
    Scenario,
};
use super::store::{self, Store};
use super::{OpencodeRun, checks, run_scenario};

/// `fixtures/opencode`.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/opencode")
}

/// The folder a scenario is recorded into (`v1.18.33-subagent`).
pub fn folder(name: &str) -> String {
    format!("v{VERSION}-{name}")
}

/// A recorded fixture's database.
pub fn fixture_db(name: &str) -> PathBuf {
    fixtures().join(folder(name)).join("opencode/opencode.db")
}

/// Runs every scenario (checking it as the tests do) and records it.
pub fn record_all() {
    for name in SCENARIOS {
        let run = run_scenario(name).expect("the opencode CLI is needed to record");
        checks::usage_matches_the_mock(&run);
        match name {
            "bash_write_edit_commit" => checks::bash_write_edit_commit(&run),
            "subagent" => checks::subagent(&run),
            _ => {}
        }
        write_fixture(&run);
    }
}

/// The replacements that make a run's paths stable, longest first.
fn replacements(run: &OpencodeRun) -> Vec<(String, String)> {
    let root = run.root.to_str().expect("utf-8 work folder").to_owned();
    let neutral = [
        ("/repo", format!("/home/dev/{}", run.name)),
        ("/home", "/home/dev".to_owned()),
        ("/tmp", "/tmp".to_owned()),
        ("", "/home/dev/work".to_owned()),
    ];
    neutral
        .into_iter()
        .map(|(sub, to)| (format!("{root}{sub}"), to))
        .collect()
}

/// Copies the run's database to `dest` as a clean single file with neutral paths.
fn clean_copy(run: &OpencodeRun, dest: &Path) {
    let src = run.db();
    let work = run.root.join("opencode-clean.db");
    let _ = std::fs::remove_file(&work);
    {
        let db = rusqlite::Connection::open(&src).expect("open the run's database");
        db.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .expect("checkpoint the WAL");
        db.execute("VACUUM INTO ?1", [work.to_str().expect("utf-8")])
            .expect("VACUUM INTO");
    }
    let db = rusqlite::Connection::open(&work).expect("open the copy");
    let mode: String = db
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
        .expect("journal_mode");
    assert_eq!(mode, "delete");
    let reps = replacements(run);
    for table in store::table_names(&db) {
        let mut info = db
            .prepare(&format!("PRAGMA table_info(\"{table}\")"))
            .expect("table_info");
        let text_columns: Vec<String> = info
            .query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
            .expect("columns")
            .map(|r| r.expect("a column"))
            .filter(|(_, ty)| ty.eq_ignore_ascii_case("text"))
            .map(|(name, _)| name)
            .collect();
        for col in text_columns {
            for (from, to) in &reps {
                db.execute(
                    &format!(
                        "UPDATE \"{table}\" SET \"{col}\" = replace(\"{col}\", ?1, ?2) \
                         WHERE instr(\"{col}\", ?1) > 0"
                    ),
                    [from, to],
                )
                .unwrap_or_else(|e| panic!("neutralise {table}.{col}: {e}"));
            }
        }
    }
    // Small pages: most of the file is the ~40 tables' and indexes' first pages.
    db.execute_batch("PRAGMA page_size = 1024; VACUUM")
        .expect("VACUUM");
    drop(db);
    for suffix in ["-wal", "-shm", "-journal"] {
        let side = PathBuf::from(format!("{}{suffix}", work.display()));
        assert!(!side.exists(), "{} left behind", side.display());
    }
    std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
    std::fs::rename(&work, dest)
        .or_else(|_| std::fs::copy(&work, dest).map(|_| ()))
        .expect("move the clean database into the fixture");

    // No machine path survived, in any table.
    let root = run.root.to_str().expect("utf-8");
    let clean = Store::from_db(dest);
    for (table, rows) in &clean.tables {
        for row in rows {
            let text = Value::Object(row.clone()).to_string();
            assert!(
                !text.contains(root) && !text.contains("target/tmp"),
                "{table}: a machine path survived: {text}"
            );
        }
    }
}

/// The `token_mapping` field: how opencode's stored figures follow from the mock's.
pub fn token_mapping() -> Value {
    json!({
        "responses": "each completion's usage as the mock sent it: input = prompt_tokens \
            (cached included), cached = prompt_tokens_details.cached_tokens, output = \
            completion_tokens (reasoning included), reasoning = \
            completion_tokens_details.reasoning_tokens, total = input + output; cost = the \
            cost opencode stored for it (message.data.cost)",
        "message.data.tokens.input": "input - cached",
        "message.data.tokens.output": "output - reasoning",
        "message.data.tokens.reasoning": "reasoning",
        "message.data.tokens.cache.read": "cached",
        "message.data.tokens.cache.write": "0 (the provider reports no cache writes)",
        "message.data.tokens.total": "input + output",
        "message.data.cost": format!(
            "((input - cached) * {PRICE_INPUT} + output * {PRICE_OUTPUT} + cached * \
             {PRICE_CACHE_READ}) / 1e6: the prices configured for the model; reasoning is \
             billed as output"),
        "step-finish part": "the same tokens and cost as its message",
        "session.tokens_input/output/reasoning/cache_read/cache_write, session.cost": "the sums \
            over the session's own assistant messages (a child's usage is not in its parent's)",
        "fields": "opencode's stored token fields are disjoint: the total tokens of a message \
            are input + output + reasoning + cache.read + cache.write",
    })
}

/// The `provider` field: the mock provider of the project's `opencode.json`.
pub fn provider_json() -> Value {
    json!({"id": PROVIDER, "npm": "@ai-sdk/openai-compatible", "model": MODEL,
        "cost_per_million": {"input": PRICE_INPUT, "output": PRICE_OUTPUT,
            "cache_read": PRICE_CACHE_READ, "cache_write": PRICE_CACHE_WRITE}})
}

/// The sum of a list of response values (without `response_id`).
pub fn total_json(responses: &[Value]) -> Value {
    let n = |k: &str| {
        responses
            .iter()
            .map(|r| r[k].as_u64().unwrap_or(0))
            .sum::<u64>()
    };
    json!({"input": n("input"), "cached": n("cached"), "output": n("output"),
        "reasoning": n("reasoning"), "total": n("total")})
}

/// A thread of `expected.json`: its session, what it did, and what the mock served it, each
/// completion with the id of the assistant message opencode made of it and the cost stored.
fn thread_json(run: &OpencodeRun, store: &Store, sc: &Scenario, thread: &str) -> Value {
    let id = checks::session_of(run, thread);
    let session = store.session(&id);
    let row = session.row.as_ref().expect("a DB row");
    let messages = store.messages(&id, "assistant");
    let served: Vec<_> = run
        .responses
        .iter()
        .filter(|s| !s.side && s.thread == thread)
        .collect();
    assert_eq!(messages.len(), served.len(), "{thread}: messages");
    let responses: Vec<Value> = messages
        .iter()
        .zip(&served)
        .map(|(m, s)| {
            json!({"response_id": m.id, "input": s.input, "cached": s.cached,
                "output": s.output, "reasoning": s.reasoning, "total": s.input + s.output,
                "cost": m.data["cost"]})
        })
        .collect();
    let mut total = total_json(&responses);
    total["cost"] = row["cost"].clone();
    let changes: Vec<Value> = store
        .file_changes(&id)
        .into_iter()
        .map(|(path, kind)| json!({"path": path, "kind": kind}))
        .collect();
    json!({
        "thread_id": id,
        "parent_id": session.parent_id,
        "agent": row["agent"],
        "title": row["title"],
        "model": MODEL,
        "provider": PROVIDER,
        "tool_calls": sc.tool_calls(thread),
        "file_changes": changes,
        "responses": responses,
        "total": total,
    })
}

fn write_fixture(run: &OpencodeRun) {
    let dest = fixtures().join(folder(&run.name));
    if dest.exists() {
        std::fs::remove_dir_all(&dest).expect("remove the old fixture");
    }
    let db = dest.join("opencode/opencode.db");
    clean_copy(run, &db);
    let store = Store::from_db(&db);
    let sc = Scenario::get(&run.name);
    let mut threads = Map::new();
    for (thread, _) in &sc.threads {
        threads.insert((*thread).to_owned(), thread_json(run, &store, &sc, thread));
    }
    let side: Vec<Value> = run
        .responses
        .iter()
        .filter(|s| s.side)
        .map(|s| {
            json!({"kind": "title", "thread": s.thread,
                "thread_id": s.session_id, "completion_id": s.completion_id,
                "input": s.input, "cached": s.cached, "output": s.output,
                "reasoning": s.reasoning, "total": s.input + s.output, "stored": false})
        })
        .collect();
    let expected = json!({
        "description": format!(
            "Recorded with the real opencode CLI {VERSION} (`opencode run --format json \
             --auto`, tests/it/opencode_e2e.rs) against a scripted mock of the Chat Completions \
             API; opencode/opencode.db is its database (paths made neutral). `threads` lists, \
             per session (thread_id = the session id, parent_id = session.parent_id), every \
             completion the mock served it in order, as the assistant message opencode made of \
             it (response_id = message.id), with the usage sent (see token_mapping for what \
             opencode stored). `side_calls` are requests without tools (the title), whose usage \
             opencode stores nowhere."),
        "cli_version": VERSION,
        "scenario": run.name,
        "prompt": sc.prompt,
        "provider": provider_json(),
        "token_mapping": token_mapping(),
        "side_calls": side,
        "threads": threads,
    });
    write_json(&dest.join("expected.json"), &expected);
    eprintln!("recorded {}", dest.display());
}

pub fn write_json(path: &Path, value: &Value) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, json_text(value)).expect("write json");
}

pub fn json_text(value: &Value) -> String {
    serde_json::to_string_pretty(value).expect("json") + "\n"
}
