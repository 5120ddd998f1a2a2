//! The review before a push, end to end in a real terminal: tmux runs `git push` to a local bare
//! remote, the pre-push hook opens the review screen on the terminal, keys write a note and sign
//! (or abort), and a fresh clone checks what arrived with `git vouch log` and `git vouch verify`.
//! Also `vouch.review required`: refused without a screen, `git vouch review`, then pushed.

#![allow(
    clippy::unwrap_used,
    clippy::too_many_lines,
    clippy::items_after_statements
)]

use crate::support::tmux;
use crate::support::world;

use std::path::{Path, PathBuf};

use serde_json::Value;
use tmux::Tmux;
use world::{SESSION, World, agent_commit, setup, signed_statement};

fn remote_ref(w: &World, remote: &Path, name: &str) -> Option<String> {
    let out = w.run("git", remote, &["rev-parse", "--verify", "--quiet", name]);
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn fresh_clone(w: &World, remote: &Path) -> PathBuf {
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
    clone
}

fn log_json(w: &World, dir: &Path, allowed: &Path) -> Value {
    let out = w.run(
        "git-vouch",
        dir,
        &[
            "log",
            "origin/main..origin/feature",
            "--json",
            "--allowed-signers",
            allowed.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn push_opens_the_review_and_signs_with_the_note() {
    if !tmux::available() {
        return;
    }
    let w = World::new();
    let (repo, remote, allowed) = setup(&w);
    agent_commit(&w, &repo);
    let t = Tmux::run(&repo, &w.env(), "git push origin feature");
    t.wait("the review screen", |s| {
        s.contains("Review before pushing to origin")
            && s.contains("Changes · 0 of 1 agent hunks marked")
            && s.contains("A+ Notes from the agent")
            && s.contains("sha256 ")
    });
    t.keys(&["2"]);
    t.wait("the sessions tab", |s| s.contains("agent notes"));
    t.keys(&["3"]);
    t.wait("the evidence tab", |s| s.contains("schema_version"));
    t.keys(&["1"]);
    // The digest of the evidence bytes on screen is the one that gets signed.
    let screen = t.screen();
    let shown = screen.split("sha256 ").nth(1).unwrap()[..12].to_owned();
    t.keys(&["BTab"]);
    t.text("Checked the notes by hand");
    t.wait("the note", |s| s.contains("Checked the notes by hand"));
    t.keys(&["C-s"]);
    assert_eq!(t.exit_code(), 0, "{}", t.screen());
    let screen = t.screen();
    assert!(
        screen.contains("signed 1 commit, reviewed by a person"),
        "{screen}"
    );
    let local = w.ok("git", &repo, &["rev-parse", "feature"]);
    assert_eq!(
        remote_ref(&w, &remote, "refs/heads/feature").as_deref(),
        Some(local.trim())
    );
    assert!(remote_ref(&w, &remote, "refs/notes/vouch").is_some());
    let statement = signed_statement(&w, &repo, "feature");
    let digest = statement["predicate"]["evidence_sha256"].as_str().unwrap();
    assert!(digest.starts_with(&shown), "{digest} vs {shown}");
    // The statement carries the evidence bytes verbatim: anyone can recompute the digest.
    use sha2::Digest;
    let bytes = serde_json::to_vec(&statement["predicate"]["evidence"]).unwrap();
    let recomputed = git_vouch::evidence::hex(&sha2::Sha256::digest(&bytes));
    assert_eq!(recomputed, digest);

    let clone = fresh_clone(&w, &remote);
    // `log` fetches the notes itself.
    let log = log_json(&w, &clone, &allowed);
    let commit = &log["commits"][0];
    assert_eq!(commit["attestation"]["state"], "reviewed", "{log}");
    assert_eq!(commit["attestation"]["note"], "Checked the notes by hand");
    assert_eq!(commit["attestation"]["signers"][0], "dev@example.com");
    assert_eq!(commit["source"], "attestation");
    assert_eq!(commit["sessions"][0]["id"], SESSION);
    assert_eq!(log["totals"]["reviewed"], 1);
    let verify = w.run(
        "git-vouch",
        &clone,
        &[
            "verify",
            "origin/main..origin/feature",
            "--allowed-signers",
            allowed.to_str().unwrap(),
        ],
    );
    assert_eq!(verify.status.code(), Some(0));
    let text = w.ok(
        "git-vouch",
        &clone,
        &[
            "log",
            "origin/main..origin/feature",
            "--allowed-signers",
            allowed.to_str().unwrap(),
        ],
    );
    assert!(text.contains("reviewed by dev@example.com"), "{text}");
    assert!(text.contains("note: Checked the notes by hand"), "{text}");

    // The explorer's Branch view shows the same in the clone.
    w.ok("git", &clone, &["checkout", "-q", "feature"]);
    w.ok(
        "git",
        &clone,
        &[
            "config",
            "gpg.ssh.allowedSignersFile",
            allowed.to_str().unwrap(),
        ],
    );
    let t = Tmux::run(&clone, &w.env(), "git vouch");
    t.wait("the explorer", |s| s.contains("git vouch"));
    t.keys(&["b"]);
    // The footer's counts are drawn last: wait for them, not only for the rows.
    let screen = t.wait("the Branch view with its state counts", |s| {
        s.contains("agent notes") && s.contains("1 reviewed · 1 unsigned")
    });
    assert!(screen.contains("reviewed by dev@example.com"), "{screen}");
    // Back to the list, then quit and confirm.
    t.keys(&["q", "q", "y"]);
    assert_eq!(t.exit_code(), 0);
}

/// `vouch.review.hunks all`: the push's review steps through the agent hunks; signing waits
/// until each is marked; a flag's comment is signed with the hunk's digest; `verify` in a fresh
/// clone reports the coverage.
#[test]
fn hunk_review_marks_flags_and_signs_every_agent_hunk() {
    if !tmux::available() {
        return;
    }
    let w = World::new();
    let (repo, remote, allowed) = setup(&w);
    w.ok("git", &repo, &["config", "vouch.review.hunks", "all"]);
    agent_commit(&w, &repo);
    let t = Tmux::run(&repo, &w.env(), "git push origin feature");
    t.wait("the agent hunk", |s| {
        s.contains("hunk 1 of 1 [unmarked]")
            && s.contains("signing blocked: vouch.review.hunks is all")
    });
    t.keys(&["C-s"]);
    t.wait("the refusal", |s| {
        s.contains("1 of 1 agent hunks not marked yet")
    });
    t.keys(&["x"]);
    t.wait("the skip", |s| s.contains("[skipped]"));
    t.keys(&["f"]);
    t.wait("the comment box", |s| s.contains("Flag this hunk"));
    t.text("notes should say who wrote them");
    t.keys(&["Enter"]);
    t.wait("the flag", |s| {
        s.contains("[flagged: notes should say who wrote them]") && s.contains("sign & push")
    });
    t.keys(&["C-s"]);
    assert_eq!(t.exit_code(), 0, "{}", t.screen());
    let statement = signed_statement(&w, &repo, "feature");
    let hunks = &statement["predicate"]["review"]["hunks"];
    assert_eq!(hunks.as_array().map(Vec::len), Some(1), "{statement}");
    assert_eq!(hunks[0]["file"], "notes.txt");
    assert_eq!(hunks[0]["mark"], "flagged");
    assert_eq!(hunks[0]["comment"], "notes should say who wrote them");
    assert_eq!(hunks[0]["sessions"][0], SESSION);
    assert_eq!(hunks[0]["digest"].as_str().map(str::len), Some(64));
    let clone = fresh_clone(&w, &remote);
    w.ok("git-vouch", &clone, &["notes", "fetch"]);
    let text = w.ok(
        "git-vouch",
        &clone,
        &[
            "verify",
            "origin/main..origin/feature",
            "--allowed-signers",
            allowed.to_str().unwrap(),
        ],
    );
    assert!(
        text.contains("1 of 1 agent hunk read by dev@example.com (1 flagged)"),
        "{text}"
    );
}

#[test]
fn abort_leaves_the_remote_unchanged() {
    if !tmux::available() {
        return;
    }
    let w = World::new();
    let (repo, remote, _) = setup(&w);
    agent_commit(&w, &repo);
    let t = Tmux::run(&repo, &w.env(), "git push origin feature");
    t.wait("the review screen", |s| s.contains("Evidence to sign"));
    t.keys(&["q"]);
    assert_ne!(t.exit_code(), 0);
    let screen = t.screen();
    assert!(screen.contains("push aborted in review"), "{screen}");
    assert_eq!(remote_ref(&w, &remote, "refs/heads/feature"), None);
    assert_eq!(remote_ref(&w, &remote, "refs/notes/vouch"), None);
    let notes = w.run("git", &repo, &["notes", "--ref=refs/notes/vouch", "list"]);
    assert!(notes.stdout.is_empty(), "nothing was signed");
}

#[test]
fn required_review_refuses_an_agent_push_then_review_lets_it_through() {
    if !tmux::available() {
        return;
    }
    let w = World::new();
    let (repo, remote, allowed) = setup(&w);
    w.ok("git", &repo, &["config", "vouch.review", "required"]);
    agent_commit(&w, &repo);
    // The agent pushes: Claude Code's environment, so no screen even on a terminal.
    let t = Tmux::run(&repo, &w.env(), "CLAUDECODE=1 git push origin feature");
    assert_ne!(t.exit_code(), 0);
    let screen = t.screen();
    assert!(screen.contains("vouch.review is `required`"), "{screen}");
    let spec = screen
        .lines()
        .find_map(|l| l.trim().strip_prefix("git vouch review "))
        .unwrap()
        .trim()
        .to_owned();
    assert_eq!(remote_ref(&w, &remote, "refs/heads/feature"), None);
    drop(t);

    // A command, unlike a hook, takes "now" from GIT_VOUCH_NOW like every other command.
    let review = format!("GIT_VOUCH_NOW=2026-11-21T12:00:00Z git vouch review {spec}");
    let t = Tmux::run(&repo, &w.env(), &review);
    t.wait("the review screen", |s| {
        s.contains("Review and sign") && s.contains("A+ Notes from the agent")
    });
    t.keys(&["2"]);
    t.wait("the sessions tab", |s| s.contains("agent notes"));
    t.keys(&["C-s"]);
    assert_eq!(t.exit_code(), 0, "{}", t.screen());
    assert!(t.screen().contains("Signed 1 commit and"));
    let statement = signed_statement(&w, &repo, "feature");
    let evidence = &statement["predicate"]["evidence"];
    assert_eq!(
        evidence["generated_at"], "2026-11-21T12:00:00Z",
        "{evidence}"
    );

    // Reviewed: the same push, still without a terminal, now goes through with the notes.
    let push = w.ok("git", &repo, &["push", "origin", "feature"]);
    assert!(push.contains("pushed refs/notes/vouch to origin"), "{push}");
    let clone = fresh_clone(&w, &remote);
    let log = log_json(&w, &clone, &allowed);
    assert_eq!(log["commits"][0]["attestation"]["state"], "reviewed");
    assert_eq!(log["commits"][0]["attestation"]["note"], Value::Null);
}

#[test]
fn review_shows_policy_violations_and_enforce_blocks_signing() {
    if !tmux::available() {
        return;
    }
    let w = World::new();
    let (repo, remote, _) = setup(&w);
    let policies = repo.join(".vouch/policies");
    std::fs::create_dir_all(&policies).unwrap();
    std::fs::write(
        policies.join("config.toml"),
        "builtins = [\"approved-models\"]\n[args]\napproved_models = [\"claude-haiku-*\"]\n",
    )
    .unwrap();
    w.ok("git", &repo, &["config", "vouch.policy", "enforce"]);
    agent_commit(&w, &repo);
    let t = Tmux::run(&repo, &w.env(), "git vouch review main..feature");
    // Said up front, on the first tab; the violations are listed on the second.
    t.wait("the footer", |s| {
        s.contains("signing blocked: policy violations")
    });
    t.keys(&["2"]);
    let screen = t.wait("the policy results", |s| s.contains("✗ approved-models"));
    assert!(screen.contains("is not approved"), "{screen}");
    t.keys(&["C-s"]);
    t.wait("the refusal", |s| s.contains("vouch.policy is enforce"));
    t.keys(&["q"]);
    assert_eq!(t.exit_code(), 1);
    let notes = w.run("git", &repo, &["notes", "--ref=refs/notes/vouch", "list"]);
    assert!(notes.stdout.is_empty(), "nothing was signed");
    assert!(remote.exists());
}
