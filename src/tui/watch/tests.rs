use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

use super::app::{Pending, WatchApp, WatchEffect, WatchMsg};
use super::tail::Tail;
use crate::capture::record::EventRecord;
use crate::guard::check::GuardRecord;
use crate::guard::decide::{GuardMode, Verdict};
use crate::guard::rules::{Category, Level};
use crate::guard::watch::{Answer, Held, Hold, PROTOCOL};
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;

fn at(s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 15, 0, s).unwrap()
}

fn app() -> WatchApp {
    let mut app = WatchApp::new(
        Keymap::embedded(),
        Theme::embedded(true),
        "shop".into(),
        "enforce".into(),
        "alice".into(),
    );
    app.update(WatchMsg::Tick(at(0)));
    app
}

fn held(session: &str, command: &str, fallback: Verdict) -> Held {
    Held {
        protocol: PROTOCOL,
        session_id: session.into(),
        agent_id: None,
        tool: "Bash".into(),
        tool_use_id: Some("toolu_9".into()),
        cwd: Some("/srv/shop".into()),
        input: json!({ "command": command }),
        level: Level::High,
        categories: vec![Category::HistoryRewrite],
        rules: vec!["force-push-protected".into()],
        reason: Some("git-vouch guard: high risk: rewrites history of a protected branch".into()),
        fallback,
        wait_secs: 60,
    }
}

fn hold(app: &mut WatchApp, id: u64, held: Held) {
    let since = app.now;
    app.update(WatchMsg::Held(Box::new(Pending { id, held, since })));
}

fn press(app: &mut WatchApp, code: KeyCode) -> Vec<WatchEffect> {
    app.update(WatchMsg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn event(kind: &str, id: &str, level: Option<Level>, s: u32) -> EventRecord {
    let mut e: EventRecord = serde_json::from_value(json!({
        "ts": at(s),
        "event": kind,
        "tool": "Bash",
        "tool_use_id": id,
        "summary": "cargo test",
    }))
    .unwrap();
    e.guard = level.map(|level| GuardRecord {
        mode: GuardMode::Enforce,
        level,
        categories: Vec::new(),
        rules: Vec::new(),
        verdict: Verdict::Allow,
        reason: None,
        interactive: true,
        by_policy: false,
        failed_before: 0,
        error: None,
        micros: 90,
        held: None,
    });
    e
}

fn draw(app: &WatchApp, (w, h): (u16, u16)) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| super::view::render(app, f)).unwrap();
    format!("{}", terminal.backend())
}

#[test]
fn each_key_answers_the_selected_call_and_signs_it_with_the_watchers_name() {
    let mut app = app();
    hold(
        &mut app,
        1,
        held("aaaaaaaa-1", "git push --force origin main", Verdict::Ask),
    );
    hold(
        &mut app,
        2,
        held(
            "bbbbbbbb-2",
            "git push --force origin release",
            Verdict::Deny,
        ),
    );
    press(&mut app, KeyCode::Down);
    let effects = press(&mut app, KeyCode::Char('p'));
    let [WatchEffect::Answer { id: 2, reply }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!((reply.answer, reply.by.as_str()), (Answer::Prompt, "alice"));
    assert_eq!(app.pending.len(), 1);
    assert_eq!(app.selected, 0, "the selection stays on a waiting call");
    let effects = press(&mut app, KeyCode::Char('y'));
    assert!(matches!(
        effects.as_slice(),
        [WatchEffect::Answer { id: 1, reply }] if reply.answer == Answer::Allow
    ));
    assert!(press(&mut app, KeyCode::Char('y')).is_empty());
    assert_eq!(app.message.as_deref(), Some("no call is waiting for you"));
}

#[test]
fn a_denial_takes_a_reason_that_letters_type_and_esc_cancels() {
    let mut app = app();
    hold(
        &mut app,
        7,
        held("aaaaaaaa-1", "git push --force origin main", Verdict::Ask),
    );
    assert!(press(&mut app, KeyCode::Char('d')).is_empty());
    assert!(app.reason.is_some());
    // Keys bound to actions (q quits, y allows) are text while the reason is typed.
    for c in "use a PR, not y/q".chars() {
        assert!(press(&mut app, KeyCode::Char(c)).is_empty());
    }
    let effects = press(&mut app, KeyCode::Enter);
    let [WatchEffect::Answer { id: 7, reply }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(reply.answer, Answer::Deny);
    assert_eq!(reply.reason.as_deref(), Some("use a PR, not y/q"));
    hold(
        &mut app,
        8,
        held("aaaaaaaa-1", "git push --force origin main", Verdict::Ask),
    );
    press(&mut app, KeyCode::Char('d'));
    press(&mut app, KeyCode::Esc);
    assert!(app.reason.is_none());
    assert_eq!(app.pending.len(), 1, "cancelled: still waiting");
}

#[test]
fn a_call_whose_hook_stopped_waiting_leaves_the_list_and_says_so() {
    let mut app = app();
    hold(
        &mut app,
        3,
        held("cccccccc-3", "git push --force origin main", Verdict::Ask),
    );
    app.update(WatchMsg::HookGone(3));
    assert!(app.pending.is_empty());
    let message = app.message.clone().unwrap();
    assert!(message.contains("stopped waiting"), "{message}");
    // A call past its wait goes too, a little after its hook gave up.
    hold(
        &mut app,
        4,
        held("cccccccc-3", "git push --force origin main", Verdict::Ask),
    );
    app.update(WatchMsg::Tick(at(59)));
    assert_eq!(app.pending.len(), 1);
    app.update(WatchMsg::Tick(
        DateTime::from_timestamp(at(0).timestamp() + 70, 0).unwrap(),
    ));
    assert!(app.pending.is_empty());
}

#[test]
fn the_feed_follows_calls_and_their_outcomes_and_the_sessions_running() {
    let mut app = app();
    let events = vec![
        ("s-1".to_owned(), event("SessionStart", "", None, 1)),
        (
            "s-1".to_owned(),
            event("PreToolUse", "toolu_1", Some(Level::Low), 2),
        ),
        ("s-1".to_owned(), event("PostToolUse", "toolu_1", None, 3)),
        (
            "s-2".to_owned(),
            event("PreToolUse", "toolu_2", Some(Level::Critical), 4),
        ),
        (
            "s-2".to_owned(),
            event("PostToolUseFailure", "toolu_2", None, 5),
        ),
        ("s-1".to_owned(), event("SessionEnd", "", None, 6)),
    ];
    app.update(WatchMsg::Events(events));
    let lines: Vec<_> = app
        .feed
        .lines
        .iter()
        .map(|l| (l.session.as_str(), l.outcome.label()))
        .collect();
    assert_eq!(lines, [("s-1", "ran"), ("s-2", "failed")]);
    let running: Vec<_> = app
        .feed
        .running()
        .iter()
        .map(|s| (s.id.clone(), s.worst))
        .collect();
    assert_eq!(running, [("s-2".to_owned(), Level::Critical)]);
}

#[test]
fn the_ledger_tail_reads_appended_lines_once_and_only_whole_ones() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s-1.jsonl");
    let line = |id: &str| {
        let mut l = serde_json::to_vec(&event("PreToolUse", id, Some(Level::Low), 1)).unwrap();
        l.push(b'\n');
        l
    };
    std::fs::write(&file, line("toolu_1")).unwrap();
    let mut tail = Tail::new(dir.path());
    // "Now" is the ledger's own change time: its age is what counts.
    let now = std::fs::metadata(&file).unwrap().modified().unwrap();
    let first = tail.look(now);
    assert_eq!(first.events.len(), 1, "a recent ledger is replayed");
    assert_eq!(first.events[0].0, "s-1");
    assert!(tail.look(now).events.is_empty(), "nothing new");
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .unwrap();
    let second = line("toolu_2");
    f.write_all(&second[..10]).unwrap();
    assert!(tail.look(now).events.is_empty(), "half a line waits");
    f.write_all(&second[10..]).unwrap();
    let found = tail.look(now);
    assert_eq!(found.events.len(), 1);
    assert_eq!(found.events[0].1.tool_use_id.as_deref(), Some("toolu_2"));
    f.write_all(b"{not json}\n").unwrap();
    let found = tail.look(now);
    assert!(found.events.is_empty());
    assert_eq!(found.problems.len(), 1, "{:?}", found.problems);
    // At the start, old ledgers are not replayed.
    let later = now + std::time::Duration::from_hours(24);
    assert!(Tail::new(dir.path()).look(later).events.is_empty());
}

#[test]
fn the_screen_at_80x24_and_120x40() {
    let mut app = app();
    let events = vec![
        (
            "5f0c1d2e-aaaa".to_owned(),
            event("PreToolUse", "toolu_1", Some(Level::Low), 2),
        ),
        (
            "5f0c1d2e-aaaa".to_owned(),
            event("PostToolUse", "toolu_1", None, 3),
        ),
    ];
    app.update(WatchMsg::Events(events));
    let mut answered = event("PreToolUse", "toolu_3", Some(Level::High), 4);
    if let Some(g) = answered.guard.as_mut() {
        g.held = Some(Hold {
            answer: Some(Answer::Deny),
            by: Some("alice".into()),
            reason: Some("use a pull request".into()),
            error: None,
            waited_ms: 4100,
        });
        g.verdict = Verdict::Deny;
    }
    app.update(WatchMsg::Events(vec![(
        "5f0c1d2e-aaaa".to_owned(),
        answered,
    )]));
    insta::assert_snapshot!("watch_idle_80x24", draw(&app, (80, 24)));
    hold(
        &mut app,
        1,
        held(
            "5f0c1d2e-aaaa",
            "git push --force origin main",
            Verdict::Ask,
        ),
    );
    app.update(WatchMsg::Tick(at(12)));
    insta::assert_snapshot!("watch_waiting_120x40", draw(&app, (120, 40)));
    press(&mut app, KeyCode::Char('d'));
    insta::assert_snapshot!("watch_deny_80x24", draw(&app, (80, 24)));
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('?'));
    insta::assert_snapshot!("watch_help_80x24", draw(&app, (80, 24)));
}
