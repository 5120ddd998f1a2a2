//! Token totals equal the true deduplicated totals on every real transcript we have: the
//! project's recorded fixtures, the harness samples and the public fixtures in ../shared.
//!
//! The truth is computed here independently, with the rules of the format reference: one API
//! response is written as several lines sharing `message.id` + `requestId`; keep the copy with the
//! largest token total; skip `<synthetic>` and API-error lines; never count usage embedded in
//! `progress` lines or in `toolUseResult`.

#![allow(clippy::unwrap_used)] // Test helpers fail loudly.

use crate::support::cli;
use crate::support::shared;

use std::collections::HashMap;
use std::path::Path;

use cli::TestEnv;
use serde_json::Value;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Truth {
    input: u64,
    output: u64,
    cache_write: u64,
    cache_read: u64,
}

impl Truth {
    fn total(&self) -> u64 {
        self.input + self.output + self.cache_write + self.cache_read
    }
}

fn usage_of(u: &Value) -> Truth {
    let n = |v: &Value| v.as_u64().unwrap_or(0);
    let breakdown = n(&u["cache_creation"]["ephemeral_5m_input_tokens"])
        + n(&u["cache_creation"]["ephemeral_1h_input_tokens"]);
    Truth {
        input: n(&u["input_tokens"]),
        output: n(&u["output_tokens"]),
        cache_write: n(&u["cache_creation_input_tokens"]).max(breakdown),
        cache_read: n(&u["cache_read_input_tokens"]),
    }
}

/// The deduplicated totals of a set of transcript files.
fn truth(files: &[std::path::PathBuf]) -> Truth {
    let mut best: HashMap<(String, String), Truth> = HashMap::new();
    let mut unkeyed = Vec::new();
    for file in files {
        let bytes = std::fs::read(file).unwrap();
        for line in bytes.split(|b| *b == b'\n') {
            let Ok(r) = serde_json::from_slice::<Value>(line) else {
                continue;
            };
            if r["type"] != "assistant" || r["isApiErrorMessage"] == true {
                continue;
            }
            let m = &r["message"];
            if m["model"] == "<synthetic>" || !m["usage"].is_object() {
                continue;
            }
            let u = usage_of(&m["usage"]);
            match m["id"].as_str() {
                Some(id) => {
                    let key = (
                        id.to_owned(),
                        r["requestId"].as_str().unwrap_or("").to_owned(),
                    );
                    let slot = best.entry(key).or_default();
                    if u.total() > slot.total() {
                        *slot = u;
                    }
                }
                None => unkeyed.push(u),
            }
        }
    }
    best.values()
        .chain(&unkeyed)
        .fold(Truth::default(), |mut t, u| {
            t.input += u.input;
            t.output += u.output;
            t.cache_write += u.cache_write;
            t.cache_read += u.cache_read;
            t
        })
}

fn reported(doc: &Value) -> Truth {
    let t = &doc["totals"]["tokens"];
    let n = |k: &str| t[k].as_u64().unwrap();
    Truth {
        input: n("input"),
        output: n("output"),
        cache_write: n("cache_write_5m") + n("cache_write_1h"),
        cache_read: n("cache_read"),
    }
}

/// Lays `src` out as one project of a fresh CLAUDE_CONFIG_DIR and compares totals.
fn check_project(name: &str, src: &Path) {
    let env = TestEnv::new();
    shared::copy_tree(src, &env.projects().join(name));
    let files = shared::jsonl_files(&env.projects());
    let expected = truth(&files);
    let doc = env.json(&["sessions", "--json"]);
    assert_eq!(
        reported(&doc),
        expected,
        "{name}: totals differ from the deduplicated truth"
    );
    assert!(
        expected.total() > 0 || files.is_empty(),
        "{name}: fixture has no usage at all"
    );
}

#[test]
fn own_fixtures_match_the_truth_per_session() {
    for dir in std::fs::read_dir(cli::fixture("claude")).unwrap() {
        let dir = dir.unwrap().path();
        let env = TestEnv::new();
        shared::copy_tree(&dir.join("projects"), &env.projects());
        let doc = env.json(&["sessions", "--json"]);
        assert_eq!(
            reported(&doc),
            truth(&shared::jsonl_files(&env.projects())),
            "{}",
            dir.display()
        );
        for s in doc["sessions"].as_array().unwrap() {
            let files: Vec<_> = s["files"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap().into())
                .collect();
            let t = truth(&files);
            let tokens = &s["tokens"];
            assert_eq!(tokens["input"].as_u64(), Some(t.input), "{}", s["id"]);
            assert_eq!(tokens["output"].as_u64(), Some(t.output), "{}", s["id"]);
            assert_eq!(
                tokens["cache_read"].as_u64(),
                Some(t.cache_read),
                "{}",
                s["id"]
            );
        }
    }
}

#[test]
fn harness_samples_match_the_truth() {
    let Some(samples) = shared::shared("claude-code-harness/samples") else {
        return;
    };
    for dir in std::fs::read_dir(samples).unwrap() {
        let dir = dir.unwrap().path();
        check_project("-home-dev-demo-repo", &dir.join("transcripts"));
    }
}

#[test]
fn external_fixtures_match_the_truth() {
    let Some(external) = shared::shared("fixtures-external") else {
        return;
    };
    for name in ["spotter", "claude-code-viewer", "sniffly"] {
        check_project(name, &external.join(name));
    }
}

#[test]
fn subagent_and_compaction_files_count_but_progress_copies_do_not() {
    let Some(spotter) = shared::shared("fixtures-external/spotter") else {
        return;
    };
    let env = TestEnv::new();
    shared::copy_tree(&spotter, &env.projects().join("p"));
    let doc = env.json(&["sessions", "--json"]);
    // The acompact file is its own session folder here (its main file is not vendored): it counts.
    let compact = doc["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "4d5611e5-241a-462a-8d15-5122611a9569")
        .expect("compaction transcript is a session");
    assert!(compact["tokens"]["total"].as_u64().unwrap() > 0);
    // subagent.jsonl embeds the subagent's usage in agent_progress lines: they are not counted.
    let sub = shared::jsonl_files(&env.projects())
        .into_iter()
        .filter(|f| f.ends_with("subagent.jsonl"))
        .collect::<Vec<_>>();
    let row = doc["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "subagent")
        .unwrap();
    assert_eq!(row["tokens"]["output"].as_u64(), Some(truth(&sub).output));
}
