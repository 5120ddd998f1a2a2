//! The explorer's Branch view: loading, the commits with their attestation states, the selected
//! commit in full, opening a commit's sessions and coming back, outside a repository; rendered
//! with ratatui's TestBackend and compared with snapshots.

#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use git_vouch::clock::FixedClock;
use git_vouch::pricing::PriceTable;
use git_vouch::provenance::{
    Attestation, BranchLog, CommitEntry, LOG_SCHEMA, LogTotals, SessionEntry,
};
use git_vouch::tui::worker::{Source, perform};
use git_vouch::tui::{Action, App, Effect, Keymap, LoadResult, Msg, Screen, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn app(scope: Option<&str>) -> App {
    let clock = FixedClock::parse("2026-11-21T12:00:00Z").unwrap();
    let mut app = App::new(
        Keymap::embedded(),
        Theme::embedded(true),
        Box::new(clock),
        scope.map(PathBuf::from),
    );
    app.update(Msg::Action(Action::Reload));
    let catalog = git_vouch::demo::catalog(PriceTable::embedded());
    app.update(Msg::Loaded(Box::new(LoadResult {
        catalog,
        searched: Vec::new(),
    })));
    app
}

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn draw(app: &mut App, (w, h): (u16, u16)) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| app.render(f)).unwrap();
    terminal.backend().to_string()
}

fn at(t: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(t).unwrap().to_utc()
}

fn session(id: &str, title: &str, tokens: u64, cost: &str) -> SessionEntry {
    SessionEntry {
        id: id.into(),
        agent: "claude-code".into(),
        agent_version: "2.1.197".into(),
        title: Some(title.into()),
        models: vec!["claude-sonnet-4-5-20250929".into()],
        total_tokens: tokens,
        cost_usd: Some(cost.into()),
        health: Some(100),
        grade: Some("A".into()),
        findings: 0,
    }
}

/// A branch of four commits, one per attestation state a reviewer cares about.
fn log(app: &App) -> BranchLog {
    let ids: Vec<String> = app.sessions.iter().take(2).map(|s| s.id.clone()).collect();
    let commits = vec![
        CommitEntry {
            sha: "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3".into(),
            subject: "Fix the flaky test by hand".into(),
            author: "Ada".into(),
            committed_at: at("2026-11-21T11:00:00Z"),
            attestation: Attestation::Unsigned,
            source: "none",
            sessions: Vec::new(),
            lines_added: 3,
            ai_lines_added: 0,
            policy_summary: None,
            policies: Vec::new(),
            carried: None,
            hunk_reviews: Vec::new(),
            statements: Vec::new(),
            session_evidence: Vec::new(),
            redactions: std::collections::BTreeMap::new(),
        },
        CommitEntry {
            sha: "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2".into(),
            subject: "Add due dates to tasks".into(),
            author: "Ada".into(),
            committed_at: at("2026-11-21T10:00:00Z"),
            // Signed by the push hook (ci, not reviewed), then reviewed and signed by Ada.
            attestation: Attestation::Reviewed {
                signers: vec!["ci@example.com".into(), "ada@example.com".into()],
                reviewers: vec!["ada@example.com".into()],
                note: Some("Read every line; tests pass".into()),
                signed_at: Some("2026-11-21T10:05:00Z".into()),
            },
            source: "attestation",
            sessions: vec![session(&ids[0], "Add due dates", 137_100, "0.204000")],
            lines_added: 40,
            ai_lines_added: 38,
            policy_summary: None,
            policies: Vec::new(),
            carried: None,
            hunk_reviews: Vec::new(),
            statements: Vec::new(),
            session_evidence: Vec::new(),
            redactions: std::collections::BTreeMap::new(),
        },
        CommitEntry {
            sha: "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1".into(),
            subject: "Refactor the store".into(),
            author: "Ada".into(),
            committed_at: at("2026-11-21T09:00:00Z"),
            attestation: Attestation::Unreviewed {
                signers: vec!["ci@example.com".into()],
                reviewers: Vec::new(),
                signed_at: None,
            },
            source: "attestation",
            sessions: vec![session(&ids[1], "Refactor", 52_000, "0.080000")],
            lines_added: 12,
            ai_lines_added: 12,
            policy_summary: None,
            policies: Vec::new(),
            carried: None,
            hunk_reviews: Vec::new(),
            statements: Vec::new(),
            session_evidence: Vec::new(),
            redactions: std::collections::BTreeMap::new(),
        },
        CommitEntry {
            sha: "d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4".into(),
            subject: "Bump the lock file".into(),
            author: "Ada".into(),
            committed_at: at("2026-11-21T08:00:00Z"),
            attestation: Attestation::Untrusted {
                reason: "key SHA256:x is not in the allowed signers".into(),
            },
            source: "none",
            sessions: Vec::new(),
            lines_added: 1,
            ai_lines_added: 0,
            policy_summary: None,
            policies: Vec::new(),
            carried: None,
            hunk_reviews: Vec::new(),
            statements: Vec::new(),
            session_evidence: Vec::new(),
            redactions: std::collections::BTreeMap::new(),
        },
    ];
    BranchLog {
        schema: LOG_SCHEMA,
        range: "HEAD".into(),
        base: Some("0".repeat(40)),
        tip: commits[0].sha.clone(),
        branch: Some("feature".into()),
        base_ref: Some("origin/main".into()),
        totals: LogTotals {
            commits: 4,
            agent_commits: 2,
            sessions: 2,
            total_tokens: 189_100,
            cost_usd: "0.284000".into(),
            cost_incomplete: false,
            reviewed: 1,
            unreviewed: 1,
            unsigned: 1,
            invalid: 0,
            untrusted: 1,
        },
        commits,
        warnings: Vec::new(),
    }
}

#[test]
fn branch_view_loads_shows_states_and_opens_a_commits_sessions() {
    let mut app = app(Some("/home/dev/tasktrack"));
    let effects = key(&mut app, KeyCode::Char('b'));
    assert_eq!(
        effects,
        vec![Effect::LoadBranch(Some(PathBuf::from(
            "/home/dev/tasktrack"
        )))]
    );
    assert_eq!(app.screen, Screen::Branch);
    insta::assert_snapshot!("branch_loading_80x24", draw(&mut app, (80, 24)));
    // Asking again while it loads starts nothing new.
    assert!(key(&mut app, KeyCode::Char('b')).is_empty());
    let mut log = log(&app);
    log.commits[1].policy_summary =
        Some("2 policies: 1 passed, 1 violated (1 violation), 0 skipped, 0 errors".into());
    log.commits[1].policies = vec!["approved_models: model claude-opus-4-6 is not approved".into()];
    let first_session = log.commits[1].sessions[0].id.clone();
    app.update(Msg::BranchLoaded(Box::new(Ok(log))));
    let wide = draw(&mut app, (120, 40));
    insta::assert_snapshot!("branch_120x40", wide);
    assert!(
        wide.contains("branch feature · base origin/main")
            && wide.contains("4 commits · 2 sessions")
            && wide.contains("? help"),
        "{wide}"
    );
    insta::assert_snapshot!("branch_80x24", draw(&mut app, (80, 24)));

    // The first commit has no sessions: Enter does nothing.
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Branch);
    key(&mut app, KeyCode::Char('j'));
    let screen = draw(&mut app, (120, 40));
    insta::assert_snapshot!("branch_reviewed_120x40", screen);
    // Ada reviewed; the hook's signature (ci) is no review.
    assert!(
        screen.contains("reviewed by ada@example.com (also signed by ci@example.com)"),
        "{screen}"
    );
    assert!(!screen.contains("reviewed by ci@example.com"), "{screen}");
    assert!(
        screen.contains("note Read every line; tests pass"),
        "{screen}"
    );
    assert!(
        screen.contains("✗ approved_models: model claude-opus-4-6 is not approved"),
        "{screen}"
    );
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Sessions);
    let shown: Vec<String> = app.shown().map(|s| s.id.clone()).collect();
    assert_eq!(shown, vec![first_session]);
    let screen = draw(&mut app, (120, 40));
    assert!(screen.contains("sessions of commit b2b2b2b2"), "{screen}");
    // Back returns to the branch, and the list is whole again.
    key(&mut app, KeyCode::Char('q'));
    assert_eq!(app.screen, Screen::Branch);
    assert_eq!(app.shown().count(), app.sessions.len());
    // r reads the branch again; q goes back to the sessions.
    assert!(matches!(
        key(&mut app, KeyCode::Char('r'))[..],
        [Effect::LoadBranch(_)]
    ));
    key(&mut app, KeyCode::Char('q'));
    assert_eq!(app.screen, Screen::Sessions);
}

#[test]
fn branch_view_outside_a_repository_and_failures_say_why() {
    let mut app = app(None);
    let effects = key(&mut app, KeyCode::Char('b'));
    assert_eq!(effects, vec![Effect::LoadBranch(None)]);
    settle(
        &mut app,
        effects,
        &Source::Local {
            cache: None,
            data_dir: None,
            archives: Vec::new(),
        },
    );
    let screen = draw(&mut app, (80, 24));
    assert!(screen.contains("not inside a git repository"), "{screen}");
    let mut app = self::app(Some("/home/dev/x"));
    key(&mut app, KeyCode::Char('b'));
    app.update(Msg::BranchLoaded(Box::new(Err(
        "unknown revision 'HEAD'".into()
    ))));
    let screen = draw(&mut app, (80, 24));
    assert!(screen.contains("unknown revision 'HEAD'"), "{screen}");
    // Help over the Branch view goes back to it.
    key(&mut app, KeyCode::Char('?'));
    assert_eq!(app.screen, Screen::Help);
    key(&mut app, KeyCode::Char('q'));
    assert_eq!(app.screen, Screen::Branch);
}

/// Runs the jobs the effects ask for, in this thread, feeding the answers back.
fn settle(app: &mut App, effects: Vec<Effect>, source: &Source) {
    let mut queue = effects;
    while let Some(effect) = queue.pop() {
        if let Some(msg) = perform(effect, source, PriceTable::embedded()) {
            queue.extend(app.update(msg));
        }
    }
}

/// In the demo, `b` shows the demo repository's branch, by name, with the sessions of its
/// commits; its help lists the Branch view's own keys.
#[test]
fn branch_view_in_the_demo() {
    let tmp = tempfile::tempdir().unwrap();
    let source = Source::Demo {
        repo_parent: tmp.path().to_path_buf(),
    };
    let mut app = app(None);
    let effects = key(&mut app, KeyCode::Char('b'));
    settle(&mut app, effects, &source);
    assert_eq!(app.screen, Screen::Branch);
    let log = app.branch.log.clone().expect("the demo branch is read");
    assert_eq!(log.branch.as_deref(), Some("main"));
    assert_eq!(log.commits.len(), 8);
    assert!(log.commits.iter().any(|c| !c.sessions.is_empty()));
    let screen = draw(&mut app, (120, 40));
    assert!(
        screen.contains("branch main · base none, all of its history"),
        "{screen}"
    );
    assert!(screen.contains("Import tasks from CSV"), "{screen}");
    // The demo shows every state a reviewer meets, one commit each, with real signatures.
    assert!(
        screen.contains("2 reviewed · 1 unreviewed · 3 unsigned · 1 untrusted · 1 invalid"),
        "{screen}"
    );
    let words: Vec<&str> = log
        .commits
        .iter()
        .map(|c| c.attestation.state().label())
        .collect();
    assert_eq!(
        words,
        [
            "unsigned",
            "invalid",
            "untrusted",
            "unreviewed",
            "reviewed",
            "reviewed",
            "unsigned",
            "unsigned"
        ]
    );
    let refactor = &log.commits[4];
    assert_eq!(
        refactor.standing(),
        "reviewed by alice@tasktrack.dev (also signed by ci@tasktrack.dev)"
    );
    key(&mut app, KeyCode::Char('?'));
    insta::assert_snapshot!("help_branch_80x24", draw(&mut app, (80, 24)));
}

/// `D` on the Branch view reads the branch's whole diff with who wrote each added line (the
/// demo's branch: its sessions wrote the lines its commits record); `n` and `l` step between
/// agent hunks and files, `enter` opens the session behind a hunk, `q` comes back.
#[test]
fn branch_diff_in_the_demo() {
    let tmp = tempfile::tempdir().unwrap();
    let source = Source::Demo {
        repo_parent: tmp.path().to_path_buf(),
    };
    let mut app = app(None);
    let effects = key(&mut app, KeyCode::Char('b'));
    settle(&mut app, effects, &source);
    let effects = key(&mut app, KeyCode::Char('D'));
    assert!(
        matches!(&effects[..], [Effect::LoadBranchDiff { repo: None, sessions }] if sessions.len() > 3),
        "{effects:?}"
    );
    assert_eq!(app.screen, Screen::BranchDiff);
    assert!(draw(&mut app, (100, 20)).contains("reading the diff"));
    settle(&mut app, effects, &source);
    let diff = app.branch.diff.target().expect("the demo branch's diff");
    let totals = diff.diff.totals;
    assert!(
        totals.agent > 100 && totals.agent < totals.added,
        "{totals:?}"
    );
    assert!(diff.hunks.len() > 10, "{}", diff.hunks.len());
    // Every agent hunk names the session that wrote it, and the demo has that session.
    assert!(diff.hunks.iter().all(|h| h.first.session.is_some()));
    let screen = draw(&mut app, (120, 40));
    assert!(screen.contains("hunk 1 of"), "{screen}");
    assert!(screen.contains("A+ "), "{screen}");
    assert!(screen.contains("agent hunks"), "{screen}");
    insta::assert_snapshot!("branch_diff_120x40", screen);
    key(&mut app, KeyCode::Char('n'));
    assert_eq!(app.branch.diff.changes.selected, 1);
    let first_file = app.branch.diff.changes.current().unwrap().1.file;
    key(&mut app, KeyCode::Char('l'));
    let (_, hunk, _, _) = app.branch.diff.changes.current().unwrap();
    assert!(hunk.file > first_file, "l moves to a later file's hunk");
    let session = hunk.first.session.clone().unwrap();
    let effects = key(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Detail);
    assert!(
        matches!(&effects[..], [Effect::LoadDetail { summary, .. }] if summary.id == session),
        "{effects:?}"
    );
    key(&mut app, KeyCode::Char('q'));
    app.screen = Screen::BranchDiff;
    key(&mut app, KeyCode::Char('?'));
    insta::assert_snapshot!("help_branch_diff_80x24", draw(&mut app, (80, 24)));
    key(&mut app, KeyCode::Char('q'));
    key(&mut app, KeyCode::Char('q'));
    assert_eq!(app.screen, Screen::Branch);
}
