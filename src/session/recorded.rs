//! A session's figures when `git vouch record` recorded it: every model call the API answered,
//! matched to the transcript's responses by `message.id`. The calls the transcript does not hold
//! (the compaction request Claude Code never writes, side calls) are added to the session's
//! figures, so every view counts what was billed; the transcript's own figures stay beside them.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::detail::{SessionDetail, TurnUsage};
use super::summary::{BUCKET_SECS, Bucket, ModelUsage, SessionSummary};
use crate::money::Usd;
use crate::usage::Tokens;

/// Why the transcript lacks a recorded call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallKind {
    /// The request summing the conversation up (`/compact`, or automatic).
    Compaction,
    /// Any other call the agent made beside the conversation (titles, checks, retries it did not
    /// write down).
    SideCall,
}

impl CallKind {
    /// Its name in text.
    pub const fn word(self) -> &'static str {
        match self {
            Self::Compaction => "compaction",
            Self::SideCall => "side call",
        }
    }

    /// Its name in text, for several.
    pub const fn words(self) -> &'static str {
        match self {
            Self::Compaction => "compactions",
            Self::SideCall => "side calls",
        }
    }
}

/// A recorded call that the transcript does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingCall {
    pub at: DateTime<Utc>,
    pub kind: CallKind,
    pub model: String,
    pub message_id: Option<String>,
    pub request_id: Option<String>,
    pub tokens: Tokens,
    /// `None` when the model has no price.
    pub cost: Option<Usd>,
}

/// Calls, tokens and cost of one source of a session's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub calls: u64,
    pub tokens: Tokens,
    /// Cost of the calls of priced models.
    pub cost: Usd,
}

/// What the recording holds of a session, beside its transcript.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recording {
    /// Every call recorded for the session.
    pub recorded: Tally,
    /// What the transcript alone counts.
    pub transcript: Tally,
    /// Recorded calls the transcript does not hold, oldest first.
    pub not_in_transcript: Vec<MissingCall>,
    /// Recorded models without a price (their calls are not in `recorded.cost`).
    pub unpriced_models: Vec<String>,
    /// The stores it was read from.
    pub stores: Vec<PathBuf>,
}

impl Recording {
    /// The calls the transcript lacks, summed.
    pub fn missing(&self) -> Tally {
        let mut t = Tally::default();
        for m in &self.not_in_transcript {
            t.calls += 1;
            t.tokens += m.tokens;
            t.cost += m.cost.unwrap_or(Usd::ZERO);
        }
        t
    }
}

impl SessionSummary {
    /// Counts the recording's calls that the transcript lacks into the session's figures (tokens,
    /// cost, models, usage buckets, responses) and keeps the recording beside them.
    pub fn add_recording(&mut self, mut recording: Recording) {
        recording.transcript = Tally {
            calls: self.assistant_messages,
            tokens: self.tokens,
            cost: self.cost,
        };
        for m in &recording.not_in_transcript {
            self.tokens += m.tokens;
            self.assistant_messages += 1;
            match m.cost {
                Some(c) => self.cost += c,
                None if !self.unpriced_models.contains(&m.model) => {
                    self.unpriced_models.push(m.model.clone());
                }
                None => {}
            }
            let model = find_or_push(
                &mut self.models,
                |u| u.model == m.model,
                || ModelUsage {
                    model: m.model.clone(),
                    cost: Some(Usd::ZERO),
                    ..ModelUsage::default()
                },
            );
            count(&mut model.tokens, &mut model.messages, &mut model.cost, m);
            let start = m.at.timestamp().div_euclid(BUCKET_SECS) * BUCKET_SECS;
            let bucket = find_or_push(
                &mut self.buckets,
                |b| b.start == start && b.model == m.model,
                || Bucket {
                    start,
                    model: m.model.clone(),
                    tokens: Tokens::default(),
                    messages: 0,
                    cost: Some(Usd::ZERO),
                },
            );
            count(
                &mut bucket.tokens,
                &mut bucket.messages,
                &mut bucket.cost,
                m,
            );
        }
        self.buckets
            .sort_by(|a, b| (a.start, &a.model).cmp(&(b.start, &b.model)));
        self.recording = Some(Box::new(recording));
    }
}

/// The item `is` picks, pushed from `new` first when there is none.
fn find_or_push<T>(items: &mut Vec<T>, is: impl Fn(&T) -> bool, new: impl FnOnce() -> T) -> &mut T {
    let at = items.iter().position(is).unwrap_or_else(|| {
        items.push(new());
        items.len() - 1
    });
    &mut items[at]
}

fn count(tokens: &mut Tokens, messages: &mut u64, cost: &mut Option<Usd>, m: &MissingCall) {
    *tokens += m.tokens;
    *messages += 1;
    *cost = cost.zip(m.cost).map(|(a, b)| a + b);
}

impl SessionDetail {
    /// Adds the calls its summary's recording holds and the transcript lacks as turns (marked
    /// with why they are missing), in time order, so the detail counts what the summary counts.
    pub fn add_recorded_turns(&mut self) {
        let Some(r) = self.summary.recording.as_deref() else {
            return;
        };
        if r.not_in_transcript.is_empty() {
            return;
        }
        for m in &r.not_in_transcript {
            let at = self
                .turns
                .iter()
                .position(|t| t.at.is_none_or(|t| t > m.at))
                .unwrap_or(self.turns.len());
            let turn = TurnUsage {
                at: Some(m.at),
                message_id: m.message_id.clone(),
                agent_id: None,
                model: m.model.clone(),
                tokens: m.tokens,
                cost: m.cost,
                not_in_transcript: Some(m.kind),
            };
            self.turns.insert(at, turn);
        }
    }
}
