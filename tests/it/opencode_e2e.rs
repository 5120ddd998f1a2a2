//! End to end with the real opencode CLI: `opencode run --format json --auto` run against a
//! scripted mock of the Chat Completions API on loopback (the project's `opencode.json` points
//! an `@ai-sdk/openai-compatible` provider at it), in a fresh repository with one commit, with
//! a temporary HOME and every XDG folder inside it (never the real `~/.local/share/opencode` or
//! `~/.config/opencode`); then the database it wrote (`$XDG_DATA_HOME/opencode/opencode.db`,
//! opened read-only) is checked against what the mock served, exactly: per session, every
//! assistant message's tokens under opencode's disjoint mapping and its cost, the session
//! totals, the child session's `parent_id`, the tool calls, the files and the commit.
//!
//! The CLI (`opencode-ai@1.18.33`, 354 MB) is installed with npm into
//! `target/agents/opencode/1.18.33` when missing. Without npm or the CLI the tests skip with a
//! message; under `CI=true` they fail instead. At start-up opencode npm-installs its plugin
//! packages into the config folder; the npm cache it uses (`npm_config_cache`) is
//! `target/agents/opencode/npm-cache`, shared by every run, so only the first fetches. The runs
//! do not depend on it: with the registry unreachable they complete the same.
//!
//! Scenarios are in `opencode_e2e/scenario.rs`. Work folders are made in `target/tmp` and hold
//! `repo/` (its `opencode.json` is kept out of git by `.git/info/exclude`), `home/` (HOME;
//! `XDG_DATA_HOME=home/.local/share`, `XDG_CONFIG_HOME=home/.config`,
//! `XDG_CACHE_HOME=home/.cache`, `XDG_STATE_HOME=home/.local/state`), `tmp/` (TMPDIR) and the
//! logs: `<scenario>.mock.jsonl` (every request: session, thread, body digest, decision, usage
//! served), `<scenario>.tools.<thread>.json` (the tools the CLI offered that thread),
//! `<scenario>.stdout.jsonl` (`--format json` events) and `<scenario>.stderr.txt`.
//!
//! Environment: `E2E_KEEP=1` keeps every work folder (a failing test always keeps its own and
//! prints where); `E2E_LOG_BODIES=1` adds the request bodies to the mock's log;
//! `GIT_VOUCH_E2E_TIMEOUT` is the limit per CLI run in seconds (default 300: the first run may
//! be slow while opencode fills the npm cache).
//!
//! Recording the fixtures (after an opencode update; see `opencode_e2e/record.rs`):
//!
//! ```sh
//! GIT_VOUCH_RECORD=opencode cargo test -j2 --offline --test it opencode_e2e::record_opencode_fixtures -- --nocapture
//! ```
//!
//! writes `fixtures/opencode/v1.18.33-<scenario>/` (`opencode/opencode.db`, the CLI's database
//! as a clean single file with machine paths replaced by `/home/dev/…`, plus `expected.json`:
//! what the mock served per session), then derives `fixtures/opencode/legacy-json/` (the same
//! sessions in the JSON storage of opencode < 1.2; see `opencode_e2e/derive.rs`).
//! `GIT_VOUCH_RECORD=opencode-derived` re-derives only that, from the recorded fixtures,
//! without the CLI. The derivation is deterministic: `derived_fixtures_are_reproducible`
//! checks the files on disk against it.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

mod capture;
mod checks;
mod cli;
mod derive;
mod mock;
mod record;
mod scenario;
mod store;
mod vouch;

use scenario::Scenario;
use store::Store;

/// One completion the mock served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptedUsage {
    /// The chunks' `id` (`chatcmpl-<scenario>-<thread>-<n>`, `chatcmpl-<scenario>-side-<n>`);
    /// opencode does not store it: its assistant message gets its own id.
    pub completion_id: String,
    /// `main`, `child`.
    pub thread: String,
    /// The request's `x-session-id` (opencode's session id).
    pub session_id: String,
    /// A request without tools (the title): answered, not stored by opencode.
    pub side: bool,
    /// `prompt_tokens` (cached included).
    pub input: u64,
    /// `prompt_tokens_details.cached_tokens` (⊂ `input`).
    pub cached: u64,
    /// `completion_tokens` (reasoning included).
    pub output: u64,
    /// `completion_tokens_details.reasoning_tokens` (⊂ `output`).
    pub reasoning: u64,
}

/// A scenario that ran. The work folder is removed when this is dropped, unless a test is
/// failing (then kept and printed) or `E2E_KEEP=1`.
pub struct OpencodeRun {
    /// HOME (`<work folder>/home`).
    pub home: PathBuf,
    /// opencode's data folder (`<home>/.local/share/opencode`, holding `opencode.db`).
    pub data_dir: PathBuf,
    /// The repository the CLI ran in.
    pub repo: PathBuf,
    /// Every completion the mock served, in the order sent (scripted ones and side calls).
    pub responses: Vec<ScriptedUsage>,
    /// Every request the mock got.
    pub requests: Vec<mock::LogEntry>,
    /// The work folder.
    pub root: PathBuf,
    /// The scenario's name.
    pub name: String,
    wd: Workdir,
}

/// A work folder in `target/tmp`: `repo/`, `home/` (HOME, XDG folders inside), `tmp/`.
struct Workdir {
    root: PathBuf,
    tmp: Option<tempfile::TempDir>,
}

impl Workdir {
    fn new(label: &str) -> Self {
        let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
        std::fs::create_dir_all(base).expect("create CARGO_TARGET_TMPDIR");
        let tmp = tempfile::Builder::new()
            .prefix(&format!("git-vouch-opencode-{label}-"))
            .tempdir_in(base)
            .expect("temp workdir");
        let root = tmp.path().canonicalize().expect("canonical workdir");
        for dir in ["repo", "home", "tmp"] {
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

    fn home(&self) -> PathBuf {
        self.root.join("home")
    }

    fn git(&self, args: &[&str]) -> String {
        git(&self.repo(), &self.home(), args)
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
        .unwrap_or(300);
    Duration::from_secs(secs)
}

/// A fresh repository with a fixed identity and one commit (opencode's project id is the root
/// commit).
fn prepare_repo(wd: &Workdir) {
    wd.git(&["init", "-q", "-b", "main"]);
    wd.git(&["config", "user.name", "E2E Harness"]);
    wd.git(&["config", "user.email", "harness@example.invalid"]);
    wd.git(&["config", "commit.gpgsign", "false"]);
    std::fs::write(wd.repo().join("README.md"), "# scenario repo\n").expect("write README");
    wd.git(&["add", "-A"]);
    wd.git(&["commit", "-q", "-m", "Initial commit"]);
}

/// The project's `opencode.json`: the mock as an `@ai-sdk/openai-compatible` provider, its
/// model priced (so opencode stores a cost), and kept out of git (`.git/info/exclude`) so the
/// agent's `git add -A` does not commit it.
fn write_config(repo: &Path, base_url: &str) {
    let config = serde_json::json!({
        "$schema": "https://opencode.ai/config.json",
        "model": format!("{}/{}", scenario::PROVIDER, scenario::MODEL),
        "provider": {scenario::PROVIDER: {
            "npm": "@ai-sdk/openai-compatible",
            "name": "Mock",
            "options": {"baseURL": base_url, "apiKey": "dummy"},
            "models": {scenario::MODEL: {
                "name": "Mock Model",
                "cost": {"input": scenario::PRICE_INPUT, "output": scenario::PRICE_OUTPUT,
                    "cache_read": scenario::PRICE_CACHE_READ,
                    "cache_write": scenario::PRICE_CACHE_WRITE},
            }},
        }},
    });
    let text = serde_json::to_string_pretty(&config).expect("json") + "\n";
    std::fs::write(repo.join("opencode.json"), text).expect("write opencode.json");
    let exclude = repo.join(".git/info/exclude");
    let mut ignored = std::fs::read_to_string(&exclude).unwrap_or_default();
    ignored.push_str("opencode.json\n");
    std::fs::write(exclude, ignored).expect("write .git/info/exclude");
}

/// The environment every opencode process gets (nothing else from ours but PATH and locale):
/// HOME and the XDG folders in the work folder, no update check, no models.dev fetch, the
/// shared npm cache.
fn opencode_env(cmd: &mut Command, home: &Path, tmp: &Path) {
    cmd.env_clear()
        .env("PATH", crate::codex_e2e::path_with_git_vouch())
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("XDG_STATE_HOME", home.join(".local/state"))
        .env("TMPDIR", tmp)
        .env("OPENCODE_DISABLE_AUTOUPDATE", "1")
        .env("OPENCODE_DISABLE_MODELS_FETCH", "1")
        .env("npm_config_cache", cli::npm_cache())
        .env("npm_config_update_notifier", "false")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    for k in ["LANG", "LC_ALL", "TZ"] {
        if let Some(v) = std::env::var_os(k) {
            cmd.env(k, v);
        }
    }
}

/// `opencode run --format json --auto <prompt>` in the repository; stdout and stderr go to
/// the work folder. Returns its exit status (`None`: killed after the timeout) and how long it
/// took.
fn run_opencode(wd: &Workdir, sc: &Scenario, bin: &Path) -> (Option<ExitStatus>, Duration) {
    let name = sc.name;
    let mut cmd = Command::new(bin);
    cmd.args(["run", "--format", "json", "--auto", sc.prompt])
        .current_dir(wd.repo());
    opencode_env(&mut cmd, &wd.home(), &wd.root.join("tmp"));
    cmd.stdin(Stdio::null())
        .stdout(
            std::fs::File::create(wd.root.join(format!("{name}.stdout.jsonl"))).expect("stdout"),
        )
        .stderr(std::fs::File::create(wd.root.join(format!("{name}.stderr.txt"))).expect("stderr"));
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let started = Instant::now();
    let mut child = cmd.spawn().expect("start opencode");
    loop {
        if let Some(status) = child.try_wait().expect("wait for opencode") {
            return (Some(status), started.elapsed());
        }
        if started.elapsed() > timeout() {
            // Tools run as the CLI's children: end the whole group.
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
/// no request past it and none the mock does not serve.
pub fn run_scenario(name: &str) -> Option<OpencodeRun> {
    let sc = Scenario::get(name);
    let bin = cli::opencode()?;
    let wd = Workdir::new(name);
    prepare_repo(&wd);
    let log_path = wd.root.join(format!("{name}.mock.jsonl"));
    let mock = mock::Mock::start(&sc, &wd.repo(), &log_path);
    write_config(&wd.repo(), &mock.base_url());
    if name == "capture" {
        capture::install(&wd.root, &wd.repo(), &wd.home());
    }
    let (status, elapsed) = run_opencode(&wd, &sc, &bin);
    let responses = mock.served();
    let requests = mock.log();
    drop(mock);
    eprintln!(
        "opencode_e2e {name}: opencode run took {:.2} s, {} requests, {} completions (work \
         folder {})",
        elapsed.as_secs_f64(),
        requests.len(),
        responses.len(),
        wd.root.display()
    );

    let ctx = format!("{name} (log: {})", log_path.display());
    let stderr = std::fs::read_to_string(wd.root.join(format!("{name}.stderr.txt")));
    assert!(
        status.is_some_and(|s| s.success()),
        "{ctx}: opencode run {} after {:.1} s: {}",
        status.map_or_else(|| "timed out".to_owned(), |s| s.to_string()),
        elapsed.as_secs_f64(),
        stderr.unwrap_or_default()
    );
    for e in &requests {
        assert!(
            e.kind == "completion" || e.kind == "side",
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
        let served = responses
            .iter()
            .filter(|r| !r.side && r.thread == *thread)
            .count();
        assert_eq!(
            served,
            steps.len(),
            "{ctx}: thread {thread} was served {served} of its {} scripted completions",
            steps.len()
        );
    }
    let home = wd.home();
    Some(OpencodeRun {
        data_dir: home.join(".local/share/opencode"),
        home,
        repo: wd.repo(),
        responses,
        requests,
        root: wd.root.clone(),
        name: name.to_owned(),
        wd,
    })
}

impl OpencodeRun {
    /// git in the run's repository.
    pub fn git(&self, args: &[&str]) -> String {
        self.wd.git(args)
    }

    pub fn repo_str(&self) -> &str {
        self.repo.to_str().expect("a UTF-8 repository path")
    }

    /// `XDG_DATA_HOME` as the CLI had it.
    pub fn xdg_data_home(&self) -> PathBuf {
        self.home.join(".local/share")
    }

    /// `opencode.db`.
    pub fn db(&self) -> PathBuf {
        self.data_dir.join("opencode.db")
    }

    /// The database as it is now (read-only).
    pub fn store(&self) -> Store {
        Store::from_db(&self.db())
    }
}

/// Captured by git-vouch's opencode plugin (`git vouch init --agent opencode`): the session
/// recorded, the written file attributed, the guard's denial stopping a deletion outside the
/// repository, the agent's commit naming the session, and `uninstall` deleting the plugin.
#[test]
fn captured_by_its_plugin() {
    if let Some(run) = run_scenario("capture") {
        checks::usage_matches_the_mock(&run);
        capture::check(&run);
    }
}

/// bash, write, edit, and a commit by the agent; one session.
#[test]
fn bash_write_edit_commit() {
    if let Some(run) = run_scenario("bash_write_edit_commit") {
        checks::usage_matches_the_mock(&run);
        checks::bash_write_edit_commit(&run);
        vouch::check_run(&run, &run.xdg_data_home());
    }
}

/// A `task` call: a child session (`parent_id` = the parent) runs the `general` subagent, which
/// writes a file; the parent goes on with its result.
#[test]
fn subagent() {
    if let Some(run) = run_scenario("subagent") {
        checks::usage_matches_the_mock(&run);
        checks::subagent(&run);
        vouch::check_run(&run, &run.xdg_data_home());
    }
}

/// git-vouch reads every recorded database and the derived JSON storage exactly as the mock
/// answered.
#[test]
fn fixtures_are_read_exactly() {
    vouch::check_fixtures();
}

/// The recorded databases and the derived JSON storage hold exactly what their `expected.json`
/// says the mock served (no CLI needed).
#[test]
fn fixtures_match_expected() {
    let root = record::fixtures();
    let mut read = 0;
    for entry in std::fs::read_dir(&root).into_iter().flatten() {
        let dir = entry.expect("a fixture folder").path();
        let Ok(text) = std::fs::read_to_string(dir.join("expected.json")) else {
            continue;
        };
        let expected: serde_json::Value =
            serde_json::from_str(&text).expect("expected.json is JSON");
        let db = dir.join("opencode/opencode.db");
        let store = if db.exists() {
            Store::from_db(&db)
        } else {
            Store::from_legacy(&dir.join("opencode/storage"))
        };
        let threads = expected["threads"].as_object().expect("threads");
        checks::store_matches_expected(&store, threads);
        read += 1;
    }
    if read == 0 {
        assert!(!cli::in_ci(), "fixtures/opencode is not recorded");
        eprintln!("skipping: fixtures/opencode is not recorded (GIT_VOUCH_RECORD=opencode)");
        return;
    }
    assert_eq!(read, 3, "the two recorded fixtures and legacy-json");
}

/// Re-records `fixtures/opencode/*` when `GIT_VOUCH_RECORD=opencode` (or re-derives the legacy
/// JSON fixture only, with `opencode-derived`); does nothing otherwise.
#[test]
fn record_opencode_fixtures() {
    match std::env::var("GIT_VOUCH_RECORD").as_deref() {
        Ok("opencode") => {
            record::record_all();
            derive::write_all();
        }
        Ok("opencode-derived") => derive::write_all(),
        _ => eprintln!("record_opencode_fixtures: set GIT_VOUCH_RECORD=opencode to re-record"),
    }
}

/// The derived fixture on disk is exactly what the derivation makes of the recorded ones.
#[test]
fn derived_fixtures_are_reproducible() {
    derive::check_on_disk();
}
