//! Provenance that survives forge merges, with real git and keys: a feature branch of three
//! commits is attested (`git vouch attest`), its notes pushed; then it lands on `main` as a
//! squash merge, as a rebase merge, or squashed with a person's extra change, while `main` moved
//! on. A fresh clone that fetched only `main` and the notes (the attested commits are not in it)
//! verifies the new commits through the attested changes they repeat, and says what does not
//! match.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::world::{World, setup};

/// The repository after `main` moved on and the feature branch (three commits touching a.txt,
/// b.txt, c.txt) was attested and its notes pushed; returns (repo, remote, allowed signers).
fn attested_feature(w: &World) -> (PathBuf, PathBuf, PathBuf) {
    let (repo, remote, allowed) = setup(w);
    w.ok("git", &repo, &["config", "vouch.review", "off"]);
    w.ok("git", &repo, &["checkout", "-q", "-b", "feature"]);
    for (file, text) in [
        ("a.txt", "alpha\n"),
        ("b.txt", "beta\n"),
        ("c.txt", "gamma\n"),
    ] {
        std::fs::write(repo.join(file), text).unwrap();
        w.ok("git", &repo, &["add", file]);
        w.ok(
            "git",
            &repo,
            &["commit", "-q", "-m", &format!("Add {file}")],
        );
    }
    w.ok("git-vouch", &repo, &["attest", "main..feature"]);
    w.ok("git-vouch", &repo, &["notes", "push"]);
    // Meanwhile someone else's change lands on main.
    w.ok("git", &repo, &["checkout", "-q", "main"]);
    std::fs::write(repo.join("README.md"), "readme, edited on main\n").unwrap();
    w.ok("git", &repo, &["commit", "-q", "-am", "Edit the readme"]);
    (repo, remote, allowed)
}

/// Pushes main, clones the remote fresh (main and the notes only) and verifies `range` there.
fn verify_in_clone(
    w: &World,
    repo: &Path,
    remote: &Path,
    allowed: &Path,
    range: &str,
) -> (Value, String, i32) {
    w.ok("git", repo, &["push", "-q", "-f", "origin", "main"]);
    let clone = w.root.join(format!("clone-{}", range.len()));
    w.ok(
        "git",
        &w.root,
        &[
            "clone",
            "-q",
            "--single-branch",
            "-b",
            "main",
            remote.to_str().unwrap(),
            clone.to_str().unwrap(),
        ],
    );
    w.ok("git-vouch", &clone, &["notes", "fetch"]);
    let missing = w.run("git", &clone, &["cat-file", "-e", "feature@{0}"]);
    assert!(
        !missing.status.success(),
        "the clone must not have the feature branch"
    );
    let allowed = allowed.to_str().unwrap();
    let json = w.run(
        "git-vouch",
        &clone,
        &["verify", range, "--allowed-signers", allowed, "--json"],
    );
    let text = w.run(
        "git-vouch",
        &clone,
        &["verify", range, "--allowed-signers", allowed],
    );
    (
        serde_json::from_slice(&json.stdout).unwrap(),
        String::from_utf8_lossy(&text.stdout).into_owned(),
        text.status.code().unwrap_or(-1),
    )
}

fn feature_commits(w: &World, repo: &Path) -> Vec<String> {
    w.ok("git", repo, &["rev-list", "--reverse", "main..feature"])
        .lines()
        .filter(|l| l.len() == 40)
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_squash_merge_verifies_through_the_attested_range() {
    let w = World::new();
    let (repo, remote, allowed) = attested_feature(&w);
    let attested = feature_commits(&w, &repo);
    w.ok("git", &repo, &["merge", "-q", "--squash", "feature"]);
    w.ok("git", &repo, &["commit", "-q", "-m", "Feature (#1)"]);
    let (doc, text, code) = verify_in_clone(&w, &repo, &remote, &allowed, "HEAD~1..HEAD");
    let c = &doc["commits"][0];
    assert_eq!(c["status"], "verified", "{doc}");
    assert_eq!(c["state"], "unreviewed", "{doc}");
    assert_eq!(c["carried"]["kind"], "squash");
    let from: Vec<&str> = c["carried"]["from"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        from,
        attested.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(
        (
            c["carried"]["files"].as_u64(),
            c["carried"]["matched"].as_u64()
        ),
        (Some(3), Some(3))
    );
    assert!(
        text.contains("unreviewed (signed by dev@example.com) (via squash of 3 attested commits)"),
        "{text}"
    );
    assert_eq!(code, 0, "{text}");
    // `log` in the clone: the same standing, and the attested evidence describes the commit.
    let clone = w.root.join("clone-12");
    let allowed = allowed.to_str().unwrap();
    let log = w.ok(
        "git-vouch",
        &clone,
        &[
            "log",
            "HEAD~1..HEAD",
            "--no-fetch",
            "--allowed-signers",
            allowed,
        ],
    );
    assert!(
        log.contains("unreviewed (signed by dev@example.com) (via squash of 3 attested commits)"),
        "{log}"
    );
    let json = w.ok(
        "git-vouch",
        &clone,
        &[
            "log",
            "HEAD~1..HEAD",
            "--no-fetch",
            "--json",
            "--allowed-signers",
            allowed,
        ],
    );
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["commits"][0]["source"], "attestation", "{json}");
    assert_eq!(json["commits"][0]["carried"]["kind"], "squash", "{json}");
    assert_eq!(json["totals"]["unreviewed"], 1, "{json}");
}

#[test]
fn a_rebase_merge_verifies_commit_by_commit() {
    let w = World::new();
    let (repo, remote, allowed) = attested_feature(&w);
    let attested = feature_commits(&w, &repo);
    w.ok(
        "git",
        &repo,
        &["checkout", "-q", "-b", "rebased", "feature"],
    );
    w.ok("git", &repo, &["rebase", "-q", "main"]);
    w.ok("git", &repo, &["checkout", "-q", "main"]);
    w.ok("git", &repo, &["merge", "-q", "--ff-only", "rebased"]);
    let (doc, text, code) = verify_in_clone(&w, &repo, &remote, &allowed, "HEAD~3..HEAD");
    let commits = doc["commits"].as_array().unwrap();
    assert_eq!(commits.len(), 3);
    for (c, original) in commits.iter().zip(&attested) {
        assert_ne!(
            c["commit"].as_str(),
            Some(original.as_str()),
            "a new commit"
        );
        assert_eq!(c["status"], "verified", "{c}");
        assert_eq!(c["carried"]["kind"], "rebase", "{c}");
        assert_eq!(
            c["carried"]["from"][0].as_str(),
            Some(original.as_str()),
            "{c}"
        );
    }
    assert!(
        text.contains(&format!("(via rebase of {})", &attested[0][..10])),
        "{text}"
    );
    assert_eq!(code, 0, "{text}");
}

#[test]
fn a_squash_with_a_persons_extra_change_verifies_only_what_matches() {
    let w = World::new();
    let (repo, remote, allowed) = attested_feature(&w);
    w.ok("git", &repo, &["merge", "-q", "--squash", "feature"]);
    std::fs::write(repo.join("c.txt"), "gamma, changed while merging\n").unwrap();
    std::fs::write(repo.join("d.txt"), "delta\n").unwrap();
    w.ok("git", &repo, &["add", "c.txt", "d.txt"]);
    w.ok(
        "git",
        &repo,
        &["commit", "-q", "-m", "Feature (#1), with fixes"],
    );
    let (doc, text, code) = verify_in_clone(&w, &repo, &remote, &allowed, "HEAD~1..HEAD");
    let c = &doc["commits"][0];
    assert_eq!(c["status"], "unsigned", "{doc}");
    assert_eq!(c["carried"]["kind"], "squash", "{doc}");
    assert_eq!(
        (
            c["carried"]["files"].as_u64(),
            c["carried"]["matched"].as_u64()
        ),
        (Some(4), Some(2)),
        "{doc}"
    );
    assert_eq!(
        c["carried"]["not_attested"],
        serde_json::json!(["c.txt", "d.txt"])
    );
    assert!(
        text.contains("unsigned; 2 of 4 files match a squash of 3 attested commits (unreviewed (signed by dev@example.com)); not attested: c.txt, d.txt"),
        "{text}"
    );
    assert_eq!(code, 1, "not everything is attested: {text}");
}

/// `git vouch notes carry` signs a carry-over onto the squash merge; once the attested commits'
/// notes are pruned (their commits are not in the clone), the commit still verifies, through the
/// attestation it carries.
#[test]
fn a_carry_over_keeps_the_standing_after_the_attested_notes_are_pruned() {
    let w = World::new();
    let (repo, remote, allowed) = attested_feature(&w);
    w.ok("git", &repo, &["merge", "-q", "--squash", "feature"]);
    w.ok("git", &repo, &["commit", "-q", "-m", "Feature (#1)"]);
    let range = "HEAD~1..HEAD";
    verify_in_clone(&w, &repo, &remote, &allowed, range);
    let clone = w.root.join(format!("clone-{}", range.len()));
    w.ok(
        "git",
        &clone,
        &[
            "config",
            "gpg.ssh.allowedSignersFile",
            allowed.to_str().unwrap(),
        ],
    );
    let out = w.ok("git-vouch", &clone, &["notes", "carry", range]);
    assert!(
        out.contains("Carried attestations over to 1 commit, signed by"),
        "{out}"
    );
    assert!(out.contains("(via squash of 3 attested commits)"), "{out}");
    let again = w.ok("git-vouch", &clone, &["notes", "carry", range]);
    assert!(again.starts_with("Nothing to carry over"), "{again}");
    w.ok("git", &clone, &["notes", "--ref=refs/notes/vouch", "prune"]);
    let notes = w.ok("git", &clone, &["notes", "--ref=refs/notes/vouch", "list"]);
    assert_eq!(
        notes.lines().count(),
        1,
        "only the squash merge's note is left: {notes}"
    );
    let allowed = allowed.to_str().unwrap();
    let out = w.run(
        "git-vouch",
        &clone,
        &["verify", range, "--allowed-signers", allowed, "--json"],
    );
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &doc["commits"][0];
    assert_eq!(c["status"], "verified", "{doc}");
    assert_eq!(c["attestations"].as_array().map(Vec::len), Some(1), "{doc}");
    assert_eq!(c["carried"]["kind"], "squash", "{doc}");
    assert_eq!(
        c["carried"]["from"].as_array().map(Vec::len),
        Some(3),
        "{doc}"
    );
    let statement = crate::support::world::signed_statement(&w, &clone, "HEAD");
    assert_eq!(
        statement["predicate"]["review"]["reviewed_by_person"],
        false
    );
    assert_eq!(
        statement["predicate"]["carry_over"]["attestations"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}
