//! The sandbox for the install tests: temporary HOME, CLAUDE_CONFIG_DIR and git configuration,
//! a PATH with or without git-vouch, repositories made with the git CLI, and file snapshots.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use crate::support::cli::hermetic_vars;

pub const EVENTS: [&str; 9] = [
    "SessionStart",
    "UserPromptSubmit",
    "PreToolUse",
    "PostToolUse",
    "PostToolUseFailure",
    "SubagentStop",
    "PreCompact",
    "Stop",
    "SessionEnd",
];
pub const GIT_HOOKS: [&str; 4] = ["commit-msg", "post-commit", "post-rewrite", "pre-push"];

/// Settings with tabs, odd key order, a user hook and keys we do not know.
pub const ODD_SETTINGS: &str = "{\n\t\"zeta\": {\"keep\": [1, 2.5, \"x\"]},\n\t\"hooks\": {\n\t\t\
    \"PreToolUse\": [{\"matcher\": \"Bash\", \"hooks\": [{\"type\": \"command\", \"command\": \
    \"./check.sh\"}]}],\n\t\t\"Notification\": [{\"hooks\": [{\"type\": \"command\", \"command\": \
    \"notify-send hi\"}]}]\n\t},\n\t\"alpha\": true,    \"model\": \"opus\"\n}\n";

/// A foreign hook that records its arguments and stdin next to itself.
pub const RECORDING_HOOK: &str =
    "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$0.args\"\ncat > \"$0.stdin\"\nexit 0\n";

pub struct Sandbox {
    _tmp: tempfile::TempDir,
    pub root: PathBuf,
}

impl Sandbox {
    pub fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        for dir in ["home", "config", "bin"] {
            fs::create_dir_all(root.join(dir)).unwrap();
        }
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_git-vouch"), root.join("bin/git-vouch"))
            .unwrap();
        Self { _tmp: tmp, root }
    }

    pub fn config(&self) -> PathBuf {
        self.root.join("config")
    }

    /// PATH for the sandbox: the system's (minus any git-vouch), with ours first if asked.
    pub fn path_var(&self, with_vouch: bool) -> OsString {
        let system = std::env::var_os("PATH").unwrap_or_default();
        let dirs = std::env::split_paths(&system).filter(|d| !d.join("git-vouch").exists());
        let ours = with_vouch.then(|| self.root.join("bin"));
        std::env::join_paths(ours.into_iter().chain(dirs)).unwrap()
    }

    pub fn command(
        &self,
        program: impl AsRef<std::ffi::OsStr>,
        dir: &Path,
        vouch: bool,
    ) -> Command {
        let mut cmd = Command::new(program);
        // The hermetic test environment, with this sandbox's PATH, folders and identity.
        cmd.current_dir(dir)
            .env_clear()
            .envs(hermetic_vars())
            .env("PATH", self.path_var(vouch))
            .env("HOME", self.root.join("home"))
            .env("CLAUDE_CONFIG_DIR", self.config())
            .env("GIT_CEILING_DIRECTORIES", &self.root)
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.com");
        cmd
    }

    pub fn git(&self, dir: &Path, args: &[&str]) {
        let out = self.command("git", dir, false).args(args).output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
    }

    /// A new repository with one commit.
    pub fn repo(&self, name: &str) -> PathBuf {
        let dir = self.root.join(name);
        fs::create_dir_all(&dir).unwrap();
        self.git(&dir, &["init", "-q", "-b", "main"]);
        self.git(&dir, &["commit", "-q", "--allow-empty", "-m", "first"]);
        dir
    }

    pub fn vouch(&self, dir: &Path, args: &[&str]) -> Output {
        self.command(env!("CARGO_BIN_EXE_git-vouch"), dir, true)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    /// Runs git-vouch and expects success; returns stdout.
    pub fn ok(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.vouch(dir, args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    }

    /// Every file under the sandbox with its bytes and mode.
    pub fn snapshot(&self) -> BTreeMap<PathBuf, (Vec<u8>, u32)> {
        let mut out = BTreeMap::new();
        walk(&self.root, &mut out);
        out
    }
}

pub fn walk(dir: &Path, out: &mut BTreeMap<PathBuf, (Vec<u8>, u32)>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let meta = fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() {
            out.insert(path.clone(), (Vec::new(), meta.permissions().mode()));
            walk(&path, out);
        } else if meta.is_file() {
            out.insert(
                path.clone(),
                (fs::read(&path).unwrap(), meta.permissions().mode()),
            );
        }
    }
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn json(path: &Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

pub fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

pub fn write_hook(path: &Path, body: &str, mode: u32) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, body).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// Our entries per event in a settings document.
pub fn ours(doc: &Value, event: &str) -> Vec<Value> {
    doc["hooks"][event]
        .as_array()
        .map(|list| {
            list.iter()
                .filter(|e| e.to_string().contains("git-vouch hook claude"))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

pub fn assert_all_events_installed(doc: &Value) {
    for event in EVENTS {
        let found = ours(doc, event);
        assert_eq!(found.len(), 1, "{event}: {found:?}");
        let tool = event.contains("ToolUse");
        assert_eq!(found[0].get("matcher").is_some(), tool, "{event}");
        if tool {
            assert_eq!(found[0]["matcher"], "*");
        }
    }
}
