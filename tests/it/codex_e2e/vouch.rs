//! What git-vouch reports of Codex sessions, checked against what the mock answered: the live
//! runs of the real CLI and the recorded fixtures (`fixtures/codex/*`, each with the mock's
//! answers in its `expected.json`).

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::CodexRun;
use super::scenario::CHILD;

/// The figures of one thread or session, in the mock's terms.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Truth {
    pub input: u64,
    pub cached: u64,
    pub output: u64,
    pub responses: u64,
}

impl Truth {
    fn add(&mut self, input: u64, cached: u64, output: u64) {
        self.input += input;
        self.cached += cached;
        self.output += output;
        self.responses += 1;
    }

    /// git-vouch's `tokens` object for these figures (cached input is part of input).
    fn tokens(self) -> Value {
        serde_json::json!({
            "input": self.input - self.cached,
            "output": self.output,
            "cache_write_5m": 0,
            "cache_write_1h": 0,
            "cache_read": self.cached,
            "total": self.input + self.output,
        })
    }

    /// gpt-5.5's list price: $5 input, $0.50 cached input, $30 output per million tokens, in
    /// the six decimals of `cost_usd` (whole micro-dollars, rounded half up).
    fn cost_gpt_5_5(self) -> String {
        let picos = (self.input - self.cached) * 5_000_000
            + self.cached * 500_000
            + self.output * 30_000_000;
        let micros = (picos + 500_000) / 1_000_000;
        format!("{}.{:06}", micros / 1_000_000, micros % 1_000_000)
    }
}

/// Runs git-vouch with CODEX_HOME = `codex_home` and nothing else to read.
pub fn vouch(codex_home: &Path, cwd: &Path, args: &[&str]) -> Value {
    let home = tempfile::tempdir().expect("temp HOME");
    let claude = tempfile::tempdir().expect("temp CLAUDE_CONFIG_DIR");
    std::fs::create_dir(claude.path().join("projects")).expect("an empty projects folder");
    let out = Command::new(env!("CARGO_BIN_EXE_git-vouch"))
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("CODEX_HOME", codex_home)
        .env("CLAUDE_CONFIG_DIR", claude.path())
        .env("GIT_VOUCH_CACHE_DIR", home.path().join("cache"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("run git-vouch");
    assert!(
        out.status.success(),
        "git-vouch {args:?}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("git-vouch prints JSON")
}

/// The one session git-vouch lists: the mock's figures exactly, named as Codex's, with its
/// sub-agents' usage in it; `show` lists each thread's calls and the files patched.
pub fn check_run(run: &CodexRun) {
    let mut truth = Truth::default();
    for r in &run.responses {
        truth.add(r.input, r.cached, r.output);
    }
    let threads = run.responses.iter().map(|r| r.thread.as_str());
    let mut names: Vec<&str> = threads.collect();
    names.sort_unstable();
    names.dedup();
    check_session(&run.home, &run.repo, truth, names.len() as u64 - 1);
}

fn check_session(home: &Path, cwd: &Path, truth: Truth, subagents: u64) -> Value {
    let doc = vouch(home, cwd, &["sessions", "--json"]);
    let sessions = doc["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 1, "{doc:#}");
    let s = &sessions[0];
    assert_eq!(s["agent"], "codex");
    assert_eq!(s["tokens"], truth.tokens(), "{s:#}");
    assert_eq!(s["assistant_messages"], truth.responses);
    assert_eq!(s["cost_usd"], truth.cost_gpt_5_5());
    assert_eq!(s["models"], serde_json::json!(["gpt-5.5"]));
    assert_eq!(s["subagents"], subagents);
    assert_eq!(s["user_prompts"], 1);
    assert_eq!(doc["warnings"], serde_json::json!([]));
    let id = s["id"].as_str().expect("id");
    let show = vouch(home, cwd, &["show", id, "--json"]);
    assert_eq!(
        show["subagents"].as_array().map(Vec::len),
        Some(subagents as usize)
    );
    let only_claude = vouch(home, cwd, &["sessions", "--json", "--agent", "claude-code"]);
    assert_eq!(only_claude["sessions"], serde_json::json!([]));
    show
}

/// Each recorded fixture, read as its `expected.json` says the mock answered: per session,
/// per sub-agent, calls and files. No CLI needed.
pub fn check_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/codex");
    let mut read = 0;
    for entry in std::fs::read_dir(&root).expect("fixtures/codex") {
        let dir = entry.expect("fixture folder").path();
        let expected: Value = serde_json::from_slice(
            &std::fs::read(dir.join("expected.json")).expect("expected.json"),
        )
        .expect("expected.json is JSON");
        check_fixture(&dir, &expected);
        read += 1;
    }
    assert_eq!(read, 5, "the five recorded and derived fixtures");
}

fn check_fixture(dir: &Path, expected: &Value) {
    let threads = expected["threads"].as_object().expect("threads");
    let mut truth = Truth::default();
    for t in threads.values() {
        for r in t["responses"].as_array().expect("responses") {
            let n = |k: &str| r[k].as_u64().expect("a count");
            truth.add(n("input"), n("cached"), n("output"));
        }
    }
    let subagents = threads.len() as u64 - 1;
    let show = check_session(dir, &std::env::temp_dir(), truth, subagents);
    let calls: Vec<&str> = threads
        .values()
        .flat_map(|t| t["tool_calls"].as_array().expect("tool_calls"))
        .filter_map(Value::as_str)
        .collect();
    let mut shown: Vec<&str> = show["tool_calls"]
        .as_array()
        .expect("tool_calls")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    let mut want = calls.clone();
    want.sort_unstable();
    shown.sort_unstable();
    assert_eq!(shown, want, "{}", dir.display());
    let changed: Vec<&str> = threads
        .values()
        .flat_map(|t| t["file_changes"].as_array().expect("file_changes"))
        .filter_map(|c| c["path"].as_str())
        .collect();
    let files: Vec<&str> = show["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert_eq!(files, changed, "{}", dir.display());
    for sub in show["subagents"].as_array().expect("subagents") {
        let id = sub["agent_id"].as_str().expect("agent_id");
        let t = threads
            .values()
            .find(|t| t["thread_id"] == id)
            .expect("the sub-agent is one of the fixture's threads");
        let mut own = Truth::default();
        for r in t["responses"].as_array().expect("responses") {
            let n = |k: &str| r[k].as_u64().expect("a count");
            own.add(n("input"), n("cached"), n("output"));
        }
        assert_eq!(sub["tokens"], own.tokens());
        assert_eq!(sub["description"], CHILD);
    }
}
