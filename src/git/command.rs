//! Running the `git` CLI: reading config (every level git honours), notes,
//! object lookups, fetch and push. The environment of the child can be pinned, which tests use to
//! keep the user's own configuration and keys out.

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A failed git invocation.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("cannot run `git {args}` in {dir}: {source}")]
    Spawn {
        args: String,
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("`git {args}` in {dir} failed ({status}): {stderr}")]
    Failed {
        args: String,
        dir: PathBuf,
        status: String,
        stderr: String,
    },
}

/// How to run git in one repository.
#[derive(Debug, Clone)]
pub struct Git {
    dir: PathBuf,
    env: Vec<(OsString, OsString)>,
    clear_env: bool,
}

impl Git {
    /// git run in `dir` (a worktree or a git dir), inheriting this process's environment.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            env: Vec::new(),
            clear_env: false,
        }
    }

    /// Sets an environment variable for every git run.
    #[must_use]
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// Starts every git run from an empty environment (plus `PATH` and what [`Git::env`] sets).
    #[must_use]
    pub fn clear_env(mut self) -> Self {
        self.clear_env = true;
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The environment variables set for children (for other programs run on git's behalf).
    pub fn envs(&self) -> &[(OsString, OsString)] {
        &self.env
    }

    /// Whether children start from an empty environment.
    pub fn clears_env(&self) -> bool {
        self.clear_env
    }

    /// A command for `program` with this repository's directory and environment.
    pub fn command_for(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(&self.dir);
        if self.clear_env {
            cmd.env_clear();
            if let Some(path) = std::env::var_os("PATH") {
                cmd.env("PATH", path);
            }
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// Runs `git <args>` with `stdin` (or /dev/null), returning its output whatever the status.
    pub fn output(&self, args: &[&str], stdin: Option<&[u8]>) -> Result<Output, GitError> {
        let mut cmd = self.command_for("git");
        cmd.args(args)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let spawn_err = |source| GitError::Spawn {
            args: args.join(" "),
            dir: self.dir.clone(),
            source,
        };
        let mut child = cmd.spawn().map_err(spawn_err)?;
        if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
            // A child that exits early closes the pipe; its status tells what went wrong.
            let _ = pipe.write_all(bytes);
        }
        child.wait_with_output().map_err(spawn_err)
    }

    /// Runs `git <args>` and returns its stdout; a non-zero exit is an error with git's message.
    pub fn run(&self, args: &[&str], stdin: Option<&[u8]>) -> Result<Vec<u8>, GitError> {
        let out = self.output(args, stdin)?;
        if out.status.success() {
            Ok(out.stdout)
        } else {
            Err(self.failed(args, &out))
        }
    }

    /// The error for a finished, failed run.
    pub fn failed(&self, args: &[&str], out: &Output) -> GitError {
        GitError::Failed {
            args: args.join(" "),
            dir: self.dir.clone(),
            status: out.status.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        }
    }

    /// `git config --get <key>`: `None` when unset (git exits 1 for a missing key).
    pub fn config_get(&self, key: &str) -> Result<Option<String>, GitError> {
        let args = ["config", "--get", key];
        let out = self.output(&args, None)?;
        match out.status.code() {
            Some(0) => Ok(Some(
                String::from_utf8_lossy(&out.stdout)
                    .trim_end_matches(['\n', '\r'])
                    .to_owned(),
            )),
            Some(1) => Ok(None),
            _ => Err(self.failed(&args, &out)),
        }
    }

    /// `git config --get --type=path <key>`: like [`Git::config_get`] with `~/` expanded.
    pub fn config_path(&self, key: &str) -> Result<Option<PathBuf>, GitError> {
        let args = ["config", "--get", "--type=path", key];
        let out = self.output(&args, None)?;
        match out.status.code() {
            Some(0) => Ok(Some(PathBuf::from(
                String::from_utf8_lossy(&out.stdout).trim_end_matches(['\n', '\r']),
            ))),
            Some(1) => Ok(None),
            _ => Err(self.failed(&args, &out)),
        }
    }
}
