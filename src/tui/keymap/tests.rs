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
