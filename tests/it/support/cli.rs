//! The one hermetic environment every test runs commands in (jj's `TestEnv`): a cleared
//! environment with a temporary HOME, XDG folders, cache and Claude config, git isolated from
//! the person's configuration with a fixed identity, a fixed clock, no colour, a fixed width and
//! UTC. Also running the real binary in it.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The instant a test environment's clock shows (`GIT_VOUCH_NOW`).
pub const NOW: &str = "2026-11-21T12:00:00Z";

/// The variables that need no temporary folder: the caller's PATH, git without global or system
/// configuration and with a fixed identity, no colour, a fixed width and UTC.
pub fn hermetic_vars() -> Vec<(&'static str, OsString)> {
    vec![
        ("PATH", std::env::var_os("PATH").unwrap_or_default()),
        ("GIT_CONFIG_GLOBAL", "/dev/null".into()),
        ("GIT_CONFIG_NOSYSTEM", "1".into()),
        ("GIT_AUTHOR_NAME", "Dev".into()),
        ("GIT_AUTHOR_EMAIL", "dev@example.com".into()),
        ("GIT_COMMITTER_NAME", "Dev".into()),
        ("GIT_COMMITTER_EMAIL", "dev@example.com".into()),
        ("NO_COLOR", "1".into()),
        ("COLUMNS", "100".into()),
        ("TZ", "UTC".into()),
    ]
}

/// The binary with only [`hermetic_vars`] and the fixed clock, for tests that bring their own
/// HOME, cache and Claude config (a generated corpus, the shared reference data).
pub fn binary() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_git-vouch"));
    cmd.env_clear()
        .envs(hermetic_vars())
        .env("GIT_VOUCH_NOW", NOW);
    cmd
}

/// A temporary environment for one test. Every command made by [`TestEnv::program`] or
/// [`TestEnv::command`] starts from a cleared environment and gets only [`TestEnv::vars`].
pub struct TestEnv {
    pub dir: tempfile::TempDir,
    pub claude_config: PathBuf,
    clock: Option<&'static str>,
    binary_on_path: bool,
    extra: Vec<(&'static str, OsString)>,
}

impl TestEnv {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let claude_config = dir.path().join("claude");
        std::fs::create_dir_all(claude_config.join("projects")).unwrap();
        for sub in ["home", "config"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        Self {
            dir,
            claude_config,
            clock: Some(NOW),
            binary_on_path: false,
            extra: Vec::new(),
        }
    }

    /// The wall clock instead of [`NOW`]: for worlds where git's hooks (which always read the
    /// wall clock) record times that later commands compare with their own.
    #[must_use]
    pub fn wall_clock(mut self) -> Self {
        self.clock = None;
        self
    }

    /// The built binary's folder first on PATH, so `git vouch` and the hooks `git vouch init`
    /// installs find it.
    #[must_use]
    pub fn binary_on_path(mut self) -> Self {
        self.binary_on_path = true;
        self
    }

    /// One more variable for every command (an agent socket, say).
    #[must_use]
    pub fn var(mut self, key: &'static str, value: impl Into<OsString>) -> Self {
        self.extra.push((key, value.into()));
        self
    }

    /// The temporary folder everything lives in.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The temporary HOME.
    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// The `projects/` folder transcripts go in.
    pub fn projects(&self) -> PathBuf {
        self.claude_config.join("projects")
    }

    /// The whole hermetic environment: every other variable is cleared.
    pub fn vars(&self) -> Vec<(&'static str, OsString)> {
        let dir = self.dir.path();
        let mut vars = hermetic_vars();
        if self.binary_on_path {
            let bin_dir = Path::new(env!("CARGO_BIN_EXE_git-vouch")).parent().unwrap();
            let path = std::env::var_os("PATH").unwrap_or_default();
            let paths = std::iter::once(bin_dir.to_path_buf()).chain(std::env::split_paths(&path));
            vars[0].1 = std::env::join_paths(paths).unwrap();
        }
        vars.extend([
            ("HOME", dir.join("home").into()),
            ("CLAUDE_CONFIG_DIR", self.claude_config.clone().into()),
            ("GIT_VOUCH_CACHE_DIR", dir.join("cache").into()),
            ("XDG_CONFIG_HOME", dir.join("config").into()),
            ("XDG_CACHE_HOME", dir.join("xdg-cache").into()),
            ("XDG_DATA_HOME", dir.join("xdg-data").into()),
            ("XDG_STATE_HOME", dir.join("xdg-state").into()),
        ]);
        if let Some(now) = self.clock {
            vars.push(("GIT_VOUCH_NOW", now.into()));
        }
        vars.extend(self.extra.iter().cloned());
        vars
    }

    /// [`TestEnv::vars`] as text, for a shell line (tmux).
    pub fn string_vars(&self) -> Vec<(String, String)> {
        self.vars()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_string_lossy().into_owned()))
            .collect()
    }

    /// `program` (git, ssh-keygen, the binary…) run in `dir` with only this environment.
    pub fn program(&self, program: impl AsRef<OsStr>, dir: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(dir).env_clear().envs(self.vars());
        cmd
    }

    /// A command for the binary with the hermetic environment.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_git-vouch"));
        cmd.args(args).env_clear().envs(self.vars());
        cmd
    }

    /// Runs and returns the output.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Runs `cmd` with stdout connected to a pipe whose reader is already closed, as
    /// `git vouch … | head -0` does.
    pub fn run_into_closed_pipe(mut cmd: Command) -> Output {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        cmd.stdout(writer).stdin(std::process::Stdio::null());
        cmd.output().unwrap()
    }

    /// Runs, asserts success, and parses stdout as JSON.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Writes a transcript file under `projects/`.
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.projects().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }
}

/// Path of a file in the project's fixtures.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}
