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
    /// Open what is selected: a session, a tool's calls, a sub-agent's conversation, a diff.
    Open,
    /// The next tab of a session.
    NextTab,
    /// The previous tab of a session.
    PrevTab,
    TabOverview,
    TabTokens,
    TabTools,
    TabSubagents,
    TabFiles,
    TabConversation,
    TabGuard,
    TabInsights,
    TabExchanges,
    /// Replay the session on a time cursor, or leave the replay.
    Replay,
    /// Replay: play or pause.
    PlayPause,
    /// Replay: play faster.
    Faster,
    /// Replay: play slower.
    Slower,
    /// Focus the pane to the right (tools, files).
    NextPane,
    /// Focus the pane to the left.
    PrevPane,
    /// Jump to the next search match in the conversation.
    NextMatch,
    /// Jump to the previous search match.
    PrevMatch,
    /// Show or hide the model's thinking in the conversation.
    ToggleThinking,
    /// Unfold or fold tool results in the conversation.
    ToggleResults,
    /// The Branch view: this branch's commits, sessions and attestations.
    Branch,
    /// Branch view: the branch's whole diff, each added line marked agent or person.
    BranchDiff,
    /// Review: sign the evidence shown (and go on with the push).
    Sign,
    /// Review: push without attestation, where `vouch.review` allows it.
    PushUnattested,
    /// Review: mark the selected agent hunk read.
    MarkRead,
    /// Review: flag the selected agent hunk, with a comment.
    MarkFlagged,
    /// Review: mark the selected agent hunk skipped (not read).
    MarkSkipped,
    /// Session detail: hide or show the secrets in everything the transcripts say (for sharing
    /// the screen).
    ToggleRedact,
    /// Files tab: scroll the diff left.
    ScrollLeft,
    /// Files tab: scroll the diff right.
    ScrollRight,
    /// Files tab: wrap the diff's long lines, or not.
    ToggleWrap,
    /// Files tab: the diff over the whole body, or beside the lists.
    ToggleMaximize,
    /// Files tab: who wrote each line of the file (blame), or the diff again.
    Blame,
    // Sessions list (issue 13).
    /// Pick the column to sort by from a list.
    SortPick,
    /// Watch: allow the selected held call, once.
    AllowCall,
    /// Watch: deny the selected held call, with a reason for the agent.
    DenyCall,
    /// Watch: hand the selected held call to Claude Code's own prompt.
    PromptCall,
    /// The live view (`git vouch watch`): running sessions, their calls, calls held for you.
    Watch,
}

impl Action {
    /// Every action, in the order the help screen lists them.
    pub const ALL: [Self; 54] = [
        Self::Down,
        Self::Up,
        Self::PageDown,
        Self::PageUp,
        Self::Top,
        Self::Bottom,
        Self::Search,
        Self::SortNext,
        Self::SortReverse,
        Self::SortPick,
        Self::ToggleScope,
        Self::Branch,
        Self::BranchDiff,
        Self::Watch,
        Self::Reload,
        Self::Open,
        Self::NextTab,
        Self::PrevTab,
        Self::TabOverview,
        Self::TabTokens,
        Self::TabTools,
        Self::TabSubagents,
        Self::TabFiles,
        Self::TabConversation,
        Self::TabGuard,
        Self::TabInsights,
        Self::TabExchanges,
        Self::Replay,
        Self::PlayPause,
        Self::Faster,
        Self::Slower,
        Self::NextPane,
        Self::PrevPane,
        Self::NextMatch,
        Self::PrevMatch,
        Self::ToggleThinking,
        Self::ToggleResults,
        Self::ToggleRedact,
        Self::ScrollLeft,
        Self::ScrollRight,
        Self::ToggleWrap,
        Self::ToggleMaximize,
        Self::Blame,
        Self::Sign,
        Self::PushUnattested,
        Self::MarkRead,
        Self::MarkFlagged,
        Self::MarkSkipped,
        Self::AllowCall,
        Self::DenyCall,
        Self::PromptCall,
        Self::Help,
        Self::Back,
        Self::Quit,
    ];

    /// Actions only the review screen uses (the explorer's help leaves them out).
    pub const REVIEW_ONLY: [Self; 5] = [
        Self::Sign,
        Self::PushUnattested,
        Self::MarkRead,
        Self::MarkFlagged,
        Self::MarkSkipped,
    ];

    /// Actions only the watch screen uses (the explorer's help leaves them out).
    pub const WATCH_ONLY: [Self; 3] = [Self::AllowCall, Self::DenyCall, Self::PromptCall];

    /// The actions of the watch screen, in the order its help lists them.
    pub const WATCH: [Self; 12] = [
        Self::AllowCall,
        Self::DenyCall,
        Self::PromptCall,
        Self::Down,
        Self::Up,
        Self::PageUp,
        Self::PageDown,
        Self::Top,
        Self::Bottom,
        Self::Help,
        Self::Back,
        Self::Quit,
    ];

    /// The actions of the review screen, in the order its help lists them (`next_tab` and
    /// `prev_tab` move between its panes).
    pub const REVIEW: [Self; 24] = [
        Self::NextTab,
        Self::PrevTab,
        Self::TabOverview,
        Self::TabTokens,
        Self::TabTools,
        Self::NextMatch,
        Self::PrevMatch,
        Self::NextPane,
        Self::PrevPane,
        Self::MarkRead,
        Self::MarkFlagged,
        Self::MarkSkipped,
        Self::Open,
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
    /// Whether it moves to another tab of a session.
    pub const fn switches_tab(self) -> bool {
        matches!(
            self,
            Self::NextTab
                | Self::PrevTab
                | Self::TabOverview
                | Self::TabTokens
                | Self::TabTools
                | Self::TabSubagents
                | Self::TabFiles
                | Self::TabConversation
                | Self::TabGuard
                | Self::TabInsights
                | Self::TabExchanges
        )
    }

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
                | Action::NextTab
                | Action::PrevTab
                | Action::TabOverview
                | Action::TabTokens
                | Action::TabTools
                | Action::TabSubagents
                | Action::TabFiles
                | Action::TabConversation
                | Action::TabGuard
                | Action::TabInsights
                | Action::TabExchanges
                | Action::Replay
                | Action::PlayPause
                | Action::Faster
                | Action::Slower
                | Action::NextPane
                | Action::PrevPane
                | Action::NextMatch
                | Action::PrevMatch
                | Action::ToggleThinking
                | Action::ToggleResults
                | Action::Branch
                | Action::BranchDiff
                | Action::Sign
                | Action::PushUnattested
                | Action::MarkRead
                | Action::MarkFlagged
                | Action::MarkSkipped
                | Action::ToggleRedact
                | Action::ScrollLeft
                | Action::ScrollRight
                | Action::ToggleWrap
                | Action::ToggleMaximize
                | Action::Blame
                | Action::SortPick
                | Action::AllowCall
                | Action::DenyCall
                | Action::PromptCall
                | Action::Watch => {}
            }
        }
    }
}
