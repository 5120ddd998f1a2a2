//! A repository wired for the trust path, with real git and keys: the capture hooks, a bare
//! remote, an archived agent session whose edit is pending, and a `git vouch keygen` key listed
//! in an allowed signers file. Commands run in the hermetic test environment (`support/cli.rs`)
//! with the built binary first on PATH.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use git_vouch::capture::state::StateDir;
use git_vouch::git::paths::RepoPaths;

use super::capture;
use super::cli::TestEnv;
use super::shared;

pub const SESSION: &str = "c1aa46c2-c142-4c34-a25d-c6079bf20d5d";

pub struct World {
    sandbox: TestEnv,
    pub root: PathBuf,
}

impl World {
    /// The hermetic environment with the binary on PATH and the wall clock: the hooks record
    /// wall-clock times that `git vouch` compares.
    pub fn new() -> Self {
        Self::in_env(TestEnv::new().binary_on_path().wall_clock())
    }

    /// The same world with the test environment's fixed clock for the commands (the hooks still
    /// read the wall clock).
    pub fn with_fixed_clock() -> Self {
        Self::in_env(TestEnv::new().binary_on_path())
    }

    fn in_env(sandbox: TestEnv) -> Self {
        let root = sandbox.root().to_path_buf();
        std::fs::create_dir_all(root.join("repo")).unwrap();
        Self { sandbox, root }
    }

    /// The environment every command gets (on top of a cleared one).
    pub fn env(&self) -> Vec<(String, String)> {
        self.sandbox.string_vars()
    }

    pub fn cmd(&self, program: &str, dir: &Path, args: &[&str]) -> Command {
        let mut c = self.sandbox.program(program, dir);
        c.args(args).stdin(Stdio::null());
        c
    }

    pub fn run(&self, program: &str, dir: &Path, args: &[&str]) -> Output {
        self.cmd(program, dir, args).output().unwrap()
    }

    pub fn ok(&self, program: &str, dir: &Path, args: &[&str]) -> String {
        let out = self.run(program, dir, args);
        assert!(
            out.status.success(),
            "{program} {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap() + &String::from_utf8_lossy(&out.stderr)
    }
}

/// A repository with the git hooks, a bare remote, an archived agent session and a signing key
/// listed in allowed signers.
pub fn setup(w: &World) -> (PathBuf, PathBuf, PathBuf) {
    let repo = w.root.join("repo");
    let remote = w.root.join("remote.git");
    w.ok(
        "git",
        &w.root,
        &["init", "-q", "--bare", remote.to_str().unwrap()],
    );
    w.ok("git", &repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("README.md"), "readme\n").unwrap();
    w.ok("git", &repo, &["add", "-A"]);
    w.ok("git", &repo, &["commit", "-q", "-m", "initial"]);
    w.ok(
        "git",
        &repo,
        &["remote", "add", "origin", remote.to_str().unwrap()],
    );
    w.ok("git", &repo, &["push", "-q", "origin", "main"]);
    w.ok("git", &repo, &["fetch", "-q", "origin"]);
    let out = w.ok("git-vouch", &repo, &["init"]);
    assert!(out.contains("pre-push"), "{out}");
    let keygen = w.ok("git-vouch", &repo, &["keygen"]);
    let line = keygen
        .lines()
        .map(str::trim)
        .find(|l| l.contains("namespaces="))
        .unwrap()
        .to_owned();
    let allowed = w.root.join("allowed_signers");
    std::fs::write(&allowed, format!("{line}\n")).unwrap();
    archive_agent_session(&repo);
    (repo, remote, allowed)
}

/// Archives the recorded fixture session [`SESSION`] in the repository's capture state, with its
/// pending edit: `notes.txt` line 1, "Notes from the agent".
pub fn archive_agent_session(repo: &Path) {
    let state = StateDir::new(RepoPaths::discover(repo).unwrap());
    shared::copy_subagent_fixture(&state.transcripts_dir(SESSION));
    capture::agent_wrote(
        &state,
        SESSION,
        None,
        "notes.txt",
        &["Notes from the agent"],
    );
}

/// A feature branch with one commit holding the agent's pending edit (see [`setup`]).
pub fn agent_commit(w: &World, repo: &Path) {
    w.ok("git", repo, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(repo.join("notes.txt"), "Notes from the agent\n").unwrap();
    w.ok("git", repo, &["add", "-A"]);
    w.ok("git", repo, &["commit", "-q", "-m", "agent notes"]);
}

/// The in-toto statement of the first attestation on `rev` (its DSSE payload, decoded).
pub fn signed_statement(w: &World, dir: &Path, rev: &str) -> serde_json::Value {
    use base64::Engine;
    let note = w.ok(
        "git",
        dir,
        &["notes", "--ref=refs/notes/vouch", "show", rev],
    );
    let envelope: serde_json::Value = serde_json::from_str(note.lines().next().unwrap()).unwrap();
    let payload = base64::engine::general_purpose::STANDARD
        .decode(envelope["payload"].as_str().unwrap())
        .unwrap();
    serde_json::from_slice(&payload).unwrap()
}
