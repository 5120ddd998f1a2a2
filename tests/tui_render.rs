#![allow(clippy::unwrap_used)]
//! Every explorer screen rendered with ratatui's TestBackend and compared with a snapshot.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use git_vouch::attest::allowed_signers::AllowedSigners;
use git_vouch::clock::FixedClock;
use git_vouch::correlate::sessions_in_repository;
use git_vouch::index::Catalog;
use git_vouch::pricing::PriceTable;
use git_vouch::tui::{Action, App, Keymap, LoadResult, Msg, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn app(catalog: Catalog, searched: &[&str], scope: Option<&str>) -> App {
    let clock = FixedClock::parse("2026-11-21T12:00:00Z").unwrap();
    let mut app = App::new(
        Keymap::embedded(),
        Theme::embedded(true),
        Box::new(clock),
        scope.map(PathBuf::from),
    );
    app.update(Msg::Action(Action::Reload));
    app.update(Msg::Loaded(Box::new(LoadResult {
        catalog,
        searched: searched.iter().map(PathBuf::from).collect(),
    })));
    app
}

/// The demo sessions, with their commits found in the demo repository as the explorer's worker
/// finds them (no allowed signers: the demo commits are unsigned).
fn demo() -> App {
    let mut app = app(git_vouch::demo::catalog(PriceTable::embedded()), &[], None);
    let tmp = tempfile::tempdir().unwrap();
    let signers = AllowedSigners::parse("");
    let commits =
        git_vouch::demo::with_repository(tmp.path(), |repo| sessions_in_repository(repo, &signers))
            .unwrap()
            .unwrap();
    app.update(Msg::CommitsLoaded(Box::new(commits)));
    app
}

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
}

fn draw(app: &mut App, (w, h): (u16, u16)) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| app.render(f)).unwrap();
    terminal.backend().to_string()
}

#[test]
fn sessions() {
    for size in SIZES {
        let mut app = demo();
        insta::assert_snapshot!(
            format!("sessions_{}x{}", size.0, size.1),
            draw(&mut app, size)
        );
    }
}

#[test]
fn sessions_sorted_by_cost() {
    for size in SIZES {
        let mut app = demo();
        while app.list.sort != git_vouch::tui::app::Column::Cost {
            keys(&mut app, "s");
        }
        keys(&mut app, "jj");
        insta::assert_snapshot!(
            format!("sorted_by_cost_{}x{}", size.0, size.1),
            draw(&mut app, size)
        );
    }
}

#[test]
fn sessions_filtered_by_search() {
    for size in SIZES {
        let mut app = demo();
        keys(&mut app, "/haiku");
        insta::assert_snapshot!(
            format!("search_typing_{}x{}", size.0, size.1),
            draw(&mut app, size)
        );
        app.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
        keys(&mut app, "/ nothing-like-this");
        insta::assert_snapshot!(
            format!("search_no_match_{}x{}", size.0, size.1),
            draw(&mut app, size)
        );
    }
}

#[test]
fn sessions_searched_by_file_path() {
    let mut app = demo();
    keys(&mut app, "/importer.py");
    insta::assert_snapshot!("search_file_path_120x40", draw(&mut app, (120, 40)));
}

#[test]
fn sessions_scoped_to_a_repository() {
    for size in SIZES {
        let catalog = git_vouch::demo::catalog(PriceTable::embedded());
        let mut app = app(catalog, &[], Some("/home/dev/tasktrack"));
        insta::assert_snapshot!(
            format!("scoped_{}x{}", size.0, size.1),
            draw(&mut app, size)
        );
    }
}

#[test]
fn empty_state() {
    for size in SIZES {
        let searched = [
            "/home/u/.config/claude/projects",
            "/home/u/.claude/projects",
        ];
        let mut app = app(Catalog::default(), &searched, None);
        insta::assert_snapshot!(format!("empty_{}x{}", size.0, size.1), draw(&mut app, size));
    }
}

#[test]
fn loading() {
    let clock = FixedClock::parse("2026-11-21T12:00:00Z").unwrap();
    let mut app = App::new(
        Keymap::embedded(),
        Theme::embedded(true),
        Box::new(clock),
        None,
    );
    app.update(Msg::Action(Action::Reload));
    app.update(Msg::Tick);
    insta::assert_snapshot!("loading_80x24", draw(&mut app, (80, 24)));
}

#[test]
fn help() {
    for size in SIZES {
        let mut app = demo();
        keys(&mut app, "?");
        insta::assert_snapshot!(format!("help_{}x{}", size.0, size.1), draw(&mut app, size));
    }
}

#[test]
fn narrow_terminal() {
    let mut app = demo();
    insta::assert_snapshot!("sessions_60x20", draw(&mut app, (60, 20)));
    keys(&mut app, "?");
    insta::assert_snapshot!("help_60x20", draw(&mut app, (60, 20)));
}
