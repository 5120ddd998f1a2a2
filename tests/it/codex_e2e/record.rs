//! Recording `fixtures/codex/v<version>-<scenario>/`: the CLI's own rollout files (relative
//! layout `sessions/YYYY/MM/DD/rollout-*.jsonl` kept) with the work folder's paths replaced by
//! stable ones, and `expected.json`, what the mock served each thread.
//!
//! Paths: CODEX_HOME → `/home/dev/.codex`, the repository → `/home/dev/<scenario>`, HOME →
//! `/home/dev`, TMPDIR → `/tmp`, anything else in the work folder → `/home/dev/work`.
//!
//! Agent paths: Codex names its root agent `/root` and a sub-agent `/root/<task name>` (names in
//! its multi-agent protocol, not folders). They are recorded rooted at `/main` (`/main/child_task`),
//! so no fixture reads like a path in a home folder. The reader takes a sub-agent's task from the
//! path's last segment, whatever the root; its unit tests read Codex's own `/root/…` form.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::cli::VERSION;
use super::rollout::Rollout;
use super::scenario::{Item, MAIN, ROOT_PATH, SCENARIOS, Scenario};
use super::{CodexRun, ScriptedUsage, checks, run_scenario};

/// `fixtures/codex`.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/codex")
}

/// The folder a scenario is recorded into (`v0.171.0-shell_patch_commit`).
pub fn folder(name: &str) -> String {
    format!("v{VERSION}-{name}")
}

/// Runs every scenario (checking it as the tests do) and records it.
pub fn record_all() {
    for name in SCENARIOS {
        let run = run_scenario(name).expect("the Codex CLI is needed to record");
        checks::usage_matches_the_mock(&run);
        match name {
            "shell_patch_commit" => checks::shell_patch_commit(&run),
            "subagent" => checks::subagent(&run),
            _ => {}
        }
        write_fixture(&run);
    }
}

/// The replacements that make a run's paths stable, longest first.
fn replacements(run: &CodexRun) -> Vec<(String, String)> {
    let root = run.root.to_str().expect("utf-8 work folder").to_owned();
    let neutral = [
        ("/home/.codex", "/home/dev/.codex".to_owned()),
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

fn neutralise(text: &str, replacements: &[(String, String)]) -> String {
    let mut out = text.to_owned();
    for (from, to) in replacements {
        out = out.replace(from.as_str(), to);
    }
    agent_paths(&out)
}

/// Codex's root agent as the fixtures record it (see the module's header).
const RECORDED_ROOT: &str = "/main";

/// Every agent path rooted at Codex's `/root` (a whole word, as in `/root/child_task`, `"/root"`,
/// `` `/root` ``; not the XML tag `</root>`) rooted at [`RECORDED_ROOT`] instead.
fn agent_paths(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(ROOT_PATH) {
        let (before, after) = rest.split_at(at);
        let tail = &after[ROOT_PATH.len()..];
        let ends = tail
            .chars()
            .next()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'));
        out.push_str(before);
        out.push_str(if ends && !before.ends_with('<') {
            RECORDED_ROOT
        } else {
            ROOT_PATH
        });
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// One response as `expected.json` lists it (`total` = input + output, as the CLI reports it).
fn response_json(s: &ScriptedUsage) -> Value {
    json!({"response_id": s.response_id, "input": s.input, "cached": s.cached,
        "output": s.output, "reasoning": s.reasoning, "total": s.input + s.output})
}

/// The sum of a list of [`response_json`] values (without `response_id`).
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

/// The tools a thread called, in order (from the script).
fn tool_calls(sc: &Scenario, thread: &str) -> Vec<&'static str> {
    sc.steps(thread)
        .unwrap_or_default()
        .iter()
        .flat_map(|s| &s.items)
        .filter(|i| !matches!(i, Item::Message(_)))
        .map(Item::label)
        .collect()
}

/// A thread of `expected.json`: its rollout, what it did, and what the mock served it.
fn thread_json(run: &CodexRun, sc: &Scenario, rel: &str, r: &Rollout) -> Value {
    let thread = r.thread();
    let responses: Vec<Value> = run
        .responses
        .iter()
        .filter(|s| s.thread == thread)
        .map(response_json)
        .collect();
    let changes: Vec<Value> = r
        .completed("FileChange")
        .iter()
        .flat_map(|item| {
            item["changes"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(path, c)| json!({"path": path, "kind": c["type"]}))
        })
        .collect();
    json!({
        "thread_id": r.thread_id(),
        "rollout": rel,
        "model": r.models().first(),
        "subagent_history_start_ordinal": r.start_ordinal(),
        "tool_calls": tool_calls(sc, &thread),
        "file_changes": changes,
        "responses": responses,
        "total": total_json(&responses),
    })
}

fn write_fixture(run: &CodexRun) {
    let dest = fixtures().join(folder(&run.name));
    if dest.exists() {
        std::fs::remove_dir_all(&dest).expect("remove the old fixture");
    }
    let reps = replacements(run);
    let sc = Scenario::get(&run.name);
    let mut rollouts: Vec<(String, Rollout)> = Vec::new();
    for path in &run.rollouts {
        let rel = path
            .strip_prefix(&run.home)
            .expect("a rollout under CODEX_HOME")
            .to_str()
            .expect("utf-8")
            .to_owned();
        let text = neutralise(&std::fs::read_to_string(path).expect("read rollout"), &reps);
        assert!(
            !text.contains(run.root.to_str().expect("utf-8")) && !text.contains("target/tmp"),
            "{rel}: a machine path survived"
        );
        let out = dest.join(&rel);
        std::fs::create_dir_all(out.parent().expect("parent")).expect("mkdir");
        std::fs::write(&out, &text).expect("write rollout");
        rollouts.push((rel, Rollout::load(&out)));
    }
    // Main thread first, then the subagents by path.
    rollouts.sort_by_key(|(_, r)| (r.thread() != MAIN, r.thread()));
    let mut threads = Map::new();
    for (rel, r) in &rollouts {
        threads.insert(r.thread(), thread_json(run, &sc, rel, r));
    }
    let expected = json!({
        "description": format!(
            "Recorded with the real Codex CLI {VERSION} (`codex exec`, tests/it/codex_e2e.rs) \
             against a scripted mock of the Responses API; `threads` lists, per thread, every \
             response the mock served that thread, with its usage (cached ⊂ input, reasoning ⊂ \
             output, total = input + output)."),
        "cli_version": VERSION,
        "scenario": run.name,
        "prompt": sc.prompt,
        "args": sc.args,
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

/// Agent paths are recorded rooted at `/main`; the XML tag `</root>` and other words stay.
#[test]
fn agent_paths_are_recorded_under_main() {
    let line = r#"{"agent_path":"/root/child_task","recipient":"/root","text":"Task name: /root\nSender: /root/child_task","roots":"<root>/home/dev/x</root>","doc":"`/root`, the primary agent","other":"/rooted /roots"}"#;
    assert_eq!(
        agent_paths(line),
        r#"{"agent_path":"/main/child_task","recipient":"/main","text":"Task name: /main\nSender: /main/child_task","roots":"<root>/home/dev/x</root>","doc":"`/main`, the primary agent","other":"/rooted /roots"}"#
    );
}
