#![allow(clippy::unwrap_used)]
//! Every session's commits in a repository, with their attestation state, as the explorer's
//! sessions table shows them: from `Vouch-Session` trailers and capture's commit records, with
//! notes signed by real keys (git-vouch's own key generation and signing) and git's configured
//! allowed signers. Also the demo repository (the embedded bundle).

use crate::support::cli::hermetic_vars;
use crate::support::git as git_cli;

use std::path::Path;

use chrono::{DateTime, Utc};
use git_cli::git_at;
use git_vouch::attest::allowed_signers::AllowedSigners;
use git_vouch::attest::notes::append_all;
use git_vouch::attest::sign::{FileSigner, keygen};
use git_vouch::attest::standing::AttestationState;
use git_vouch::attest::standing::{configured_signers, sessions_in_repository};
use git_vouch::attest::{seal, statement_for};
use git_vouch::capture::commit_record::{CommitRecord, LinkSource};
use git_vouch::capture::state::{StateDir, write_json};
use git_vouch::clock::FixedClock;
use git_vouch::git::Git;
use serde_json::json;

fn git(repo: &Path, args: &[&str]) -> String {
    git_at(repo, "2026-03-01T09:00:00Z", args)
}

/// A commit made at `date` with `message`; returns its id.
fn commit(repo: &Path, date: &str, message: &str) -> String {
    std::fs::write(repo.join("file.txt"), message).unwrap();
    git(repo, &["add", "file.txt"]);
    git_at(repo, date, &["commit", "-q", "-m", message]);
    git(repo, &["rev-parse", "HEAD"])
}

/// Signs an attestation of `commits` with the key at `key` and attaches it to their notes.
fn attest(repo: &Path, key: &Path, commits: &[&str], reviewed: bool) {
    let commits: Vec<String> = commits.iter().map(|c| (*c).to_owned()).collect();
    let predicate = json!({"review": {"reviewed_by_person": reviewed, "note": null}});
    let mut statement = statement_for(&commits, &commits[0], predicate);
    let clock = FixedClock::parse("2026-03-01T12:00:00Z").unwrap();
    let envelope = seal(&mut statement, &FileSigner::open(key).unwrap(), &clock).unwrap();
    let git = hermetic_vars()
        .into_iter()
        .fold(Git::new(repo).clear_env(), |g, (k, v)| g.env(k, v));
    append_all(&git, &commits, &envelope).unwrap();
}

fn record(repo: &Path, sha: &str, sessions: &[&str]) {
    let at: DateTime<Utc> = "2026-03-01T12:00:00Z".parse().unwrap();
    let r = CommitRecord {
        sha: sha.to_owned(),
        parents: Vec::new(),
        subject: "recorded".into(),
        author: "Dev <dev@example.com>".into(),
        committed_at: at,
        sessions: sessions.iter().map(|s| (*s).to_owned()).collect(),
        source: LinkSource::Recorded,
        files: Vec::new(),
        recorded_at: at,
    };
    let state = StateDir::discover(repo).unwrap();
    std::fs::create_dir_all(state.commits_dir()).unwrap();
    write_json(&state.commit_file(sha), &r).unwrap();
}

fn copy_note(repo: &Path, from: &str, to: &str) {
    let note = git(repo, &["notes", "--ref", "refs/notes/vouch", "show", from]);
    let args = [
        "notes",
        "--ref",
        "refs/notes/vouch",
        "add",
        "-f",
        "-m",
        &note,
        to,
    ];
    git(repo, &args);
}

#[test]
fn trailers_records_and_notes_give_each_session_its_commits_and_state() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    let c1 = commit(&repo, "2026-03-01T10:00:00Z", "One\n\nVouch-Session: s1\n");
    let c2 = commit(
        &repo,
        "2026-03-01T11:00:00Z",
        "Two\n\nVouch-Session: s1, s2\n",
    );
    let c3 = commit(
        &repo,
        "2026-03-01T12:00:00Z",
        "Three, recorded by the hooks",
    );
    let c4 = commit(&repo, "2026-03-01T13:00:00Z", "Four, nobody's");
    record(&repo, &c3, &["s3"]);
    // A record of a commit that is on no branch (rewritten away) is not counted.
    record(&repo, &"ab".repeat(20), &["s4"]);

    let alice = keygen(&tmp.path().join("keys/alice"), "alice").unwrap();
    let mallory = keygen(&tmp.path().join("keys/mallory"), "mallory").unwrap();
    let signers_file = tmp.path().join("allowed_signers");
    std::fs::write(
        &signers_file,
        alice.allowed_signers_line("alice@example.com"),
    )
    .unwrap();
    git(
        &repo,
        &[
            "config",
            "gpg.ssh.allowedSignersFile",
            signers_file.to_str().unwrap(),
        ],
    );

    let signers = configured_signers(&repo);
    let state = |id: &str| {
        let all = sessions_in_repository(&repo, &signers).unwrap();
        let s = &all[id];
        (s.commits.clone(), s.attestation)
    };
    assert_eq!(
        state("s1"),
        (
            vec![c2.clone(), c1.clone()],
            Some(AttestationState::Unsigned)
        )
    );
    let all = sessions_in_repository(&repo, &signers).unwrap();
    let mut ids: Vec<&String> = all.keys().collect();
    ids.sort();
    assert_eq!(ids, ["s1", "s2", "s3"]);
    assert!(!all.values().any(|s| s.commits.contains(&c4)));

    attest(&repo, &alice.private_path, &[&c1], true);
    assert_eq!(state("s1").1, Some(AttestationState::Unsigned));
    attest(&repo, &alice.private_path, &[&c2], false);
    assert_eq!(state("s1").1, Some(AttestationState::Unreviewed));
    assert_eq!(state("s2").1, Some(AttestationState::Unreviewed));
    attest(&repo, &alice.private_path, &[&c2], true);
    assert_eq!(state("s1").1, Some(AttestationState::Reviewed));
    assert_eq!(
        state("s3"),
        (vec![c3.clone()], Some(AttestationState::Unsigned))
    );

    attest(&repo, &mallory.private_path, &[&c3], true);
    assert_eq!(state("s3").1, Some(AttestationState::Untrusted));
    // An attestation of c1 copied over c3's note is about another commit.
    copy_note(&repo, &c1, &c3);
    assert_eq!(state("s3").1, Some(AttestationState::Invalid));

    // Without allowed signers, alice's signatures are not trusted either.
    let nobody = AllowedSigners::parse("");
    let all = sessions_in_repository(&repo, &nobody).unwrap();
    assert_eq!(all["s1"].attestation, Some(AttestationState::Untrusted));
}

/// The demo repository ties each demo session to its commits, and its commits carry every
/// attestation state a reviewer meets, checked against the demo's own allowed signers.
#[test]
fn the_demo_repository_ties_the_demo_sessions_to_their_commits() {
    use AttestationState::{Invalid, Reviewed, Unsigned, Untrusted};
    let tmp = tempfile::tempdir().unwrap();
    let signers = git_vouch::demo::allowed_signers(tmp.path());
    let all =
        git_vouch::demo::with_repository(tmp.path(), |repo| sessions_in_repository(repo, &signers))
            .unwrap()
            .unwrap();
    // Unpacked once; the next call reuses it.
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
    git_vouch::demo::with_repository(tmp.path(), |_| ()).unwrap();
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
    let prices = git_vouch::pricing::PriceTable::embedded();
    let demo_ids: Vec<String> = git_vouch::demo::catalog(prices)
        .sessions
        .into_iter()
        .map(|s| s.id)
        .collect();
    let mut counts: Vec<(String, usize)> = all
        .iter()
        .map(|(id, s)| (id.chars().take(8).collect(), s.commits.len()))
        .collect();
    counts.sort();
    assert_eq!(
        counts,
        [
            ("7a694908".to_owned(), 1),
            ("ca1d35fd".to_owned(), 1),
            ("db859b07".to_owned(), 2),
            ("e543d002".to_owned(), 1),
            ("e6655031".to_owned(), 1),
        ]
    );
    let mut states: Vec<(String, Option<AttestationState>)> = all
        .iter()
        .map(|(id, s)| (id.chars().take(8).collect(), s.attestation))
        .collect();
    states.sort();
    assert_eq!(
        states,
        [
            ("7a694908".to_owned(), Some(Reviewed)),
            ("ca1d35fd".to_owned(), Some(Unsigned)),
            // One commit only the CI key signed, one a stranger's key signed: the weaker counts.
            ("db859b07".to_owned(), Some(Untrusted)),
            ("e543d002".to_owned(), Some(Invalid)),
            ("e6655031".to_owned(), Some(Reviewed)),
        ]
    );
    for id in all.keys() {
        assert!(demo_ids.contains(id), "{id} is not a demo session");
    }
    // Without the demo's allowed signers, nobody's signature is trusted.
    let nobody = AllowedSigners::parse("");
    let strangers =
        git_vouch::demo::with_repository(tmp.path(), |repo| sessions_in_repository(repo, &nobody))
            .unwrap()
            .unwrap();
    assert!(
        strangers.values().all(|s| s.attestation != Some(Reviewed)),
        "{strangers:?}"
    );
}
