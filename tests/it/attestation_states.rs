//! One vocabulary for attestation states, with real git and keys. A commit attested without
//! review by one key (as `git vouch attest` and the pre-push hook sign) and then reviewed with
//! another credits only the reviewer, in `git vouch log`, its JSON, `verify`, the explorer's
//! sessions list and its Branch view; a trusted signature nobody reviewed is never called
//! reviewed or "verified by"; totals count untrusted commits; `notes push|fetch` print
//! sentences; a missing signing key is explained once.

#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use crate::support::world;

use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use git_vouch::attest::allowed_signers::AllowedSigners;
use git_vouch::attest::hunk_review::{HunkMark, MarkedHunk};
use git_vouch::attest::publish::{Prepared, Review, sign_and_attach};
use git_vouch::attest::sign::{FileSigner, keygen};
use git_vouch::attest::standing::sessions_in_repository;
use git_vouch::clock::FixedClock;
use git_vouch::evidence::Evidence;
use git_vouch::git::Git;
use git_vouch::pricing::PriceTable;
use git_vouch::provenance::branch_log;
use git_vouch::redact::{RedactOptions, Redactor};
use git_vouch::tui::{Action, App, Keymap, LoadResult, Msg, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::{Value, json};
use world::{SESSION, World, agent_commit, setup};

const RANGE: &str = "main..feature";

/// A repository whose feature branch has one agent commit, attested by `git vouch attest`
/// (not reviewed) with the keygen key of `dev@example.com`; the pre-push hook stays out.
fn attested(w: &World) -> (PathBuf, PathBuf) {
    let (repo, _remote, allowed) = setup(w);
    w.ok("git", &repo, &["config", "vouch.review", "off"]);
    agent_commit(w, &repo);
    w.ok("git-vouch", &repo, &["attest", RANGE]);
    (repo, allowed)
}

fn stdout(w: &World, dir: &Path, args: &[&str]) -> String {
    let out = w.run("git-vouch", dir, args);
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn log_text(w: &World, repo: &Path, allowed: &Path) -> String {
    let allowed = allowed.to_str().unwrap();
    stdout(
        w,
        repo,
        &["log", RANGE, "--no-fetch", "--allowed-signers", allowed],
    )
}

fn log_json(w: &World, repo: &Path, allowed: &Path) -> Value {
    let allowed = allowed.to_str().unwrap();
    let args = [
        "log",
        RANGE,
        "--no-fetch",
        "--json",
        "--allowed-signers",
        allowed,
    ];
    serde_json::from_str(&stdout(w, repo, &args)).unwrap()
}

fn verify(w: &World, repo: &Path, allowed: &Path, json: bool) -> String {
    let allowed = allowed.to_str().unwrap();
    let mut args = vec!["verify", RANGE, "--allowed-signers", allowed];
    if json {
        args.push("--json");
    }
    stdout(w, repo, &args)
}

/// The explorer's Attest column word for the recorded session.
fn list_label(repo: &Path, allowed: &Path) -> &'static str {
    let signers = AllowedSigners::load(allowed).unwrap();
    let all = sessions_in_repository(repo, &signers).unwrap();
    all[SESSION].attestation.unwrap().label()
}

/// The Branch view over the range, as the explorer draws it at 120x40.
fn branch_view(repo: &Path, allowed: &Path) -> String {
    let signers = AllowedSigners::load(allowed).unwrap();
    let clock = FixedClock::parse("2026-11-21T12:00:00Z").unwrap();
    let prices = PriceTable::embedded();
    let log = branch_log(repo, Some(RANGE), &signers, prices, &clock).unwrap();
    let mut app = App::new(
        Keymap::embedded(),
        Theme::embedded(true),
        Box::new(clock),
        Some(repo.to_path_buf()),
    );
    app.update(Msg::Action(Action::Reload));
    app.update(Msg::Loaded(Box::new(LoadResult {
        catalog: git_vouch::demo::catalog(prices),
        searched: Vec::new(),
    })));
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('b'),
        KeyModifiers::NONE,
    )));
    app.update(Msg::BranchLoaded(Box::new(Ok(log))));
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal.draw(|f| app.render(f)).unwrap();
    terminal.backend().to_string()
}

/// Bob reviews the range with his own key (trusted too) and signs it with a note.
fn bob_reviews(w: &World, repo: &Path, allowed: &Path) {
    let bob = keygen(&w.root.join("keys/bob"), "bob@example.com").unwrap();
    let mut trusted = std::fs::read_to_string(allowed).unwrap();
    trusted.push_str(&bob.allowed_signers_line("bob@example.com"));
    trusted.push('\n');
    std::fs::write(allowed, trusted).unwrap();
    let statement = world::signed_statement(w, repo, "feature");
    let evidence: Evidence =
        serde_json::from_value(statement["predicate"]["evidence"].clone()).unwrap();
    let git = w
        .env()
        .into_iter()
        .fold(Git::new(repo).clear_env(), |g, (k, v)| g.env(k, v));
    let hunk = |header: &str, mark: HunkMark, comment: Option<&str>| MarkedHunk {
        file: "src/lib.rs".into(),
        header: header.into(),
        digest: "ab".repeat(32),
        sessions: vec![SESSION.into()],
        mark,
        comment: comment.map(str::to_owned),
    };
    let review = Review {
        reviewed: true,
        note: Some("Read every line".into()),
        hunks: Some(vec![
            hunk("@@ -0,0 +1,3 @@", HunkMark::Read, None),
            hunk(
                "@@ -7,0 +10,2 @@",
                HunkMark::Flagged,
                Some("unchecked index"),
            ),
        ]),
    };
    sign_and_attach(
        &git,
        &Prepared::new(evidence),
        &review,
        &Redactor::new(RedactOptions::default()),
        &FileSigner::open(&bob.private_path).unwrap(),
        &FixedClock::parse("2026-11-21T10:05:00Z").unwrap(),
    )
    .unwrap();
}

fn no_review_claimed(what: &str, text: &str) {
    let lower = text.to_lowercase();
    assert!(!lower.contains("reviewed by"), "{what}: {text}");
    assert!(!lower.contains("verified by"), "{what}: {text}");
    assert!(!lower.contains(" verified "), "{what}: {text}");
}

#[test]
fn a_trusted_signature_nobody_reviewed_is_never_called_reviewed() {
    let w = World::new();
    let (repo, allowed) = attested(&w);

    let text = log_text(&w, &repo, &allowed);
    assert!(
        text.contains("unreviewed (signed by dev@example.com)"),
        "{text}"
    );
    assert!(text.contains("\n1 unreviewed\n"), "{text}");
    no_review_claimed("log", &text);

    let doc = log_json(&w, &repo, &allowed);
    let a = &doc["commits"][0]["attestation"];
    assert_eq!(a["state"], "unreviewed", "{doc}");
    assert_eq!(a["signers"], json!(["dev@example.com"]));
    assert_eq!(a["reviewers"], json!([]));

    let text = verify(&w, &repo, &allowed, false);
    assert!(
        text.contains(" unreviewed (signed by dev@example.com)\n"),
        "{text}"
    );
    assert!(
        text.ends_with("1 of 1 commit has a verified signature: 1 unreviewed\n"),
        "{text}"
    );
    assert!(!text.contains("verified by"), "{text}");
    let doc: Value = serde_json::from_str(&verify(&w, &repo, &allowed, true)).unwrap();
    assert_eq!(doc["commits"][0]["state"], "unreviewed", "{doc}");
    assert_eq!(doc["commits"][0]["reviewers"], json!([]));

    assert_eq!(list_label(&repo, &allowed), "unreviewed");
    let screen = branch_view(&repo, &allowed);
    assert!(
        screen.contains("unreviewed (signed by dev@example.com)"),
        "{screen}"
    );
    no_review_claimed("branch view", &screen);
}

#[test]
fn the_reviewer_is_credited_and_the_automatic_signer_only_signed() {
    let w = World::new();
    let (repo, allowed) = attested(&w);
    bob_reviews(&w, &repo, &allowed);
    let credit = "reviewed by bob@example.com (also signed by dev@example.com)";

    let doc = log_json(&w, &repo, &allowed);
    let a = &doc["commits"][0]["attestation"];
    assert_eq!(a["state"], "reviewed", "{doc}");
    assert_eq!(a["reviewers"], json!(["bob@example.com"]));
    let signers = a["signers"].as_array().unwrap();
    assert_eq!(signers.len(), 2, "{a}");
    assert!(signers.contains(&json!("dev@example.com")), "{a}");
    assert!(signers.contains(&json!("bob@example.com")), "{a}");
    // The note and signing time are the reviewed attestation's, not the hook's.
    assert_eq!(a["note"], "Read every line");
    assert!(
        a["signed_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-21T10:05:00"),
        "{a}"
    );
    assert_eq!(doc["totals"]["reviewed"], 1);

    let text = log_text(&w, &repo, &allowed);
    assert!(text.contains(credit), "{text}");
    assert!(!text.contains("reviewed by dev@example.com"), "{text}");
    assert!(text.contains("note: Read every line"), "{text}");

    // Bob's hunk-by-hunk review: what it covered, in every output.
    let coverage = "2 of 2 agent hunks read by bob@example.com (1 flagged)";
    assert!(text.contains(coverage), "{text}");
    let a = &doc["commits"][0]["hunk_reviews"][0];
    assert_eq!(a["by"], "bob@example.com", "{doc}");
    assert_eq!(
        (a["agent_hunks"].as_u64(), a["read"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(
        (a["flagged"].as_u64(), a["unmarked"].as_u64()),
        (Some(1), Some(0))
    );

    let text = verify(&w, &repo, &allowed, false);
    assert!(text.contains(credit), "{text}");
    assert!(text.contains(coverage), "{text}");
    let doc: Value = serde_json::from_str(&verify(&w, &repo, &allowed, true)).unwrap();
    assert_eq!(doc["commits"][0]["state"], "reviewed", "{doc}");
    assert_eq!(doc["commits"][0]["reviewers"], json!(["bob@example.com"]));
    assert_eq!(doc["commits"][0]["hunk_reviews"][0]["flagged"], 1, "{doc}");

    // The pull request's summary says the same, from the signed evidence.
    let allowed_arg = allowed.to_str().unwrap();
    let md = stdout(
        &w,
        &repo,
        &[
            "verify",
            RANGE,
            "--format",
            "markdown",
            "--allowed-signers",
            allowed_arg,
        ],
    );
    for text in [
        "## AI provenance · `main..feature` · 1 commit",
        "**1 of 1 commit has a verified signature** (1 reviewed).",
        "| Commit | Subject | Attestation | Sessions | Agent lines | Policies |",
        credit,
        &format!("`{}`", &SESSION[..8]),
        "### Agent sessions",
        "claude-code 2.1.197",
        coverage,
        "Check it again from a clone: `git vouch notes fetch && git vouch verify main..feature`",
    ] {
        assert!(md.contains(text), "{text}\n{md}");
    }
    assert!(
        !md.contains("*local*"),
        "the evidence is the signed one: {md}"
    );
    let session_row = md
        .lines()
        .find(|l| l.starts_with(&format!("| `{}`", &SESSION[..8])));
    let row = session_row.unwrap_or_else(|| panic!("{md}"));
    let log = log_json(&w, &repo, &allowed);
    let tokens = log["commits"][0]["sessions"][0]["total_tokens"]
        .as_u64()
        .unwrap();
    assert!(row.contains(&git_vouch::present::tokens(tokens)), "{row}");

    assert_eq!(list_label(&repo, &allowed), "reviewed");
    let screen = branch_view(&repo, &allowed);
    assert!(screen.contains(credit), "{screen}");
    let row = screen.lines().find(|l| l.contains("agent notes")).unwrap();
    assert!(
        row.trim_end_matches('"').trim_end().ends_with(" reviewed"),
        "the Attest column: {row}"
    );
    assert!(!screen.contains("reviewed by dev@example.com"), "{screen}");
}

#[test]
fn totals_count_untrusted_commits_as_the_rows_name_them() {
    let w = World::new();
    let (repo, _) = attested(&w);
    let nobody = w.root.join("nobody_signers");
    std::fs::write(&nobody, "").unwrap();

    let doc = log_json(&w, &repo, &nobody);
    assert_eq!(doc["commits"][0]["attestation"]["state"], "untrusted");
    assert_eq!(doc["totals"]["untrusted"], 1, "{doc}");
    assert_eq!(doc["totals"]["invalid"], 0, "{doc}");

    let text = log_text(&w, &repo, &nobody);
    assert!(text.contains("\n1 untrusted\n"), "{text}");
    let text = verify(&w, &repo, &nobody, false);
    assert!(
        text.ends_with("0 of 1 commit has a verified signature: 1 untrusted\n"),
        "{text}"
    );
    let screen = branch_view(&repo, &nobody);
    assert!(screen.contains(" 1 untrusted "), "{screen}");
    assert!(!screen.contains("invalid"), "{screen}");
}

#[test]
fn notes_push_and_fetch_say_what_happened_in_sentences() {
    let w = World::new();
    let (repo, _) = attested(&w);
    let run = |dir: &Path, args: &[&str]| w.ok("git-vouch", dir, args);
    assert_eq!(
        run(&repo, &["notes", "fetch"]),
        "Found no attestation notes (refs/notes/vouch) on origin; nothing fetched.\n"
    );
    assert_eq!(
        run(&repo, &["notes", "push"]),
        "Pushed refs/notes/vouch to origin.\n"
    );

    let clone = w.root.join("clone");
    let remote = w.root.join("remote.git");
    let (remote, clone_s) = (remote.to_str().unwrap(), clone.to_str().unwrap());
    w.ok("git", &w.root, &["clone", "-q", remote, clone_s]);
    assert_eq!(
        run(&clone, &["notes", "push"]),
        "Nothing to push to origin: there are no attestation notes (refs/notes/vouch) here.\n"
    );
    assert_eq!(
        run(&clone, &["notes", "fetch"]),
        "Fetched refs/notes/vouch from origin and merged it into the local notes.\n"
    );
    assert_eq!(
        run(&clone, &["notes", "fetch"]),
        "Fetched refs/notes/vouch from origin; nothing new.\n"
    );
}

#[test]
fn a_missing_signing_key_is_explained_once() {
    let w = World::new();
    let (repo, _remote, _) = setup(&w);
    let key = w.root.join("config/git-vouch/signing_key");
    assert!(key.exists(), "setup's keygen key");
    std::fs::remove_file(&key).unwrap();
    agent_commit(&w, &repo);

    let out = w.run("git-vouch", &repo, &["attest", RANGE]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("no signing key").count(), 1, "{err}");
    assert_eq!(err.matches("git vouch keygen").count(), 1, "{err}");

    // The pre-push hook (no terminal: `optional` attests without review) says it once too.
    let push = w.ok("git", &repo, &["push", "origin", "feature"]);
    assert!(
        push.contains("git-vouch: not attested: no signing key"),
        "{push}"
    );
    assert_eq!(push.matches("no signing key").count(), 1, "{push}");
    assert_eq!(push.matches("git vouch keygen").count(), 1, "{push}");
}
