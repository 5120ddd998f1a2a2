//! The trust-path world (`support/world.rs`: git-vouch's hooks, a bare remote, a signing key and
//! an archived agent session, the recorded fixture with model claude-sonnet-4-5, that wrote
//! `notes.txt`) as the policy tests use it: commands run in its repository with the fixed clock.

use std::path::PathBuf;
use std::process::{Command, Output};

use super::trust_world;
pub use super::trust_world::SESSION;

pub struct World {
    trust: trust_world::World,
    pub repo: PathBuf,
}

impl World {
    pub fn new() -> Self {
        let trust = trust_world::World::with_fixed_clock();
        let (repo, _remote, _allowed) = trust_world::setup(&trust);
        Self { trust, repo }
    }

    pub fn cmd(&self, program: &str, args: &[&str]) -> Command {
        self.trust.cmd(program, &self.repo, args)
    }

    pub fn run(&self, program: &str, args: &[&str]) -> Output {
        self.cmd(program, args).output().unwrap()
    }

    /// Runs and requires success; returns stdout followed by stderr.
    pub fn ok(&self, program: &str, args: &[&str]) -> String {
        let out = self.run(program, args);
        assert!(out.status.success(), "{program} {args:?}: {}", text(&out));
        text(&out)
    }

    /// A feature branch with the agent's commit.
    pub fn agent_commit(&self) {
        self.ok("git", &["checkout", "-q", "-b", "feature"]);
        std::fs::write(self.repo.join("notes.txt"), "Notes from the agent\n").unwrap();
        self.ok("git", &["add", "notes.txt"]);
        self.ok("git", &["commit", "-q", "-m", "agent notes"]);
    }

    /// Writes `.vouch/policies/<name>` (not committed: policies are read from the worktree).
    pub fn policy(&self, name: &str, text: &str) {
        let dir = self.repo.join(".vouch/policies");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), text).unwrap();
    }

    /// Whether the remote has `branch`.
    pub fn remote_has(&self, branch: &str) -> bool {
        let out = self.ok("git", &["ls-remote", "origin", branch]);
        out.contains(&format!("refs/heads/{branch}"))
    }

    /// The evidence signed into the note of `rev`.
    pub fn signed_evidence(&self, rev: &str) -> serde_json::Value {
        let note = self.ok("git", &["notes", "--ref=refs/notes/vouch", "show", rev]);
        let envelope: serde_json::Value =
            serde_json::from_str(note.lines().next().unwrap()).unwrap();
        use base64::Engine;
        let payload = base64::engine::general_purpose::STANDARD
            .decode(envelope["payload"].as_str().unwrap())
            .unwrap();
        let statement: serde_json::Value = serde_json::from_slice(&payload).unwrap();
        statement["predicate"]["evidence"].clone()
    }
}

pub fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}
