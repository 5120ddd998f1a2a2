//! The live feed: tool calls as the hooks record them, each with the guard's risk and decision
//! and, once Claude Code reports it, whether it ran; and the sessions they belong to.

use std::collections::{BTreeMap, HashMap, VecDeque};

use chrono::{DateTime, Utc};

use crate::capture::record::EventRecord;
use crate::evidence::guard::Outcome;
use crate::guard::check::GuardRecord;
use crate::guard::rules::Level;
use crate::transcript::hook_event::HookEvent;

/// Most calls kept in the feed; older ones scroll away.
pub const MAX_FEED: usize = 2000;

/// One tool call in the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedLine {
    pub at: DateTime<Utc>,
    pub session: String,
    pub agent_id: Option<String>,
    pub tool: String,
    pub tool_use_id: Option<String>,
    /// The command, path or pattern.
    pub summary: Option<String>,
    /// What the guard made of it (`None` with `vouch.guard off`).
    pub guard: Option<GuardRecord>,
    pub outcome: Outcome,
}

/// A session seen in the ledgers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSession {
    pub id: String,
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
    pub ended: bool,
    pub calls: u64,
    /// The riskiest call so far.
    pub worst: Level,
}

/// The feed and the sessions, grown from ledger lines.
#[derive(Debug, Clone, Default)]
pub struct Feed {
    pub lines: VecDeque<FeedLine>,
    pub sessions: BTreeMap<String, LiveSession>,
    /// Where each call is in `lines`, by tool-use id (minus `dropped`).
    by_id: HashMap<String, usize>,
    /// Lines dropped from the front so far.
    dropped: usize,
}

impl Feed {
    /// Takes in one ledger line of `session`.
    pub fn add(&mut self, session: &str, event: EventRecord) {
        let kind = HookEvent::parse(&event.event);
        let live = self
            .sessions
            .entry(session.to_owned())
            .or_insert_with(|| LiveSession {
                id: session.to_owned(),
                first: event.ts,
                last: event.ts,
                ended: false,
                calls: 0,
                worst: Level::Low,
            });
        live.last = live.last.max(event.ts);
        match kind {
            HookEvent::SessionEnd => live.ended = true,
            HookEvent::SessionStart | HookEvent::UserPromptSubmit => live.ended = false,
            HookEvent::PreToolUse => {
                live.calls += 1;
                if let Some(g) = &event.guard {
                    live.worst = live.worst.max(g.level);
                }
                self.push(session, event);
            }
            HookEvent::PostToolUse | HookEvent::PostToolUseFailure => {
                let outcome = if kind == HookEvent::PostToolUse {
                    Outcome::Ran
                } else {
                    Outcome::Failed
                };
                let at = event
                    .tool_use_id
                    .as_deref()
                    .and_then(|id| self.by_id.get(id));
                if let Some(line) = at.and_then(|&i| self.lines.get_mut(i - self.dropped)) {
                    line.outcome = outcome;
                }
            }
            _ => {}
        }
    }

    fn push(&mut self, session: &str, event: EventRecord) {
        if self.lines.len() == MAX_FEED
            && let Some(old) = self.lines.pop_front()
        {
            self.dropped += 1;
            if let Some(id) = old.tool_use_id {
                self.by_id.remove(&id);
            }
        }
        if let Some(id) = &event.tool_use_id {
            self.by_id
                .insert(id.clone(), self.dropped + self.lines.len());
        }
        self.lines.push_back(FeedLine {
            at: event.ts,
            session: session.to_owned(),
            agent_id: event.agent_id,
            tool: event.tool.unwrap_or_default(),
            tool_use_id: event.tool_use_id,
            summary: event.summary,
            guard: event.guard,
            outcome: Outcome::NoResult,
        });
    }

    /// Sessions not ended, most recent first.
    pub fn running(&self) -> Vec<&LiveSession> {
        let mut out: Vec<&LiveSession> = self.sessions.values().filter(|s| !s.ended).collect();
        out.sort_by_key(|s| std::cmp::Reverse(s.last));
        out
    }
}
