//! What git-vouch reports of Gemini CLI sessions, checked against what the mock answered: the
//! live runs of the real CLI and every recorded or derived fixture (`fixtures/gemini/*`, the
//! mock's answers in its `expected.json`). A rewound model turn was billed: it stays counted.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use super::GeminiRun;

/// The mock's figures: input with cached inside, thoughts and tool-use prompts apart.
#[derive(Debug, Default, Clone, Copy)]
struct Truth {
    input: u64,
    cached: u64,
    output: u64,
    thoughts: u64,
    tool: u64,
    responses: u64,
}

impl Truth {
    fn add(&mut self, n: impl Fn(&str) -> u64) {
        self.input += n("input");
        self.cached += n("cached");
        self.output += n("output");
        self.thoughts += n("thoughts");
        self.tool += n("tool");
        self.responses += 1;
    }

    /// git-vouch's `tokens`: tool-use prompts are input, thoughts are output.
    fn tokens(self) -> Value {
        let input = self.input - self.cached + self.tool;
        let output = self.output + self.thoughts;
        json!({"input": input, "output": output, "cache_write_5m": 0, "cache_write_1h": 0,
            "cache_read": self.cached, "total": input + output + self.cached})
    }

    /// gemini-2.5-pro: $1.25 input, $0.125 cached, $10 output per million, `cost_usd`'s six
    /// decimals rounded half up.
    fn cost(self) -> String {
        let input = self.input - self.cached + self.tool;
        let picos =
            input * 1_250_000 + self.cached * 125_000 + (self.output + self.thoughts) * 10_000_000;
        let micros = (picos + 500_000) / 1_000_000;
        format!("{}.{:06}", micros / 1_000_000, micros % 1_000_000)
    }
}

/// `git-vouch <args>` reading only the Gemini chats under `home/.gemini`.
fn vouch(home: &Path, cwd: &Path, args: &[&str]) -> Value {
    let claude = tempfile::tempdir().expect("temp CLAUDE_CONFIG_DIR");
    std::fs::create_dir(claude.path().join("projects")).expect("an empty projects folder");
    let empty = tempfile::tempdir().expect("temp folder");
    let out = Command::new(env!("CARGO_BIN_EXE_git-vouch"))
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("CLAUDE_CONFIG_DIR", claude.path())
        .env("CODEX_HOME", empty.path())
        .env("XDG_DATA_HOME", empty.path())
        .env("GIT_VOUCH_CACHE_DIR", empty.path().join("cache"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("run git-vouch");
    assert!(
        out.status.success(),
        "git-vouch {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("git-vouch prints JSON")
}

/// One session, the mock's figures, named as Gemini's, with its sub-agent in it.
fn check_session(home: &Path, cwd: &Path, truth: Truth, subagents: u64) -> Value {
    let doc = vouch(home, cwd, &["sessions", "--json"]);
    let sessions = doc["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 1, "{doc:#}");
    let s = &sessions[0];
    assert_eq!(s["agent"], "gemini-cli");
    assert_eq!(s["tokens"], truth.tokens(), "{s:#}");
    assert_eq!(s["assistant_messages"], truth.responses);
    assert_eq!(s["cost_usd"], truth.cost());
    assert_eq!(s["models"], json!(["gemini-2.5-pro"]));
    assert_eq!(s["subagents"], subagents);
    assert_eq!(doc["warnings"], json!([]));
    let id = s["id"].as_str().expect("id");
    let show = vouch(home, cwd, &["show", id, "--json"]);
    assert_eq!(
        show["subagents"].as_array().map(Vec::len),
        Some(subagents as usize)
    );
    let only = vouch(home, cwd, &["sessions", "--json", "--agent", "codex"]);
    assert_eq!(only["sessions"], json!([]));
    show
}

/// A live run: the figures the mock served (rewound turns included).
pub fn check_git_vouch(run: &GeminiRun) {
    let mut truth = Truth::default();
    for r in run.responses.iter().filter(|r| r.thread != "side") {
        truth.add(|k| match k {
            "input" => r.input,
            "cached" => r.cached,
            "output" => r.output,
            "thoughts" => r.thoughts,
            _ => r.tool,
        });
    }
    let threads: std::collections::BTreeSet<&str> = run
        .responses
        .iter()
        .filter(|r| r.thread != "side")
        .map(|r| r.thread.as_str())
        .collect();
    check_session(&run.home, &run.repo, truth, threads.len() as u64 - 1);
}

/// Every fixture, read as its `expected.json` says the mock answered, with the files written.
pub fn check_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/gemini");
    let mut read = 0;
    for entry in std::fs::read_dir(&root).expect("fixtures/gemini") {
        let dir = entry.expect("a fixture").path();
        let expected: Value =
            serde_json::from_slice(&std::fs::read(dir.join("expected.json")).expect("expected"))
                .expect("JSON");
        let home = tempfile::tempdir().expect("temp HOME");
        copy_dir(&dir.join("gemini"), &home.path().join(".gemini"));
        let threads = expected["threads"].as_object().expect("threads");
        let mut truth = Truth::default();
        for t in threads.values() {
            let all = ["responses", "rewound_responses"];
            for r in all.iter().filter_map(|k| t[k].as_array()).flatten() {
                truth.add(|k| r[k].as_u64().unwrap_or(0));
            }
        }
        let show = check_session(home.path(), home.path(), truth, threads.len() as u64 - 1);
        let files: Vec<&str> = show["files"]
            .as_array()
            .expect("files")
            .iter()
            .filter_map(|f| f["path"].as_str())
            .collect();
        for t in threads.values() {
            for c in t["file_changes"].as_array().into_iter().flatten() {
                let path = c["path"].as_str().expect("path");
                assert!(
                    files.contains(&path),
                    "{path} in {files:?} ({})",
                    dir.display()
                );
            }
        }
        read += 1;
    }
    assert_eq!(read, 5, "the five recorded and derived fixtures");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create");
    for e in std::fs::read_dir(from).expect("read") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copy");
        }
    }
}
