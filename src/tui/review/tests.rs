use std::collections::BTreeMap;
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::{Focus, Phase, ReviewApp, ReviewEffect, ReviewMsg, Reviewed};
use crate::attest::hunk_review::HunkMark;
use crate::attest::publish::Prepared;
use crate::evidence::guard::{
    GuardEvidence, GuardedCall, LevelCounts, Outcome as GuardOutcome, VerdictCounts,
};
use crate::evidence::range::Range;
use crate::evidence::{
    CommitEvidence, Evidence, FileEvidence, ModelEvidence, Producer, RangeInfo, Repository,
    SessionEvidence, ToolEvidence, Totals, UsageEvidence,
};
use crate::guard::decide::{GuardMode, Verdict};
use crate::guard::rules::{Category, Level};
use crate::policy::{PolicyReport, PolicyResult, Violation};
use crate::provenance::blame::{Basis, BlamePrompt, BlameSession, LineAuthor};
use crate::provenance::diff::{DiffFile, DiffLine, DiffTotals, LineBy, RangeDiff};
use crate::push::review::{Decision, Request, Target};
use crate::tui::keymap::Keymap;
use crate::tui::range_diff::TargetChanges;
use crate::tui::theme::Theme;

const SHA: &str = "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c";
const SESSION: &str = "5e55a0b1-aaaa-4bbb-8ccc-000000000001";

fn usage(total: u64, cost: &str) -> UsageEvidence {
    UsageEvidence {
        input_tokens: total / 2,
        output_tokens: total / 2,
        total_tokens: total,
        cost_usd: Some(cost.to_owned()),
        ..UsageEvidence::default()
    }
}

/// The guard's account of a session that tried to delete a folder outside the repository.
fn guard(at: chrono::DateTime<chrono::Utc>) -> GuardEvidence {
    let call = GuardedCall {
        at,
        tool_use_id: Some("toolu_01".into()),
        tool: "Bash".into(),
        agent_id: None,
        summary: Some("rm -rf ../shop-old".into()),
        level: Level::Critical,
        categories: vec![Category::Destructive],
        rules: vec!["delete-outside-repository".into()],
        mode: GuardMode::Enforce,
        verdict: Verdict::Deny,
        reason: Some("deletes outside the repository".into()),
        outcome: GuardOutcome::NoResult,
        bypassed: false,
        answered_by: None,
    };
    GuardEvidence {
        levels: LevelCounts {
            low: 11,
            medium: 1,
            high: 0,
            critical: 1,
        },
        verdicts: VerdictCounts {
            allow: 12,
            ask: 0,
            deny: 1,
        },
        unassessed: 0,
        bypassed: 0,
        answered: 0,
        calls: vec![call],
    }
}

/// A claim of success never verified (high), and an estimate that costs no health.
fn insights() -> crate::insights::Insights {
    use crate::insights::{Basis, Confidence, Detector, Finding, Insights, Severity};
    let finding = |id, severity, title: &str| Finding {
        id,
        title: title.into(),
        severity,
        confidence: Confidence::Medium,
        basis: Basis::Measured,
        agent_id: None,
        at: None,
        calls: vec!["toolu_9".into()],
        suggestion: String::new(),
    };
    Insights {
        rules_version: 2,
        health: 75,
        grade: "B".into(),
        findings: vec![
            finding(
                Detector::UnverifiedCompletion,
                Severity::High,
                "the last answer says \"done\" but no test ran after the last edit (basket.py)",
            ),
            finding(
                Detector::UnrecordedCompaction,
                Severity::Info,
                "the compaction's model call is not in the transcript",
            ),
        ],
        tool_errors: Vec::new(),
    }
}

#[allow(clippy::too_many_lines)]
fn evidence() -> Evidence {
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-21T10:00:00Z")
        .unwrap()
        .to_utc();
    Evidence {
        schema_version: crate::evidence::SCHEMA_VERSION.to_owned(),
        generated_at: at,
        producer: Producer {
            name: "git-vouch".into(),
            version: "0.1.0".into(),
        },
        repository: Repository {
            name: "shop".into(),
            branch: Some("feature".into()),
            remote: Some("origin".into()),
            remote_url: None,
        },
        range: RangeInfo {
            spec: "origin/main..feature".into(),
            base: None,
            tip: SHA.into(),
            tip_tree: SHA.into(),
            commit_count: 1,
            change_id: None,
            file_changes: std::collections::BTreeMap::new(),
        },
        commits: vec![CommitEvidence {
            sha: SHA.into(),
            parents: Vec::new(),
            subject: "Add the basket total\u{1b}[31m".into(),
            author: "Ada".into(),
            committed_at: at,
            sessions: vec![SESSION.into()],
            attribution_source: "recorded".into(),
            change_id: None,
            files: vec![FileEvidence {
                path: "src/basket.rs".into(),
                old_path: None,
                status: "modified".into(),
                lines_added: 14,
                lines_removed: 2,
                ai_lines_added: 12,
                human_lines_added: 2,
                ai_line_ranges: vec![[3, 14]],
                human_line_ranges: vec![[20, 21]],
                unknown_lines_added: 0,
                unknown_line_ranges: Vec::new(),
            }],
        }],
        sessions: vec![SessionEvidence {
            id: SESSION.into(),
            agent: Producer {
                name: "claude-code".into(),
                version: "2.1.197".into(),
            },
            title: Some("Basket totals".into()),
            started_at: Some(at),
            ended_at: Some(at),
            duration_seconds: Some(600),
            git_branch: Some("feature".into()),
            permission_modes: vec!["default".into()],
            models: vec![ModelEvidence {
                model: "claude-opus-4-6".into(),
                requests: 4,
                usage: usage(32_100, "0.420000"),
            }],
            usage: usage(32_100, "0.420000"),
            tools: vec![ToolEvidence {
                name: "Edit".into(),
                calls: 5,
                failed: 1,
            }],
            subagents: Vec::new(),
            user_prompts: 2,
            assistant_messages: 4,
            commits: vec![SHA.into()],
            transcripts: Vec::new(),
            warnings: Vec::new(),
            actions: Vec::new(),
            guard: Some(guard(at)),
            insights: Some(insights()),
            recording: None,
            agent_config: Some(
                serde_json::from_value(serde_json::json!({
                    "captured_at": null,
                    "config_sha256": "c".repeat(64),
                    "instructions": [
                        {"path": "CLAUDE.md", "scope": "project", "bytes": 120, "sha256": "1".repeat(64)}
                    ],
                    "settings": [{
                        "path": ".claude/settings.json", "scope": "project", "sha256": "2".repeat(64),
                        "default_mode": null, "allow": [], "deny": [], "ask": [],
                        "hooks": [{"event": "PreToolUse", "command_sha256": "3".repeat(64)}],
                        "enabled_plugins": [], "model": null
                    }],
                    "mcp_servers": [{"name": "github", "scope": "project", "command_sha256": "4".repeat(64)}],
                    "agents": [], "commands": [], "skills": []
                }))
                .unwrap(),
            ),
        }],
        totals: Totals {
            commits: 1,
            agent_commits: 1,
            sessions: 1,
            lines_added: 14,
            ai_lines_added: 12,
            human_lines_added: 2,
            unknown_lines_added: 0,
            usage: usage(32_100, "0.420000"),
        },
        redactions: BTreeMap::from([("github_token".to_owned(), 1)]),
        warnings: vec!["session 5e55a0b1: transcript ends mid-line".into()],
        policies: Some(PolicyReport::new(vec![
            PolicyResult {
                name: "approved_models".into(),
                source: "builtin".into(),
                kind: "rego".into(),
                sha256: String::new(),
                status: "violated".into(),
                violations: vec![Violation {
                    session: Some(SESSION.into()),
                    message: "model claude-opus-4-6 is not approved".into(),
                }],
                skip_reason: None,
                error: None,
            },
            PolicyResult {
                name: "no_secrets".into(),
                source: "builtin".into(),
                kind: "rego".into(),
                sha256: String::new(),
                status: "pass".into(),
                violations: Vec::new(),
                skip_reason: None,
                error: None,
            },
        ])),
    }
}

fn request(pushing: bool, allow_unattested: bool) -> Request {
    Request {
        cwd: PathBuf::from("."),
        remote: pushing.then(|| "origin".to_owned()),
        targets: vec![target()],
        allow_unattested,
        enforce_policies: false,
        require_hunks: false,
        evidence: Ok(Vec::new()),
    }
}

fn target() -> Target {
    Target {
        label: "refs/heads/feature → refs/heads/feature".into(),
        range: Range {
            spec: "origin/feature..feature".into(),
            base: None,
            tip: SHA.into(),
            commits: vec![SHA.into()],
        },
    }
}

fn ready(pushing: bool, allow_unattested: bool) -> ReviewApp {
    let mut app = ReviewApp::new(
        Keymap::embedded(),
        Theme::embedded(true),
        request(pushing, allow_unattested),
    );
    assert!(matches!(
        app.start()[..],
        [ReviewEffect::Prepare, ReviewEffect::LoadChanges]
    ));
    let item = Reviewed::new(target(), Prepared::new(evidence()));
    app.update(ReviewMsg::Prepared(Ok(vec![item])));
    app.update(ReviewMsg::Changes(Box::new(Ok(vec![TargetChanges::new(
        changes(),
    )]))));
    app
}

fn diff_line(kind: &'static str, n: u32, text: &str, author: Option<LineAuthor>) -> DiffLine {
    DiffLine {
        kind,
        old: (kind != "added").then_some(n),
        new: (kind != "removed").then_some(n),
        text: text.to_owned(),
        by: author.map(|author| LineBy {
            author,
            basis: Basis::Recorded,
            commit: Some(SHA.into()),
            session: (author == LineAuthor::Agent).then(|| SESSION.to_owned()),
            tool_use_id: (author == LineAuthor::Agent).then(|| "toolu_01".to_owned()),
            prompt: (author == LineAuthor::Agent).then_some(1),
        }),
    }
}

/// The pushed range's diff: two agent hunks in `src/lib.rs`, one hunk a person wrote.
fn changes() -> RangeDiff {
    let agent = Some(LineAuthor::Agent);
    let human = Some(LineAuthor::Human);
    let lines = vec![
        diff_line("hunk", 0, "@@ -1,2 +1,4 @@", None),
        diff_line("context", 1, "pub fn total(xs: &[u64]) -> u64 {", None),
        diff_line("removed", 2, "    0", None),
        diff_line("added", 2, "    let sum = xs.iter().sum();", agent),
        diff_line("added", 3, "    sum", agent),
        diff_line("context", 4, "}", None),
        diff_line("hunk", 0, "@@ -10,1 +12,2 @@", None),
        diff_line("added", 12, "// Totals are checked by hand.", human),
        diff_line("hunk", 0, "@@ -20,1 +23,3 @@", None),
        diff_line("added", 23, "pub fn mean(xs: &[u64]) -> u64 {", agent),
        diff_line("added", 24, "    total(xs) / xs.len() as u64", agent),
    ];
    RangeDiff {
        schema: crate::provenance::diff::DIFF_SCHEMA,
        range: "origin/feature..feature".into(),
        base: None,
        tip: SHA.into(),
        files: vec![DiffFile {
            path: "src/lib.rs".into(),
            old_path: None,
            status: "modified",
            binary: false,
            added: 5,
            removed: 1,
            agent: 4,
            human: 1,
            unknown: 0,
            lines,
            more_lines: 0,
        }],
        commits: Vec::new(),
        sessions: vec![BlameSession {
            id: SESSION.into(),
            agent: "claude-code".into(),
            agent_version: Some("2.0.0".into()),
            title: None,
            models: vec!["claude-sonnet-4-5".into()],
            prompts: vec![BlamePrompt {
                number: 1,
                at: None,
                text: "Add a mean next to the total".into(),
                lines: 4,
            }],
            transcript: true,
        }],
        totals: DiffTotals::default(),
        warnings: Vec::new(),
    }
}

fn press(app: &mut ReviewApp, code: KeyCode, mods: KeyModifiers) -> Vec<ReviewEffect> {
    app.update(ReviewMsg::Key(KeyEvent::new(code, mods)))
}

fn typed(app: &mut ReviewApp, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c), KeyModifiers::NONE);
    }
}

fn draw(app: &ReviewApp, (w, h): (u16, u16)) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| super::view::render(app, f)).unwrap();
    format!("{}", terminal.backend())
}

#[test]
fn note_is_typed_then_signed_with_exactly_that_note() {
    let mut app = ready(true, true);
    press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(app.focus, Focus::Note);
    // q and esc-less letters go into the note, not to the key map.
    typed(&mut app, "quick look: tests pass");
    let effects = press(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    match &effects[..] {
        [ReviewEffect::Sign { note, hunks }] => {
            assert_eq!(note.as_deref(), Some("quick look: tests pass"));
            let hunks = hunks[0].as_ref().expect("the agent hunks, unmarked");
            assert_eq!(hunks.len(), 2);
            assert!(hunks.iter().all(|h| h.mark == HunkMark::Unmarked));
        }
        other => panic!("expected a Sign effect, got {other:?}"),
    }
    assert!(matches!(app.phase, Phase::Signing(_)));
    // A second ctrl+s while signing does nothing.
    assert!(press(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL).is_empty());
    let done = app.update(ReviewMsg::Signed(Ok(Vec::new())));
    assert!(matches!(
        done[..],
        [ReviewEffect::Finish(Decision::Signed(_))]
    ));
}

#[test]
fn enforced_policy_violations_block_signing() {
    let mut app = ready(true, true);
    app.request.enforce_policies = true;
    assert!(app.blocked_by_policies());
    // Said up front, before anyone tries to sign.
    let screen = draw(&app, (120, 30));
    assert!(
        screen.contains("signing blocked: policy violations (vouch.policy enforce)"),
        "{screen}"
    );
    assert!(!screen.contains("sign & push"), "{screen}");
    assert!(press(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL).is_empty());
    assert!(
        app.message
            .as_deref()
            .unwrap()
            .contains("vouch.policy is enforce")
    );
    assert_eq!(app.phase, Phase::Ready);
    // Only warned about (not enforced): signing goes ahead.
    app.request.enforce_policies = false;
    assert!(matches!(
        press(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL)[..],
        [ReviewEffect::Sign { .. }]
    ));
}

#[test]
fn failed_signature_keeps_the_screen_open_with_the_reason() {
    let mut app = ready(true, false);
    press(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    let reason = crate::attest::SignError::NoKey.to_string();
    let effects = app.update(ReviewMsg::Signed(Err(reason.clone())));
    assert!(effects.is_empty());
    assert_eq!(app.phase, Phase::Ready);
    assert!(app.message.as_deref().unwrap().contains("no signing key"));
    // At 80 columns the whole reason and its fix are on screen, wrapped, each once.
    let screen = draw(&app, (80, 24));
    let bottom: Vec<&str> = screen.lines().rev().take(3).collect();
    let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let shown = words(
        &bottom
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join(" ")
            .replace('"', " "),
    );
    assert!(
        shown.contains(&words(&format!("Not signed: {reason}"))),
        "{screen}"
    );
    assert_eq!(shown.matches("no signing key").count(), 1, "{screen}");
    assert_eq!(shown.matches("git vouch keygen").count(), 1, "{screen}");
}

#[test]
fn abort_from_the_panes_and_esc_leaves_the_note_first() {
    let mut app = ready(true, true);
    // Terminals send back-tab with Shift.
    press(&mut app, KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(app.focus, Focus::Note);
    assert!(press(&mut app, KeyCode::Esc, KeyModifiers::NONE).is_empty());
    assert_eq!(app.focus, Focus::Changes);
    let effects = press(&mut app, KeyCode::Char('q'), KeyModifiers::NONE);
    assert!(matches!(
        effects[..],
        [ReviewEffect::Finish(Decision::Abort)]
    ));
    let effects = press(&mut app, KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert!(matches!(
        effects[..],
        [ReviewEffect::Finish(Decision::Abort)]
    ));
}

#[test]
fn push_without_attestation_only_where_allowed() {
    let mut required = ready(true, false);
    assert!(press(&mut required, KeyCode::Char('p'), KeyModifiers::CONTROL).is_empty());
    assert!(required.message.as_deref().unwrap().contains("required"));
    let mut optional = ready(true, true);
    let effects = press(&mut optional, KeyCode::Char('p'), KeyModifiers::CONTROL);
    assert!(matches!(
        effects[..],
        [ReviewEffect::Finish(Decision::PushUnattested)]
    ));
    let mut outside_a_push = ready(false, true);
    assert!(
        press(
            &mut outside_a_push,
            KeyCode::Char('p'),
            KeyModifiers::CONTROL
        )
        .is_empty()
    );
}

#[test]
fn nothing_to_sign_when_the_evidence_failed() {
    let mut app = ReviewApp::new(
        Keymap::embedded(),
        Theme::embedded(true),
        request(true, true),
    );
    app.update(ReviewMsg::Prepared(Err("unknown revision 'x'".into())));
    assert!(press(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL).is_empty());
    assert!(draw(&app, (80, 24)).contains("unknown revision 'x'"));
}

#[test]
fn evidence_pane_scrolls_within_the_document() {
    let mut app = ready(true, true);
    press(&mut app, KeyCode::Char('3'), KeyModifiers::NONE);
    assert_eq!(app.focus, Focus::Evidence);
    press(&mut app, KeyCode::Char('G'), KeyModifiers::SHIFT);
    let len: usize = app.items[0].lines.len();
    assert!(app.evidence_scroll < len + 2 && app.evidence_scroll > len / 2);
    press(&mut app, KeyCode::Char('g'), KeyModifiers::NONE);
    assert_eq!(app.evidence_scroll, 0);
}

#[test]
fn the_evidence_shown_is_the_bytes_that_get_signed() {
    let app = ready(true, true);
    let item = &app.items[0];
    let shown: serde_json::Value = serde_json::from_str(&item.lines.join("\n")).unwrap();
    assert_eq!(serde_json::to_vec(&shown).unwrap(), item.prepared.bytes);
}

#[test]
fn screens() {
    let mut app = ready(true, true);
    insta::assert_snapshot!("review_120x40", draw(&app, (120, 40)));
    insta::assert_snapshot!("review_80x24", draw(&app, (80, 24)));
    press(&mut app, KeyCode::Char('2'), KeyModifiers::NONE);
    insta::assert_snapshot!("review_sessions_120x40", draw(&app, (120, 40)));
    press(&mut app, KeyCode::Char('3'), KeyModifiers::NONE);
    insta::assert_snapshot!("review_evidence_100x30", draw(&app, (100, 30)));
    press(&mut app, KeyCode::BackTab, KeyModifiers::NONE);
    press(&mut app, KeyCode::BackTab, KeyModifiers::NONE);
    press(&mut app, KeyCode::BackTab, KeyModifiers::NONE);
    typed(&mut app, "Checked the totals by hand.");
    insta::assert_snapshot!("review_note_80x24", draw(&app, (80, 24)));
    press(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    press(&mut app, KeyCode::Char('?'), KeyModifiers::NONE);
    insta::assert_snapshot!("review_help_80x24", draw(&app, (80, 24)));
    let loading = ReviewApp::new(
        Keymap::embedded(),
        Theme::embedded(true),
        request(false, false),
    );
    insta::assert_snapshot!("review_loading_60x20", draw(&loading, (60, 20)));
}

/// The summary pane says each session's health and the findings that cost it.
#[test]
fn the_summary_shows_each_sessions_health_and_findings() {
    let mut app = ready(true, false);
    press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    let screen = draw(&app, (120, 40));
    assert!(screen.contains("health: 75 (B) · 2 findings"), "{screen}");
    assert!(
        screen.contains(
            "configuration: 1 instruction file · 1 settings file (1 hook) · MCP github · sha256 cccccccccccc…"
        ),
        "{screen}"
    );
    assert!(screen.contains("permission modes: default"), "{screen}");
    assert!(
        screen.contains("high unverified_completion · the last answer"),
        "{screen}"
    );
    assert!(
        !screen.contains("unrecorded_compaction"),
        "information costs no health: {screen}"
    );
}

/// The help lists this screen's keys in its own words, and `ctrl+p` only where pushing unsigned
/// is allowed.
#[test]
fn help_offers_only_what_this_review_allows() {
    let mut app = ready(true, false);
    press(&mut app, KeyCode::Char('?'), KeyModifiers::NONE);
    let screen = draw(&app, (100, 30));
    assert!(screen.contains("Next tab"), "{screen}");
    assert!(!screen.contains("tab of the session"), "{screen}");
    assert!(!screen.contains("ctrl+p"), "{screen}");
    let mut app = ready(false, false);
    press(&mut app, KeyCode::Char('?'), KeyModifiers::NONE);
    let screen = draw(&app, (100, 30));
    assert!(
        screen.contains("Sign what is shown with the note "),
        "{screen}"
    );
    assert!(!screen.contains("then push"), "{screen}");
}

/// The Changes tab steps through the agent hunks (not the person's), marks them read, flagged
/// with a comment, or skipped, and signs exactly those marks with each hunk's digest.
#[test]
fn hunks_are_marked_one_by_one_and_signed_with_their_marks() {
    let mut app = ready(true, true);
    assert_eq!(app.focus, Focus::Changes);
    let screen = draw(&app, (120, 30));
    assert!(screen.contains("hunk 1 of 2 [unmarked]"), "{screen}");
    assert!(
        screen.contains("prompt 1: «Add a mean next to the total»"),
        "{screen}"
    );
    assert!(
        screen.contains("A+     let sum = xs.iter().sum();"),
        "{screen}"
    );
    assert!(
        screen.contains("H+ // Totals are checked by hand."),
        "{screen}"
    );
    typed(&mut app, "m");
    assert_eq!(
        app.changes.selected, 1,
        "marking moves to the next unmarked hunk"
    );
    // A flag needs a comment: enter on a blank one keeps the box open.
    typed(&mut app, "f");
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(app.comment.is_some());
    assert!(app.message.as_deref().unwrap().contains("needs a comment"));
    typed(&mut app, "divides by zero on an empty slice");
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(app.comment.is_none());
    let screen = draw(&app, (120, 30));
    assert!(
        screen.contains("1 read · 1 flagged · 0 skipped · 0 unmarked"),
        "{screen}"
    );
    assert!(
        screen.contains("[flagged: divides by zero on an empty slice]"),
        "{screen}"
    );
    insta::assert_snapshot!("review_changes_120x30", screen);
    // Esc while writing a comment drops the flag: the mark stays as it was.
    typed(&mut app, "N");
    typed(&mut app, "f");
    typed(&mut app, "never mind");
    press(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(
        app.changes.targets[0].marks,
        [HunkMark::Read, HunkMark::Flagged]
    );
    typed(&mut app, "x");
    let effects = press(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    let [ReviewEffect::Sign { hunks, .. }] = &effects[..] else {
        panic!("expected a Sign effect, got {effects:?}");
    };
    let hunks = hunks[0].as_ref().unwrap();
    assert_eq!(hunks[0].mark, HunkMark::Skipped);
    assert_eq!(hunks[1].mark, HunkMark::Flagged);
    assert_eq!(
        hunks[1].comment.as_deref(),
        Some("divides by zero on an empty slice")
    );
    assert_eq!(hunks[1].header, "@@ -20,1 +23,3 @@");
    assert_eq!(hunks[0].sessions, [SESSION]);
    assert_eq!(hunks[0].digest.len(), 64);
    assert_ne!(hunks[0].digest, hunks[1].digest);
}

/// `vouch.review.hunks all`: signing waits for every agent hunk to be marked, and says so up
/// front.
#[test]
fn every_hunk_must_be_marked_where_the_setting_asks() {
    let mut app = ready(true, true);
    app.request.require_hunks = true;
    let screen = draw(&app, (120, 30));
    assert!(
        screen.contains("signing blocked: vouch.review.hunks is all"),
        "{screen}"
    );
    assert!(press(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL).is_empty());
    assert!(
        app.message
            .as_deref()
            .unwrap()
            .contains("2 of 2 agent hunks not marked")
    );
    typed(&mut app, "mx");
    assert!(app.blocked_by_hunks().is_none());
    assert!(matches!(
        press(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL)[..],
        [ReviewEffect::Sign { .. }]
    ));
    // Changes that could not be read cannot be marked: signing stays blocked.
    let mut failed = ready(true, true);
    failed.request.require_hunks = true;
    failed.update(ReviewMsg::Changes(Box::new(Err("git blame failed".into()))));
    assert!(press(&mut failed, KeyCode::Char('s'), KeyModifiers::CONTROL).is_empty());
    assert!(draw(&failed, (100, 30)).contains("git blame failed"));
}

/// Enter asks for the story of the hunk's first agent line and shows it when it arrives.
#[test]
fn enter_opens_the_story_behind_a_hunk() {
    use crate::provenance::blame::CallStory;
    use crate::provenance::blame::{WhyEntry, WhyPrompt};
    let mut app = ready(true, true);
    let effects = press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let [
        ReviewEffect::Story {
            session,
            call,
            prompt,
        },
    ] = &effects[..]
    else {
        panic!("expected a Story effect, got {effects:?}");
    };
    assert_eq!(
        (session.as_str(), call.as_str(), *prompt),
        (SESSION, "toolu_01", Some(1))
    );
    assert!(draw(&app, (100, 30)).contains("Reading the session"));
    app.update(ReviewMsg::Story(Box::new(CallStory {
        prompt: Some(WhyPrompt {
            number: 1,
            of: 3,
            at: None,
            text: "Add a mean next to the total".into(),
        }),
        tool_call: None,
        conversation: vec![WhyEntry {
            at: None,
            kind: "answer",
            text: "I will add mean() below total().".into(),
            this_call: false,
        }],
    })));
    let screen = draw(&app, (100, 30));
    assert!(screen.contains("Prompt 1 of 3"), "{screen}");
    assert!(
        screen.contains("I will add mean() below total()."),
        "{screen}"
    );
    press(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(app.story.is_none(), "esc closes the story, not the review");
}

/// A session's permission modes, or the mode it started in where its transcript records none;
/// a mode that bypasses permission checks in the error style, whichever agent's word it is.
#[test]
fn the_summary_names_the_permission_modes_and_marks_a_bypass() {
    let theme = Theme::embedded(false);
    let base = evidence().sessions.remove(0);
    let shown = |s: &SessionEvidence| {
        let mut out = Vec::new();
        super::summary::permission_line(s, &theme, &mut out);
        out.iter()
            .map(|l| {
                let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
                (text, l.spans[1].style == theme.error)
            })
            .collect::<Vec<_>>()
    };
    let line = |text: &str, red: bool| vec![(text.to_owned(), red)];
    assert_eq!(shown(&base), line("   permission modes: default", false));

    let mut codex = base.clone();
    codex.permission_modes = vec!["approval:never".into(), "sandbox:danger-full-access".into()];
    assert_eq!(
        shown(&codex),
        line(
            "   permission modes: approval:never, sandbox:danger-full-access",
            true
        )
    );

    let mut gemini = base.clone();
    gemini.permission_modes.clear();
    gemini.agent_config.as_mut().unwrap().launch_mode = Some("yolo".into());
    assert_eq!(
        shown(&gemini),
        line("   started in permission mode: yolo", true)
    );
    gemini.agent_config.as_mut().unwrap().launch_mode = Some("auto_edit".into());
    assert_eq!(
        shown(&gemini),
        line("   started in permission mode: auto_edit", false)
    );
    gemini.agent_config = None;
    assert_eq!(shown(&gemini), Vec::new());
}
