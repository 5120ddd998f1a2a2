//! The whole trust path with real git and keys: `git vouch keygen`, a commit made with an agent,
//! `git push` whose pre-push hook attests it (not reviewed) and pushes the notes, then a fresh
//! clone that fetches the notes and verifies; plus `attest` by hand and a clone without notes.

#![allow(
    clippy::unwrap_used,
    clippy::too_many_lines,
    clippy::items_after_statements
)]

#[path = "support/capture.rs"]
mod capture;
#[path = "support/shared.rs"]
mod shared;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use git_vouch::capture::locate::RepoPaths;
use git_vouch::capture::state::StateDir;
use serde_json::Value;

const SESSION: &str = "c1aa46c2-c142-4c34-a25d-c6079bf20d5d";

struct World {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

impl World {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        for d in ["home", "config", "repo"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        Self { _tmp: tmp, root }
    }

    fn cmd(&self, program: &str, dir: &Path, args: &[&str]) -> Command {
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_git-vouch")).parent().unwrap();
        let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap());
        let mut c = Command::new(program);
        c.args(args)
            .current_dir(dir)
            .env_clear()
            .env("PATH", path)
            .env("HOME", self.root.join("home"))
            .env("XDG_CONFIG_HOME", self.root.join("config"))
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Dev")
            .env("GIT_AUTHOR_EMAIL", "dev@example.com")
            .env("GIT_COMMITTER_NAME", "Dev")
            .env("GIT_COMMITTER_EMAIL", "dev@example.com")
            .stdin(Stdio::null());
        c
    }

    fn run(&self, program: &str, dir: &Path, args: &[&str]) -> Output {
        self.cmd(program, dir, args).output().unwrap()
    }

    fn ok(&self, program: &str, dir: &Path, args: &[&str]) -> String {
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
fn setup(w: &World) -> (PathBuf, PathBuf, PathBuf) {
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
    let state = StateDir::new(RepoPaths::discover(&repo).unwrap());
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/claude/v2.1.197-subagent/projects");
    let project = std::fs::read_dir(&fixture)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    shared::copy_tree(&project, &state.transcripts_dir(SESSION));
    capture::agent_wrote(
        &state,
        SESSION,
        None,
        "notes.txt",
        &["Notes from the agent"],
    );
    (repo, remote, allowed)
}

fn verify(w: &World, dir: &Path, allowed: &Path, range: &str) -> (Option<i32>, Value) {
    let out = w.run(
        "git-vouch",
        dir,
        &[
            "verify",
            range,
            "--allowed-signers",
            allowed.to_str().unwrap(),
            "--json",
        ],
    );
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code(), doc)
}

#[test]
fn push_attests_and_a_fresh_clone_verifies() {
    let w = World::new();
    let (repo, remote, allowed) = setup(&w);
    w.ok("git", &repo, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(repo.join("notes.txt"), "Notes from the agent\n").unwrap();
    w.ok("git", &repo, &["add", "-A"]);
    w.ok("git", &repo, &["commit", "-q", "-m", "agent notes"]);
    let push = w.ok("git", &repo, &["push", "origin", "feature"]);
    assert!(
        push.contains("attested 1 commit(s) of refs/heads/feature → refs/heads/feature (not reviewed by a person"),
        "{push}"
    );
    assert!(push.contains("attestations pushed to origin"), "{push}");

    let clone = w.root.join("clone");
    w.ok(
        "git",
        &w.root,
        &[
            "clone",
            "-q",
            remote.to_str().unwrap(),
            clone.to_str().unwrap(),
        ],
    );
    let (code, _) = verify(&w, &clone, &allowed, "origin/main..origin/feature");
    assert_eq!(code, Some(1), "unsigned before the notes are fetched");
    w.ok("git-vouch", &clone, &["notes", "fetch"]);
    let (code, doc) = verify(&w, &clone, &allowed, "origin/main..origin/feature");
    assert_eq!(code, Some(0), "{doc}");
    assert_eq!(doc["all_verified"], true);
    assert_eq!(doc["commits"].as_array().unwrap().len(), 1);
    let note = w.ok(
        "git",
        &clone,
        &["notes", "--ref=refs/notes/vouch", "show", "origin/feature"],
    );
    let envelope: Value = serde_json::from_str(note.lines().next().unwrap()).unwrap();
    use base64::Engine;
    let payload = base64::engine::general_purpose::STANDARD
        .decode(envelope["payload"].as_str().unwrap())
        .unwrap();
    let statement: Value = serde_json::from_slice(&payload).unwrap();
    let predicate = &statement["predicate"];
    assert_eq!(predicate["review"]["reviewed_by_person"], false);
    assert_eq!(predicate["evidence"]["sessions"][0]["id"], SESSION);
    let files = predicate["evidence"]["commits"][0]["files"]
        .as_array()
        .unwrap();
    let notes = files.iter().find(|f| f["path"] == "notes.txt").unwrap();
    assert_eq!(notes["ai_lines_added"], 1);

    // Pushing again adds no second attestation.
    let again = w.ok("git", &repo, &["push", "origin", "feature"]);
    assert!(!again.contains("attested"), "{again}");
}

#[test]
fn attest_by_hand_and_off_switch() {
    let w = World::new();
    let (repo, _remote, allowed) = setup(&w);
    w.ok("git", &repo, &["config", "vouch.review", "off"]);
    w.ok("git", &repo, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(repo.join("notes.txt"), "Notes from the agent\n").unwrap();
    w.ok("git", &repo, &["add", "-A"]);
    w.ok("git", &repo, &["commit", "-q", "-m", "agent notes"]);
    let push = w.ok("git", &repo, &["push", "origin", "feature"]);
    assert!(
        !push.contains("attested"),
        "vouch.review=off attaches nothing: {push}"
    );
    let (code, _) = verify(&w, &repo, &allowed, "main..feature");
    assert_eq!(code, Some(1));
    let out = w.ok("git-vouch", &repo, &["attest", "main..feature"]);
    assert!(
        out.contains("Attested 1 commit(s) and 1 session(s), not reviewed by a person"),
        "{out}"
    );
    let (code, doc) = verify(&w, &repo, &allowed, "main..feature");
    assert_eq!(code, Some(0), "{doc}");
    // A key not in allowed signers: untrusted, exit 1.
    let other = w.root.join("other_signers");
    std::fs::write(&other, "").unwrap();
    let (code, doc) = verify(&w, &repo, &other, "main..feature");
    assert_eq!(code, Some(1));
    assert_eq!(doc["all_verified"], false);
}
