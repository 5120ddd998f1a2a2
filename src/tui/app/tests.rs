use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{App, Column, Screen};
use crate::clock::FixedClock;
use crate::pricing::PriceTable;
use crate::tui::action::Action;
use crate::tui::keymap::Keymap;
use crate::tui::msg::{Effect, LoadResult, Msg};
use crate::tui::theme::Theme;

fn app(scope: Option<&str>) -> App {
    let clock = FixedClock::parse("2026-11-21T12:00:00Z").unwrap();
    let mut app = App::new(
        Keymap::embedded(),
        Theme::embedded(true),
        Box::new(clock),
        scope.map(PathBuf::from),
    );
    assert_eq!(
        app.update(Msg::Action(Action::Reload)),
        vec![Effect::LoadCatalog]
    );
    let catalog = crate::demo::catalog(PriceTable::embedded());
    let effects = app.update(Msg::Loaded(Box::new(LoadResult {
        catalog,
        searched: Vec::new(),
    })));
    let mut expected = vec![Effect::LoadCommits(scope.map(PathBuf::from))];
    expected.extend(scope.map(|s| Effect::LoadScope(PathBuf::from(s))));
    assert_eq!(effects, expected);
    app
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn code(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

#[test]
fn selection_moves_and_stops_at_the_ends() {
    let mut app = app(None);
    let n = app.list.shown.len();
    assert!(n > 3, "demo has sessions");
    assert_eq!(app.list.table.selected(), Some(0));
    app.update(key('j'));
    app.update(code(KeyCode::Down));
    assert_eq!(app.list.table.selected(), Some(2));
    app.update(key('k'));
    assert_eq!(app.list.table.selected(), Some(1));
    app.update(key('G'));
    assert_eq!(app.list.table.selected(), Some(n - 1));
    app.update(key('j'));
    assert_eq!(app.list.table.selected(), Some(n - 1));
    app.update(key('g'));
    app.update(code(KeyCode::Up));
    assert_eq!(app.list.table.selected(), Some(0));
    app.update(code(KeyCode::PageDown));
    assert_eq!(app.list.table.selected(), Some(n - 1));
}

#[test]
fn a_page_is_the_rows_the_terminal_shows_before_any_draw() {
    let mut app = app(None);
    let n = app.list.shown.len();
    // 8 rows: the top bar, the table's header and the footer leave 5 sessions.
    app.update(Msg::Resize(80, 8));
    assert_eq!(app.list.page, 5);
    app.update(code(KeyCode::PageDown));
    assert_eq!(app.list.table.selected(), Some(5.min(n - 1)));
}

#[test]
fn sort_cycles_columns_and_reverses() {
    let mut app = app(None);
    assert_eq!(app.list.sort, Column::Started);
    let starts: Vec<_> = app.shown().map(|s| s.start).collect();
    assert!(starts.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let mut seen = Vec::new();
    for _ in 0..12 {
        app.update(key('s'));
        seen.push(app.list.sort);
    }
    assert_eq!(seen[6], Column::Cost);
    assert_eq!(seen[9], Column::Attestation);
    assert_eq!(seen[10], Column::Health);
    assert_eq!(seen[11], Column::Started, "wraps");
    while app.list.sort != Column::Health {
        app.update(key('s'));
    }
    assert!(!app.list.descending, "health sorts worst first");
    while app.list.sort != Column::Cost {
        app.update(key('s'));
    }
    let costs: Vec<_> = app.shown().map(|s| s.cost).collect();
    assert!(costs.windows(2).all(|w| w[0] >= w[1]), "{costs:?}");
    app.update(key('S'));
    let costs: Vec<_> = app.shown().map(|s| s.cost).collect();
    assert!(costs.windows(2).all(|w| w[0] <= w[1]), "{costs:?}");
}

#[test]
fn search_filters_and_esc_clears() {
    let mut app = app(None);
    let all = app.list.shown.len();
    app.update(key('/'));
    assert!(app.list.searching);
    for c in "HAIKU".chars() {
        app.update(key(c));
    }
    let found = app.list.shown.len();
    assert!(found > 0 && found < all, "{found} of {all}");
    assert!(
        app.shown()
            .all(|s| s.models.iter().any(|m| m.model.contains("haiku")))
    );
    app.update(code(KeyCode::Enter));
    assert!(!app.list.searching);
    assert_eq!(app.list.shown.len(), found, "Enter keeps the filter");
    assert!(app.update(key('q')).is_empty(), "q clears the search first");
    assert_eq!(app.list.shown.len(), all);
    app.update(key('/'));
    for c in "zzz nothing".chars() {
        app.update(key(c));
    }
    assert!(app.list.shown.is_empty());
    assert_eq!(app.list.table.selected(), None);
    app.update(code(KeyCode::Esc));
    assert_eq!(app.list.shown.len(), all);
}

#[test]
fn scope_limits_to_the_repository_and_toggles() {
    let mut app = app(Some("/home/dev/tasktrack"));
    let scoped = app.list.shown.len();
    assert!(scoped > 0);
    assert!(
        app.shown()
            .all(|s| s.cwd.as_deref() == Some("/home/dev/tasktrack"))
    );
    app.update(key('a'));
    assert!(app.list.shown.len() > scoped);
    app.update(key('a'));
    assert_eq!(app.list.shown.len(), scoped);
}

#[test]
fn help_opens_closes_and_quit_quits() {
    let mut app = app(None);
    app.update(key('?'));
    assert_eq!(app.screen, Screen::Help);
    assert!(app.update(key('q')).is_empty(), "q closes help");
    assert_eq!(app.screen, Screen::Sessions);
    assert!(app.update(key('q')).is_empty(), "q asks first");
    assert_eq!(app.update(key('q')), vec![Effect::Quit]);
    let ctrl_c = Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    app.update(key('?'));
    assert_eq!(app.update(ctrl_c), vec![Effect::Quit]);
}

#[test]
fn reload_waits_for_the_running_job_and_tick_animates() {
    let mut app = app(None);
    assert_eq!(app.update(key('r')), vec![Effect::LoadCatalog]);
    assert!(app.update(key('r')).is_empty());
    app.update(Msg::Tick);
    assert_eq!(app.load, super::LoadState::Loading(1));
    app.update(Msg::LoadFailed("boom".into()));
    assert_eq!(app.update(key('r')), vec![Effect::LoadCatalog]);
}

/// Two demo sessions with commits: one unsigned with two commits, one reviewed with one.
fn with_commits(app: &mut App) -> (String, String) {
    use crate::attest::standing::AttestationState;
    use crate::attest::standing::SessionCommits;
    let ids: Vec<String> = app.sessions.iter().map(|s| s.id.clone()).collect();
    let commits = std::collections::HashMap::from([
        (
            ids[1].clone(),
            SessionCommits {
                commits: vec!["a".repeat(40), "abcdef1".repeat(5) + "23456"],
                attestation: Some(AttestationState::Unsigned),
            },
        ),
        (
            ids[2].clone(),
            SessionCommits {
                commits: vec!["c".repeat(40)],
                attestation: Some(AttestationState::Reviewed),
            },
        ),
    ]);
    assert!(app.update(Msg::CommitsLoaded(Box::new(commits))).is_empty());
    (ids[1].clone(), ids[2].clone())
}

#[test]
fn commits_and_attestation_sort_and_search() {
    let mut app = app(None);
    let (unsigned, reviewed) = with_commits(&mut app);
    while app.list.sort != Column::Commits {
        app.update(key('s'));
    }
    let first: Vec<&str> = app.shown().take(2).map(|s| s.id.as_str()).collect();
    assert_eq!(
        first,
        [unsigned.as_str(), reviewed.as_str()],
        "most commits first"
    );
    app.update(key('s'));
    assert_eq!(app.list.sort, Column::Attestation);
    let first: Vec<&str> = app.shown().take(2).map(|s| s.id.as_str()).collect();
    assert_eq!(first, [unsigned.as_str(), reviewed.as_str()], "worst first");
    app.update(key('/'));
    for c in "abcdef1abc".chars() {
        app.update(key(c));
    }
    let shown: Vec<&str> = app.shown().map(|s| s.id.as_str()).collect();
    assert_eq!(shown, [unsigned.as_str()], "a commit id finds its session");
}

#[test]
fn search_finds_the_files_a_session_worked_on() {
    let mut app = app(None);
    let with_file: Vec<String> = app
        .sessions
        .iter()
        .filter(|s| s.file_paths.iter().any(|p| p.ends_with("importer.py")))
        .map(|s| s.id.clone())
        .collect();
    assert!(!with_file.is_empty(), "a demo session wrote importer.py");
    assert!(with_file.len() < app.sessions.len());
    app.update(key('/'));
    for c in "importer.py".chars() {
        app.update(key(c));
    }
    let shown: Vec<String> = app.shown().map(|s| s.id.clone()).collect();
    assert_eq!(shown.len(), with_file.len());
    assert!(shown.iter().all(|id| with_file.contains(id)));
}
