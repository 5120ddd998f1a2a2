//! What a key can do. The key map (`assets/keymap.toml`) binds keys to these by their snake_case
//! names, and the help screen lists them with the key map's descriptions.

use serde::{Deserialize, Serialize};

/// One thing the person can ask the explorer to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Leave the explorer from any screen.
    Quit,
    /// Close the current screen; on the sessions list, clear the search first, then leave.
    Back,
    /// Show or hide the key bindings.
    Help,
    /// Move the selection down one row.
    Down,
    /// Move the selection up one row.
    Up,
    /// Move the selection down one page.
    PageDown,
    /// Move the selection up one page.
    PageUp,
    /// Select the first row.
    Top,
    /// Select the last row.
    Bottom,
    /// Type a search that filters the sessions.
    Search,
    /// Sort by the next column.
    SortNext,
    /// Reverse the sort order.
    SortReverse,
    /// Switch between this repository's sessions and every project's.
    ToggleScope,
    /// Read the sessions again.
    Reload,
    /// Open the selected row (a commit of the Branch view: its sessions).
    Open,
    /// The Branch view: this branch's commits, sessions and attestations.
    Branch,
    /// Review: sign the evidence shown (and go on with the push).
    Sign,
    /// Review: push without attestation, where `vouch.review` allows it.
    PushUnattested,
    /// Move the focus to the next pane.
    FocusNext,
    /// Move the focus to the previous pane.
    FocusPrev,
}

impl Action {
    /// Every action, in the order the help screen lists them.
    pub const ALL: [Self; 20] = [
        Self::Down,
        Self::Up,
        Self::PageDown,
        Self::PageUp,
        Self::Top,
        Self::Bottom,
        Self::Search,
        Self::SortNext,
        Self::SortReverse,
        Self::ToggleScope,
        Self::Open,
        Self::Branch,
        Self::Reload,
        Self::FocusNext,
        Self::FocusPrev,
        Self::Sign,
        Self::PushUnattested,
        Self::Help,
        Self::Back,
        Self::Quit,
    ];

    /// Actions only the review screen uses (the explorer's help leaves them out).
    pub const REVIEW_ONLY: [Self; 4] = [
        Self::FocusNext,
        Self::FocusPrev,
        Self::Sign,
        Self::PushUnattested,
    ];

    /// The actions of the review screen, in the order its help lists them.
    pub const REVIEW: [Self; 13] = [
        Self::FocusNext,
        Self::FocusPrev,
        Self::Down,
        Self::Up,
        Self::PageDown,
        Self::PageUp,
        Self::Top,
        Self::Bottom,
        Self::Sign,
        Self::PushUnattested,
        Self::Help,
        Self::Back,
        Self::Quit,
    ];

    /// The name used in key map files.
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// The action a key map file names, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::Action;

    #[test]
    fn names_round_trip() {
        for a in Action::ALL {
            assert_eq!(Action::from_name(&a.name()), Some(a));
        }
        assert_eq!(Action::PageDown.name(), "page_down");
        assert_eq!(Action::from_name("fly"), None);
    }

    #[test]
    fn all_lists_every_action_once() {
        let mut seen = Action::ALL.to_vec();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), Action::ALL.len());
        // A new variant must be added to ALL: this match stops compiling until it is.
        for a in Action::ALL {
            match a {
                Action::Quit
                | Action::Back
                | Action::Help
                | Action::Down
                | Action::Up
                | Action::PageDown
                | Action::PageUp
                | Action::Top
                | Action::Bottom
                | Action::Search
                | Action::SortNext
                | Action::SortReverse
                | Action::ToggleScope
                | Action::Reload
                | Action::Open
                | Action::Branch
                | Action::Sign
                | Action::PushUnattested
                | Action::FocusNext
                | Action::FocusPrev => {}
            }
        }
    }
}
