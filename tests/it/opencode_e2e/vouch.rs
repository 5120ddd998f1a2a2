//! What git-vouch reports of opencode sessions, checked against what the mock answered: the
//! live runs of the real CLI and every recorded or derived fixture (`fixtures/opencode/*`). The
//! cost is the one opencode stored per response (from the prices the scenario configured for its
//! model, which git-vouch's table does not know).

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use super::OpencodeRun;

/// The mock's figures: cached inside input, reasoning inside output.
#[derive(Debug, Default, Clone, Copy)]
struct Truth {
    input: u64,
    cached: u64,
    output: u64,
    responses: u64,
}

impl Truth {
    fn add(&mut self, input: u64, cached: u64, output: u64) {
        self.input += input;
        self.cached += cached;
        self.output += output;
        self.responses += 1;
    }

    fn tokens(self) -> Value {
        json!({"input": self.input - self.cached, "output": self.output, "cache_write_5m": 0,
            "cache_write_1h": 0, "cache_read": self.cached, "total": self.input + self.output})
    }

    /// The scenario's prices ($3 input, $0.30 cached, $15 output per million), as opencode
    /// computed and stored them, in `cost_usd`'s six decimals rounded half up.
    fn cost(self) -> String {
        let picos = (self.input - self.cached) * 3_000_000
            + self.cached * 300_000
            + self.output * 15_000_000;
        let micros = (picos + 500_000) / 1_000_000;
        format!("{}.{:06}", micros / 1_000_000, micros % 1_000_000)
    }
}

/// `git-vouch <args>` reading only the opencode data under `xdg_data/opencode`.
fn vouch(xdg_data: &Path, cwd: &Path, args: &[&str]) -> Value {
    let claude = tempfile::tempdir().expect("temp CLAUDE_CONFIG_DIR");
    std::fs::create_dir(claude.path().join("projects")).expect("an empty projects folder");
    let empty = tempfile::tempdir().expect("temp folder");
    let out = Command::new(env!("CARGO_BIN_EXE_git-vouch"))
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", empty.path())
        .env("XDG_DATA_HOME", xdg_data)
        .env("CLAUDE_CONFIG_DIR", claude.path())
        .env("CODEX_HOME", empty.path())
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

/// The session of the given id: the mock's figures, named as opencode's, with its sub-agent.
fn check_session(doc: &Value, id: &str, truth: Truth, subagents: u64) {
    let s = doc["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("session {id} in {doc:#}"));
    assert_eq!(s["agent"], "opencode");
    assert_eq!(s["tokens"], truth.tokens(), "{s:#}");
    assert_eq!(s["assistant_messages"], truth.responses);
    assert_eq!(s["cost_usd"], truth.cost());
    assert_eq!(s["subagents"], subagents);
    assert_eq!(s["unpriced_models"], json!([]));
}

/// A live run: one session, the figures the mock served (the title request, which opencode
/// does not store, aside).
pub fn check_run(run: &OpencodeRun, xdg_data: &Path) {
    let mut truth = Truth::default();
    for r in run.responses.iter().filter(|r| !r.side) {
        truth.add(r.input, r.cached, r.output);
    }
    let doc = vouch(xdg_data, &run.repo, &["sessions", "--json"]);
    assert_eq!(doc["sessions"].as_array().map(Vec::len), Some(1), "{doc:#}");
    assert_eq!(doc["warnings"], json!([]));
    let root = run
        .responses
        .iter()
        .find(|r| r.thread == "main")
        .map(|r| r.session_id.clone())
        .expect("a main session");
    let children = run.responses.iter().any(|r| r.thread == "child");
    check_session(&doc, &root, truth, u64::from(children));
    let show = vouch(xdg_data, &run.repo, &["show", &root, "--json"]);
    assert_eq!(
        show["subagents"].as_array().map(Vec::len),
        Some(usize::from(children))
    );
}

/// Every fixture: per root session, the figures of its threads as `expected.json` lists them.
pub fn check_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/opencode");
    let mut read = 0;
    for entry in std::fs::read_dir(&root).expect("fixtures/opencode") {
        let dir = entry.expect("a fixture").path();
        let expected: Value =
            serde_json::from_slice(&std::fs::read(dir.join("expected.json")).expect("expected"))
                .expect("JSON");
        let doc = vouch(&dir, &std::env::temp_dir(), &["sessions", "--json"]);
        assert_eq!(doc["warnings"], json!([]), "{}", dir.display());
        let threads = expected["threads"].as_object().expect("threads");
        let roots = threads.values().filter(|t| t["parent_id"].is_null());
        for main in roots {
            let id = main["thread_id"].as_str().expect("thread_id");
            let family = threads
                .values()
                .filter(|t| t["thread_id"] == id || t["parent_id"] == id);
            let mut truth = Truth::default();
            let mut n = 0;
            for t in family {
                n += 1;
                for r in t["responses"].as_array().expect("responses") {
                    let k = |f: &str| r[f].as_u64().expect("a count");
                    truth.add(k("input"), k("cached"), k("output"));
                }
            }
            check_session(&doc, id, truth, n - 1);
        }
        read += 1;
    }
    assert_eq!(read, 3, "the three recorded and derived fixtures");
}
