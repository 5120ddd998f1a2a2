//! Navigation on the detail screen, with the worker's jobs run in place.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};

use super::{FilesPane, Tab};
use crate::clock::FixedClock;
use crate::pricing::PriceTable;
use crate::tui::action::Action;
use crate::tui::app::{App, Screen};
use crate::tui::keymap::Keymap;
use crate::tui::msg::{Effect, LoadResult, Msg};
use crate::tui::theme::Theme;
use crate::tui::worker::{Source, perform};

struct Fixture {
    app: App,
    source: Source,
    _dir: tempfile::TempDir,
}

impl Fixture {
    /// The demo, with the session whose title starts with `title` selected (not opened).
    fn new(title: &str) -> Self {
        let clock = FixedClock::parse("2026-11-21T12:00:00Z").unwrap();
        let mut app = App::new(
            Keymap::embedded(),
            Theme::embedded(true),
            Box::new(clock),
            None,
        );
        app.update(Msg::Action(Action::Reload));
        let catalog = crate::demo::catalog(PriceTable::embedded());
        app.update(Msg::Loaded(Box::new(LoadResult {
            catalog,
            searched: Vec::new(),
        })));
        while !app.selected().unwrap().display_title().starts_with(title) {
            app.list.move_by(1);
        }
        let dir = tempfile::tempdir().unwrap();
        let source = Source::Demo {
            repo_parent: dir.path().to_path_buf(),
        };
        Self {
            app,
            source,
            _dir: dir,
        }
    }

    /// Sends a message and returns the effects, without running them.
    fn send(&mut self, msg: Msg) -> Vec<Effect> {
        self.app.update(msg)
    }

    /// Sends a message and runs every job it leads to.
    fn run(&mut self, msg: Msg) {
        let mut queue = self.app.update(msg);
        while let Some(e) = queue.pop() {
            if let Some(m) = perform(e, &self.source, PriceTable::embedded()) {
                queue.extend(self.app.update(m));
            }
        }
    }

    fn key(&mut self, code: KeyCode) {
        self.run(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    fn chars(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    fn view(&self) -> &super::DetailState {
        self.app.detail.as_ref().unwrap()
    }
}

const IMPORT: &str = "Add `tasktrack import";

#[test]
fn enter_reads_once_and_reopening_uses_the_cache() {
    let mut f = Fixture::new(IMPORT);
    let mut effects = f.send(Msg::Action(Action::Open));
    assert!(matches!(effects.as_slice(), [Effect::LoadDetail { .. }]));
    assert_eq!(f.app.screen, Screen::Detail);
    f.app
        .update(Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
    assert_eq!(f.app.screen, Screen::Sessions);
    assert!(
        f.send(Msg::Action(Action::Open)).is_empty(),
        "a second open waits for the first read"
    );
    // The first read answers now; its answer asks for the commits.
    let answer = perform(effects.remove(0), &f.source, PriceTable::embedded()).unwrap();
    let next = f.send(answer);
    assert!(matches!(
        next.as_slice(),
        [Effect::LoadChanges(_), Effect::ScanSecrets(_)]
    ));
    for e in next {
        let msg = perform(e, &f.source, PriceTable::embedded()).unwrap();
        f.run(msg);
    }
    let data = f.app.open_data().unwrap();
    assert!(data.detail.is_some());
    assert!(matches!(data.changes, super::Changes::Ready(ref c) if c.len() == 1));
}

#[test]
fn tabs_cycle_both_ways_and_jump_by_number() {
    let mut f = Fixture::new(IMPORT);
    f.key(KeyCode::Enter);
    f.key(KeyCode::BackTab);
    assert_eq!(f.view().tab, Tab::Exchanges, "wraps backwards");
    f.key(KeyCode::Tab);
    assert_eq!(f.view().tab, Tab::Overview);
    f.chars("]]");
    assert_eq!(f.view().tab, Tab::Tools);
    f.chars("5");
    assert_eq!(f.view().tab, Tab::Files);
    f.chars("7");
    assert_eq!(f.view().tab, Tab::Guard);
    f.chars("8");
    assert_eq!(f.view().tab, Tab::Insights);
    f.chars("5");
    f.chars("?");
    assert_eq!(f.app.screen, Screen::Help);
    f.chars("q");
    assert_eq!(
        f.app.screen,
        Screen::Detail,
        "help closes back onto the session"
    );
}

#[test]
fn files_panes_open_in_turn_and_back_out_one_at_a_time() {
    let mut f = Fixture::new(IMPORT);
    f.key(KeyCode::Enter);
    f.chars("5");
    f.key(KeyCode::Enter);
    assert_eq!(f.view().files.pane, FilesPane::Files);
    // The selected file's diff is highlighted as the selection moves, once per file.
    let effects = f.send(Msg::Action(Action::Down));
    assert!(matches!(
        effects.as_slice(),
        [Effect::Highlight { file: 1, .. }]
    ));
    assert!(f.send(Msg::Action(Action::Down)).len() == 1);
    assert!(
        f.send(Msg::Action(Action::Up)).is_empty(),
        "already asked for file 1"
    );
    f.chars("jjjjjjjj");
    assert_eq!(f.view().files.file, 5, "stops at the last of 6 files");
    assert!(
        f.send(Msg::Action(Action::Open)).is_empty(),
        "highlighted already"
    );
    assert_eq!(f.view().files.pane, FilesPane::Diff);
    let data = f.app.open_data().unwrap();
    assert!(
        data.highlighted
            .keys()
            .any(|(_, p)| p == "tests/test_importer.py")
    );
    f.chars("G");
    // `update` keeps the scroll within the diff (46 lines; no size known: the last one on top).
    assert_eq!(f.view().files.diff_scroll, 45);
    f.key(KeyCode::Esc);
    assert_eq!(f.view().files.pane, FilesPane::Files);
    f.chars("h");
    assert_eq!(f.view().files.pane, FilesPane::Commits);
    f.key(KeyCode::Esc);
    assert_eq!(f.app.screen, Screen::Sessions);
}

#[test]
fn tools_open_their_calls_and_mouse_scrolls() {
    let mut f = Fixture::new(IMPORT);
    f.key(KeyCode::Enter);
    f.chars("3j");
    assert_eq!(f.view().tools.tool, 1);
    f.key(KeyCode::Enter);
    assert!(f.view().tools.calls_focus);
    let wheel = MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 0,
        row: 0,
        modifiers: KeyModifiers::NONE,
    };
    f.run(Msg::Mouse(wheel));
    assert_eq!(f.view().tools.call, 3);
    f.chars("G");
    assert_eq!(f.view().tools.call, 10, "Bash has 11 calls");
    f.key(KeyCode::Esc);
    assert!(!f.view().tools.calls_focus);
    assert_eq!(f.app.screen, Screen::Detail);
}

#[test]
fn a_subagent_opens_its_conversation_and_back_returns_to_the_tree() {
    let mut f = Fixture::new(IMPORT);
    f.key(KeyCode::Enter);
    f.chars("4");
    let effects = f.send(Msg::Action(Action::Open));
    let [Effect::LoadConversation { agent, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert!(agent.starts_with("a33f12a3"), "{agent}");
    assert_eq!(f.view().tab, Tab::Conversation);
    assert!(
        f.send(Msg::Action(Action::Open)).is_empty(),
        "Enter here folds results"
    );
    f.key(KeyCode::Esc);
    assert_eq!(f.view().tab, Tab::Subagents);
    assert_eq!(f.view().conversation.agent, None);
}

#[test]
fn the_conversation_search_box_takes_keys_until_enter() {
    let mut f = Fixture::new(IMPORT);
    f.key(KeyCode::Enter);
    f.chars("/qj");
    let c = &f.view().conversation;
    assert_eq!(
        (c.query.as_str(), c.searching),
        ("qj", true),
        "q and j are typed"
    );
    assert_eq!(f.view().tab, Tab::Conversation);
    f.key(KeyCode::Backspace);
    f.key(KeyCode::Enter);
    assert!(!f.view().conversation.searching);
    f.chars("nN");
    assert!(f.view().conversation.jump);
    f.key(KeyCode::Esc);
    assert!(
        f.view().conversation.query.is_empty(),
        "Esc clears the query first"
    );
    assert_eq!(f.app.screen, Screen::Detail);
    f.chars("te");
    let c = &f.view().conversation;
    assert!(c.thinking && c.results);
}

#[test]
fn the_conversation_is_laid_out_on_the_worker_once_per_width_and_toggles() {
    let mut f = Fixture::new(IMPORT);
    f.key(KeyCode::Enter);
    assert!(
        f.send(Msg::Resize(100, 30)).is_empty(),
        "not on the conversation tab"
    );
    let effects = f.send(Msg::Action(Action::TabConversation));
    let [Effect::LayoutConversation { key, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(key, &(100, false, false, None, false));
    assert!(f.send(Msg::Tick).is_empty(), "asked already");
    // An answer for a width no longer wanted is dropped; the wanted one is kept.
    let stale = effects[0].clone();
    let wanted = f.send(Msg::Resize(90, 30));
    assert_eq!(wanted.len(), 1);
    let old = perform(stale, &f.source, PriceTable::embedded()).unwrap();
    f.send(old);
    assert!(f.view().conversation.rendered.lines.is_empty());
    for e in wanted {
        let msg = perform(e, &f.source, PriceTable::embedded()).unwrap();
        assert!(f.send(msg).is_empty());
    }
    let c = &f.view().conversation;
    assert_eq!(c.rendered.key, (90, false, false, None, false));
    assert!(c.rendered.lines.len() > 50 && c.requested.is_none());
    let toggled = f.send(Msg::Action(Action::ToggleThinking));
    assert!(matches!(
        toggled.as_slice(),
        [Effect::LayoutConversation {
            key: (90, true, false, None, false),
            ..
        }]
    ));
    // The redacted view is laid out again, on the worker, with the secrets hidden.
    let redacted = f.send(Msg::Action(Action::ToggleRedact));
    assert!(matches!(
        redacted.as_slice(),
        [Effect::LayoutConversation {
            key: (90, true, false, None, true),
            ..
        }]
    ));
}

#[test]
fn the_search_runs_in_update_so_next_match_moves_before_any_draw() {
    let mut f = Fixture::new(IMPORT);
    f.key(KeyCode::Enter);
    f.run(Msg::Resize(100, 30));
    f.chars("6et");
    assert!(!f.view().conversation.rendered.lines.is_empty());
    f.chars("/unittest");
    f.key(KeyCode::Enter);
    let c = &f.view().conversation;
    assert!(c.matches.len() >= 2, "{:?}", c.matches);
    assert!(!c.jump, "update scrolled to the first match");
    // The lines shown: the body (30 rows less the top bar, tabs and keys), its title and the
    // search bar.
    let height = 30 - 3 - 1 - 1;
    assert_eq!(f.view().page, height);
    let last = c.rendered.lines.len() - height;
    assert_eq!(c.scroll, c.matches[0].saturating_sub(height / 3).min(last));
    f.chars("n");
    let c = &f.view().conversation;
    assert_eq!(c.current, 1, "the matches were there before any draw");
    assert_eq!(c.scroll, c.matches[1].saturating_sub(height / 3).min(last));
    f.chars("N");
    assert_eq!(f.view().conversation.current, 0);
}

#[test]
fn the_files_tab_pages_by_the_focused_pane_before_any_draw() {
    let mut f = Fixture::new(IMPORT);
    f.key(KeyCode::Enter);
    f.chars("5");
    f.run(Msg::Resize(100, 30));
    let [commits, files, _] =
        super::files_areas(super::body_area((100, 30)), 1, false).map(|a| a.height);
    assert_eq!(f.view().page, usize::from(commits - 2));
    f.key(KeyCode::Enter);
    assert_eq!(f.view().files.pane, FilesPane::Files);
    assert_eq!(f.view().page, usize::from(files - 2));
}

/// Gives the open demo session one finding behind `calls` (in `agent`'s thread).
fn with_finding(f: &mut Fixture, agent: Option<&str>, calls: &[&str]) {
    let session = f.view().session.clone();
    let data = f.app.loaded.get_mut(&session).unwrap();
    let insights = std::sync::Arc::make_mut(data.insights.as_mut().unwrap());
    insights.findings.push(crate::insights::Finding {
        id: crate::insights::Detector::Loop,
        title: "Bash called 3 times in a row".into(),
        severity: crate::insights::Severity::High,
        confidence: crate::insights::Confidence::High,
        basis: crate::insights::Basis::Measured,
        agent_id: agent.map(str::to_owned),
        at: None,
        calls: calls.iter().map(|c| (*c).to_owned()).collect(),
        suggestion: "Read the error.".into(),
    });
}

#[test]
fn enter_on_a_finding_shows_its_first_call_in_the_conversation() {
    let mut f = Fixture::new(IMPORT);
    f.run(Msg::Resize(100, 30));
    f.key(KeyCode::Enter);
    // The last main-thread call of the session, so the jump has to scroll.
    let detail = f.app.open_data().unwrap().detail.clone().unwrap();
    let last = detail
        .tool_calls
        .iter()
        .rev()
        .find(|c| c.agent_id.is_none())
        .unwrap();
    let id = last.id.clone();
    with_finding(&mut f, None, &[&id]);
    f.chars("8");
    assert_eq!(f.view().tab, Tab::Insights);
    f.key(KeyCode::Enter);
    let c = &f.view().conversation;
    assert_eq!(f.view().tab, Tab::Conversation);
    assert_eq!(c.agent, None);
    assert!(
        c.goto_call.is_none(),
        "the jump was made once the layout was there"
    );
    let line = c
        .rendered
        .calls
        .iter()
        .find(|(call, _)| *call == id)
        .unwrap()
        .1;
    let height = 30 - 3 - 1;
    let last_scroll = c.rendered.lines.len().saturating_sub(height);
    assert!(line > height, "the call is below the first screen");
    assert_eq!(c.scroll, line.saturating_sub(height / 3).min(last_scroll));
}

#[test]
fn a_finding_in_a_subagent_opens_that_agents_conversation() {
    let mut f = Fixture::new(IMPORT);
    f.run(Msg::Resize(100, 30));
    f.key(KeyCode::Enter);
    let detail = f.app.open_data().unwrap().detail.clone().unwrap();
    let call = detail
        .tool_calls
        .iter()
        .find(|c| c.agent_id.is_some())
        .unwrap();
    let (agent, id) = (call.agent_id.clone().unwrap(), call.id.clone());
    with_finding(&mut f, Some(&agent), &[&id]);
    f.chars("8");
    let effects = f.send(Msg::Action(Action::Open));
    assert!(
        matches!(effects.as_slice(), [Effect::LoadConversation { agent: a, .. }] if *a == agent),
        "{effects:?}"
    );
    assert_eq!(
        f.view().conversation.goto_call.as_deref(),
        Some(id.as_str())
    );
    // A finding about requests has no call to show: it says so.
    let mut g = Fixture::new(IMPORT);
    g.key(KeyCode::Enter);
    with_finding(&mut g, None, &[]);
    g.chars("8");
    g.key(KeyCode::Enter);
    assert_eq!(g.view().tab, Tab::Insights);
    assert!(
        g.app
            .notice
            .as_deref()
            .unwrap_or("")
            .contains("about requests")
    );
}

/// The Insights tab with findings, as drawn (a demo session has none of its own).
#[test]
fn the_insights_tab_lists_findings_and_the_selected_one_in_full() {
    let mut f = Fixture::new(IMPORT);
    f.key(KeyCode::Enter);
    let detail = f.app.open_data().unwrap().detail.clone().unwrap();
    let ids: Vec<&str> = detail
        .tool_calls
        .iter()
        .take(3)
        .map(|c| c.id.as_str())
        .collect();
    with_finding(&mut f, None, &ids);
    with_finding(&mut f, Some("a33f12a3"), &[]);
    f.chars("8j");
    f.run(Msg::Resize(100, 24));
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 24)).unwrap();
    terminal.draw(|frame| f.app.render(frame)).unwrap();
    insta::assert_snapshot!(
        "detail_insights_findings_100x24",
        terminal.backend().to_string()
    );
}
