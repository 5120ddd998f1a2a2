//! A session as a sequence of timed events for replaying it: the person's prompts, the model's
//! answers and API calls (with their tokens and cost), tool calls starting and ending, and the
//! recorded calls that failed. Idle time is compressed: a gap between two events longer than
//! [`IDLE_LIMIT_MS`] counts as that limit, so a replay never waits on a coffee break. The tokens
//! and cost so far are the session's own figures, summed up to the cursor.

use chrono::{DateTime, Utc};

use crate::money::Usd;
use crate::recorder::browse::Exchanges;
use crate::session::detail::{Conversation, EntryKind, SessionDetail, ToolStatus};
use crate::session::recorded::CallKind;
use crate::usage::Tokens;

/// Gaps longer than this are shortened to it.
pub const IDLE_LIMIT_MS: i64 = 5_000;

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    Prompt(String),
    Answer(String),
    /// An API response, with what it cost (`missing`: a call only the recording holds).
    Call {
        model: String,
        tokens: Tokens,
        cost: Option<Usd>,
        missing: Option<CallKind>,
    },
    /// A recorded API call that was not answered in full: its state and error.
    FailedCall {
        state: String,
        error: Option<String>,
    },
    ToolStart {
        name: String,
        input: String,
    },
    ToolEnd {
        name: String,
        failed: bool,
        duration_ms: Option<i64>,
    },
}

/// One event on the replay's time line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub at: DateTime<Utc>,
    /// Milliseconds from the first event, idle time compressed.
    pub offset_ms: i64,
    /// The sub-agent it happened in; `None` on the main thread.
    pub agent_id: Option<String>,
    pub kind: EventKind,
}

/// The figures up to a point of the replay.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SoFar {
    pub calls: u64,
    pub tokens: Tokens,
    pub cost: Usd,
    pub tool_calls: u64,
    pub failed_tools: u64,
}

/// A session's events in time order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replay {
    pub events: Vec<Event>,
    /// The replay's length, idle time compressed.
    pub total_ms: i64,
    /// The session's wall time from first to last event.
    pub wall_ms: i64,
    /// Events without a time, which cannot be placed (left out).
    pub untimed: usize,
    /// The figures after each event (`so_far[i]` includes event `i`).
    so_far: Vec<SoFar>,
}

impl Replay {
    /// The session's events from its detail, its main conversation (prompts and answers) and
    /// its recorded calls (the failed ones; the answered ones are the detail's turns).
    pub fn of(
        detail: &SessionDetail,
        conversation: Option<&Conversation>,
        exchanges: Option<&Exchanges>,
    ) -> Self {
        let mut timed: Vec<(Option<DateTime<Utc>>, Option<String>, EventKind)> = Vec::new();
        for e in conversation.map_or(&[][..], |c| &c.entries[..]) {
            let kind = match &e.kind {
                EntryKind::Prompt(t) => EventKind::Prompt(t.clone()),
                EntryKind::Answer(t) => EventKind::Answer(t.clone()),
                _ => continue,
            };
            timed.push((e.at, None, kind));
        }
        for t in &detail.turns {
            let kind = EventKind::Call {
                model: t.model.clone(),
                tokens: t.tokens,
                cost: t.cost,
                missing: t.not_in_transcript,
            };
            timed.push((t.at, t.agent_id.clone(), kind));
        }
        for c in &detail.tool_calls {
            let start = EventKind::ToolStart {
                name: c.name.clone(),
                input: c.command.clone().unwrap_or_else(|| c.input_summary.clone()),
            };
            timed.push((c.started, c.agent_id.clone(), start));
            if c.status != ToolStatus::Pending {
                let end = EventKind::ToolEnd {
                    name: c.name.clone(),
                    failed: matches!(c.status, ToolStatus::Failed { .. }),
                    duration_ms: c.duration_ms,
                };
                timed.push((c.finished.or(c.started), c.agent_id.clone(), end));
            }
        }
        for r in exchanges.map_or(&[][..], |x| &x.rows[..]) {
            if r.tokens.is_none() && r.path == "/v1/messages" {
                let kind = EventKind::FailedCall {
                    state: r.state(),
                    error: r.error.clone(),
                };
                timed.push((Some(r.started), r.agent_id.clone(), kind));
            }
        }
        Self::from_timed(timed)
    }

    fn from_timed(timed: Vec<(Option<DateTime<Utc>>, Option<String>, EventKind)>) -> Self {
        let mut out = Self::default();
        let mut events: Vec<Event> = Vec::with_capacity(timed.len());
        for (at, agent_id, kind) in timed {
            match at {
                Some(at) => events.push(Event {
                    at,
                    offset_ms: 0,
                    agent_id,
                    kind,
                }),
                None => out.untimed += 1,
            }
        }
        // Stable: at one time, prompts come before calls, calls before tools, as pushed.
        events.sort_by_key(|e| e.at);
        let mut offset = 0;
        let mut so_far = SoFar::default();
        for i in 0..events.len() {
            if i > 0 {
                let gap = (events[i].at - events[i - 1].at).num_milliseconds();
                offset += gap.clamp(0, IDLE_LIMIT_MS);
            }
            events[i].offset_ms = offset;
            so_far.add(&events[i].kind);
            out.so_far.push(so_far);
        }
        out.total_ms = offset;
        out.wall_ms = match (events.first(), events.last()) {
            (Some(a), Some(b)) => (b.at - a.at).num_milliseconds(),
            _ => 0,
        };
        out.events = events;
        out
    }

    /// The figures up to and including event `index` (none before the first).
    pub fn so_far(&self, index: Option<usize>) -> SoFar {
        index
            .and_then(|i| self.so_far.get(i.min(self.so_far.len().saturating_sub(1))))
            .copied()
            .unwrap_or_default()
    }

    /// The last event at or before `offset_ms` (`None`: before the first).
    pub fn index_at(&self, offset_ms: i64) -> Option<usize> {
        self.events
            .partition_point(|e| e.offset_ms <= offset_ms)
            .checked_sub(1)
    }
}

impl SoFar {
    fn add(&mut self, kind: &EventKind) {
        match kind {
            EventKind::Call { tokens, cost, .. } => {
                self.calls += 1;
                self.tokens += *tokens;
                self.cost += cost.unwrap_or(Usd::ZERO);
            }
            EventKind::ToolStart { .. } => self.tool_calls += 1,
            EventKind::ToolEnd { failed: true, .. } => self.failed_tools += 1,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Option<DateTime<Utc>> {
        format!("2026-11-21T10:{s}Z").parse().ok()
    }

    fn call(tokens: u64) -> EventKind {
        EventKind::Call {
            model: "m".into(),
            tokens: Tokens {
                output: tokens,
                ..Tokens::default()
            },
            cost: Some(Usd::from_picos(u128::from(tokens))),
            missing: None,
        }
    }

    #[test]
    fn idle_time_is_compressed_and_the_figures_are_summed_to_the_cursor() {
        let r = Replay::from_timed(vec![
            (at("00:03"), None, call(20)),
            (at("00:00"), None, EventKind::Prompt("go".into())),
            (at("00:01"), None, call(10)),
            // Twenty minutes later: the person was away.
            (at("20:01"), None, call(30)),
            (None, None, call(99)),
        ]);
        let offsets: Vec<i64> = r.events.iter().map(|e| e.offset_ms).collect();
        assert_eq!(offsets, [0, 1_000, 3_000, 3_000 + IDLE_LIMIT_MS]);
        assert_eq!(r.total_ms, 8_000);
        assert_eq!(r.wall_ms, 1_201_000);
        assert_eq!(
            r.untimed, 1,
            "an event without a time is left out, and counted"
        );
        assert_eq!(r.so_far(None), SoFar::default());
        assert_eq!(r.so_far(Some(0)).calls, 0);
        assert_eq!(r.so_far(Some(2)).tokens.output, 30);
        assert_eq!(r.so_far(Some(3)).cost, Usd::from_picos(60));
        assert_eq!(r.index_at(-1), None);
        assert_eq!(r.index_at(0), Some(0));
        assert_eq!(r.index_at(2_999), Some(1));
        assert_eq!(r.index_at(3_000), Some(2));
        assert_eq!(r.index_at(i64::MAX), Some(3));
    }
}
