//! End to end with the real Google Gemini CLI: `gemini -p` (or, for `/rewind`, the interactive
//! CLI in tmux) run against a scripted mock of the Gemini API on loopback, in a fresh
//! repository, with a temporary HOME (never the real `~/.gemini`); then the session files it
//! wrote (`~/.gemini/tmp/<slug>/chats/…jsonl`) are checked against what the mock served,
//! exactly: per thread (the main session, a subagent's own file), every `gemini` message's
//! `tokens` — the last write of each message `id`, the CLI rewriting a message once its tool
//! calls are done — equal the usage of the response it came from; the tool calls, the diffs,
//! the commit, the subagent's file and the `$rewindTo` the CLI wrote.
//!
//! The CLI (`@google/gemini-cli@0.61.0`, 100 MB) is installed with npm into
//! `target/agents/gemini/0.61.0` when missing. Without npm or the CLI (or tmux, for `rewind`)
//! the tests skip with a message; under `CI=true` they fail instead. Scenarios are in
//! `gemini_e2e/scenario.rs`. Work folders are made in `target/tmp` (`CARGO_TARGET_TMPDIR`) and
//! hold `<scenario>/` (the repository: the CLI names its project folder after it), `home/`
//! (HOME, with `home/.gemini/settings.json`), `tmp/` (TMPDIR) and the logs:
//! `<scenario>.mock.jsonl` (every request: thread, body digest, decision, usage served),
//! `<scenario>.tools.<thread>.json` (the tools the CLI offered each thread),
//! `<scenario>.stdout.json` (`--output-format json`) and `<scenario>.stderr.txt`.
//!
//! Environment: `E2E_KEEP=1` keeps every work folder (a failing test always keeps its own and
//! prints where); `E2E_LOG_BODIES=1` adds the request bodies to the mock's log;
//! `GIT_VOUCH_E2E_TIMEOUT` is the limit per CLI run in seconds (default 180).
//!
//! Recording the fixtures (after a Gemini CLI update; see `gemini_e2e/record.rs`):
//!
//! ```sh
//! GIT_VOUCH_RECORD=gemini cargo test -j2 --offline --test it gemini_e2e::record_gemini_fixtures -- --nocapture
//! ```
//!
//! writes `fixtures/gemini/v0.61.0-<scenario>/gemini/…` (the CLI's own `tmp/<slug>/chats/…`,
//! `projects.json` and `.project_root` files, machine paths replaced by `/home/dev/…`, plus
//! `expected.json`: what the mock served per thread), then derives the formats this CLI does
//! not write by itself (`legacy-json`, `rewind`; see `gemini_e2e/derive.rs`).
//! `GIT_VOUCH_RECORD=gemini-derived` re-derives only those, from the recorded fixtures, without
//! the CLI. The derivation is deterministic: `derived_fixtures_are_reproducible` checks the
//! files on disk against it.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

mod capture;
mod checks;
mod cli;
mod derive;
mod interactive;
mod mock;
mod record;
mod scenario;
mod session;
mod vouch;

use scenario::{Mode, Scenario};

/// One response the mock served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptedUsage {
    /// `responseId` as sent (`resp_<scenario>_<thread>_<n>`). The CLI does not record it.
    pub response_id: String,
    /// `main`, the subagent's name (`generalist`), or `side` (a request without tools, a
    /// `generateContent` or `countTokens` call: not part of any script).
    pub thread: String,
    /// `promptTokenCount` (cached included); the file's `tokens.input`.
    pub input: u64,
    /// `cachedContentTokenCount` (⊂ `input`); `tokens.cached`.
    pub cached: u64,
    /// `candidatesTokenCount` (thoughts not included); `tokens.output`.
    pub output: u64,
    /// `thoughtsTokenCount` (billed as output, outside `output`); `tokens.thoughts`.
    pub thoughts: u64,
    /// `toolUsePromptTokenCount`; `tokens.tool`.
    pub tool: u64,
    /// `totalTokenCount` = input + output + thoughts + tool; `tokens.total`.
    pub total: u64,
    /// Removed again by the scenario's `/rewind`: the CLI's conversation no longer holds it.
    pub rewound: bool,
}

/// A scenario that ran. The work folder is removed when this is dropped, unless a test is
/// failing (then kept and printed) or `E2E_KEEP=1`.
pub struct GeminiRun {
    /// The CLI's HOME (`<work folder>/home`; the CLI's files are in `home/.gemini`).
    pub home: PathBuf,
    /// The repository the CLI ran in (`<work folder>/<scenario>`).
    pub repo: PathBuf,
    /// Every response the mock served, in the order sent (scripted ones and side calls).
    pub responses: Vec<ScriptedUsage>,
    /// The session files written (`home/.gemini/tmp/<slug>/chats/**/*.jsonl`), sorted.
    pub sessions: Vec<PathBuf>,
    /// The work folder.
    pub root: PathBuf,
    /// The scenario's name.
    pub name: String,
    wd: Workdir,
}

/// A work folder in `target/tmp`: `<scenario>/` (the repository), `home/.gemini`, `tmp/`.
struct Workdir {
    root: PathBuf,
    name: String,
    tmp: Option<tempfile::TempDir>,
}

impl Workdir {
    fn new(name: &str) -> Self {
        let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
        std::fs::create_dir_all(base).expect("create CARGO_TARGET_TMPDIR");
        let tmp = tempfile::Builder::new()
            .prefix(&format!("git-vouch-gemini-{name}-"))
            .tempdir_in(base)
            .expect("temp workdir");
        let root = tmp.path().canonicalize().expect("canonical workdir");
        for dir in [name, "home/.gemini", "tmp"] {
            std::fs::create_dir_all(root.join(dir)).expect("create workdir folders");
        }
        Self {
            root,
            name: name.to_owned(),
            tmp: Some(tmp),
        }
    }

    fn repo(&self) -> PathBuf {
        self.root.join(&self.name)
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

/// `~/.gemini/settings.json`: the API-key auth type (with `GOOGLE_GEMINI_BASE_URL` set the CLI
/// would otherwise pick the `gateway` type and exit 41, "Invalid auth method selected"), no
/// update checks, no usage statistics (nothing leaves the machine).
fn write_settings(home: &Path) {
    let settings = serde_json::json!({
        "security": {"auth": {"selectedType": "gemini-api-key"}},
        "general": {"enableAutoUpdate": false, "enableAutoUpdateNotification": false},
        "privacy": {"usageStatisticsEnabled": false},
    });
    std::fs::write(
        home.join(".gemini/settings.json"),
        serde_json::to_string_pretty(&settings).expect("json"),
    )
    .expect("write settings.json");
}

/// The whitelisted environment every CLI run gets: a temporary HOME and TMPDIR, a dummy key,
/// the mock as the API, a trusted workspace (else `--yolo` is downgraded).
fn cli_env(wd: &Workdir, base_url: &str) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = vec![
        (
            "PATH".into(),
            crate::codex_e2e::path_with_git_vouch()
                .to_string_lossy()
                .into_owned(),
        ),
        ("HOME".into(), wd.home().display().to_string()),
        ("TMPDIR".into(), wd.root.join("tmp").display().to_string()),
        ("GEMINI_API_KEY".into(), "dummy".into()),
        ("GOOGLE_GEMINI_BASE_URL".into(), base_url.into()),
        ("GEMINI_CLI_TRUST_WORKSPACE".into(), "true".into()),
        ("GIT_CONFIG_NOSYSTEM".into(), "1".into()),
    ];
    for k in ["LANG", "LC_ALL", "TZ"] {
        if let Ok(v) = std::env::var(k) {
            env.push((k.into(), v));
        }
    }
    env
}

/// `gemini -m gemini-2.5-pro -p <prompt> --yolo --output-format json` in the repository, with
/// [`cli_env`]; stdout and stderr go to the work folder. Returns its exit status (`None`:
/// killed after the timeout) and how long it took.
fn run_prompt(
    wd: &Workdir,
    sc: &Scenario,
    gemini: &Path,
    base_url: &str,
) -> (Option<ExitStatus>, Duration) {
    let name = sc.name;
    let mut cmd = Command::new(gemini);
    cmd.args(["-m", scenario::MODEL, "-p", sc.prompt, "--yolo"])
        .args(["--output-format", "json"])
        .current_dir(wd.repo())
        .env_clear()
        .envs(cli_env(wd, base_url))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(wd.root.join(format!("{name}.stdout.json"))).expect("stdout"))
        .stderr(std::fs::File::create(wd.root.join(format!("{name}.stderr.txt"))).expect("stderr"));
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let started = Instant::now();
    let mut child = cmd.spawn().expect("start gemini");
    loop {
        if let Some(status) = child.try_wait().expect("wait for gemini") {
            return (Some(status), started.elapsed());
        }
        if started.elapsed() > timeout() {
            // The CLI runs shell commands in their own process groups; end its own group.
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

/// Runs scenario `name` with the real CLI: `None` (skip) when the CLI (or, for an interactive
/// scenario, tmux) is not available. Asserts that the CLI exited 0 in time and that every
/// thread's script was played out, with no request past it and none the mock does not serve.
pub fn run_scenario(name: &str) -> Option<GeminiRun> {
    let sc = Scenario::get(name);
    let gemini = cli::gemini()?;
    if sc.mode == Mode::Rewind && !crate::support::tmux::available() {
        return None;
    }
    let wd = Workdir::new(name);
    prepare_repo(&wd);
    write_settings(&wd.home());
    if name == "capture" {
        capture::install(&wd.root, &wd.repo(), &wd.home());
    }
    let log_path = wd.root.join(format!("{name}.mock.jsonl"));
    let mock = mock::Mock::start(&sc, &log_path);
    let base_url = mock.base_url();
    let (ok, detail, elapsed) = match sc.mode {
        Mode::Prompt => {
            let (status, elapsed) = run_prompt(&wd, &sc, &gemini, &base_url);
            let detail = status.map_or_else(|| "timed out".to_owned(), |s| s.to_string());
            let stderr = std::fs::read_to_string(wd.root.join(format!("{name}.stderr.txt")));
            let ok = status.is_some_and(|s| s.success());
            (
                ok,
                format!("{detail}: {}", stderr.unwrap_or_default()),
                elapsed,
            )
        }
        Mode::Rewind => {
            let env = cli_env(&wd, &base_url);
            let (code, elapsed) = interactive::rewind(&wd, &sc, &gemini, &env, &mock);
            (code == 0, format!("exit {code}"), elapsed)
        }
    };
    let responses = mock.served();
    let log = mock.log();
    drop(mock);
    eprintln!(
        "gemini_e2e {name}: the CLI took {:.2} s, {} requests, {} responses (work folder {})",
        elapsed.as_secs_f64(),
        log.len(),
        responses.len(),
        wd.root.display()
    );

    let ctx = format!("{name} (log: {})", log_path.display());
    assert!(
        ok,
        "{ctx}: gemini {detail} after {:.1} s",
        elapsed.as_secs_f64()
    );
    for e in &log {
        assert!(
            e.kind == "stream" || e.kind == "side",
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
    let sessions = session::find(&wd.home().join(".gemini/tmp"));
    Some(GeminiRun {
        home: wd.home(),
        repo: wd.repo(),
        responses,
        sessions,
        root: wd.root.clone(),
        name: name.to_owned(),
        wd,
    })
}

impl GeminiRun {
    /// git in the run's repository.
    pub fn git(&self, args: &[&str]) -> String {
        self.wd.git(args)
    }

    /// `<HOME>/.gemini`.
    pub fn gemini_dir(&self) -> PathBuf {
        self.home.join(".gemini")
    }
}

/// Shell command, write_file, replace, a commit by the agent (its output printed); one session.
#[test]
fn shell_write_commit() {
    if let Some(run) = run_scenario("shell_write_commit") {
        checks::usage_matches_the_mock(&run);
        checks::shell_write_commit(&run);
        vouch::check_git_vouch(&run);
    }
}

/// The main agent calls `invoke_agent` (the `generalist` subagent), which writes a file and
/// finishes with `complete_task`; its own session file sits in `chats/<parent session id>/`.
#[test]
fn subagent() {
    if let Some(run) = run_scenario("subagent") {
        checks::usage_matches_the_mock(&run);
        checks::subagent(&run);
        vouch::check_git_vouch(&run);
    }
}

/// The interactive CLI in tmux: a turn with a shell command, `/rewind` to its prompt, the
/// prompt sent again: the CLI appends `$rewindTo` (and a `$set` emptying `messages`), keeps
/// the rewound messages in the file, and the session then holds only the new turn.
///
/// Ignored by default: it types into the full-screen CLI and waits on its screen, which on a
/// loaded 2-core machine took past its 180 s. Its recording (`fixtures/gemini/v0.61.0-rewind`)
/// is read by `fixtures_are_read_exactly` on every run; `GIT_VOUCH_RECORD=gemini` re-records it.
#[test]
#[ignore = "drives the interactive CLI in tmux: slow and load-sensitive; its recording is tested"]
fn rewind_in_tmux_is_slow_and_load_sensitive() {
    if let Some(run) = run_scenario("rewind") {
        checks::usage_matches_the_mock(&run);
        checks::rewind(&run);
        vouch::check_git_vouch(&run);
    }
}

/// Every fixture's session files, replayed as the CLI loads them, hold exactly the usage its
/// `expected.json` lists, thread by thread. No CLI needed.
#[test]
fn fixtures_match_expected() {
    checks::fixtures_match_expected();
}

/// Captured by git-vouch's hooks in Gemini CLI's settings (`git vouch init --agent gemini`):
/// the session recorded under its events, the written file attributed, the agent's commit
/// naming the session, the guard's denial stopping a deletion outside the repository, and
/// `uninstall` giving the settings back byte for byte.
#[test]
fn captured_by_its_hooks() {
    if let Some(run) = run_scenario("capture") {
        checks::usage_matches_the_mock(&run);
        capture::check(&run);
    }
}

/// git-vouch reads every recorded and derived chat exactly as the mock answered.
#[test]
fn fixtures_are_read_exactly() {
    vouch::check_fixtures();
}

/// Re-records `fixtures/gemini/*` when `GIT_VOUCH_RECORD=gemini` (or re-derives the legacy and
/// rewind fixtures only, with `gemini-derived`); does nothing otherwise.
#[test]
fn record_gemini_fixtures() {
    match std::env::var("GIT_VOUCH_RECORD").as_deref() {
        Ok("gemini") => {
            record::record_all();
            derive::write_all();
        }
        Ok("gemini-derived") => derive::write_all(),
        _ => eprintln!("record_gemini_fixtures: set GIT_VOUCH_RECORD=gemini to re-record"),
    }
}

/// The derived fixtures on disk are exactly what the derivation makes of the recorded ones.
#[test]
fn derived_fixtures_are_reproducible() {
    derive::check_on_disk();
}
