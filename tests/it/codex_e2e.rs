//! End to end with the real OpenAI Codex CLI: `codex exec` run against a scripted mock of the
//! Responses API on loopback, in a fresh repository, with a temporary HOME and CODEX_HOME (never
//! the real `~/.codex`); then the rollout files it wrote are checked against what the mock
//! served, exactly (per thread: every `token_usage_record` keyed by `response_id`, every
//! `token_count`, the `FileChange`s, the subagent's copied prefix), and so is what git-vouch
//! reports of the session (`codex_e2e/vouch.rs`): tokens, cost, sub-agents, calls, files.
//!
//! The CLI (`@openai/codex@0.171.0`, 424 MB) is installed with npm into
//! `target/agents/codex/0.171.0` when missing. Without npm or the CLI the tests skip with a
//! message; under `CI=true` they fail instead. Scenarios are in `codex_e2e/scenario.rs`.
//! Work folders are made in `target/tmp` (`CARGO_TARGET_TMPDIR`: under `/tmp` the CLI refuses
//! to set up its helper binaries) and hold `repo/`, `home/` (HOME), `home/.codex` (CODEX_HOME),
//! `tmp/` (TMPDIR) and the logs: `<scenario>.mock.jsonl` (every request: thread, body digest,
//! decision, usage served), `<scenario>.tools.json` (the tools the CLI offered),
//! `<scenario>.stdout.jsonl` (`exec --json` events) and `<scenario>.stderr.txt`.
//!
//! Environment: `E2E_KEEP=1` keeps every work folder (a failing test always keeps its own and
//! prints where); `E2E_LOG_BODIES=1` adds the request bodies to the mock's log;
//! `GIT_VOUCH_E2E_TIMEOUT` is the limit per CLI run in seconds (default 180).
//!
//! Recording the fixtures (after a Codex update; see `codex_e2e/record.rs`):
//!
//! ```sh
//! GIT_VOUCH_RECORD=codex cargo test -j2 --offline --test it codex_e2e::record_codex_fixtures -- --nocapture
//! ```
//!
//! writes `fixtures/codex/v0.171.0-<scenario>/` (the CLI's own `sessions/YYYY/MM/DD/rollout-*.jsonl`
//! with machine paths replaced by `/home/dev/…`, plus `expected.json`: what the mock served per
//! thread), then derives the formats the current CLI no longer writes (`legacy-token-count`,
//! `legacy-fork`, `compressed`; see `codex_e2e/derive.rs`). `GIT_VOUCH_RECORD=codex-derived`
//! re-derives only those, from the recorded fixtures, without the CLI. The derivation is
//! deterministic: `derived_fixtures_are_reproducible` checks the files on disk against it.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

mod capture;
pub use capture::path_with_git_vouch;
mod checks;
mod cli;
mod derive;
mod mock;
mod record;
mod rollout;
mod scenario;
mod vouch;

use scenario::Scenario;

/// One response the mock served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptedUsage {
    /// `response.id` as sent (`resp_<scenario>_<thread>_<n>`); the rollout's
    /// `token_usage_record.response_id`.
    pub response_id: String,
    /// `main`, or the subagent's `agent_name` (`/root/child_task`).
    pub thread: String,
    /// `input_tokens` (cached included).
    pub input: u64,
    /// `input_tokens_details.cached_tokens` (⊂ `input`).
    pub cached: u64,
    /// `output_tokens` (reasoning included).
    pub output: u64,
    /// `output_tokens_details.reasoning_tokens` (⊂ `output`).
    pub reasoning: u64,
}

/// A scenario that ran. The work folder is removed when this is dropped, unless a test is
/// failing (then kept and printed) or `E2E_KEEP=1`.
pub struct CodexRun {
    /// CODEX_HOME (`<work folder>/home/.codex`).
    pub home: PathBuf,
    /// The repository the CLI ran in.
    pub repo: PathBuf,
    /// Every response the mock served, in the order sent (scripted ones and side calls).
    pub responses: Vec<ScriptedUsage>,
    /// The rollout files written (`home/sessions/YYYY/MM/DD/rollout-*.jsonl`), sorted.
    pub rollouts: Vec<PathBuf>,
    /// The work folder.
    pub root: PathBuf,
    /// The scenario's name.
    pub name: String,
    wd: Workdir,
}

/// A work folder in `target/tmp`: `repo/`, `home/` (HOME), `home/.codex` (CODEX_HOME), `tmp/`.
struct Workdir {
    root: PathBuf,
    tmp: Option<tempfile::TempDir>,
}

impl Workdir {
    fn new(label: &str) -> Self {
        let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
        std::fs::create_dir_all(base).expect("create CARGO_TARGET_TMPDIR");
        let tmp = tempfile::Builder::new()
            .prefix(&format!("git-vouch-codex-{label}-"))
            .tempdir_in(base)
            .expect("temp workdir");
        let root = tmp.path().canonicalize().expect("canonical workdir");
        for dir in ["repo", "home/.codex", "tmp"] {
            std::fs::create_dir_all(root.join(dir)).expect("create workdir folders");
        }
        Self {
            root,
            tmp: Some(tmp),
        }
    }

    fn repo(&self) -> PathBuf {
        self.root.join("repo")
    }

    fn git(&self, args: &[&str]) -> String {
        git(&self.repo(), &self.root.join("home"), args)
    }
}

impl Drop for Workdir {
    fn drop(&mut self) {
        if (std::thread::panicking() || std::env::var("E2E_KEEP").as_deref() == Ok("1"))
            && let Some(tmp) = self.tmp.take()
        {
            eprintln!("work folder kept: {}", tmp.keep().display());
        }
    }
}

/// git in `repo` with HOME = `home` and no system configuration.
fn git(repo: &Path, home: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(repo)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn timeout() -> Duration {
    let secs = std::env::var("GIT_VOUCH_E2E_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(180);
    Duration::from_secs(secs)
}

/// A fresh repository with a fixed identity and one commit.
fn prepare_repo(wd: &Workdir) {
    wd.git(&["init", "-q", "-b", "main"]);
    wd.git(&["config", "user.name", "E2E Harness"]);
    wd.git(&["config", "user.email", "harness@example.invalid"]);
    wd.git(&["config", "commit.gpgsign", "false"]);
    std::fs::write(wd.repo().join("README.md"), "# scenario repo\n").expect("write README");
    wd.git(&["add", "-A"]);
    wd.git(&["commit", "-q", "-m", "Initial commit"]);
}

/// `$CODEX_HOME/config.toml`: gpt-5.5 (classic tools) from the mock, a custom provider (no
/// WebSocket attempt, unlike the built-in one).
fn write_config(codex_home: &Path, base_url: &str) {
    let config = format!(
        "model = \"gpt-5.5\"\nmodel_provider = \"mock\"\n\n[model_providers.mock]\n\
         name = \"Mock\"\nbase_url = \"{base_url}\"\nenv_key = \"MOCK_API_KEY\"\n\
         wire_api = \"responses\"\n"
    );
    std::fs::write(codex_home.join("config.toml"), config).expect("write config.toml");
}

/// `codex exec --dangerously-bypass-approvals-and-sandbox --json <args> <prompt>` in the
/// repository, with a whitelisted environment; stdout and stderr go to the work folder.
/// Returns its exit status (`None`: killed after the timeout) and how long it took.
fn run_codex(wd: &Workdir, sc: &Scenario, codex: &Path) -> (Option<ExitStatus>, Duration) {
    let home = wd.root.join("home");
    let name = sc.name;
    let mut cmd = Command::new(codex);
    cmd.args([
        "exec",
        "--dangerously-bypass-approvals-and-sandbox",
        "--json",
    ])
    .args(&sc.args)
    .arg(sc.prompt)
    .current_dir(wd.repo())
    .env_clear()
    .env("PATH", capture::path_with_git_vouch())
    .env("HOME", &home)
    .env("CODEX_HOME", home.join(".codex"))
    .env("MOCK_API_KEY", "x")
    .env("GIT_VOUCH_CACHE_DIR", wd.root.join("tmp/vouch-cache"))
    .env("TMPDIR", wd.root.join("tmp"))
    .env("GIT_CONFIG_NOSYSTEM", "1")
    .stdin(Stdio::null())
    .stdout(std::fs::File::create(wd.root.join(format!("{name}.stdout.jsonl"))).expect("stdout"))
    .stderr(std::fs::File::create(wd.root.join(format!("{name}.stderr.txt"))).expect("stderr"));
    for k in ["LANG", "LC_ALL", "TERM", "TZ"] {
        if let Some(v) = std::env::var_os(k) {
            cmd.env(k, v);
        }
    }
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let started = Instant::now();
    let mut child = cmd.spawn().expect("start codex");
    loop {
        if let Some(status) = child.try_wait().expect("wait for codex") {
            return (Some(status), started.elapsed());
        }
        if started.elapsed() > timeout() {
            // The npm launcher runs the native binary as its child: end the whole group.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
            let _ = child.wait();
            return (None, started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs scenario `name` with the real CLI: `None` (skip) when the CLI is not available.
/// Asserts that the CLI exited 0 in time and that every thread's script was played out, with
/// no request past it and no request the mock does not serve (a WebSocket attempt, say).
pub fn run_scenario(name: &str) -> Option<CodexRun> {
    let sc = Scenario::get(name);
    let codex = cli::codex()?;
    let wd = Workdir::new(name);
    prepare_repo(&wd);
    let log_path = wd.root.join(format!("{name}.mock.jsonl"));
    let mock = mock::Mock::start(&sc, &log_path);
    let codex_home = wd.root.join("home/.codex");
    write_config(&codex_home, &mock.base_url());
    if sc.capture {
        capture::install(&wd.root, &wd.repo());
    }
    let (status, elapsed) = run_codex(&wd, &sc, &codex);
    let responses = mock.served();
    let log = mock.log();
    drop(mock);
    eprintln!(
        "codex_e2e {name}: codex exec took {:.2} s, {} requests, {} responses (work folder {})",
        elapsed.as_secs_f64(),
        log.len(),
        responses.len(),
        wd.root.display()
    );

    let ctx = format!("{name} (log: {})", log_path.display());
    let stderr = std::fs::read_to_string(wd.root.join(format!("{name}.stderr.txt")));
    assert!(
        status.is_some_and(|s| s.success()),
        "{ctx}: codex exec {} after {:.1} s: {}",
        status.map_or_else(|| "timed out".to_owned(), |s| s.to_string()),
        elapsed.as_secs_f64(),
        stderr.unwrap_or_default()
    );
    for e in &log {
        assert!(
            e.kind == "responses" || e.kind == "side",
            "{ctx}: unexpected request #{} {} {} ({}: {})",
            e.seq,
            e.method,
            e.target,
            e.kind,
            e.note
        );
        assert!(e.note.is_empty(), "{ctx}: request #{}: {}", e.seq, e.note);
    }
    for (thread, steps) in &sc.threads {
        let served = responses.iter().filter(|r| r.thread == *thread).count();
        assert_eq!(
            served,
            steps.len(),
            "{ctx}: thread {thread} was served {served} of its {} scripted responses",
            steps.len()
        );
    }
    let rollouts = rollout::find(&codex_home.join("sessions"));
    Some(CodexRun {
        home: codex_home,
        repo: wd.repo(),
        responses,
        rollouts,
        root: wd.root.clone(),
        name: name.to_owned(),
        wd,
    })
}

impl CodexRun {
    /// git in the run's repository.
    pub fn git(&self, args: &[&str]) -> String {
        self.wd.git(args)
    }
}

/// Shell command, apply_patch add and update, a commit by the agent; one thread.
#[test]
fn shell_patch_commit() {
    if let Some(run) = run_scenario("shell_patch_commit") {
        checks::usage_matches_the_mock(&run);
        checks::shell_patch_commit(&run);
        vouch::check_run(&run);
    }
}

/// A subagent spawned with `spawn_agent` (multi_agent_v2) that applies a patch; the parent
/// waits for it. Two threads, two rollouts.
#[test]
fn subagent() {
    if let Some(run) = run_scenario("subagent") {
        checks::usage_matches_the_mock(&run);
        checks::subagent(&run);
        vouch::check_run(&run);
    }
}

/// Captured by git-vouch's own hooks, which `git vouch init --agent codex` installed and
/// trusted: the session is recorded, the patch's file attributed, the agent's commit carries
/// the session's trailer, the guard's denial stops a deletion outside the repository, and
/// `uninstall` gives Codex's files back byte for byte.
#[test]
fn captured_by_its_hooks() {
    if let Some(run) = run_scenario("capture") {
        checks::usage_matches_the_mock(&run);
        capture::check(&run);
    }
}

/// git-vouch reads every recorded and derived rollout exactly as the mock answered.
#[test]
fn fixtures_are_read_exactly() {
    vouch::check_fixtures();
}

/// Re-records `fixtures/codex/*` when `GIT_VOUCH_RECORD=codex` (or re-derives the legacy and
/// compressed fixtures only, with `codex-derived`); does nothing otherwise.
#[test]
fn record_codex_fixtures() {
    match std::env::var("GIT_VOUCH_RECORD").as_deref() {
        Ok("codex") => {
            record::record_all();
            derive::write_all();
        }
        Ok("codex-derived") => derive::write_all(),
        _ => eprintln!("record_codex_fixtures: set GIT_VOUCH_RECORD=codex to re-record"),
    }
}

/// The derived fixtures on disk are exactly what the derivation makes of the recorded ones.
#[test]
fn derived_fixtures_are_reproducible() {
    derive::check_on_disk();
}
