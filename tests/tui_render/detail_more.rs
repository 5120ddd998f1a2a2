//! The detail screen's marks, warnings, redacted view, tool call pop-up and diff keys.

use super::{KeyCode, draw, open_session, press, type_keys};

const RENAME: &str = "Refactor: rename TaskStore";

/// Opens the rename session's README.md diff (its sub-agent's edit; no hook saw the commit).
fn readme_diff() -> (git_vouch::tui::App, git_vouch::tui::worker::Source, tempfile::TempDir) {
    let (mut app, source, dir) = open_session(RENAME);
    type_keys(&mut app, &source, "5");
    press(&mut app, &source, KeyCode::Enter);
    let files = app
        .open_data()
        .and_then(|d| match &d.changes {
            git_vouch::tui::app::detail::Changes::Ready(c) => Some(c[0].files.clone()),
            _ => None,
        })
        .unwrap();
    let at = files.iter().position(|f| f.path == "README.md").unwrap();
    for _ in 0..at {
        type_keys(&mut app, &source, "j");
    }
    press(&mut app, &source, KeyCode::Enter);
    (app, source, dir)
}

#[test]
fn without_a_record_no_line_is_marked_as_a_persons() {
    let (mut app, _source, _dir) = readme_diff();
    let screen = draw(&mut app, (80, 24));
    assert!(!screen.contains(" H+"), "{screen}");
    assert!(!screen.contains("H person"), "{screen}");
    assert!(screen.contains("A agent 2 · ? unknown 0"), "{screen}");
    assert!(screen.contains("agent lines found by matching"), "{screen}");
    insta::assert_snapshot!("detail_diff_without_record_80x24", screen);
}
