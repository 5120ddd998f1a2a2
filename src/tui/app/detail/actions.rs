//! What keys do on the detail screen.

use super::call::{call_lines, popup_area, popup_height};
use super::exchange::exchange_lines;
use super::{Changes, DetailState, FilesPane, Move, SessionData, Tab};
use crate::session::SessionSummary;
use crate::tui::action::Action;
use crate::tui::app::{App, Screen};
use crate::tui::msg::Effect;

impl App {
    /// Opens the detail of the selected session, reading it unless it was read before.
    pub(in crate::tui::app) fn open_selected(&mut self) -> Vec<Effect> {
        let Some(summary) = self.selected().cloned() else {
            return Vec::new();
        };
        self.open_session(summary)
    }

    /// Opens a session on the detail screen, reading it unless it has been read.
    pub(in crate::tui::app) fn open_session(&mut self, summary: SessionSummary) -> Vec<Effect> {
        let id = summary.id.clone();
        self.detail = Some(DetailState::new(id.clone()));
        self.screen = Screen::Detail;
        if self.loaded.contains_key(&id) {
            return Vec::new();
        }
        self.loaded.insert(id, SessionData::new(summary.clone()));
        vec![Effect::LoadDetail {
            summary: Box::new(summary),
            findings: self.findings.clone(),
        }]
    }

    /// The open session's data.
    pub fn open_data(&self) -> Option<&SessionData> {
        self.loaded.get(&self.detail.as_ref()?.session)
    }

    pub(in crate::tui::app) fn on_detail_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(view) = self.detail.as_mut() else {
            return Vec::new();
        };
        let page = view.page.max(1) as isize;
        if view.replay.is_some()
            && let Some(done) = self.replay_gate(action)
        {
            return done;
        }
        let Some(view) = self.detail.as_mut() else {
            return Vec::new();
        };
        if action == Action::Replay {
            return self.start_replay();
        }
        if let Some(tab) = tab_after(view.tab, action) {
            view.tab = tab;
            view.replay = None;
            return self.highlight_effect();
        }
        match action {
            Action::Down => self.detail_move(Move::By(1)),
            Action::Up => self.detail_move(Move::By(-1)),
            Action::PageDown => self.detail_move(Move::By(page)),
            Action::PageUp => self.detail_move(Move::By(-page)),
            Action::Top => self.detail_move(Move::Top),
            Action::Bottom => self.detail_move(Move::Bottom),
            Action::Open => self.detail_open(),
            Action::Back => self.detail_back(),
            Action::NextPane => self.pane(1),
            Action::PrevPane => self.pane(-1),
            Action::Search => {
                view.tab = Tab::Conversation;
                let c = &mut view.conversation;
                c.searching = true;
                c.query.clear();
                Vec::new()
            }
            Action::NextMatch | Action::PrevMatch => {
                let c = &mut view.conversation;
                let n = c.matches.len().max(1);
                let d = if action == Action::NextMatch {
                    1
                } else {
                    n - 1
                };
                c.current = (c.current + d) % n;
                c.jump = true;
                Vec::new()
            }
            Action::ToggleThinking => {
                view.conversation.thinking = !view.conversation.thinking;
                Vec::new()
            }
            Action::ToggleResults if view.tab == Tab::Exchanges => {
                view.exchanges.unfolded = !view.exchanges.unfolded;
                view.exchanges.scroll = 0;
                Vec::new()
            }
            Action::ToggleResults => {
                view.conversation.results = !view.conversation.results;
                Vec::new()
            }
            Action::ToggleRedact => {
                self.redacted = !self.redacted;
                Vec::new()
            }
            Action::Blame if view.tab == Tab::Files => self.toggle_blame(),
            Action::ScrollLeft
            | Action::ScrollRight
            | Action::ToggleWrap
            | Action::ToggleMaximize
                if view.tab == Tab::Files =>
            {
                self.diff_key(action)
            }
            _ => Vec::new(),
        }
    }

    /// What a key does while a replay is shown: `Some` when the replay took it (or ignores it),
    /// `None` for what works in a replay too (switching tabs, which leaves it; hiding secrets).
    fn replay_gate(&mut self, action: Action) -> Option<Vec<Effect>> {
        match action {
            Action::Replay | Action::Back => {
                if let Some(view) = self.detail.as_mut() {
                    view.replay = None;
                }
                Some(Vec::new())
            }
            a if self.on_replay_action(a) => Some(Vec::new()),
            a if a.switches_tab() || a == Action::ToggleRedact => None,
            _ => Some(Vec::new()),
        }
    }

    /// Moves the selection or scroll position of the focused list or text.
    pub(in crate::tui::app) fn detail_move(&mut self, m: Move) -> Vec<Effect> {
        let lens = self.lengths();
        let Some(view) = self.detail.as_mut() else {
            return Vec::new();
        };
        let scroll = |at: usize| match m {
            Move::Bottom => usize::MAX,
            _ => m.apply(at, usize::MAX),
        };
        match view.tab {
            Tab::Overview => view.overview_scroll = scroll(view.overview_scroll),
            // The tokens tab fits on one screen.
            Tab::Tokens => {}
            Tab::Tools if view.tools.open => {
                let at = view.tools.call_scroll;
                view.tools.call_scroll = m.scroll(at, lens.call_lines, lens.popup_height);
            }
            Tab::Tools if view.tools.calls_focus => {
                view.tools.call = m.apply(view.tools.call, lens.calls);
            }
            Tab::Tools => {
                view.tools.tool = m.apply(view.tools.tool, lens.tools);
                view.tools.call = 0;
            }
            Tab::Exchanges if view.exchanges.open => {
                let at = view.exchanges.scroll;
                view.exchanges.scroll = m.scroll(at, lens.exchange_lines, lens.popup_height);
            }
            Tab::Exchanges => view.exchanges.row = m.apply(view.exchanges.row, lens.exchanges),
            Tab::Subagents => view.subagent = m.apply(view.subagent, lens.subagents),
            Tab::Guard => view.guard_call = m.apply(view.guard_call, lens.guard_calls),
            Tab::Insights => view.finding = m.apply(view.finding, lens.findings),
            Tab::Files => {
                let f = &mut view.files;
                match f.pane {
                    FilesPane::Commits => {
                        f.commit = m.apply(f.commit, lens.commits);
                        f.file = 0;
                        f.diff_scroll = 0;
                        f.diff_hscroll = 0;
                    }
                    FilesPane::Files => {
                        f.file = m.apply(f.file, lens.files);
                        f.diff_scroll = 0;
                        f.diff_hscroll = 0;
                    }
                    FilesPane::Diff if f.blame => f.blame_scroll = scroll(f.blame_scroll),
                    FilesPane::Diff => f.diff_scroll = scroll(f.diff_scroll),
                }
                self.clamp_diff();
                self.clamp_blame();
                let mut effects = self.highlight_effect();
                effects.extend(self.blame_effect());
                return effects;
            }
            Tab::Conversation => {
                let c = &mut view.conversation;
                c.scroll = scroll(c.scroll);
                c.jump = false;
            }
        }
        Vec::new()
    }

    fn detail_open(&mut self) -> Vec<Effect> {
        let lens = self.lengths();
        let Some(view) = self.detail.as_mut() else {
            return Vec::new();
        };
        match view.tab {
            Tab::Tools if view.tools.calls_focus && lens.calls > 0 => {
                view.tools.open = true;
                view.tools.call_scroll = 0;
            }
            Tab::Tools if lens.calls > 0 => view.tools.calls_focus = true,
            Tab::Subagents => return self.open_subagent(),
            Tab::Insights => return self.show_finding(),
            Tab::Exchanges if lens.exchanges > 0 => return self.open_exchange(),
            Tab::Files if view.files.pane == FilesPane::Commits && lens.files > 0 => {
                view.files.pane = FilesPane::Files;
            }
            Tab::Files if view.files.pane == FilesPane::Files && lens.files > 0 => {
                view.files.pane = FilesPane::Diff;
                return self.highlight_effect();
            }
            Tab::Conversation => view.conversation.results = !view.conversation.results,
            _ => {}
        }
        Vec::new()
    }

    /// Opens the selected recorded call in full, reading it unless it was read before.
    fn open_exchange(&mut self) -> Vec<Effect> {
        let Some(view) = self.detail.as_mut() else {
            return Vec::new();
        };
        view.exchanges.open = true;
        view.exchanges.scroll = 0;
        let (session, at) = (view.session.clone(), view.exchanges.row);
        let Some(data) = self.loaded.get_mut(&session) else {
            return Vec::new();
        };
        let Some(Ok(list)) = &data.exchanges else {
            return Vec::new();
        };
        let Some(row) = list.rows.get(at) else {
            return Vec::new();
        };
        let key = (row.store, row.id);
        let fresh = data
            .pending
            .insert(("exchange".to_owned(), format!("{key:?}")));
        if data.exchange.contains_key(&key) || !fresh {
            return Vec::new();
        }
        vec![Effect::LoadExchange {
            session,
            store: list.stores[row.store].clone(),
            key,
        }]
    }

    /// Shows the selected sub-agent's conversation.
    fn open_subagent(&mut self) -> Vec<Effect> {
        let Some(view) = self.detail.as_ref() else {
            return Vec::new();
        };
        let index = view.subagent;
        let Some(detail) = self.open_data().and_then(|d| d.detail.clone()) else {
            return Vec::new();
        };
        let Some((_, node)) = detail.subagents_flat().into_iter().nth(index) else {
            return Vec::new();
        };
        self.show_thread(Some(node.agent_id.clone()), None)
    }

    /// Shows the conversation at the first call behind the selected finding, in the thread it
    /// happened in.
    fn show_finding(&mut self) -> Vec<Effect> {
        let Some(view) = self.detail.as_ref() else {
            return Vec::new();
        };
        let finding = self
            .open_data()
            .and_then(|d| d.insights.as_ref()?.findings.get(view.finding).cloned());
        match finding {
            Some(f) if !f.calls.is_empty() => {
                let call = f.calls.first().cloned();
                self.show_thread(f.agent_id, call)
            }
            Some(_) => {
                self.notice = Some(
                    "This finding is about requests, not calls: its time is shown.".to_owned(),
                );
                Vec::new()
            }
            None => Vec::new(),
        }
    }

    /// Shows the conversation of `agent` (`None`: the main thread), at the call `call` when
    /// given, reading the sub-agent's conversation unless it was read before.
    fn show_thread(&mut self, agent: Option<String>, call: Option<String>) -> Vec<Effect> {
        let Some(view) = self.detail.as_mut() else {
            return Vec::new();
        };
        view.tab = Tab::Conversation;
        let c = &mut view.conversation;
        c.agent.clone_from(&agent);
        c.scroll = 0;
        c.query.clear();
        c.goto_call = call;
        let session = view.session.clone();
        let Some((data, agent)) = self.loaded.get_mut(&session).zip(agent) else {
            return Vec::new();
        };
        let known = data.conversations.contains_key(&Some(agent.clone()));
        let fresh = data.pending.insert(("agent".to_owned(), agent.clone()));
        if known || !fresh {
            return Vec::new();
        }
        let summary = Box::new(data.summary.clone());
        vec![Effect::LoadConversation { summary, agent }]
    }

    fn detail_back(&mut self) -> Vec<Effect> {
        let Some(view) = self.detail.as_mut() else {
            return Vec::new();
        };
        let c = &mut view.conversation;
        match view.tab {
            Tab::Conversation if !c.query.is_empty() => c.query.clear(),
            Tab::Conversation if c.agent.is_some() => {
                c.agent = None;
                c.scroll = 0;
                view.tab = Tab::Subagents;
            }
            Tab::Files if view.files.pane == FilesPane::Diff => {
                view.files.pane = FilesPane::Files;
                view.files.maximized = false;
            }
            Tab::Files if view.files.pane == FilesPane::Files => {
                view.files.pane = FilesPane::Commits;
            }
            Tab::Tools if view.tools.open => view.tools.open = false,
            Tab::Exchanges if view.exchanges.open => view.exchanges.open = false,
            Tab::Tools if view.tools.calls_focus => view.tools.calls_focus = false,
            _ => {
                self.detail = None;
                self.screen = Screen::Sessions;
            }
        }
        Vec::new()
    }

    fn pane(&mut self, delta: isize) -> Vec<Effect> {
        let lens = self.lengths();
        let Some(view) = self.detail.as_mut() else {
            return Vec::new();
        };
        match view.tab {
            Tab::Tools => view.tools.calls_focus = delta > 0 && lens.calls > 0,
            Tab::Files => {
                let panes = [FilesPane::Commits, FilesPane::Files, FilesPane::Diff];
                let at = panes
                    .iter()
                    .position(|p| *p == view.files.pane)
                    .unwrap_or(0);
                let next = at.saturating_add_signed(delta).min(2);
                if lens.files > 0 || next == 0 {
                    view.files.pane = panes[next];
                }
                return self.highlight_effect();
            }
            _ => {}
        }
        Vec::new()
    }

    /// Lengths of the open session's lists, for clamping selections.
    pub(super) fn lengths(&self) -> Lengths {
        let mut out = Lengths::default();
        let (Some(view), Some(data)) = (self.detail.as_ref(), self.open_data()) else {
            return out;
        };
        if let Some(d) = &data.detail {
            let stats = d.tool_stats();
            out.tools = stats.len();
            if let Some(tool) = stats.get(view.tools.tool) {
                let mut calls = d.tool_calls.iter().filter(|c| c.name == tool.name);
                out.calls = calls.clone().count();
                if let Some(call) = calls.nth(view.tools.call).filter(|_| view.tools.open) {
                    let width = usize::from(popup_area(self.size).width.saturating_sub(2));
                    out.call_lines = call_lines(data, call, width, self.redacted).len();
                    out.popup_height = popup_height(self.size);
                }
            }
            out.subagents = d.subagents_flat().len();
        }
        out.guard_calls = data.guard.as_ref().map_or(0, |g| g.timeline.len());
        if let Some(Ok(list)) = &data.exchanges {
            out.exchanges = list.rows.len();
            if let Some(row) = list
                .rows
                .get(view.exchanges.row)
                .filter(|_| view.exchanges.open)
            {
                let width = usize::from(popup_area(self.size).width.saturating_sub(2));
                let content = data.exchange.get(&(row.store, row.id));
                let (unfolded, redact) = (view.exchanges.unfolded, self.redacted);
                out.exchange_lines = exchange_lines(row, content, width, unfolded, redact).len();
                out.popup_height = popup_height(self.size);
            }
        }
        out.findings = data.insights.as_ref().map_or(0, |i| i.findings.len());
        if let Changes::Ready(changes) = &data.changes {
            out.commits = changes.len();
            out.files = changes.get(view.files.commit).map_or(0, |c| c.files.len());
        }
        out
    }
}

#[derive(Debug, Default)]
pub(super) struct Lengths {
    tools: usize,
    calls: usize,
    subagents: usize,
    guard_calls: usize,
    exchanges: usize,
    /// Lines of the open recorded call.
    exchange_lines: usize,
    findings: usize,
    commits: usize,
    pub(super) files: usize,
    /// Lines of the open tool call, and how many the pop-up shows.
    call_lines: usize,
    popup_height: usize,
}

/// The tab `action` moves to from `tab`, when it moves to one.
fn tab_after(tab: Tab, action: Action) -> Option<Tab> {
    Some(match action {
        Action::NextTab => tab.step(1),
        Action::PrevTab => tab.step(-1),
        Action::TabOverview => Tab::Overview,
        Action::TabTokens => Tab::Tokens,
        Action::TabTools => Tab::Tools,
        Action::TabSubagents => Tab::Subagents,
        Action::TabFiles => Tab::Files,
        Action::TabConversation => Tab::Conversation,
        Action::TabGuard => Tab::Guard,
        Action::TabInsights => Tab::Insights,
        Action::TabExchanges => Tab::Exchanges,
        _ => return None,
    })
}
