//! Runs a scenario: makes `WORKDIR/{repo,home,tmp}`, a git repository with a fixed identity,
//! optionally `git vouch init` and a bare remote, starts the mock API, and runs each CLI session
//! (`claude -p … --output-format stream-json`) with an isolated HOME and CLAUDE_CONFIG_DIR and a
//! whitelisted environment in which the only reachable endpoint is the mock on loopback (the
//! proxy variables point at the mock too, so any other connection attempt is logged and refused).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use git_vouch::guard::watch::{self, Held, Reply, Watcher};

use super::mock::{LogEntry, Mock};
use super::scenario::{Scenario, substitute};

/// A work folder: `repo/` (or another name), `home/` (HOME, with `home/.claude` as
/// CLAUDE_CONFIG_DIR), `tmp/`. Removed when dropped, unless a test is failing (then kept and
/// printed) or `E2E_KEEP=1`.
pub struct Workdir {
    pub root: PathBuf,
    pub repo: PathBuf,
    pub home: PathBuf,
    pub config: PathBuf,
    tmp: Option<tempfile::TempDir>,
}

impl Workdir {
    pub fn new(label: &str) -> Self {
        Self::with_repo(label, "repo")
    }

    /// A work folder whose repository folder is `WORKDIR/<repo>`.
    pub fn with_repo(label: &str, repo: &str) -> Self {
        Self::make(label, repo, None)
    }

    /// A work folder in `target/tmp` (`CARGO_TARGET_TMPDIR`), not in a temporary folder.
    pub fn in_target(label: &str) -> Self {
        let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
        std::fs::create_dir_all(base).expect("create CARGO_TARGET_TMPDIR");
        Self::make(label, "repo", Some(base))
    }

    fn make(label: &str, repo: &str, base: Option<&Path>) -> Self {
        let prefix = format!("git-vouch-e2e-{label}-");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix);
        let tmp = match base {
            Some(base) => builder.tempdir_in(base),
            None => builder.tempdir(),
        }
        .expect("temp workdir");
        let root = tmp.path().canonicalize().expect("canonical workdir");
        let home = root.join("home");
        for dir in [root.join(repo), home.join(".claude"), root.join("tmp")] {
            std::fs::create_dir_all(dir).expect("create workdir folders");
        }
        Self {
            repo: root.join(repo),
            config: home.join(".claude"),
            home,
            root,
            tmp: Some(tmp),
        }
    }

    /// git with the fixed identity and no system or global configuration, in the scenario's
    /// own environment (nothing of the caller's but what [`base_env`] passes on).
    pub fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(&self.repo)
            .env_clear()
            .envs(base_env(self))
            .output()
            .expect("run git");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
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

/// PATH with the git-vouch binary's folder first (the installed hooks call `git-vouch`).
pub fn path_with_vouch() -> std::ffi::OsString {
    let bin = Path::new(env!("CARGO_BIN_EXE_git-vouch"));
    let mut dirs = vec![bin.parent().expect("bin dir").to_path_buf()];
    if let Some(p) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&p));
    }
    std::env::join_paths(dirs).expect("join PATH")
}

/// What one CLI session did.
#[derive(Debug, Clone)]
pub struct SessionRun {
    pub label: String,
    pub status: Option<i32>,
    pub timed_out: bool,
    pub session_id: Option<String>,
    pub stderr: String,
}

/// Creates the repository: the initial commit, the bare remote, `git vouch init`.
pub fn prepare(wd: &Workdir, sc: &Scenario) {
    wd.git(&["init", "-q", "-b", "main"]);
    wd.git(&["config", "user.name", "E2E Harness"]);
    wd.git(&["config", "user.email", "harness@example.invalid"]);
    wd.git(&["config", "commit.gpgsign", "false"]);
    let mut files = sc.repo_files.clone();
    if files.is_empty() {
        files.insert("README.md".into(), "# scenario repo\n".into());
    }
    for (rel, text) in &files {
        let path = wd.repo.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write repo file");
    }
    wd.git(&["add", "-A"]);
    wd.git(&["commit", "-q", "-m", "Initial commit"]);
    for (rel, text) in &sc.workdir_files {
        let path = wd.root.join(rel);
        assert!(path.starts_with(&wd.root) && !rel.contains(".."), "{rel}");
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write a work folder file");
    }
    if sc.remote {
        let bare = wd.root.join("remote.git");
        wd.git(&[
            "init",
            "-q",
            "--bare",
            "-b",
            "main",
            bare.to_str().expect("utf-8"),
        ]);
        wd.git(&["remote", "add", "origin", bare.to_str().expect("utf-8")]);
        wd.git(&["push", "-q", "-u", "origin", "main"]);
    }
    if sc.vouch_init {
        let out = Command::new(env!("CARGO_BIN_EXE_git-vouch"))
            .arg("init")
            .current_dir(&wd.repo)
            .env_clear()
            .envs(base_env(wd))
            .output()
            .expect("run git-vouch init");
        assert!(
            out.status.success(),
            "git vouch init failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        wd.git(&["add", "-A"]);
        wd.git(&["commit", "-q", "-m", "Install git-vouch hooks"]);
    }
    for (key, value) in &sc.git_config {
        wd.git(&["config", key, value]);
    }
    if sc.vouch_keygen {
        let out = Command::new(env!("CARGO_BIN_EXE_git-vouch"))
            .arg("keygen")
            .current_dir(&wd.repo)
            .env_clear()
            .envs(base_env(wd))
            .output()
            .expect("run git-vouch keygen");
        assert!(out.status.success(), "git vouch keygen failed");
    }
}

/// The environment every process of a run gets (a whitelist).
fn base_env(wd: &Workdir) -> BTreeMap<String, std::ffi::OsString> {
    let mut env = BTreeMap::new();
    for k in ["LANG", "LC_ALL", "TERM", "TZ"] {
        if let Some(v) = std::env::var_os(k) {
            env.insert(k.to_owned(), v);
        }
    }
    env.insert("PATH".into(), path_with_vouch());
    env.insert("HOME".into(), wd.home.clone().into());
    env.insert("CLAUDE_CONFIG_DIR".into(), wd.config.clone().into());
    env.insert("GIT_CONFIG_NOSYSTEM".into(), "1".into());
    env
}

/// The CLI's environment, as the shared harness notes prescribe.
fn cli_env(wd: &Workdir, base_url: &str) -> BTreeMap<String, std::ffi::OsString> {
    let mut env = base_env(wd);
    for (k, v) in [
        ("ANTHROPIC_API_KEY", "sk-ant-test-dummy"),
        ("ANTHROPIC_BASE_URL", base_url),
        ("DISABLE_TELEMETRY", "1"),
        ("DISABLE_ERROR_REPORTING", "1"),
        ("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"),
        ("DISABLE_AUTOUPDATER", "1"),
        ("IS_SANDBOX", "1"),
        ("CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL", "1"),
        ("HTTPS_PROXY", base_url),
        ("HTTP_PROXY", base_url),
        ("https_proxy", base_url),
        ("http_proxy", base_url),
        ("NO_PROXY", "127.0.0.1,localhost,::1"),
        ("no_proxy", "127.0.0.1,localhost,::1"),
    ] {
        env.insert(k.to_owned(), v.into());
    }
    env.insert("CLAUDE_CODE_TMPDIR".into(), wd.root.join("tmp").into());
    env
}

fn timeout() -> Duration {
    let secs = std::env::var("GIT_VOUCH_E2E_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(180);
    Duration::from_secs(secs)
}

/// Runs the scenario's sessions in `wd` (prepared first when its repo has no commit yet), with
/// its watcher attached when it has one. Returns the sessions, the mock's log and the calls the
/// watcher was handed. `label` prefixes the output files.
pub fn run(
    wd: &Workdir,
    sc: &Scenario,
    claude: &Path,
    label: &str,
) -> (Vec<SessionRun>, Vec<LogEntry>, Vec<Held>) {
    if !wd.repo.join(".git").exists() {
        prepare(wd, sc);
    }
    let watcher = (!sc.watcher.is_empty()).then(|| ScriptedWatcher::start(wd, sc));
    let (sessions, log) = run_sessions(wd, sc, claude, label);
    let held = watcher.map(ScriptedWatcher::stop).unwrap_or_default();
    (sessions, log, held)
}

/// The scenario's watcher: answers held calls in order on the repository's socket, keeping what
/// it was handed.
struct ScriptedWatcher {
    socket: PathBuf,
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Vec<Held>>,
}

impl ScriptedWatcher {
    fn start(wd: &Workdir, sc: &Scenario) -> Self {
        let socket = watch::socket_path(&wd.repo.join(".git/vouch"));
        let watcher = Watcher::bind(&socket).expect("bind the scenario's watcher");
        let stop = Arc::new(AtomicBool::new(false));
        let answers = sc.watcher.clone();
        let stopped = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut held = Vec::new();
            for scripted in answers {
                let incoming = loop {
                    match watcher.accept() {
                        _ if stopped.load(Ordering::Relaxed) => return held,
                        Ok(incoming) => break incoming,
                        Err(_) => {}
                    }
                };
                held.push(incoming.held.clone());
                let reply = Reply {
                    answer: scripted.answer,
                    reason: scripted.reason.clone(),
                    by: "e2e watcher".to_owned(),
                };
                let _ = incoming.answer(&reply);
            }
            held
        });
        Self {
            socket,
            stop,
            thread,
        }
    }

    /// Stops listening (waking a pending accept) and returns the calls it was handed.
    fn stop(self) -> Vec<Held> {
        self.stop.store(true, Ordering::Relaxed);
        if let Ok(mut wake) = std::os::unix::net::UnixStream::connect(&self.socket) {
            let _ = std::io::Write::write_all(&mut wake, b"\n");
        }
        self.thread.join().expect("the scenario's watcher")
    }
}

fn run_sessions(
    wd: &Workdir,
    sc: &Scenario,
    claude: &Path,
    label: &str,
) -> (Vec<SessionRun>, Vec<LogEntry>) {
    let repo = wd.repo.to_str().expect("utf-8 repo path").to_owned();
    let mut vars = BTreeMap::from([
        ("cwd".to_owned(), repo.clone()),
        ("repo".to_owned(), repo),
        ("workdir".to_owned(), wd.root.to_string_lossy().into_owned()),
    ]);
    let mock = Mock::start(
        sc.clone(),
        vars.clone(),
        &wd.root.join(format!("{label}.mock.jsonl")),
    );
    let env = cli_env(wd, &mock.base_url());
    let mut results: Vec<SessionRun> = Vec::new();
    let mut i = 0;
    while i < sc.sessions.len() {
        let mut end = i + 1;
        while sc.sessions[i].parallel && end < sc.sessions.len() && sc.sessions[end].parallel {
            end += 1;
        }
        let group: Vec<usize> = (i..end).collect();
        let mut children: Vec<(usize, Child, Instant)> = Vec::new();
        for &n in &group {
            let spec = &sc.sessions[n];
            let args: Vec<String> = spec.args.iter().map(|a| substitute(a, &vars)).collect();
            let name = format!("{label}-session-{}", n + 1);
            let mut cmd = if sc.recorder {
                let mut c = Command::new(env!("CARGO_BIN_EXE_git-vouch"));
                // The store is the repository's, where `show` finds it.
                c.args(["record", "--upstream", &mock.base_url(), "--"])
                    .arg(claude);
                c
            } else {
                Command::new(claude)
            };
            cmd.args(["-p", &spec.prompt, "--output-format", "stream-json"])
                .args(["--verbose", "--model", &sc.model])
                .arg("--dangerously-skip-permissions")
                .args(&args)
                .current_dir(&wd.repo)
                .env_clear()
                .envs(&env)
                .envs(&spec.env)
                .stdin(Stdio::null())
                .stdout(file(&wd.root.join(format!("{name}.stream.jsonl"))))
                .stderr(file(&wd.root.join(format!("{name}.stderr"))));
            let child = cmd.spawn().expect("start the Claude Code CLI");
            children.push((n, child, Instant::now()));
        }
        for (n, mut child, started) in children {
            let name = format!("{label}-session-{}", n + 1);
            let (status, timed_out) = wait(&mut child, started);
            let stream = std::fs::read_to_string(wd.root.join(format!("{name}.stream.jsonl")))
                .unwrap_or_default();
            let session_id = session_id_of(&stream);
            if let Some(id) = &session_id {
                vars.insert(format!("session_{}", n + 1), id.clone());
            }
            results.push(SessionRun {
                label: name.clone(),
                status,
                timed_out,
                session_id,
                stderr: std::fs::read_to_string(wd.root.join(format!("{name}.stderr")))
                    .unwrap_or_default(),
            });
        }
        i += group.len();
    }
    (results, mock.log())
}

fn file(path: &Path) -> std::fs::File {
    std::fs::File::create(path).expect("create an output file")
}

fn wait(child: &mut Child, started: Instant) -> (Option<i32>, bool) {
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return (status.code(), false);
        }
        if started.elapsed() > timeout() {
            let _ = child.kill();
            let _ = child.wait();
            return (None, true);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The session id from `system/init` or the final `result` line of stream-json output.
fn session_id_of(stream: &str) -> Option<String> {
    let mut id = None;
    for line in stream.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let init = v["type"] == "system" && v["subtype"] == "init";
        if (init || v["type"] == "result")
            && let Some(s) = v["session_id"].as_str()
        {
            id = Some(s.to_owned());
        }
    }
    id
}
