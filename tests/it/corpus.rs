//! `git-vouch sessions --json` on a generated corpus (about 5 MiB) equals the generator's ground
//! truth exactly: cold, warm (cache present), and after lines are appended to a transcript
//! (the cache re-reads only what was appended).
#![cfg(feature = "cli")]

#[path = "../bench/corpus.rs"]
mod generator;
use crate::support::cli;
use crate::support::figures;

use std::io::Write;
use std::path::Path;

use generator::{Options, Tokens, Truth};
use serde_json::{Value, json};

fn sessions_json(config: &Path, home: &Path, cache: &Path) -> Value {
    let out = cli::binary()
        .args(["sessions", "--json"])
        .env("CLAUDE_CONFIG_DIR", config)
        .env("HOME", home)
        .env("GIT_VOUCH_CACHE_DIR", cache)
        .output()
        .expect("run git-vouch");
    assert!(
        out.status.success(),
        "git-vouch failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("a JSON document")
}

fn assert_matches(doc: &Value, truth: &Truth) {
    let problems = generator::check_git_vouch(doc, truth);
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The last assistant record of a transcript.
fn last_assistant(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("read the transcript");
    text.lines()
        .rev()
        .map(|l| serde_json::from_str::<Value>(l).expect("a JSON line"))
        .find(|r| r["type"] == "assistant" && r["message"]["usage"].is_object())
        .expect("an assistant record with usage")
}

/// Appends a new response and a larger streamed copy of an existing one; returns how the
/// session's totals change.
fn append_lines(path: &Path) -> Tokens {
    let existing = last_assistant(path);
    let mut fresh = existing.clone();
    fresh["uuid"] = json!("0d7c6a55-8d43-4c1b-9f57-6f1d2b3c4a5e");
    fresh["parentUuid"] = existing["uuid"].clone();
    fresh["requestId"] = json!("req_appendedByTheCorpusTest01");
    fresh["message"]["id"] = json!("msg_appendedByTheCorpusTest01");
    fresh["message"]["usage"] = json!({
        "input_tokens": 11, "cache_creation_input_tokens": 33, "cache_read_input_tokens": 44,
        "output_tokens": 22, "cache_creation": {"ephemeral_5m_input_tokens": 33,
        "ephemeral_1h_input_tokens": 0}
    });
    // Claude Code streams one line per content block; a later copy can carry a larger count.
    let mut streamed = existing.clone();
    streamed["uuid"] = json!("7e0f3b1c-2a4d-4e5f-8a6b-9c0d1e2f3a4b");
    let output = existing["message"]["usage"]["output_tokens"]
        .as_u64()
        .expect("an output count");
    streamed["message"]["usage"]["output_tokens"] = json!(output + 1000);
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .expect("open the transcript");
    for r in [&fresh, &streamed] {
        writeln!(file, "{r}").expect("append a line");
    }
    Tokens {
        input: 11,
        output: 22 + 1000,
        cache_creation: 33,
        cache_read: 44,
        messages: 1,
    }
}

#[test]
fn sessions_totals_equal_the_generated_ground_truth() {
    let root = tempfile::tempdir().unwrap();
    let config = root.path().join("claude");
    let home = root.path().join("home");
    let cache = root.path().join("cache");
    std::fs::create_dir_all(&home).unwrap();
    let templates = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/claude");
    let options = Options {
        target_bytes: 5 << 20,
        seed: 11,
    };
    let mut truth = generator::generate(&templates, &config, &options).unwrap();
    assert!(
        truth.sessions.len() > 5,
        "{} sessions",
        truth.sessions.len()
    );
    assert!(truth.bytes >= options.target_bytes);

    // The same seed writes the same corpus.
    let again = generator::generate(&templates, &root.path().join("again"), &options).unwrap();
    assert_eq!(again.sessions, truth.sessions);

    let cold = sessions_json(&config, &home, &cache);
    assert_matches(&cold, &truth);
    let warm = sessions_json(&config, &home, &cache);
    assert_eq!(warm, cold, "a warm run returns the same document");

    let (id, main) = truth.main_files.iter().next().unwrap();
    let (id, main) = (id.clone(), main.clone());
    let added = append_lines(&main);
    truth.sessions.get_mut(&id).unwrap().add(&added);
    truth.total.add(&added);
    let updated = sessions_json(&config, &home, &cache);
    assert_matches(&updated, &truth);
    assert_ne!(updated["totals"], cold["totals"]);
}

/// Every figure of every session is the same in the list, the detail, `show --json`,
/// `sessions --json`, `usage session --json` and the evidence: on the demo, on each recorded
/// fixture, and on a generated corpus with a fork that replays a session.
#[test]
fn every_session_has_one_set_of_figures_everywhere() {
    let root = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    let mut compared = 0;
    let mut check = |name: &str, source: &figures::Source<'_>| {
        let home = root.path().join(format!("home-{name}"));
        std::fs::create_dir_all(&home).unwrap();
        let (found, n) = figures::disagreements(source, &home);
        assert!(n > 0, "{name}: no sessions");
        compared += n;
        problems.extend(found.into_iter().map(|p| format!("{name}: {p}")));
    };
    check("demo", &figures::Source::Demo);
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/claude");
    let mut dirs: Vec<_> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|d| d.unwrap().path())
        .collect();
    dirs.sort();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        check(&name, &figures::Source::Config(dir));
    }
    let config = root.path().join("claude");
    let options = Options {
        target_bytes: 3 << 20,
        // This seed repeats a template whose turns reuse a record uuid in one file.
        seed: 2,
    };
    let truth = generator::generate(&fixtures, &config, &options).unwrap();
    let (_, main) = truth
        .main_files
        .iter()
        .max_by_key(|(_, p)| std::fs::metadata(p).map_or(0, |m| m.len()))
        .unwrap();
    figures::fork(main, "f0e1d2c3-b4a5-4968-8776-655443322110");
    check("corpus", &figures::Source::Config(&config));
    assert!(
        problems.is_empty(),
        "{} disagreement(s) over {compared} sessions:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
