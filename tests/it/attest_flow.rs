//! The whole trust path with real git and keys: `git vouch keygen`, a commit made with an agent,
//! `git push` whose pre-push hook attests it (not reviewed) and pushes the notes, then a fresh
//! clone that fetches the notes and verifies; plus `attest` by hand and a clone without notes.

#![allow(
    clippy::unwrap_used,
    clippy::too_many_lines,
    clippy::items_after_statements
)]

use crate::support::world;

use std::path::Path;

use serde_json::Value;
use world::{SESSION, World, setup};

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
    world::agent_commit(&w, &repo);
    let push = w.ok("git", &repo, &["push", "origin", "feature"]);
    assert!(
        push.contains(
            "attested 1 commit of refs/heads/feature → refs/heads/feature (not reviewed by a person"
        ),
        "{push}"
    );
    assert!(push.contains("pushed refs/notes/vouch to origin"), "{push}");

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
    let statement = world::signed_statement(&w, &clone, "origin/feature");
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
    world::agent_commit(&w, &repo);
    let push = w.ok("git", &repo, &["push", "origin", "feature"]);
    assert!(
        !push.contains("attested"),
        "vouch.review=off attaches nothing: {push}"
    );
    let (code, _) = verify(&w, &repo, &allowed, "main..feature");
    assert_eq!(code, Some(1));
    let out = w.ok("git-vouch", &repo, &["attest", "main..feature"]);
    assert!(
        out.contains("Attested 1 commit and 1 session, not reviewed by a person"),
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
