//! The explorer's state and its one mutator, [`App::update`].

mod branch;
mod branch_diff;
pub mod detail;
mod keys;
mod list;
#[cfg(test)]
mod list_keys_tests;
mod pages;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use ratatui::Frame;

pub use branch::{BranchLoad, BranchState};
pub use detail::{DetailState, SessionData, Tab};
pub use keys::HelpPage;
pub use list::{Column, RepoScope, SessionList, SessionRisk, models, project};
pub use pages::sessions_areas;

use super::action::Action;
use super::keymap::Keymap;
use super::msg::{Effect, LoadResult, Msg};
use super::theme::Theme;
use super::views;
use crate::clock::Clock;
use crate::index::Findings;
use crate::session::SessionSummary;

/// Rows one mouse wheel notch moves.
const WHEEL_ROWS: isize = 3;

/// Which screen is on top.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Sessions,
    /// The current branch's commits with their sessions and attestations.
    Branch,
    /// The current branch's whole diff, agent and person lines marked.
    BranchDiff,
    /// One session, in tabs.
    Detail,
    /// The key bindings, over the screen they were asked from.
    Help,
}

/// Where the sessions are in their loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadState {
    /// Reading; the number animates the spinner.
    Loading(usize),
    Ready,
    Failed(String),
}

/// Everything the explorer shows.
pub struct App {
    pub keymap: Keymap,
    pub theme: Theme,
    clock: Box<dyn Clock>,
    /// "Now" for relative times, read from the clock on each message.
    pub now: DateTime<Utc>,
    pub screen: Screen,
    pub load: LoadState,
    pub sessions: Vec<SessionSummary>,
    /// Where the sessions' findings are read from (their health is in `sessions`).
    pub findings: Findings,
    /// Where sessions were looked for.
    pub searched: Vec<PathBuf>,
    pub list: SessionList,
    pub help_scroll: u16,
    /// The screen under the help.
    pub help_over: Screen,
    pub branch: BranchState,
    /// The open session, on the detail screen.
    pub detail: Option<DetailState>,
    /// What has been read of each session opened, by id.
    pub loaded: HashMap<String, SessionData>,
    /// Ticks since the start: animates the detail screen's progress indicator.
    pub tick: usize,
    /// The terminal's width and height, from the last resize (the runner sends the first).
    pub size: (u16, u16),
    /// Whether a load job is running (a second reload waits for it).
    busy: bool,
    /// The session detail hides secrets (`[REDACTED:rule]`), for screen sharing.
    pub redacted: bool,
    /// Whether the sessions list asks "Quit git-vouch?" in its footer.
    pub quitting: bool,
    /// Something to tell the person in the footer until the next key.
    pub notice: Option<String>,
}

impl App {
    /// A new explorer, limited to the repository at `scope` when there is one. It starts
    /// loading with the first `Msg::Action(Action::Reload)`.
    pub fn new(
        keymap: Keymap,
        theme: Theme,
        clock: Box<dyn Clock>,
        scope: Option<PathBuf>,
    ) -> Self {
        let now = clock.now();
        Self {
            keymap,
            theme,
            clock,
            now,
            screen: Screen::Sessions,
            load: LoadState::Loading(0),
            sessions: Vec::new(),
            findings: Findings::None,
            searched: Vec::new(),
            list: SessionList::new(scope),
            help_scroll: 0,
            help_over: Screen::Sessions,
            branch: BranchState::default(),
            detail: None,
            loaded: HashMap::new(),
            tick: 0,
            size: (0, 0),
            busy: false,
            redacted: false,
            quitting: false,
            notice: None,
        }
    }

    /// Applies one message; the only place state changes. A conversation shown at a width or
    /// with toggles it has not been laid out for is then sent to be laid out, and what the open
    /// tab derives from its state (search matches, clamped selections and scrolls, page sizes)
    /// is brought up to date, so drawing only reads.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        let mut effects = self.handle(msg);
        effects.extend(self.layout_effect());
        self.settle_detail();
        self.settle_pages();
        effects
    }

    fn handle(&mut self, msg: Msg) -> Vec<Effect> {
        self.now = self.clock.now();
        match msg {
            Msg::Key(key) => {
                self.notice = None;
                return self.on_key(key);
            }
            Msg::Mouse(mouse) => return self.on_mouse(mouse),
            Msg::Action(action) => return self.on_action(action),
            Msg::Loaded(result) => return self.on_loaded(*result),
            Msg::CommitsLoaded(commits) => {
                self.list.commits = *commits;
                self.list.refresh(&self.sessions);
            }
            Msg::ScopeLoaded(scope) => {
                self.list.repo = *scope;
                self.list.refresh(&self.sessions);
            }
            Msg::LoadFailed(error) => {
                self.busy = false;
                self.load = LoadState::Failed(error);
            }
            Msg::BranchLoaded(result) => self.branch.loaded(*result),
            Msg::BranchDiffLoaded(result) => self.branch.diff.loaded(*result),
            Msg::BlameLoaded {
                session,
                key,
                result,
            } => {
                if let Some(data) = self.loaded.get_mut(&session) {
                    data.blamed(key, result);
                }
            }
            Msg::DetailLoaded(load) => return self.on_detail_loaded(*load),
            Msg::ChangesLoaded { session, result } => {
                return self.on_changes_loaded(&session, result);
            }
            Msg::SecretsScanned { session, counts } => {
                if let Some(data) = self.loaded.get_mut(&session) {
                    data.secrets = Some(counts);
                }
            }
            Msg::ConversationLoaded {
                session,
                agent,
                conversation,
            } => {
                if let Some(data) = self.loaded.get_mut(&session) {
                    data.conversations.insert(Some(agent), conversation);
                }
            }
            Msg::ExchangeLoaded {
                session,
                key,
                result,
            } => self.on_exchange_loaded(&session, key, result),
            Msg::Highlighted(h) => self.on_highlighted(*h),
            Msg::ConversationLaidOut { session, rendered } => {
                self.on_laid_out(&session, *rendered);
            }
            Msg::Tick => {
                self.tick = self.tick.wrapping_add(1);
                if let LoadState::Loading(n) = &mut self.load {
                    *n = n.wrapping_add(1);
                }
                self.branch.tick();
                self.advance_replay();
            }
            // Pages, scrolls and layouts follow the new size (the runner sends the first one).
            Msg::Resize(w, h) => self.size = (w, h),
            Msg::Notice(text) => self.notice = Some(text),
            // Only the live view reads these; one arriving after it closed is stale.
            Msg::Watch(_) => {}
        }
        Vec::new()
    }

    /// The explorer's clock (the live view it opens reads it too).
    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// Draws the current screen; no I/O. `&mut` so the table keeps its scroll offset.
    pub fn render(&mut self, frame: &mut Frame) {
        let under = if self.screen == Screen::Help {
            self.help_over
        } else {
            self.screen
        };
        if under == Screen::Detail && self.detail.is_some() {
            views::detail::render(self, frame);
        } else if under == Screen::Branch {
            views::branch::render(self, frame);
        } else if under == Screen::BranchDiff {
            views::branch_diff::render(self, frame);
        } else {
            views::sessions::render(self, frame);
        }
        if self.screen == Screen::Help {
            views::help::render(self, frame);
        }
    }

    /// Whether the sessions are being read.
    pub fn loading(&self) -> bool {
        matches!(self.load, LoadState::Loading(_))
    }

    /// The sessions shown, in order.
    pub fn shown(&self) -> impl Iterator<Item = &SessionSummary> {
        self.list.shown.iter().filter_map(|&i| self.sessions.get(i))
    }

    /// The selected session.
    pub fn selected(&self) -> Option<&SessionSummary> {
        self.list
            .selected_index()
            .and_then(|i| self.sessions.get(i))
    }

    fn on_loaded(&mut self, result: LoadResult) -> Vec<Effect> {
        self.sessions = result.catalog.sessions;
        self.findings = result.catalog.findings;
        self.searched = result.searched;
        self.load = LoadState::Ready;
        self.busy = false;
        self.list.refresh(&self.sessions);
        let mut effects = vec![Effect::LoadCommits(self.list.scope.clone())];
        effects.extend(self.list.scope.clone().map(Effect::LoadScope));
        effects
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if self.quitting {
            return self.on_quit_key(key);
        }
        if self.list.searching && self.screen == Screen::Sessions {
            self.on_search_key(key);
            return Vec::new();
        }
        if self.screen == Screen::Detail && self.conversation_searching() {
            self.on_conversation_search_key(key);
            return Vec::new();
        }
        match self.keymap.action_for(&key) {
            Some(action) => self.on_action(action),
            None => Vec::new(),
        }
    }

    /// The answer to "Quit git-vouch?": `y`, Enter, or a second typed back key (`q`) leaves;
    /// anything else (`n`, `esc`) stays.
    fn on_quit_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        self.quitting = false;
        let action = self.keymap.action_for(&key);
        let typed_back = action == Some(Action::Back) && matches!(key.code, KeyCode::Char(_));
        let yes = matches!(key.code, KeyCode::Char('y' | 'Y') | KeyCode::Enter)
            || typed_back
            || action == Some(Action::Quit);
        if yes { vec![Effect::Quit] } else { Vec::new() }
    }

    /// Keys typed into the search box bypass the key map: Enter keeps the filter, Esc (or a
    /// back key that types no character) drops it.
    fn on_search_key(&mut self, key: KeyEvent) {
        let drop = key.code != KeyCode::Esc
            && !matches!(key.code, KeyCode::Char(_))
            && self.keymap.action_for(&key) == Some(Action::Back);
        match key.code {
            KeyCode::Enter => self.list.searching = false,
            _ if drop => {
                self.list.searching = false;
                self.list.query.clear();
            }
            KeyCode::Esc => {
                self.list.searching = false;
                self.list.query.clear();
            }
            KeyCode::Backspace => {
                self.list.query.pop();
            }
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.list.searching = false;
            }
            KeyCode::Char(c) if !c.is_control() => self.list.query.push(c),
            KeyCode::Down => self.list.move_by(1),
            KeyCode::Up => self.list.move_by(-1),
            _ => return,
        }
        self.list.refresh(&self.sessions);
    }

    fn on_mouse(&mut self, mouse: MouseEvent) -> Vec<Effect> {
        let delta = match mouse.kind {
            MouseEventKind::ScrollDown => WHEEL_ROWS,
            MouseEventKind::ScrollUp => -WHEEL_ROWS,
            _ => return Vec::new(),
        };
        match self.screen {
            Screen::Help => self.scroll_help(delta),
            Screen::Sessions => self.list.move_by(delta),
            Screen::Branch => self.branch.move_by(delta),
            Screen::BranchDiff => {
                let page = usize::from(self.size.1.saturating_sub(6));
                self.branch.diff.changes.scroll_by(delta, page);
            }
            Screen::Detail => return self.detail_move(detail::Move::By(delta)),
        }
        Vec::new()
    }

    /// The help page of the screen under the help (or on top).
    pub fn help_page(&self) -> HelpPage {
        let screen = if self.screen == Screen::Help {
            self.help_over
        } else {
            self.screen
        };
        match (screen, &self.detail) {
            (Screen::Branch, _) => HelpPage::Branch,
            (Screen::BranchDiff, _) => HelpPage::BranchDiff,
            (Screen::Detail, Some(d)) if d.replay.is_some() => HelpPage::Replay,
            (Screen::Detail, Some(d)) => HelpPage::Detail(d.tab),
            _ => HelpPage::List,
        }
    }

    /// Scrolls the help by `delta` lines, no further than its last line at the bottom.
    fn scroll_help(&mut self, delta: isize) {
        let max = views::help::max_scroll(self);
        let delta = i16::try_from(delta).unwrap_or(if delta < 0 { i16::MIN } else { i16::MAX });
        self.help_scroll = self.help_scroll.saturating_add_signed(delta).min(max);
    }

    fn on_help_action(&mut self, action: Action) {
        let page = isize::try_from(views::help::visible_rows(self).max(1)).unwrap_or(1);
        match action {
            Action::Help | Action::Back => self.screen = self.help_over,
            Action::Down => self.scroll_help(1),
            Action::Up => self.scroll_help(-1),
            Action::PageDown => self.scroll_help(page),
            Action::PageUp => self.scroll_help(-page),
            Action::Top => self.help_scroll = 0,
            Action::Bottom => self.scroll_help(isize::MAX),
            _ => {}
        }
    }

    fn on_action(&mut self, action: Action) -> Vec<Effect> {
        let page = self.help_page();
        let gated = matches!(
            self.screen,
            Screen::Sessions | Screen::Branch | Screen::BranchDiff
        );
        if gated && !page.answers(action) {
            return Vec::new();
        }
        match (self.screen, action) {
            (_, Action::Quit) => return vec![Effect::Quit],
            (Screen::Help, other) => self.on_help_action(other),
            (Screen::Branch, Action::Reload) => return self.load_branch(true),
            (Screen::BranchDiff, Action::Reload) => return self.load_branch_diff(true),
            (_, Action::Reload) => return self.reload(),
            (
                Screen::Sessions | Screen::Detail | Screen::Branch | Screen::BranchDiff,
                Action::Help,
            ) => {
                self.help_over = self.screen;
                self.screen = Screen::Help;
                self.help_scroll = 0;
            }
            (Screen::Detail, other) => return self.on_detail_action(other),
            (_, Action::Branch) => return self.load_branch(false),
            (_, Action::Watch) => return self.open_watch(),
            (Screen::Branch, Action::Back) => self.screen = Screen::Sessions,
            (Screen::Branch, Action::BranchDiff) => return self.load_branch_diff(false),
            (Screen::BranchDiff, Action::Back) => self.screen = Screen::Branch,
            (Screen::BranchDiff, other) => return self.on_branch_diff_action(other),
            (Screen::Branch, other) => self.on_branch_action(other),
            (Screen::Sessions, other) if self.list.picker.is_some() => self.on_picker_action(other),
            (Screen::Sessions, Action::Back) => return self.back_from_sessions(),
            (Screen::Sessions, Action::Open) => return self.open_selected(),
            (Screen::Sessions, other) => self.on_list_action(other),
        }
        Vec::new()
    }

    /// The live view of the repository the explorer is scoped to.
    fn open_watch(&mut self) -> Vec<Effect> {
        match &self.list.scope {
            Some(repo) => vec![Effect::Watch(repo.clone())],
            None => {
                self.notice =
                    Some("the live view watches a repository: run git vouch inside one".to_owned());
                Vec::new()
            }
        }
    }

    fn reload(&mut self) -> Vec<Effect> {
        if self.busy {
            return Vec::new();
        }
        self.busy = true;
        self.load = LoadState::Loading(0);
        vec![Effect::LoadCatalog]
    }

    /// Closes what is open on the list (the search, a commit's sessions); with nothing left to
    /// close, asks whether to quit, and a second back (as `Msg::Action`) quits.
    fn back_from_sessions(&mut self) -> Vec<Effect> {
        if !self.list.query.is_empty() {
            self.list.query.clear();
            self.list.refresh(&self.sessions);
        } else if self.list.only.take().is_some() {
            self.list.refresh(&self.sessions);
            self.screen = Screen::Branch;
        } else if self.quitting {
            return vec![Effect::Quit];
        } else {
            self.quitting = true;
        }
        Vec::new()
    }

    /// Shows the Branch view, reading the branch when it has not been read (or `again`): the
    /// repository of the explorer's scope, else the source's own (the demo's); the worker says
    /// why when there is none.
    fn load_branch(&mut self, again: bool) -> Vec<Effect> {
        self.screen = Screen::Branch;
        if matches!(self.branch.load, BranchLoad::Loading(_))
            || (!again && self.branch.load != BranchLoad::Idle)
        {
            return Vec::new();
        }
        self.branch.load = BranchLoad::Loading(0);
        vec![Effect::LoadBranch(self.list.scope.clone())]
    }

    fn on_branch_action(&mut self, action: Action) {
        let page = self.branch.page.max(1) as isize;
        match action {
            Action::Down => self.branch.move_by(1),
            Action::Up => self.branch.move_by(-1),
            Action::PageDown => self.branch.move_by(page),
            Action::PageUp => self.branch.move_by(-page),
            Action::Top => self.branch.move_by(isize::MIN / 2),
            Action::Bottom => self.branch.move_by(isize::MAX / 2),
            Action::Open => self.open_commit_sessions(),
            _ => {}
        }
    }

    /// The sessions list, limited to the selected commit's sessions.
    fn open_commit_sessions(&mut self) {
        let Some(commit) = self.branch.selected() else {
            return;
        };
        if commit.sessions.is_empty() {
            return;
        }
        let label = format!("commit {}", &commit.sha[..commit.sha.len().min(8)]);
        let ids = commit.sessions.iter().map(|s| s.id.clone()).collect();
        self.list.only = Some((label, ids));
        self.list.all_projects = true;
        self.list.query.clear();
        self.list.refresh(&self.sessions);
        self.screen = Screen::Sessions;
    }

    fn on_list_action(&mut self, action: Action) {
        let page = self.list.page.max(1) as isize;
        match action {
            Action::Down => self.list.move_by(1),
            Action::Up => self.list.move_by(-1),
            Action::PageDown => self.list.move_by(page),
            Action::PageUp => self.list.move_by(-page),
            Action::Top => self.list.select_first(),
            Action::Bottom => self.list.select_last(),
            Action::Search => self.list.searching = true,
            Action::SortPick => self.list.open_picker(),
            Action::SortNext => self.resort(SessionList::sort_next),
            Action::SortReverse => self.resort(|l| l.descending = !l.descending),
            Action::ToggleScope if self.list.scope.is_some() => {
                self.list.all_projects = !self.list.all_projects;
                self.list.refresh(&self.sessions);
            }
            _ => {}
        }
    }

    /// Sorts the list anew and shows its top: the first row selected, at the top of the view.
    fn resort(&mut self, change: impl FnOnce(&mut SessionList)) {
        change(&mut self.list);
        self.list.refresh(&self.sessions);
        self.list.to_top();
    }

    /// Keys while the sort picker is open: move through the columns, pick one (the current
    /// one again reverses it), or close the picker.
    fn on_picker_action(&mut self, action: Action) {
        let columns = self.list.columns();
        let last = columns.len() - 1;
        let at = self.list.picker.unwrap_or(0);
        let to = match action {
            Action::Down => at.saturating_add(1).min(last),
            Action::Up => at.saturating_sub(1),
            Action::Top | Action::PageUp => 0,
            Action::Bottom | Action::PageDown => last,
            Action::Open => {
                self.list.picker = None;
                let column = columns[at.min(last)];
                self.resort(|l| l.sort_by(column));
                return;
            }
            Action::Back | Action::SortPick => {
                self.list.picker = None;
                return;
            }
            _ => at,
        };
        self.list.picker = Some(to);
    }
}
