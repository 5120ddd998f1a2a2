//! The watch screen's state and its one mutator, [`WatchApp::update`].

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::TextArea;

use super::feed::Feed;
use crate::capture::record::EventRecord;
use crate::guard::watch::{Answer, Held, Reply};
use crate::tui::action::Action;
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;

/// A held call waiting for the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The runner's number for the connection it waits on.
    pub id: u64,
    pub held: Held,
    pub since: DateTime<Utc>,
}

impl Pending {
    /// Seconds until the hook stops waiting and decides without the person.
    pub fn seconds_left(&self, now: DateTime<Utc>) -> i64 {
        let waited = (now - self.since).num_seconds();
        i64::try_from(self.held.wait_secs).unwrap_or(i64::MAX) - waited
    }
}

/// What happened.
#[derive(Debug, Clone)]
pub enum WatchMsg {
    Key(KeyEvent),
    Resize(u16, u16),
    /// Time passed (the runner's clock).
    Tick(DateTime<Utc>),
    /// A hook holds a call for the person.
    Held(Box<Pending>),
    /// The hook holding call `id` stopped waiting (its time ran out, or it was interrupted).
    HookGone(u64),
    /// New lines of the event ledgers, each with its session.
    Events(Vec<(String, EventRecord)>),
    /// An answer was delivered, or could not be (the hook had stopped waiting).
    Answered {
        id: u64,
        result: Result<(), String>,
    },
    /// Something the runner wants said (a refused connection, an unreadable ledger).
    Notice(String),
}

/// What the runner does for the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchEffect {
    /// Send this answer to the hook holding call `id` (answers `Answered`).
    Answer { id: u64, reply: Reply },
    /// Close the screen.
    Quit,
}

/// Everything the watch screen shows.
pub struct WatchApp {
    pub keymap: Keymap,
    pub theme: Theme,
    /// The repository's name and the guard's mode, for the title.
    pub repository: String,
    pub mode: String,
    /// Who answers (signed into every answer).
    pub by: String,
    pub pending: Vec<Pending>,
    pub selected: usize,
    pub feed: Feed,
    /// Rows scrolled back from the newest call (0: follow the feed).
    pub scroll: usize,
    /// A denial's reason being typed, for the selected call.
    pub reason: Option<TextArea<'static>>,
    pub message: Option<String>,
    pub help: bool,
    pub now: DateTime<Utc>,
    pub height: u16,
}

impl WatchApp {
    pub fn new(keymap: Keymap, theme: Theme, repository: String, mode: String, by: String) -> Self {
        Self {
            keymap,
            theme,
            repository,
            mode,
            by,
            pending: Vec::new(),
            selected: 0,
            feed: Feed::default(),
            scroll: 0,
            reason: None,
            message: None,
            help: false,
            now: DateTime::UNIX_EPOCH,
            height: 24,
        }
    }

    /// The one place state changes.
    pub fn update(&mut self, msg: WatchMsg) -> Vec<WatchEffect> {
        match msg {
            WatchMsg::Key(key) => return self.key(key),
            WatchMsg::Resize(_, h) => self.height = h,
            WatchMsg::Tick(now) => {
                self.now = now;
                self.pending.retain(|p| p.seconds_left(now) > -5);
                self.clamp();
            }
            WatchMsg::Held(pending) => self.pending.push(*pending),
            WatchMsg::HookGone(id) => {
                if let Some(p) = self.take(id) {
                    self.message = Some(format!(
                        "{} call of session {} stopped waiting; the guard decided without you",
                        p.held.tool,
                        short(&p.held.session_id)
                    ));
                }
            }
            WatchMsg::Events(events) => {
                for (session, event) in events {
                    self.feed.add(&session, event);
                }
            }
            WatchMsg::Answered { result, .. } => {
                if let Err(e) = result {
                    self.message = Some(format!("the answer did not arrive: {e}"));
                }
            }
            WatchMsg::Notice(text) => self.message = Some(text),
        }
        Vec::new()
    }

    fn key(&mut self, key: KeyEvent) -> Vec<WatchEffect> {
        if self.reason.is_some() {
            return self.reason_key(key);
        }
        let Some(action) = self.keymap.action_for(&key) else {
            return Vec::new();
        };
        if self.help {
            if matches!(action, Action::Help | Action::Back) {
                self.help = false;
            } else if action == Action::Quit {
                return vec![WatchEffect::Quit];
            }
            return Vec::new();
        }
        self.message = None;
        match action {
            Action::Quit | Action::Back => return vec![WatchEffect::Quit],
            Action::Help => self.help = true,
            Action::Down => {
                self.selected = (self.selected + 1).min(self.pending.len().saturating_sub(1));
            }
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::PageUp => self.scroll = (self.scroll + self.page()).min(self.feed.lines.len()),
            Action::PageDown => self.scroll = self.scroll.saturating_sub(self.page()),
            Action::Bottom => self.scroll = 0,
            Action::Top => self.scroll = self.feed.lines.len().saturating_sub(self.page()),
            Action::AllowCall => return self.answer(Answer::Allow, None),
            Action::PromptCall => return self.answer(Answer::Prompt, None),
            Action::DenyCall if !self.pending.is_empty() => {
                let mut area = TextArea::default();
                area.set_placeholder_text("Why, for the agent (enter sends, esc cancels)");
                self.reason = Some(area);
            }
            _ => {}
        }
        Vec::new()
    }

    fn reason_key(&mut self, key: KeyEvent) -> Vec<WatchEffect> {
        match key.code {
            KeyCode::Esc => self.reason = None,
            KeyCode::Enter => {
                let text = self
                    .reason
                    .take()
                    .map(|a| a.lines().join(" "))
                    .unwrap_or_default();
                let text = text.trim();
                return self.answer(Answer::Deny, (!text.is_empty()).then(|| text.to_owned()));
            }
            _ => {
                if let Some(area) = &mut self.reason {
                    area.input(key);
                }
            }
        }
        Vec::new()
    }

    /// Answers the selected call.
    fn answer(&mut self, answer: Answer, reason: Option<String>) -> Vec<WatchEffect> {
        let Some(pending) = self.pending.get(self.selected).cloned() else {
            self.message = Some("no call is waiting for you".to_owned());
            return Vec::new();
        };
        self.take(pending.id);
        self.message = Some(format!(
            "{} {} call of session {}",
            answer.label(),
            pending.held.tool,
            short(&pending.held.session_id)
        ));
        let reply = Reply {
            answer,
            reason,
            by: self.by.clone(),
        };
        vec![WatchEffect::Answer {
            id: pending.id,
            reply,
        }]
    }

    fn take(&mut self, id: u64) -> Option<Pending> {
        let at = self.pending.iter().position(|p| p.id == id)?;
        let p = self.pending.remove(at);
        self.clamp();
        Some(p)
    }

    fn clamp(&mut self) {
        self.selected = self.selected.min(self.pending.len().saturating_sub(1));
    }

    fn page(&self) -> usize {
        usize::from(self.height.saturating_sub(14)).max(1)
    }
}

/// A session id as the other screens show it.
pub fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}
