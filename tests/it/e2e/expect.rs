//! A finished run and what git-vouch must report about it: expected token totals and tool
//! counts computed from the usage the mock actually served (its log), plus access to git-vouch's
//! reports, commit records, ledgers and the repository.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use super::cli;
use super::driver::{self, SessionRun, Workdir};
use super::mock::LogEntry;
use super::scenario::{Scenario, Usage, WorkdirIn};

/// A scenario that ran.
pub struct Run {
    pub name: String,
    pub version: String,
    pub wd: Workdir,
    pub sessions: Vec<SessionRun>,
    pub log: Vec<LogEntry>,
    /// The calls the scenario's watcher was handed, in order.
    pub held: Vec<git_vouch::guard::watch::Held>,
}

/// Runs `fixtures/scenarios/<name>.json` with CLI `version`; `None` (skip) when the CLI is not
/// available. Asserts that every session finished cleanly and the script fitted.
pub fn run_scenario(name: &str, version: &'static str) -> Option<Run> {
    let claude = cli::claude(version)?;
    let sc = Scenario::load(name);
    let label = format!("{version}-{name}");
    let wd = if sc.workdir_in == WorkdirIn::Target {
        Workdir::in_target(&label)
    } else {
        Workdir::new(&label)
    };
    let (sessions, log, held) = driver::run(&wd, &sc, &claude, name);
    let run = Run {
        name: name.to_owned(),
        version: version.to_owned(),
        wd,
        sessions,
        log,
        held,
    };
    run.assert_clean();
    Some(run)
}

impl Run {
    /// Every session exited 0 in time, no request fell off the script, nothing left loopback.
    pub fn assert_clean(&self) {
        let ctx = self.context();
        for s in &self.sessions {
            assert!(
                s.status == Some(0) && !s.timed_out,
                "{ctx}: {} exited {:?} (timed out: {}): {}",
                s.label,
                s.status,
                s.timed_out,
                s.stderr
            );
            assert!(
                s.session_id.is_some(),
                "{ctx}: {} has no session id",
                s.label
            );
        }
        for e in &self.log {
            let d = e.decision.as_ref();
            assert!(
                !d.is_some_and(|d| d.exhausted),
                "{ctx}: request {} ran past the script: {d:?}",
                e.seq
            );
            assert!(
                e.kind != "connect" && e.note != "unhandled endpoint",
                "{ctx}: unexpected request {} {} ({})",
                e.method,
                e.target,
                e.kind
            );
        }
    }

    /// Names the run in assertion messages.
    pub fn context(&self) -> String {
        format!(
            "{} on CLI {} ({})",
            self.name,
            self.version,
            self.wd.root.display()
        )
    }

    /// The id of session `n` (1-based, in scenario order).
    pub fn id(&self, n: usize) -> String {
        self.sessions[n - 1].session_id.clone().expect("session id")
    }

    /// Responses the mock served from the script (not side requests, not errors).
    pub fn served(&self) -> impl Iterator<Item = &LogEntry> {
        self.log
            .iter()
            .filter(|e| e.kind == "messages" && e.status == 200)
    }

    /// Sum of the scripted usage served to `session` (threads starting with `thread`, if given).
    pub fn tokens(&self, session: &str, thread: Option<&str>) -> Usage {
        let mut sum = Usage::default();
        for e in self.served() {
            let on_thread =
                thread.is_none_or(|t| e.decision.as_ref().is_some_and(|d| d.thread.starts_with(t)));
            if e.session_id.as_deref() == Some(session) && on_thread {
                sum.add(&e.usage.unwrap_or_default());
            }
        }
        sum
    }

    /// Tool calls served to `session`, by tool name.
    pub fn tools(&self, session: &str) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for e in self
            .served()
            .filter(|e| e.session_id.as_deref() == Some(session))
        {
            for t in &e.tools {
                *out.entry(t.clone()).or_insert(0) += 1;
            }
        }
        out
    }

    /// git-vouch with this run's environment, in the repository.
    pub fn vouch_output(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_git-vouch"))
            .args(args)
            .current_dir(&self.wd.repo)
            .env_clear()
            .env("PATH", driver::path_with_vouch())
            .env("HOME", &self.wd.home)
            .env("CLAUDE_CONFIG_DIR", &self.wd.config)
            .env("GIT_VOUCH_CACHE_DIR", self.wd.root.join("cache"))
            .env("NO_COLOR", "1")
            .env("TZ", "UTC")
            .output()
            .expect("run git-vouch")
    }

    /// git-vouch's JSON output for `args` (asserting success).
    pub fn vouch(&self, args: &[&str]) -> Value {
        let out = self.vouch_output(args);
        assert!(
            out.status.success(),
            "{}: git vouch {args:?} failed: {}",
            self.context(),
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("git-vouch JSON")
    }

    pub fn show(&self, session: &str) -> Value {
        self.vouch(&["show", session, "--json"])
    }

    /// The state folder, `<git-dir>/vouch`.
    pub fn state(&self) -> PathBuf {
        self.wd.repo.join(".git/vouch")
    }

    /// `commits/<sha>.json`.
    pub fn commit_record(&self, sha: &str) -> Value {
        let path = self.state().join(format!("commits/{sha}.json"));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {}: {e}", self.context(), path.display()));
        serde_json::from_str(&text).expect("commit record JSON")
    }

    /// The lines of a JSONL file under the state folder (empty when missing).
    pub fn ledger(&self, rel: &str) -> Vec<Value> {
        read_jsonl(&self.state().join(rel))
    }

    /// (full sha, subject) of the commits on HEAD, oldest first.
    pub fn commits(&self) -> Vec<(String, String)> {
        self.wd
            .git(&["log", "--reverse", "--format=%H %s"])
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect()
    }

    /// The sha of the commit with this subject.
    pub fn commit(&self, subject: &str) -> String {
        self.commits()
            .into_iter()
            .find(|(_, s)| s == subject)
            .unwrap_or_else(|| panic!("{}: no commit {subject:?}", self.context()))
            .0
    }

    /// The `Vouch-Session` trailer values of a commit.
    pub fn trailers(&self, sha: &str) -> Vec<String> {
        self.wd
            .git(&["log", "-1", "--format=%B", sha])
            .lines()
            .filter_map(|l| l.strip_prefix("Vouch-Session:"))
            .map(|v| v.trim().to_owned())
            .collect()
    }
}

pub fn read_jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// Asserts that a git-vouch token object equals the expected usage exactly.
pub fn assert_tokens(got: &Value, want: &Usage, what: &str) {
    let n = |k: &str| got[k].as_u64().unwrap_or(0);
    let have = Usage {
        input: n("input"),
        output: n("output"),
        cache_write_5m: n("cache_write_5m"),
        cache_write_1h: n("cache_write_1h"),
        cache_read: n("cache_read"),
    };
    assert_eq!(&have, want, "{what}: tokens {got}");
    assert_eq!(n("total"), want.total(), "{what}: total");
}

/// `tools[]` of a show document as name → calls.
pub fn tool_histogram(show: &Value) -> BTreeMap<String, u64> {
    show["tools"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            (
                t["name"].as_str().unwrap_or("").to_owned(),
                t["calls"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}
