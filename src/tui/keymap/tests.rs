use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::Keymap;
use crate::tui::action::Action;

fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, mods)
}

#[test]
fn every_action_has_a_default_binding_and_description() {
    let map = Keymap::embedded();
    for a in Action::ALL {
        let b = map.binding(a).unwrap_or_else(|| panic!("{a:?} unbound"));
        assert!(!b.keys.is_empty(), "{a:?} has no keys");
        assert!(!b.desc.trim().is_empty(), "{a:?} has no description");
    }
}

#[test]
fn looks_up_keys() {
    let map = Keymap::embedded();
    let none = KeyModifiers::NONE;
    assert_eq!(
        map.action_for(&press(KeyCode::Char('j'), none)),
        Some(Action::Down)
    );
    assert_eq!(
        map.action_for(&press(KeyCode::Down, none)),
        Some(Action::Down)
    );
    assert_eq!(
        map.action_for(&press(KeyCode::Char('G'), KeyModifiers::SHIFT)),
        Some(Action::Bottom)
    );
    assert_eq!(
        map.action_for(&press(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        Some(Action::Quit)
    );
    assert_eq!(map.action_for(&press(KeyCode::Char('c'), none)), None);
    assert_eq!(
        map.action_for(&press(KeyCode::F(1), none)),
        Some(Action::Help)
    );
}

#[test]
fn user_file_overrides_and_steals_keys() {
    let mut map = Keymap::embedded();
    map.patch("quit = { keys = [\"s\", \"ctrl+q\"] }", "user.toml", false)
        .unwrap();
    let none = KeyModifiers::NONE;
    assert_eq!(
        map.action_for(&press(KeyCode::Char('s'), none)),
        Some(Action::Quit)
    );
    assert_eq!(map.binding(Action::Quit).unwrap().desc, "Quit");
    assert!(map.binding(Action::SortNext).unwrap().keys.is_empty());
    assert_eq!(
        map.action_for(&press(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        None
    );
}

#[test]
fn errors_name_the_entry() {
    let mut map = Keymap::embedded();
    let e = map
        .patch("fly = { keys = [\"x\"] }", "user.toml", false)
        .unwrap_err();
    assert_eq!(e.to_string(), "user.toml: unknown action 'fly'");
    let e = map
        .patch("down = { keys = [\"ctrl+nope\"] }", "user.toml", false)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "user.toml: action 'down': unknown key 'ctrl+nope'"
    );
    let e = map
        .patch("down = { keys = [\"f13\"] }", "user.toml", false)
        .unwrap_err();
    assert!(e.to_string().contains("'f13'"), "{e}");
    let e = map.patch("down = 3", "user.toml", false).unwrap_err();
    assert!(e.to_string().starts_with("user.toml: "), "{e}");
}

/// The first cell of every row of the README's key tables (those headed `| keys | action |`), as
/// the keys written in backticks, with the section each table is in.
fn readme_key_rows() -> Vec<(String, Vec<String>)> {
    let readme = include_str!("../../../README.md");
    let mut rows = Vec::new();
    let (mut section, mut in_table) = (String::new(), false);
    for line in readme.lines() {
        if line.starts_with('#') {
            section = line.trim_start_matches('#').trim().to_owned();
        }
        if line == "| keys | action |" {
            in_table = true;
            continue;
        }
        if !line.starts_with('|') {
            in_table = false;
            continue;
        }
        if !in_table || line.starts_with("| ---") {
            continue;
        }
        let cell = line.split('|').nth(1).unwrap_or_default();
        let keys = cell.split('`').skip(1).step_by(2).map(str::to_owned);
        rows.push((section.clone(), keys.collect()));
    }
    rows
}

#[test]
fn the_readme_key_tables_say_what_the_key_map_binds() {
    let map = Keymap::embedded();
    let rows = readme_key_rows();
    let table = |section: &str| -> Vec<&Vec<String>> {
        rows.iter()
            .filter(|(s, _)| s == section)
            .map(|(_, k)| k)
            .collect()
    };
    let (explorer, review) = (table("The explorer"), table("Review before pushing"));
    let watch = table("Approvals from the terminal");
    assert!(
        explorer.len() > 20 && review.len() > 4 && watch.len() > 2,
        "{rows:?}"
    );
    let bound: Vec<String> = Action::ALL
        .iter()
        .flat_map(|a| map.binding(*a).map(|b| b.keys.clone()).unwrap_or_default())
        .map(|k| k.text)
        .collect();
    for (section, keys) in &rows {
        for key in keys {
            assert!(
                bound.contains(key),
                "README ({section}) names `{key}`, which the key map does not bind"
            );
        }
    }
    for action in Action::ALL {
        let keys: Vec<String> = map
            .binding(action)
            .map(|b| b.keys.iter().map(|k| k.text.clone()).collect())
            .unwrap_or_default();
        let rows = if Action::REVIEW_ONLY.contains(&action) {
            &review
        } else if Action::WATCH_ONLY.contains(&action) {
            &watch
        } else {
            &explorer
        };
        assert!(
            rows.iter()
                .any(|row| row.windows(keys.len()).any(|w| w == keys.as_slice())),
            "{action:?} is bound to {keys:?}, which no row of the README's key table lists together"
        );
    }
}
