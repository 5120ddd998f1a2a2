use std::collections::BTreeMap;
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::{Focus, Phase, ReviewApp, ReviewEffect, ReviewMsg, Reviewed};
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
use crate::push::review::{Decision, Request, Target};
use crate::tui::keymap::Keymap;
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
    assert!(matches!(app.start()[..], [ReviewEffect::Prepare]));
    let item = Reviewed::new(target(), Prepared::new(evidence()));
    app.update(ReviewMsg::Prepared(Ok(vec![item])));
    app
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
    assert_eq!(app.focus, Focus::Note);
    // q and esc-less letters go into the note, not to the key map.
    typed(&mut app, "quick look: tests pass");
    let effects = press(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    match &effects[..] {
        [ReviewEffect::Sign { note }] => {
            assert_eq!(note.as_deref(), Some("quick look: tests pass"));
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
    assert_eq!(app.focus, Focus::Summary);
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
    press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
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
    let app = ready(true, false);
    let screen = draw(&app, (120, 40));
    assert!(screen.contains("health: 75 (B) · 2 findings"), "{screen}");
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
    assert!(screen.contains("Next pane"), "{screen}");
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
