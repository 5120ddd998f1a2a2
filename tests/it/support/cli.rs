//! Running the real binary in a hermetic environment: a temporary HOME, cache and config, no
//! colour, a fixed clock and width.

#![allow(clippy::unwrap_used)]

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary environment for one test.
pub struct TestEnv {
    pub dir: tempfile::TempDir,
    pub claude_config: PathBuf,
}

impl TestEnv {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let claude_config = dir.path().join("claude");
        std::fs::create_dir_all(claude_config.join("projects")).unwrap();
        Self { dir, claude_config }
    }

    /// The `projects/` folder transcripts go in.
    pub fn projects(&self) -> PathBuf {
        self.claude_config.join("projects")
    }

    /// The whole hermetic environment: every other variable is cleared. git reads no global or
    /// system configuration.
    pub fn vars(&self) -> Vec<(&'static str, OsString)> {
        let dir = self.dir.path();
        vec![
            ("PATH", std::env::var_os("PATH").unwrap_or_default()),
            ("HOME", dir.join("home").into()),
            ("CLAUDE_CONFIG_DIR", self.claude_config.clone().into()),
            ("GIT_VOUCH_CACHE_DIR", dir.join("cache").into()),
            ("XDG_CONFIG_HOME", dir.join("config").into()),
            ("GIT_CONFIG_GLOBAL", "/dev/null".into()),
            ("GIT_CONFIG_NOSYSTEM", "1".into()),
            ("GIT_VOUCH_NOW", "2026-11-21T12:00:00Z".into()),
            ("NO_COLOR", "1".into()),
            ("COLUMNS", "100".into()),
            ("TZ", "UTC".into()),
        ]
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
