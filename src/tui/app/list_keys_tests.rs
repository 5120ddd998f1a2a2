//! The sessions list's keys: leaving only when asked twice, the key the empty search names,
//! sorting a long list (position and viewport) and the sort picker.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::{App, Column};
use crate::clock::FixedClock;
use crate::index::Catalog;
use crate::money::Usd;
use crate::session::SessionSummary;
use crate::tui::action::Action;
use crate::tui::keymap::Keymap;
use crate::tui::msg::{Effect, LoadResult, Msg};
use crate::tui::theme::Theme;

fn app_with(catalog: Catalog) -> App {
    let clock = FixedClock::parse("2026-11-21T12:00:00Z").unwrap();
    let mut app = App::new(
        Keymap::embedded(),
        Theme::embedded(true),
        Box::new(clock),
        None::<PathBuf>,
    );
    app.update(Msg::Action(Action::Reload));
    app.update(Msg::Loaded(Box::new(LoadResult {
        catalog,
        searched: Vec::new(),
    })));
    app
}

fn demo() -> App {
    app_with(crate::demo::catalog(crate::pricing::PriceTable::embedded()))
}

fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn draw(app: &mut App, (w, h): (u16, u16)) -> String {
    app.update(Msg::Resize(w, h));
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| app.render(f)).unwrap();
    terminal.backend().to_string()
}

#[test]
fn q_and_esc_ask_before_quitting_and_ctrl_c_quits_at_once() {
    let mut app = demo();
    // Esc twice never quits: the first asks, the second says no.
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert!(app.quitting);
    assert!(draw(&mut app, (80, 24)).contains("Quit git-vouch? y/q yes  n/esc no"));
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert!(!app.quitting);
    // One q too many asks; a second q confirms.
    assert!(press(&mut app, KeyCode::Char('q')).is_empty());
    assert_eq!(press(&mut app, KeyCode::Char('q')), vec![Effect::Quit]);
    // y confirms, n stays.
    let mut app = demo();
    press(&mut app, KeyCode::Char('q'));
    assert!(press(&mut app, KeyCode::Char('n')).is_empty());
    assert!(
        press(&mut app, KeyCode::Char('j')).is_empty(),
        "j moves again"
    );
    assert_eq!(app.list.table.selected(), Some(1));
    press(&mut app, KeyCode::Esc);
    assert_eq!(press(&mut app, KeyCode::Char('y')), vec![Effect::Quit]);
    // The search is cleared first, without asking.
    let mut app = demo();
    typed(&mut app, "/haiku");
    press(&mut app, KeyCode::Enter);
    assert!(press(&mut app, KeyCode::Char('q')).is_empty());
    assert!(app.list.query.is_empty() && !app.quitting);
    let ctrl_c = Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert_eq!(app.update(ctrl_c), vec![Effect::Quit]);
}

/// The key the "no match" hint names, pressed while still typing, clears the search.
#[test]
fn the_empty_search_hint_names_a_key_that_clears_it() {
    let mut app = demo();
    typed(&mut app, "/zzz nothing");
    assert!(app.list.shown.is_empty() && app.list.searching);
    let screen = draw(&mut app, (80, 24));
    let hinted = screen
        .split("Press ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap()
        .to_owned();
    assert_eq!(hinted, app.keymap.hint_untyped(Action::Back), "{screen}");
    let code = match hinted.as_str() {
        "esc" => KeyCode::Esc,
        one if one.chars().count() == 1 => KeyCode::Char(one.chars().next().unwrap()),
        other => panic!("unexpected hint {other}"),
    };
    press(&mut app, code);
    assert!(
        app.list.query.is_empty(),
        "query left: {:?}",
        app.list.query
    );
    assert_eq!(app.list.shown.len(), app.sessions.len());
}

/// 2,700 sessions; session `i` costs `i` cents, so the top spender is the last one.
fn many() -> Catalog {
    let start = chrono::DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z")
        .unwrap()
        .to_utc();
    let sessions = (0..2_700u32)
        .map(|i| SessionSummary {
            id: format!("s{i:04}"),
            project: "p".into(),
            title: Some(format!("session {i:04}")),
            start: Some(start + chrono::Duration::minutes(i64::from(i))),
            cost: Usd::from_picos(u128::from(i) * 10_000_000_000),
            tool_calls: u64::from(2_700 - i),
            ..SessionSummary::default()
        })
        .collect();
    Catalog {
        sessions,
        ..Catalog::default()
    }
}

#[test]
fn sorting_2700_rows_shows_the_top_row_and_the_position() {
    let mut app = app_with(many());
    draw(&mut app, (80, 24));
    for _ in 0..1_500 {
        press(&mut app, KeyCode::Char('j'));
    }
    let screen = draw(&mut app, (80, 24));
    assert!(screen.contains("row 1,501 of 2,700"), "{screen}");
    // Sort by cost through the picker.
    press(&mut app, KeyCode::Char('o'));
    assert!(draw(&mut app, (80, 24)).contains("Sort by"));
    while app.list.columns()[app.list.picker.unwrap()] != Column::Cost {
        press(&mut app, KeyCode::Char('j'));
    }
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.list.picker, None);
    assert_eq!((app.list.sort, app.list.descending), (Column::Cost, true));
    assert_eq!(app.list.table.selected(), Some(0));
    assert_eq!(app.selected().map(|s| s.id.as_str()), Some("s2699"));
    let screen = draw(&mut app, (80, 24));
    assert_eq!(app.list.table.offset(), 0);
    assert!(
        screen.contains("session 2699"),
        "top spender in view:\n{screen}"
    );
    assert!(
        screen.contains("sorted by cost ↓ · row 1 of 2,700"),
        "{screen}"
    );
    assert!(
        screen.contains("Cost↓"),
        "the header marks the column:\n{screen}"
    );
    // Picking the same column again reverses it.
    press(&mut app, KeyCode::Char('o'));
    press(&mut app, KeyCode::Enter);
    assert_eq!((app.list.sort, app.list.descending), (Column::Cost, false));
    assert_eq!(app.selected().map(|s| s.id.as_str()), Some("s0000"));
    // Another column, from far down the list.
    press(&mut app, KeyCode::Char('G'));
    draw(&mut app, (80, 24));
    press(&mut app, KeyCode::Char('o'));
    assert_eq!(
        app.list.picker,
        Some(7),
        "the picker opens on the current sort"
    );
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(
        app.list.columns()[app.list.picker.unwrap()],
        Column::ToolCalls
    );
    press(&mut app, KeyCode::Enter);
    let screen = draw(&mut app, (80, 24));
    assert_eq!(app.selected().map(|s| s.id.as_str()), Some("s0000"));
    assert!(
        screen.contains("session 0000") && screen.contains("Tools↓"),
        "{screen}"
    );
    // s (next column) also shows the top.
    press(&mut app, KeyCode::Char('G'));
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(app.list.table.selected(), Some(0));
    // Esc closes the picker without sorting, and without asking to quit.
    press(&mut app, KeyCode::Char('o'));
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.list.picker, None);
    assert!(!app.quitting);
    assert_eq!(app.list.sort, Column::Commits);
}
