//! Replaying the open session: a time cursor over its events (idle time compressed) that keys
//! step and the clock's ticks move while it plays.

use std::sync::Arc;

use super::{Move, ReplayState};
use crate::present::replay::Replay;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::msg::Effect;

/// The fastest a replay plays.
pub const MAX_SPEED: u32 = 64;

/// Milliseconds of the replay one tick of the clock moves at speed 1 (the terminal's tick).
pub const TICK_MS: i64 = 120;

impl App {
    /// Starts replaying the open session from its start, once its detail is read.
    pub(in crate::tui::app) fn start_replay(&mut self) -> Vec<Effect> {
        let Some(session) = self.detail.as_ref().map(|v| v.session.clone()) else {
            return Vec::new();
        };
        let Some(data) = self.loaded.get_mut(&session) else {
            return Vec::new();
        };
        let Some(detail) = data.detail.clone() else {
            self.notice = Some("The session is still being read.".to_owned());
            return Vec::new();
        };
        if data.replay.is_none() {
            let exchanges = match &data.exchanges {
                Some(Ok(list)) => Some(list.as_ref()),
                _ => None,
            };
            let main = data.conversations.get(&None).map(AsRef::as_ref);
            data.replay = Some(Arc::new(Replay::of(&detail, main, exchanges)));
        }
        if let Some(view) = self.detail.as_mut() {
            view.replay = Some(ReplayState {
                cursor_ms: 0,
                playing: true,
                speed: 1,
            });
        }
        Vec::new()
    }

    /// The open session's replay.
    pub fn open_replay(&self) -> Option<Arc<Replay>> {
        self.open_data()?.replay.clone()
    }

    /// What keys do while replaying; `false` when the action is not the replay's.
    pub(in crate::tui::app) fn on_replay_action(&mut self, action: Action) -> bool {
        let Some(replay) = self.open_replay() else {
            return false;
        };
        let Some(state) = self.detail.as_mut().and_then(|v| v.replay.as_mut()) else {
            return false;
        };
        let step = |m: Move| {
            let len = replay.events.len();
            let at = replay.index_at(state.cursor_ms).map_or(0, |i| i + 1);
            // Positions: 0 is before the first event, i + 1 is at event i.
            let to = match m {
                Move::By(d) => at.saturating_add_signed(d).min(len),
                Move::Top => 0,
                Move::Bottom => len,
            };
            to.checked_sub(1).map_or(-1, |i| replay.events[i].offset_ms)
        };
        let cursor = match action {
            Action::PlayPause => {
                if replay.index_at(state.cursor_ms).map_or(0, |i| i + 1) >= replay.events.len() {
                    state.cursor_ms = -1;
                }
                state.playing = !state.playing;
                return true;
            }
            Action::Faster => {
                state.speed = (state.speed * 2).min(MAX_SPEED);
                return true;
            }
            Action::Slower => {
                state.speed = (state.speed / 2).max(1);
                return true;
            }
            Action::Down => step(Move::By(1)),
            Action::Up => step(Move::By(-1)),
            Action::PageDown => step(Move::By(10)),
            Action::PageUp => step(Move::By(-10)),
            Action::Top => step(Move::Top),
            Action::Bottom => step(Move::Bottom),
            _ => return false,
        };
        state.cursor_ms = cursor;
        state.playing = false;
        true
    }

    /// Moves a playing replay on by one tick, stopping at its end.
    pub(in crate::tui::app) fn advance_replay(&mut self) {
        let Some(total) = self.open_replay().map(|r| r.total_ms) else {
            return;
        };
        let Some(state) = self.detail.as_mut().and_then(|v| v.replay.as_mut()) else {
            return;
        };
        if !state.playing {
            return;
        }
        state.cursor_ms = (state.cursor_ms + TICK_MS * i64::from(state.speed)).min(total);
        if state.cursor_ms >= total {
            state.playing = false;
        }
    }
}
