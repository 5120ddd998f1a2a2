//! Which keys each screen answers: the one list the explorer's routing (for the sessions list
//! and the Branch view) and its help both read.

use super::Tab;
use crate::tui::action::Action;

/// A page of the help: the screen it was asked from, and on a session its tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelpPage {
    List,
    Branch,
    /// The branch's diff.
    BranchDiff,
    Detail(Tab),
    /// A session being replayed.
    Replay,
}

/// An action on a page, with what it does there when that differs from the key map's words.
pub type PageKey = (Action, Option<&'static str>);

const MOVES: [PageKey; 6] = [
    (Action::Down, None),
    (Action::Up, None),
    (Action::PageDown, None),
    (Action::PageUp, None),
    (Action::Top, None),
    (Action::Bottom, None),
];

const LIST: [PageKey; 12] = [
    (Action::Open, Some("Open the selected session")),
    (Action::Branch, None),
    (Action::Watch, None),
    (Action::Search, None),
    (Action::SortPick, None),
    (Action::SortNext, None),
    (Action::SortReverse, None),
    (Action::ToggleScope, None),
    (Action::Reload, None),
    (Action::Help, None),
    (
        Action::Back,
        Some("Clear the search, close the picker, then ask to quit"),
    ),
    (Action::Quit, Some("Quit at once")),
];

const BRANCH: [PageKey; 7] = [
    (Action::Open, Some("The selected commit's sessions")),
    (Action::BranchDiff, None),
    (Action::Watch, None),
    (Action::Reload, Some("Read the branch again")),
    (Action::Help, None),
    (Action::Back, Some("Back to the sessions list")),
    (Action::Quit, Some("Quit at once")),
];

const BRANCH_DIFF: [PageKey; 9] = [
    (Action::NextMatch, Some("Next agent hunk")),
    (Action::PrevMatch, Some("Previous agent hunk")),
    (Action::NextPane, Some("Next file")),
    (Action::PrevPane, Some("Previous file")),
    (
        Action::Open,
        Some("Open the session that wrote the selected hunk"),
    ),
    (Action::Reload, Some("Read the diff again")),
    (Action::Help, None),
    (Action::Back, Some("Back to the Branch view")),
    (Action::Quit, Some("Quit at once")),
];

const TABS: [PageKey; 11] = [
    (Action::NextTab, None),
    (Action::PrevTab, None),
    (Action::TabOverview, None),
    (Action::TabTokens, None),
    (Action::TabTools, None),
    (Action::TabSubagents, None),
    (Action::TabFiles, None),
    (Action::TabConversation, None),
    (Action::TabGuard, None),
    (Action::TabInsights, None),
    (Action::TabExchanges, None),
];

const REPLAY: [PageKey; 12] = [
    (Action::PlayPause, None),
    (Action::Faster, None),
    (Action::Slower, None),
    (Action::Down, Some("Step to the next event")),
    (Action::Up, Some("Step back to the previous event")),
    (Action::PageDown, Some("Ten events on")),
    (Action::PageUp, Some("Ten events back")),
    (Action::Top, Some("The start")),
    (Action::Bottom, Some("The end")),
    (Action::Help, None),
    (Action::Back, Some("Leave the replay")),
    (Action::Quit, Some("Quit at once")),
];

const SESSION: [PageKey; 6] = [
    (Action::Search, Some("Search the conversation")),
    (Action::ToggleRedact, None),
    (Action::Reload, None),
    (Action::Help, None),
    (
        Action::Back,
        Some("Close the open pane, then back to the list"),
    ),
    (Action::Quit, Some("Quit at once")),
];

impl HelpPage {
    /// The page's name in the help's title.
    pub fn title(self) -> String {
        match self {
            Self::List => "Sessions list".to_owned(),
            Self::Branch => "Branch view".to_owned(),
            Self::BranchDiff => "Branch view · Diff".to_owned(),
            Self::Detail(tab) => format!("Session · {}", tab.label()),
            Self::Replay => "Session · Replay".to_owned(),
        }
    }

    /// The actions this page's screen answers, in the order help lists them.
    pub fn keys(self) -> Vec<PageKey> {
        let mut out = Vec::new();
        match self {
            Self::List => {
                out.extend(MOVES);
                out.extend(LIST);
            }
            Self::Branch => {
                out.extend(MOVES);
                out.extend(BRANCH);
            }
            Self::BranchDiff => {
                out.extend(MOVES);
                out.extend(BRANCH_DIFF);
            }
            Self::Detail(tab) => {
                out.extend(tab_keys(tab));
                out.extend(TABS);
                out.push((Action::Replay, None));
                out.extend(SESSION);
            }
            Self::Replay => out.extend(REPLAY),
        }
        out
    }

    /// Whether the page's screen answers `action`.
    pub fn answers(self, action: Action) -> bool {
        self.keys().iter().any(|(a, _)| *a == action)
    }
}

/// What only some tabs of a session answer.
fn tab_keys(tab: Tab) -> Vec<PageKey> {
    let scroll = MOVES.to_vec();
    match tab {
        Tab::Overview | Tab::Guard => scroll,
        Tab::Tokens => Vec::new(),
        Tab::Tools => with(
            scroll,
            &[
                (
                    Action::Open,
                    Some("Show the selected tool's calls, then a call in full"),
                ),
                (Action::NextPane, Some("The calls pane")),
                (Action::PrevPane, Some("Back to the tools")),
            ],
        ),
        Tab::Subagents => with(
            scroll,
            &[(Action::Open, Some("Open the sub-agent's conversation"))],
        ),
        Tab::Files => with(
            scroll,
            &[
                (
                    Action::Open,
                    Some("Open the commit's files, then a file's diff"),
                ),
                (Action::NextPane, None),
                (Action::PrevPane, None),
                (Action::ScrollLeft, None),
                (Action::ScrollRight, None),
                (Action::ToggleWrap, None),
                (Action::ToggleMaximize, None),
                (Action::Blame, None),
            ],
        ),
        Tab::Insights => with(
            scroll,
            &[(
                Action::Open,
                Some("Show the finding's first call in the conversation"),
            )],
        ),
        Tab::Exchanges => with(
            scroll,
            &[
                (Action::Open, Some("Open the selected call in full")),
                (
                    Action::ToggleResults,
                    Some("Unfold or fold an open call's system prompt and tools"),
                ),
            ],
        ),
        Tab::Conversation => with(
            scroll,
            &[
                (Action::NextMatch, None),
                (Action::PrevMatch, None),
                (Action::ToggleThinking, None),
                (Action::ToggleResults, None),
                (Action::Open, Some("Unfold or fold tool results")),
            ],
        ),
    }
}

fn with(mut keys: Vec<PageKey>, more: &[PageKey]) -> Vec<PageKey> {
    keys.extend_from_slice(more);
    keys
}
