//! The session detail screen's state: which session and tab are open, what each tab has
//! selected, and what has been loaded of each session opened (kept, so opening it again is
//! instant).

mod actions;
mod blame;
pub mod call;
mod diff_keys;
pub mod exchange;
mod loaded;
pub mod replay;
mod settle;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;

use crate::correlate::CommitChanges;
use crate::provenance::blame::Blame;
use crate::recorder::browse::{ExchangeContent, Exchanges};
use crate::session::SessionSummary;
use crate::session::detail::{Conversation, SessionDetail};
use crate::tui::highlight::Highlighted;
pub use settle::conversation_areas;

/// A tab of the detail screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Overview,
    Tokens,
    Tools,
    Subagents,
    Files,
    Conversation,
    Guard,
    Insights,
    Exchanges,
}

impl Tab {
    pub const ALL: [Self; 9] = [
        Self::Overview,
        Self::Tokens,
        Self::Tools,
        Self::Subagents,
        Self::Files,
        Self::Conversation,
        Self::Guard,
        Self::Insights,
        Self::Exchanges,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Overview => "Overview",
            Self::Tokens => "Tokens & cost",
            Self::Tools => "Tools",
            Self::Subagents => "Sub-agents",
            Self::Files => "Files & commits",
            Self::Conversation => "Conversation",
            Self::Guard => "Guard",
            Self::Insights => "Insights",
            Self::Exchanges => "Exchanges",
        }
    }

    /// The label on narrow terminals.
    pub fn short(self) -> &'static str {
        match self {
            Self::Overview => "Info",
            Self::Tokens => "Tokens",
            Self::Tools => "Tools",
            Self::Subagents => "Agents",
            Self::Files => "Files",
            Self::Conversation => "Chat",
            Self::Guard => "Guard",
            Self::Insights => "Health",
            Self::Exchanges => "API",
        }
    }

    pub fn index(self) -> usize {
        Self::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    /// The tab `delta` places away, wrapping around.
    #[must_use]
    pub fn step(self, delta: isize) -> Self {
        let n = Self::ALL.len() as isize;
        Self::ALL[(self.index() as isize + delta).rem_euclid(n) as usize]
    }
}

/// What is known of the commits tied to a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changes {
    /// The git job has not answered yet.
    Waiting,
    Ready(Arc<Vec<CommitChanges>>),
    /// Why there is nothing to look at (no repository, git failed).
    Unavailable(String),
}

/// What has been loaded of one session.
#[derive(Debug, Clone)]
pub struct SessionData {
    pub summary: SessionSummary,
    /// `None` while the worker reads it.
    pub detail: Option<Arc<SessionDetail>>,
    pub changes: Changes,
    /// The main conversation under `None`, sub-agents' under their id.
    pub conversations: HashMap<Option<String>, Arc<Conversation>>,
    /// Highlighted diffs by (commit sha, path).
    pub highlighted: HashMap<(String, String), Arc<Highlighted>>,
    /// Blames of a file at a commit by (commit sha, path): `Err` says why there is none.
    pub blames: HashMap<(String, String), Result<Arc<Blame>, String>>,
    /// The secrets its transcripts hold, by rule: `None` until counted.
    pub secrets: Option<crate::redact::Counts>,
    /// What the guard decided in it (`None`: no ledger has it).
    pub guard: Option<Arc<crate::evidence::guard::GuardAccount>>,
    /// What went wrong in it (`None` until read, or when no findings are kept for it).
    pub insights: Option<Arc<crate::insights::Insights>>,
    /// Its API calls as `git vouch record` recorded them (`None`: not recorded, or not read
    /// yet; `Err`: why the store could not be read).
    pub exchanges: Option<Result<Arc<Exchanges>, String>>,
    /// The session's events for a replay, once asked for.
    pub replay: Option<Arc<crate::present::replay::Replay>>,
    /// Calls read in full, by (store, id): `Err` says why one could not be.
    pub exchange: HashMap<(usize, i64), Result<Arc<ExchangeContent>, String>>,
    /// Highlight and conversation jobs running.
    pending: HashSet<(String, String)>,
}

impl SessionData {
    pub fn new(summary: SessionSummary) -> Self {
        Self {
            summary,
            detail: None,
            changes: Changes::Waiting,
            conversations: HashMap::new(),
            highlighted: HashMap::new(),
            blames: HashMap::new(),
            secrets: None,
            guard: None,
            insights: None,
            exchanges: None,
            replay: None,
            exchange: HashMap::new(),
            pending: HashSet::new(),
        }
    }
}

/// The focused pane of the files tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FilesPane {
    #[default]
    Commits,
    Files,
    Diff,
}

/// Selection in the tools tab: a tool of the histogram, and one of its calls.
#[derive(Debug, Clone, Default)]
pub struct ToolsState {
    pub tool: usize,
    /// Whether the calls list has the focus.
    pub calls_focus: bool,
    pub call: usize,
    /// The selected call is open in full, in a pop-up.
    pub open: bool,
    /// First line of the pop-up shown.
    pub call_scroll: usize,
}

/// Selection in the Exchanges tab: a call, and whether it is open in full.
#[derive(Debug, Clone, Default)]
pub struct ExchangesState {
    pub row: usize,
    /// The selected call is open in full, in a pop-up.
    pub open: bool,
    /// First line of the pop-up shown.
    pub scroll: usize,
    /// The system prompt and tool definitions are shown whole (folded to a line by default).
    pub unfolded: bool,
}

/// Where a replay is: its time cursor (milliseconds into the replay, idle time compressed),
/// whether it plays, and how fast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayState {
    pub cursor_ms: i64,
    pub playing: bool,
    /// A power of two from 1 to [`replay::MAX_SPEED`].
    pub speed: u32,
}

/// Selection in the files tab.
#[derive(Debug, Clone, Default)]
pub struct FilesState {
    pub pane: FilesPane,
    pub commit: usize,
    pub file: usize,
    /// First diff line shown.
    pub diff_scroll: usize,
    /// Columns of code scrolled past on the left (not when wrapping).
    pub diff_hscroll: usize,
    /// Long diff lines wrap instead of running past the pane.
    pub wrap: bool,
    /// The diff takes the whole tab.
    pub maximized: bool,
    /// The pane shows the file's blame at the commit instead of the diff.
    pub blame: bool,
    /// First blame line shown.
    pub blame_scroll: usize,
}

/// Columns before a diff line's code: old and new numbers, the author mark, the sign.
pub const DIFF_GUTTER: usize = 13;

/// The detail screen's body for a terminal of `size` (below the top bar and tabs, above the
/// key hints).
pub fn body_area(size: (u16, u16)) -> Rect {
    Rect::new(0, 2, size.0, size.1.saturating_sub(3))
}

/// The files tab's areas in `body`: the commits list (`commits` rows), the files list and the
/// diff. Maximised, the diff takes the whole body and the lists none.
pub fn files_areas(body: Rect, commits: usize, maximized: bool) -> [Rect; 3] {
    if maximized {
        let none = Rect::new(body.x, body.y, 0, 0);
        return [none, none, body];
    }
    let [lists, diff] = if body.width >= 100 {
        Layout::horizontal([Constraint::Percentage(38), Constraint::Min(0)]).areas(body)
    } else {
        Layout::vertical([Constraint::Percentage(40), Constraint::Min(0)]).areas(body)
    };
    let height = (commits as u16)
        .saturating_add(2)
        .min(lists.height / 2)
        .max(3);
    let [c, f] = Layout::vertical([Constraint::Length(height), Constraint::Min(0)]).areas(lists);
    [c, f, diff]
}

/// The tools tab's areas in `body`: the histogram of `tools` tools, and the calls below.
pub fn tools_areas(body: Rect, tools: usize) -> [Rect; 2] {
    let height = (tools as u16 + 2).min(body.height / 2).max(3);
    Layout::vertical([Constraint::Length(height), Constraint::Min(0)]).areas(body)
}

/// What a conversation layout depends on: the width, whether thinking is shown and results
/// unfolded, the thread (`None`: the main one), and whether secrets are hidden.
pub type LayoutKey = (u16, bool, bool, Option<String>, bool);

/// The conversation lines laid out for one width and set of toggles, kept between frames.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderedConversation {
    pub key: LayoutKey,
    pub lines: Vec<Line<'static>>,
    /// The text of each line, lower-cased, for searching.
    pub plain: Vec<String>,
    /// The line of each tool call (by tool-use id), in order.
    pub calls: Vec<(String, usize)>,
}

/// The conversation tab: which thread, where it is scrolled, toggles and the search.
// Independent switches the person flips; an enum would not make them clearer.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Default)]
pub struct ConversationState {
    /// The sub-agent shown; `None` for the main thread.
    pub agent: Option<String>,
    pub scroll: usize,
    pub thinking: bool,
    pub results: bool,
    pub query: String,
    /// Whether keys go to the search box.
    pub searching: bool,
    /// Index of the current match among the matching lines.
    pub current: usize,
    /// Scroll to the current match once it is found (`update` does it).
    pub jump: bool,
    /// The lines that match the query in the layout shown, found by `update`.
    pub matches: Vec<usize>,
    pub rendered: RenderedConversation,
    /// The layout asked of the worker and not received yet.
    pub requested: Option<LayoutKey>,
    /// A tool call to scroll to once the thread's layout is there (`update` does it).
    pub goto_call: Option<String>,
}

/// The open session.
#[derive(Debug, Clone, Default)]
pub struct DetailState {
    pub session: String,
    pub tab: Tab,
    pub overview_scroll: usize,
    pub tools: ToolsState,
    pub subagent: usize,
    pub files: FilesState,
    pub conversation: ConversationState,
    /// The selected finding of the Insights tab.
    pub finding: usize,
    /// The selected call of the Guard tab.
    pub guard_call: usize,
    pub exchanges: ExchangesState,
    /// The session being replayed, over every tab (`None`: not replaying).
    pub replay: Option<ReplayState>,
    /// Rows the focused list or text shows: set by `update` from the terminal's size for the
    /// conversation and files tabs, recorded by the last draw for the others.
    pub page: usize,
}

impl DetailState {
    pub fn new(session: String) -> Self {
        Self {
            session,
            page: 10,
            ..Self::default()
        }
    }
}

/// A movement of the selection or scroll position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    By(isize),
    Top,
    Bottom,
}

impl Move {
    /// A text of `lines` lines shown `height` at a time, scrolled from line `at`: its first line
    /// shown after the move (never past the last page).
    pub fn scroll(self, at: usize, lines: usize, height: usize) -> usize {
        let last = lines.saturating_sub(height);
        match self {
            Self::Bottom => last,
            _ => self.apply(at, usize::MAX).min(last),
        }
    }

    /// `at` moved, within `0..len` (`len` 0 leaves 0).
    pub fn apply(self, at: usize, len: usize) -> usize {
        let last = len.saturating_sub(1);
        match self {
            Self::By(d) => at.saturating_add_signed(d).min(last),
            Self::Top => 0,
            Self::Bottom => last,
        }
    }
}
