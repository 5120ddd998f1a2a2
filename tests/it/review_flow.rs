//! The review gate and `git vouch log` without a terminal (an agent, CI or a GUI client runs
//! `git push`): each `vouch.review` mode, a bad mode value, and the attestation states a
//! reviewer sees in `git vouch log` (unreviewed, unsigned, invalid after tampering).

#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use crate::support::world;

use std::path::Path;

use serde_json::Value;
use world::{SESSION, World, agent_commit, setup};

fn log(w: &World, dir: &Path, allowed: &Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "log",
        "main..feature",
        "--json",
        "--allowed-signers",
        allowed.to_str().unwrap(),
    ];
    args.extend(extra);
    let out = w.run("git-vouch", dir, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn required_without_a_terminal_refuses_and_names_the_command() {
    let w = World::new();
    let (repo, remote, _) = setup(&w);
    w.ok("git", &repo, &["config", "vouch.review", "required"]);
    agent_commit(&w, &repo);
    let out = w.run("git", &repo, &["push", "origin", "feature"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("push refused: vouch.review is `required`"),
        "{err}"
    );
    assert!(err.contains("git vouch review "), "{err}");
    let branch = w.run(
        "git",
        &remote,
        &["rev-parse", "--verify", "--quiet", "feature"],
    );
    assert!(
        !branch.status.success(),
        "the remote did not get the branch"
    );
}

#[test]
fn a_bad_mode_is_named_and_the_push_goes_on_as_optional() {
    let w = World::new();
    let (repo, _remote, _) = setup(&w);
    w.ok("git", &repo, &["config", "vouch.review", "sometimes"]);
    agent_commit(&w, &repo);
    let out = w.ok("git", &repo, &["push", "origin", "feature"]);
    assert!(
        out.contains(
            "git config vouch.review is \"sometimes\"; expected required, optional or off; using optional"
        ),
        "{out}"
    );
    assert!(out.contains("not reviewed by a person"), "{out}");
}

#[test]
fn log_shows_unreviewed_unsigned_and_invalid_commits() {
    let w = World::new();
    let (repo, _remote, allowed) = setup(&w);
    agent_commit(&w, &repo);
    // Before any attestation: unsigned, sessions from this clone's capture data.
    let doc = log(&w, &repo, &allowed, &["--no-fetch"]);
    assert_eq!(doc["schema"], "git-vouch/log@1");
    let c = &doc["commits"][0];
    assert_eq!(c["attestation"]["state"], "unsigned");
    assert_eq!(c["source"], "local");
    assert_eq!(c["sessions"][0]["id"], SESSION);
    assert!(c["sessions"][0]["total_tokens"].as_u64().unwrap() > 0);

    // A human commit on top, then the agent's is attested by the push hook (not reviewed).
    w.ok("git", &repo, &["push", "-q", "origin", "feature"]);
    std::fs::write(repo.join("human.txt"), "by hand\n").unwrap();
    w.ok("git", &repo, &["add", "-A"]);
    w.ok("git", &repo, &["commit", "-q", "-m", "human fix"]);
    let doc = log(&w, &repo, &allowed, &[]);
    let commits = doc["commits"].as_array().unwrap();
    assert_eq!(commits.len(), 2);
    assert_eq!(commits[0]["subject"], "human fix");
    assert_eq!(commits[0]["attestation"]["state"], "unsigned");
    assert_eq!(commits[0]["sessions"].as_array().unwrap().len(), 0);
    assert_eq!(commits[1]["attestation"]["state"], "unreviewed");
    assert_eq!(commits[1]["attestation"]["signers"][0], "dev@example.com");
    assert_eq!(commits[1]["source"], "attestation");
    let totals = &doc["totals"];
    assert_eq!(totals["commits"], 2);
    assert_eq!(totals["agent_commits"], 1);
    assert_eq!(totals["sessions"], 1);
    assert_eq!(totals["unreviewed"], 1);
    assert_eq!(totals["unsigned"], 1);
    assert_eq!(
        totals["total_tokens"],
        commits[1]["sessions"][0]["total_tokens"]
    );

    // Tampering: a changed byte in the signed payload makes the attestation invalid.
    let agent = commits[1]["sha"].as_str().unwrap();
    let note = w.ok(
        "git",
        &repo,
        &["notes", "--ref=refs/notes/vouch", "show", agent],
    );
    let mut envelope: Value = serde_json::from_str(note.lines().next().unwrap()).unwrap();
    let payload = envelope["payload"].as_str().unwrap().to_owned();
    let flipped = if payload.starts_with('e') { "f" } else { "e" };
    envelope["payload"] = Value::String(format!("{flipped}{}", &payload[1..]));
    let file = w.root.join("note.json");
    std::fs::write(&file, envelope.to_string()).unwrap();
    w.ok(
        "git",
        &repo,
        &[
            "notes",
            "--ref=refs/notes/vouch",
            "add",
            "-f",
            "-F",
            file.to_str().unwrap(),
            agent,
        ],
    );
    let doc = log(&w, &repo, &allowed, &["--no-fetch"]);
    let c = &doc["commits"][1];
    assert_eq!(c["attestation"]["state"], "invalid", "{doc}");
    assert_eq!(c["source"], "local");
    assert_eq!(doc["totals"]["invalid"], 1);
}

#[test]
fn log_outside_a_repository_names_the_folder() {
    let w = World::new();
    let out = w.run("git-vouch", &w.root, &["log", "--no-fetch"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not inside a git repository"), "{err}");
}

#[test]
fn log_without_allowed_signers_still_shows_the_branch() {
    let w = World::new();
    let (repo, _remote, _) = setup(&w);
    agent_commit(&w, &repo);
    w.ok("git", &repo, &["push", "-q", "origin", "feature"]);
    let out = w.run("git-vouch", &repo, &["log", "main..feature", "--no-fetch"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("signatures are shown as untrusted"), "{err}");
    assert!(text.contains("untrusted"), "{text}");
    assert!(text.contains("agent notes"), "{text}");
    // The session is named by its short id and its title.
    assert!(
        text.contains(&format!(
            "session {} “use a subagent to create notes.txt",
            &SESSION[..8]
        )),
        "{text}"
    );
}
