//! Key bindings: the embedded `assets/keymap.toml`, patched with the person's own file.

use std::collections::BTreeMap;
use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;

use super::action::Action;

const DEFAULT: &str = include_str!("../../assets/keymap.toml");

/// A problem in a key map file, naming the file and the offending entry.
#[derive(Debug, thiserror::Error)]
pub enum KeymapError {
    #[error("{file}: {message}")]
    Syntax { file: String, message: String },
    #[error("{file}: unknown action '{action}'")]
    UnknownAction { file: String, action: String },
    #[error("{file}: action '{action}': unknown key '{key}'")]
    UnknownKey {
        file: String,
        action: String,
        key: String,
    },
    #[error("{file}: action '{action}' has no description")]
    NoDescription { file: String, action: String },
    #[error("cannot read {file}: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBinding {
    keys: Vec<String>,
    desc: Option<String>,
}

/// One key, as written in a key map (`j`, `G`, `ctrl+d`, `pagedown`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub text: String,
    code: KeyCode,
    mods: KeyModifiers,
}

impl Key {
    /// Whether the key types a character (`q`, `G`): a search box takes such keys as text.
    pub fn typed(&self) -> bool {
        matches!(self.code, KeyCode::Char(_))
            && !self
                .mods
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    }
}

/// The keys and description of one action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub keys: Vec<Key>,
    pub desc: String,
}

/// Every action's binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: BTreeMap<Action, Binding>,
}

impl Keymap {
    /// The embedded default.
    pub fn embedded() -> Self {
        let mut map = Self {
            bindings: BTreeMap::new(),
        };
        map.patch(DEFAULT, "assets/keymap.toml", true)
            .unwrap_or_else(|e| panic!("embedded key map: {e}"));
        map
    }

    /// The default patched with `path` when that file exists.
    pub fn load(path: &Path) -> Result<Self, KeymapError> {
        let mut map = Self::embedded();
        if path.is_file() {
            let file = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|source| KeymapError::Read {
                file: file.clone(),
                source,
            })?;
            map.patch(&text, &file, false)?;
        }
        Ok(map)
    }

    /// Applies a key map file: its actions take the keys it gives, and those keys are taken away
    /// from any other action.
    pub fn patch(&mut self, text: &str, file: &str, complete: bool) -> Result<(), KeymapError> {
        let raw: BTreeMap<String, RawBinding> =
            toml::from_str(text).map_err(|e| KeymapError::Syntax {
                file: file.to_owned(),
                message: e.to_string(),
            })?;
        for (name, entry) in raw {
            let action = Action::from_name(&name).ok_or_else(|| KeymapError::UnknownAction {
                file: file.to_owned(),
                action: name.clone(),
            })?;
            let keys = entry
                .keys
                .iter()
                .map(|k| {
                    parse_key(k).ok_or_else(|| KeymapError::UnknownKey {
                        file: file.to_owned(),
                        action: name.clone(),
                        key: k.clone(),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let desc = match (entry.desc, self.bindings.get(&action)) {
                (Some(d), _) => d,
                (None, Some(old)) if !complete => old.desc.clone(),
                _ => {
                    return Err(KeymapError::NoDescription {
                        file: file.to_owned(),
                        action: name,
                    });
                }
            };
            for other in self.bindings.values_mut() {
                other.keys.retain(|k| !keys.contains(k));
            }
            self.bindings.insert(action, Binding { keys, desc });
        }
        Ok(())
    }

    /// The action bound to a key press.
    pub fn action_for(&self, event: &KeyEvent) -> Option<Action> {
        let (code, mods) = normalize(event.code, event.modifiers);
        self.bindings
            .iter()
            .find(|(_, b)| b.keys.iter().any(|k| k.code == code && k.mods == mods))
            .map(|(a, _)| *a)
    }

    /// The binding of an action.
    pub fn binding(&self, action: Action) -> Option<&Binding> {
        self.bindings.get(&action)
    }

    /// The first key of an action, for hints (`? help`).
    pub fn hint(&self, action: Action) -> &str {
        self.binding(action)
            .and_then(|b| b.keys.first())
            .map_or("", |k| k.text.as_str())
    }

    /// The first key of an action that types a character (`q`), or `""`.
    pub fn hint_typed(&self, action: Action) -> &str {
        self.first_key(action, true)
    }

    /// The first key of an action that does not type a character (`esc`, `ctrl+g`), or `""`:
    /// the one that still works while a search box takes the typing.
    pub fn hint_untyped(&self, action: Action) -> &str {
        self.first_key(action, false)
    }

    fn first_key(&self, action: Action, typed: bool) -> &str {
        self.binding(action)
            .and_then(|b| b.keys.iter().find(|k| k.typed() == typed))
            .map_or("", |k| k.text.as_str())
    }
}

/// Keys compare without Shift on characters (`G` arrives as Shift+`G`) and back-tab, and only
/// with Ctrl/Alt.
fn normalize(code: KeyCode, mods: KeyModifiers) -> (KeyCode, KeyModifiers) {
    let mut mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
    // Terminals report back-tab as Shift+BackTab.
    if matches!(code, KeyCode::Char(_) | KeyCode::BackTab) {
        mods.remove(KeyModifiers::SHIFT);
    }
    (code, mods)
}

fn parse_key(text: &str) -> Option<Key> {
    let mut mods = KeyModifiers::NONE;
    let mut rest = text;
    loop {
        if let Some(r) = rest.strip_prefix("ctrl+") {
            mods |= KeyModifiers::CONTROL;
            rest = r;
        } else if let Some(r) = rest.strip_prefix("alt+") {
            mods |= KeyModifiers::ALT;
            rest = r;
        } else {
            break;
        }
    }
    let code = key_code(rest)?;
    let (code, mods) = normalize(code, mods);
    Some(Key {
        text: text.to_owned(),
        code,
        mods,
    })
}

fn key_code(name: &str) -> Option<KeyCode> {
    let mut chars = name.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return (!c.is_control()).then_some(KeyCode::Char(c));
    }
    let code = match name {
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "pageup" => KeyCode::PageUp,
        "pagedown" => KeyCode::PageDown,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "enter" => KeyCode::Enter,
        "esc" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "space" => KeyCode::Char(' '),
        "backspace" => KeyCode::Backspace,
        "delete" => KeyCode::Delete,
        f => KeyCode::F(
            f.strip_prefix('f')?
                .parse()
                .ok()
                .filter(|n| (1..=12).contains(n))?,
        ),
    };
    Some(code)
}

#[cfg(test)]
mod tests;
