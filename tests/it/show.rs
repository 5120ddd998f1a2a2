//! `git vouch show` end to end: the real binary over transcripts recorded from Claude Code, with
//! the expected figures computed here from the transcripts themselves.

#![allow(clippy::unwrap_used)] // Test helpers fail loudly.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use git_vouch::agent_source;
use git_vouch::pricing::PriceTable;
use git_vouch::session::SessionSummary;
use git_vouch::session::detail::open_file;
use serde_json::Value;

use crate::support::shared;

use shared::{copy_tree, jsonl_files, shared};

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary with `CLAUDE_CONFIG_DIR` at `config`; returns stdout.
fn run(config: &Path, args: &[&str]) -> String {
    let home = tempfile::tempdir().expect("temp home");
    let cache = tempfile::tempdir().expect("temp cache");
    let out = cli::binary()
        .args(args)
        .env("CLAUDE_CONFIG_DIR", config)
        .env("HOME", home.path())
        .env("GIT_VOUCH_CACHE_DIR", cache.path())
        .env("COLUMNS", "80")
        .output()
        .expect("run git-vouch");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?} failed: {stderr}");
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn show_json(config: &Path, session: &str) -> Value {
    let text = run(config, &["show", session, "--json"]);
    let doc: Value = serde_json::from_str(&text).expect("show --json is JSON");
    assert_eq!(doc["schema"], "git-vouch/session@1");
    doc
}

fn fixture(name: &str) -> PathBuf {
    manifest().join("fixtures/claude").join(name)
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("read transcript")
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// The main transcript (`<session>.jsonl` directly in a project folder) of a fixture.
fn main_file(config: &Path) -> PathBuf {
    jsonl_files(&config.join("projects"))
        .into_iter()
        .find(|p| {
            p.parent().and_then(Path::parent).and_then(Path::file_name)
                == Some(OsStr::new("projects"))
        })
        .expect("a main transcript")
}

fn stem(p: &Path) -> String {
    p.file_stem().expect("stem").to_string_lossy().into_owned()
}

/// (input, output, cache writes, cache reads) of a transcript, one copy per response: the copy
/// with the most tokens among lines sharing `message.id` and `requestId`.
fn dedup_usage(transcript: &[Value]) -> [u64; 4] {
    let mut best: HashMap<(String, String), [u64; 4]> = HashMap::new();
    for l in transcript.iter().filter(|l| l["type"] == "assistant") {
        let u = &l["message"]["usage"];
        let n = |k: &str| u[k].as_u64().unwrap_or(0);
        let t = [
            n("input_tokens"),
            n("output_tokens"),
            n("cache_creation_input_tokens"),
            n("cache_read_input_tokens"),
        ];
        let key = (
            l["message"]["id"].as_str().unwrap_or_default().to_owned(),
            l["requestId"].as_str().unwrap_or_default().to_owned(),
        );
        let slot = best.entry(key).or_insert([0; 4]);
        if t.iter().sum::<u64>() > slot.iter().sum::<u64>() {
            *slot = t;
        }
    }
    best.values().fold([0; 4], |a, t| {
        [a[0] + t[0], a[1] + t[1], a[2] + t[2], a[3] + t[3]]
    })
}

/// Tool uses of a transcript: (id, name, input).
fn tool_uses(transcript: &[Value]) -> Vec<(String, String, Value)> {
    let mut out: Vec<(String, String, Value)> = Vec::new();
    for l in transcript.iter().filter(|l| l["type"] == "assistant") {
        for b in l["message"]["content"].as_array().into_iter().flatten() {
            if b["type"] == "tool_use" && !out.iter().any(|(id, ..)| b["id"] == id.as_str()) {
                let s = |k: &str| b[k].as_str().unwrap_or_default().to_owned();
                out.push((s("id"), s("name"), b["input"].clone()));
            }
        }
    }
    out
}

#[test]
fn subagent_session_links_the_agent_and_counts_its_tokens() {
    let config = fixture("v2.1.197-subagent");
    let main = main_file(&config);
    let agent_file = jsonl_files(&config)
        .into_iter()
        .find(|p| stem(p).starts_with("agent-"))
        .expect("agent file");
    let agent_id = stem(&agent_file)["agent-".len()..].to_owned();
    let meta: Value = serde_json::from_str(
        &std::fs::read_to_string(agent_file.with_extension("meta.json")).expect("meta.json"),
    )
    .expect("meta JSON");
    let doc = show_json(&config, &stem(&main)[..8]);

    let nodes = doc["subagents"].as_array().expect("subagents");
    assert_eq!(nodes.len(), 1);
    let node = &nodes[0];
    assert_eq!(node["agent_id"], agent_id.as_str());
    assert_eq!(node["tool_use_id"], meta["toolUseId"]);
    assert_eq!(node["kind"], "task");
    assert_eq!(node["agent_type"], meta["agentType"]);
    let agent_lines = lines(&agent_file);
    let [input, output, write, read] = dedup_usage(&agent_lines);
    let t = &node["tokens"];
    assert_eq!(t["input"], input);
    assert_eq!(t["output"], output);
    assert_eq!(
        t["cache_write_5m"].as_u64().unwrap_or(0) + t["cache_write_1h"].as_u64().unwrap_or(0),
        write
    );
    assert_eq!(t["cache_read"], read);
    assert_eq!(t["total"], input + output + write + read);
    assert_eq!(t["total"], 49_460, "the figure recorded in the fixture");
    assert!(node["cost_usd"].as_str().is_some_and(|c| c != "0.000000"));

    // The file the sub-agent wrote is listed with its agent id.
    let (write_id, _, write_input) = tool_uses(&agent_lines)
        .into_iter()
        .find(|(_, name, _)| name == "Write")
        .expect("the agent's Write");
    let files = doc["files"].as_array().expect("files");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["tool_use_id"], write_id.as_str());
    assert_eq!(files[0]["agent_id"], agent_id.as_str());
    assert_eq!(files[0]["path"], write_input["file_path"]);
    let written = write_input["content"]
        .as_str()
        .unwrap_or_default()
        .lines()
        .count();
    assert_eq!(files[0]["lines_added"], written as u64);
    assert_eq!(doc["commits"][0]["sha"], "6e715a6");
    assert_eq!(doc["commits"][0]["agent_id"], Value::Null);

    let agent_calls = doc["tool_calls"].as_array().expect("tool_calls").iter();
    let by_agent = agent_calls
        .filter(|c| c["agent_id"] == agent_id.as_str())
        .count();
    assert_eq!(node["tool_calls"], by_agent as u64);
    assert_eq!(by_agent, tool_uses(&agent_lines).len());
}

#[test]
fn write_commit_read_session_lists_the_commit_the_file_and_the_tools() {
    let config = fixture("v2.1.197-write_commit_read");
    let main = main_file(&config);
    let transcript = lines(&main);
    let doc = show_json(&config, &stem(&main)[..8]);

    let sha = transcript
        .iter()
        .find_map(|l| l["toolUseResult"]["gitOperation"]["commit"]["sha"].as_str())
        .expect("a commit in the transcript");
    let commits = doc["commits"].as_array().expect("commits");
    assert_eq!(commits.len(), 1);
    assert_eq!(commits[0]["sha"], sha);
    assert_eq!(commits[0]["branch"], "main");
    assert_eq!(commits[0]["subject"], "Add hello.txt");

    let uses = tool_uses(&transcript);
    let (write_id, _, input) = uses.iter().find(|u| u.1 == "Write").expect("a Write");
    let files = doc["files"].as_array().expect("files");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["tool_use_id"], write_id.as_str());
    assert_eq!(files[0]["created"], true);
    let written = input["content"]
        .as_str()
        .unwrap_or_default()
        .lines()
        .count();
    assert_eq!(files[0]["lines_added"], written as u64);
    assert_eq!(written, 1);

    let histogram: BTreeMap<&str, u64> = doc["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap_or(""),
                t["calls"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let expected: BTreeMap<&str, u64> = [("Bash", 1), ("Read", 1), ("Write", 1)].into();
    assert_eq!(histogram, expected);
    assert_eq!(uses.len(), 3);
    for call in doc["tool_calls"].as_array().expect("tool_calls") {
        assert_eq!(call["status"], "ok");
        assert!(call["duration_ms"].as_i64().is_some_and(|d| d > 0));
    }
}

#[test]
fn continued_session_has_both_commits_and_the_edit_patch() {
    let config = fixture("v2.1.197-continue_resume");
    let main = main_file(&config);
    let doc = show_json(&config, &stem(&main)[..8]);
    let shas: Vec<&str> = doc["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .filter_map(|c| c["sha"].as_str())
        .collect();
    assert_eq!(shas, vec!["5262a5c", "893dcb5"]);
    let edit = doc["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["tool"] == "Edit")
        .cloned()
        .expect("the Edit");
    assert_eq!(edit["hunks"][0]["lines"][1], "+second line");
    assert_eq!(
        (edit["lines_added"].as_u64(), edit["lines_removed"].as_u64()),
        (Some(1), Some(0))
    );
}

#[test]
fn text_view_fits_80_columns() {
    let config = fixture("v2.1.197-subagent");
    let text = run(&config, &["show", &stem(&main_file(&config))[..8]]);
    for heading in [
        "Tools (4 calls, 0 failed)",
        "Subagents (1)",
        "Files touched (1)",
        "Commits the agent made (1, from its transcript)",
    ] {
        assert!(text.contains(heading), "missing {heading}:\n{text}");
    }
    for line in text.lines() {
        assert!(line.chars().count() <= 80, "too wide: {line}");
    }
}

#[test]
fn demo_data_reads_agent_files_and_sidecars() {
    let config = tempfile::tempdir().expect("temp config");
    let text = run(config.path(), &["--demo", "show", "c1aa46c2", "--json"]);
    let doc: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(
        doc["subagents"][0]["tool_use_id"],
        "toolu_01ndio5x4vQFOyefRcjudhF5"
    );
    assert_eq!(doc["subagents"][0]["tokens"]["total"], 49_460);
}

#[test]
fn every_external_transcript_loads() {
    let Some(dir) = shared("fixtures-external") else {
        return;
    };
    for path in jsonl_files(&dir) {
        let summary = SessionSummary {
            files: vec![path.clone()],
            ..SessionSummary::default()
        };
        let d = agent_source::detail(&summary, &open_file, PriceTable::embedded());
        assert!(
            d.warnings
                .iter()
                .all(|w| !w.message.contains("cannot read")),
            "{path:?}: {:?}",
            d.warnings
        );
    }
    let config = tempfile::tempdir().expect("temp config");
    copy_tree(&dir, &config.path().join("projects"));
    let list: Value =
        serde_json::from_str(&run(config.path(), &["sessions", "--json"])).expect("JSON");
    let ids: Vec<&str> = list["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert!(ids.len() >= 8, "{ids:?}");
    for id in ids {
        show_json(config.path(), id);
        run(config.path(), &["show", id]);
    }
}

#[test]
fn inline_side_chains_are_linked_to_their_task_calls() {
    let Some(dir) = shared("fixtures-external") else {
        return;
    };
    let dir = dir.join("claude-code-viewer");
    let config = tempfile::tempdir().expect("temp config");
    copy_tree(&dir, &config.path().join("projects/viewer"));
    let mut linked_total = 0;
    for file in jsonl_files(&dir) {
        let transcript = lines(&file);
        // Independently: each side-chain root's prompt names the Task call that started it.
        let roots: Vec<&str> = transcript
            .iter()
            .filter(|l| l["isSidechain"] == true && l["parentUuid"].is_null())
            .filter_map(|l| l["message"]["content"].as_str())
            .collect();
        let expected: BTreeSet<String> = tool_uses(&transcript)
            .into_iter()
            .filter(|(_, name, input)| {
                name == "Task" && roots.iter().any(|r| input["prompt"] == *r)
            })
            .map(|(id, ..)| id)
            .collect();
        let doc = show_json(config.path(), &stem(&file));
        let nodes = doc["subagents"].as_array().expect("subagents");
        let got: BTreeSet<String> = nodes
            .iter()
            .filter_map(|n| n["tool_use_id"].as_str().map(str::to_owned))
            .collect();
        assert_eq!(got, expected, "{}", file.display());
        assert_eq!(nodes.len(), roots.len());
        for n in nodes {
            assert!(n["tokens"]["total"].as_u64().is_some_and(|t| t > 0));
            assert!(n["tool_calls"].as_u64().is_some_and(|t| t > 0));
        }
        linked_total += got.len();
    }
    assert_eq!(
        linked_total, 2,
        "5c0375b4 (1.0.108) has two inline side chains"
    );
}

use crate::support::cli;
mod warnings;

/// `show --demo` finds a demo session's commits in the demo repository, as the explorer's Files
/// tab does: the same commit, with its agent lines and how they were told apart.
#[test]
fn demo_show_lists_the_commits_of_the_demo_repository() {
    let config = tempfile::tempdir().expect("temp config");
    let doc: Value = serde_json::from_str(&run(
        config.path(),
        &["--demo", "show", "7a694908", "--json"],
    ))
    .expect("JSON");
    let linked = doc["linked_commits"].as_array().expect("linked commits");
    assert_eq!(linked.len(), 1, "{linked:?}");
    let made = doc["commits"][0]["sha"]
        .as_str()
        .expect("the agent's commit");
    assert!(
        linked[0]["sha"].as_str().unwrap().starts_with(made),
        "{linked:?}"
    );
    assert!(linked[0]["agent_lines"].as_u64().unwrap() > 0, "{linked:?}");
    assert!(
        linked[0]["agent_lines_how"]
            .as_str()
            .unwrap()
            .contains("matching")
    );
    let text = run(config.path(), &["--demo", "show", "7a694908"]);
    assert!(text.contains("Commits in the repository (1)"), "{text}");
}
