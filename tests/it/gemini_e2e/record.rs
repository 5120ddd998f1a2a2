//! Recording `fixtures/gemini/v<version>-<scenario>/`: the CLI's own files from `~/.gemini`
//! (relative layout kept, the folder named `gemini/`): `projects.json`, the `.project_root`
//! files (`tmp/<slug>/`, `history/<slug>/`) and the session files (`tmp/<slug>/chats/…`), with
//! the work folder's paths replaced by stable ones, and `expected.json`, what the mock served
//! each thread. Not copied: `settings.json` (the harness's) and `installation_id`.
//!
//! Paths: `~/.gemini` → `/home/dev/.gemini`, the repository → `/home/dev/<scenario>`, HOME →
//! `/home/dev`, TMPDIR → `/tmp`, anything else in the work folder → `/home/dev/work`; and the
//! `projectHash` (sha256 of the repository path) → the sha256 of `/home/dev/<scenario>`.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::checks::{self, sha256_hex};
use super::cli::VERSION;
use super::scenario::{MAIN, MODEL, Mode, SCENARIOS, Scenario};
use super::session::{self, Session};
use super::{GeminiRun, ScriptedUsage, run_scenario};

/// `fixtures/gemini`.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/gemini")
}

/// The folder a scenario is recorded into (`v0.61.0-shell_write_commit`).
pub fn folder(name: &str) -> String {
    format!("v{VERSION}-{name}")
}

/// The neutral path of a scenario's repository.
pub fn neutral_repo(name: &str) -> String {
    format!("/home/dev/{name}")
}

/// Runs every scenario (checking it as the tests do) and records it.
pub fn record_all() {
    for name in SCENARIOS {
        let run = run_scenario(name).expect("the Gemini CLI (and tmux) are needed to record");
        checks::usage_matches_the_mock(&run);
        match name {
            "shell_write_commit" => checks::shell_write_commit(&run),
            "subagent" => checks::subagent(&run),
            "rewind" => checks::rewind(&run),
            _ => {}
        }
        write_fixture(&run);
    }
}

/// The replacements that make a run's paths stable, longest first.
fn replacements(run: &GeminiRun) -> Vec<(String, String)> {
    let root = run.root.to_str().expect("utf-8 work folder").to_owned();
    let repo = run.repo.to_str().expect("utf-8 repository").to_owned();
    let mut out: Vec<(String, String)> = [
        ("/home/.gemini".to_owned(), "/home/dev/.gemini".to_owned()),
        (format!("/{}", run.name), neutral_repo(&run.name)),
        ("/home".to_owned(), "/home/dev".to_owned()),
        ("/tmp".to_owned(), "/tmp".to_owned()),
        (String::new(), "/home/dev/work".to_owned()),
    ]
    .into_iter()
    .map(|(sub, to)| (format!("{root}{sub}"), to))
    .collect();
    out.push((sha256_hex(&repo), sha256_hex(&neutral_repo(&run.name))));
    out
}

fn neutralise(text: &str, replacements: &[(String, String)]) -> String {
    let mut out = text.to_owned();
    for (from, to) in replacements {
        out = out.replace(from.as_str(), to);
    }
    out
}

/// One response as `expected.json` lists it: the file's `tokens` fields, `reasoning` = the
/// thoughts (outside `output`), no response id (the CLI does not record one).
pub fn response_json(s: &ScriptedUsage) -> Value {
    json!({"response_id": null, "input": s.input, "cached": s.cached, "output": s.output,
        "reasoning": s.thoughts, "thoughts": s.thoughts, "tool": s.tool, "total": s.total})
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
        "reasoning": n("reasoning"), "thoughts": n("thoughts"), "tool": n("tool"),
        "total": n("total")})
}

/// The tools a thread called, in order (from the script).
fn tool_calls(sc: &Scenario, thread: &str) -> Vec<&'static str> {
    sc.steps(thread)
        .unwrap_or_default()
        .iter()
        .filter(|s| !s.rewound)
        .flat_map(|s| &s.items)
        .filter_map(super::scenario::Item::tool)
        .collect()
}

/// A thread of `expected.json`: its session file, what it did, and what the mock served it.
fn thread_json(
    run: &GeminiRun,
    sc: &Scenario,
    thread: &str,
    rel: &str,
    s: &Session,
    parent: Option<&str>,
) -> Value {
    let served: Vec<&ScriptedUsage> = run
        .responses
        .iter()
        .filter(|r| r.thread == thread)
        .collect();
    let responses: Vec<Value> = served
        .iter()
        .filter(|r| !r.rewound)
        .map(|r| response_json(r))
        .collect();
    let rewound: Vec<Value> = served
        .iter()
        .filter(|r| r.rewound)
        .map(|r| response_json(r))
        .collect();
    let changes: Vec<Value> = session::file_changes(s)
        .into_iter()
        .map(|(path, kind)| json!({"path": path, "kind": kind}))
        .collect();
    json!({
        "thread_id": s.session_id(),
        "rollout": rel,
        "kind": s.kind(),
        "parent_thread_id": parent,
        "model": MODEL,
        "tool_calls": tool_calls(sc, thread),
        "file_changes": changes,
        "responses": responses,
        "rewound_responses": rewound,
        "total": total_json(&responses),
    })
}

/// The files copied from `~/.gemini`: `projects.json`, `.project_root` files, session files.
fn recorded_files(gemini: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![gemini.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if p.is_dir() {
                todo.push(p);
            } else if p == gemini.join("projects.json") || name == ".project_root" {
                out.push(p);
            }
        }
    }
    out.extend(session::find(&gemini.join("tmp")));
    out.sort();
    out
}

pub fn description(mode: Mode) -> String {
    let how = match mode {
        Mode::Prompt => "`gemini -p … --yolo --output-format json`",
        Mode::Rewind => "the interactive CLI in tmux, with `/rewind`",
    };
    format!(
        "Recorded with the real Gemini CLI {VERSION} ({how}, tests/it/gemini_e2e.rs) against a \
         scripted mock of the Gemini API; `gemini/` is the CLI's ~/.gemini (its own files \
         only). `threads` lists, per session file, every response the mock served that thread \
         and the session still holds, with its usage as the file's `tokens` has it: input = \
         promptTokenCount (cached ⊂ input), output = candidatesTokenCount (thoughts NOT \
         included), thoughts = thoughtsTokenCount (billed as output), tool = \
         toolUsePromptTokenCount, total = totalTokenCount = input + output + thoughts + tool; \
         `reasoning` repeats `thoughts`. `rewound_responses` were served and written but \
         removed by a `$rewindTo`: not counted. The CLI records no response id."
    )
}

fn write_fixture(run: &GeminiRun) {
    let dest = fixtures().join(folder(&run.name));
    if dest.exists() {
        std::fs::remove_dir_all(&dest).expect("remove the old fixture");
    }
    let reps = replacements(run);
    let sc = Scenario::get(&run.name);
    let gemini = run.gemini_dir();
    for path in recorded_files(&gemini) {
        let rel = Path::new("gemini").join(path.strip_prefix(&gemini).expect("under ~/.gemini"));
        let text = neutralise(&std::fs::read_to_string(&path).expect("read"), &reps);
        assert!(
            !text.contains(run.root.to_str().expect("utf-8")) && !text.contains("target/tmp"),
            "{}: a machine path survived",
            rel.display()
        );
        let out = dest.join(&rel);
        std::fs::create_dir_all(out.parent().expect("parent")).expect("mkdir");
        std::fs::write(&out, &text).expect("write");
    }
    // The sessions as recorded, by thread: the main session first.
    let mut threads = Map::new();
    let by_thread = checks::by_thread(run);
    let main_id = by_thread.get(MAIN).map(|s| s.session_id().to_owned());
    let mut order: Vec<&String> = by_thread.keys().collect();
    order.sort_by_key(|t| (t.as_str() != MAIN, t.as_str()));
    for thread in order {
        let live = &by_thread[thread];
        let rel = Path::new("gemini")
            .join(live.path.strip_prefix(&gemini).expect("under ~/.gemini"))
            .to_str()
            .expect("utf-8")
            .to_owned();
        let recorded = Session::load(&dest.join(&rel));
        let parent = (thread != MAIN).then_some(main_id.as_deref()).flatten();
        threads.insert(
            thread.clone(),
            thread_json(run, &sc, thread, &rel, &recorded, parent),
        );
    }
    let repo = neutral_repo(&run.name);
    let expected = json!({
        "description": description(sc.mode),
        "cli_version": VERSION,
        "scenario": run.name,
        "prompt": sc.prompt,
        "mode": match sc.mode { Mode::Prompt => "prompt", Mode::Rewind => "interactive" },
        "project": {"path": repo, "slug": run.name.replace('_', "-"),
            "project_hash": sha256_hex(&repo)},
        "threads": threads,
    });
    write_json(&dest.join("expected.json"), &expected);
    checks::check_fixture(&dest, &expected);
    eprintln!("recorded {}", dest.display());
}

pub fn write_json(path: &Path, value: &Value) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, json_text(value)).expect("write json");
}

pub fn json_text(value: &Value) -> String {
    serde_json::to_string_pretty(value).expect("json") + "\n"
}
