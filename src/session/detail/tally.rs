//! Token usage of one session, streamed copies collapsed by the summary scan's rule
//! ([`crate::transcript::streamed_copies`]), and summed per
//! thread (the main thread or one sub-agent).

use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, Utc};

use crate::money::Usd;
use crate::pricing::{PriceTable, is_unbilled_model};
use crate::session::summary::response_hash;
use crate::transcript::hash::hash128;
use crate::transcript::record::AssistantLine;
use crate::transcript::streamed_copies::{Copies, Response};
use crate::usage::{Tokens, Usage};

/// One API response.
#[derive(Debug, Clone)]
struct Entry {
    thread: Option<String>,
    /// The response's `message.id`.
    message_id: Option<String>,
    model: String,
    usage: Usage,
    at: Option<DateTime<Utc>>,
    legacy_cost: Option<Usd>,
}

/// Per-thread totals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThreadUsage {
    pub tokens: Tokens,
    /// `None` when a model of the thread is not in the price table.
    pub cost: Option<Usd>,
    pub models: Vec<String>,
    pub responses: u64,
}

/// Every API response of a session, with streamed and replayed copies collapsed.
#[derive(Debug, Default)]
pub struct Tally {
    entries: Vec<Entry>,
    copies: Copies,
    /// Responses the session's summary counts elsewhere
    /// ([`crate::session::SessionSummary::dropped_responses`]).
    pub dropped: HashSet<u64>,
}

impl Tally {
    /// Adds the usage of an assistant line of `thread` (`None` for the main thread). Copies of
    /// one response (same `message.id` and `requestId`) collapse as in the summary scan
    /// ([`Copies`]); responses the summary counts elsewhere (another session's, or side-chain
    /// replays of main-chain ones) are left out.
    pub fn add(&mut self, line: &AssistantLine, thread: Option<&str>, at: Option<DateTime<Utc>>) {
        let model = line.model.as_deref().unwrap_or("unknown");
        if line.is_api_error || is_unbilled_model(model) {
            return;
        }
        let Some(raw) = &line.usage else { return };
        let key = line.message_id.as_deref().map_or(0, |msg| {
            hash128(msg, line.request_id.as_deref().unwrap_or_default())
        });
        if key != 0 && self.dropped.contains(&response_hash(key)) {
            return;
        }
        let entry = Entry {
            thread: thread.map(str::to_owned),
            message_id: line.message_id.as_deref().map(str::to_owned),
            model: model.to_owned(),
            usage: raw.to_usage(),
            at,
            legacy_cost: line.cost_usd,
        };
        self.copies.add(&mut self.entries, key, entry);
    }

    /// Every live response in time order (responses without a time last, in reading order).
    pub fn turns(&self, prices: &PriceTable) -> Vec<super::TurnUsage> {
        let mut out: Vec<super::TurnUsage> = self
            .entries
            .iter()
            .map(|e| super::TurnUsage {
                at: e.at,
                message_id: e.message_id.clone(),
                agent_id: e.thread.clone(),
                model: e.model.clone(),
                tokens: e.usage.tokens,
                cost: e
                    .legacy_cost
                    .or_else(|| prices.cost(&e.model, &e.usage, e.at)),
                not_in_transcript: None,
            })
            .collect();
        out.sort_by_key(|t| (t.at.is_none(), t.at));
        out
    }

    /// Totals of one thread.
    pub fn thread(&self, thread: Option<&str>, prices: &PriceTable) -> ThreadUsage {
        let mut out = ThreadUsage {
            cost: Some(Usd::ZERO),
            ..ThreadUsage::default()
        };
        let mut models = BTreeSet::new();
        for e in self
            .entries
            .iter()
            .filter(|e| e.thread.as_deref() == thread)
        {
            out.tokens.add(&e.usage.tokens);
            out.responses += 1;
            models.insert(e.model.clone());
            let cost = e
                .legacy_cost
                .or_else(|| prices.cost(&e.model, &e.usage, e.at));
            out.cost = out.cost.zip(cost).map(|(a, b)| a + b);
        }
        out.models = models.into_iter().collect();
        out
    }
}

impl Response for Entry {
    fn usage(&self) -> &Usage {
        &self.usage
    }

    fn keep_earliest_time(&mut self, other: &Self) {
        self.at = min_time(self.at, other.at);
    }
}

/// The earlier of two times; a known time over an unknown one.
pub(super) fn min_time(
    a: Option<DateTime<Utc>>,
    b: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::wire::RawUsage;

    fn line(msg: &str, req: &str, output: u64) -> AssistantLine {
        AssistantLine {
            message_id: Some(msg.into()),
            request_id: Some(req.into()),
            model: Some("claude-sonnet-4-5-20250929".into()),
            usage: Some(RawUsage {
                input_tokens: Some(10),
                output_tokens: Some(output),
                ..RawUsage::default()
            }),
            ..AssistantLine::default()
        }
    }

    #[test]
    fn streamed_copies_keep_the_largest_and_replays_are_dropped() {
        let prices = PriceTable::embedded();
        let mut t = Tally::default();
        // A side question replays m1 under a new request id: the summary counts it elsewhere.
        t.dropped.insert(response_hash(hash128("m1", "r9")));
        t.add(&line("m1", "r1", 8), None, None);
        t.add(&line("m1", "r1", 322), None, None);
        t.add(&line("m1", "r1", 30), None, None);
        t.add(&line("m1", "r9", 999), Some("aside_question-1"), None);
        t.add(&line("m2", "r2", 5), Some("a1"), None);
        t.add(&line("m2", "r2", 5), Some("a1"), None);
        let main = t.thread(None, prices);
        assert_eq!((main.tokens.output, main.responses), (322, 1));
        assert!(main.cost.is_some_and(|c| c > Usd::ZERO));
        let sub = t.thread(Some("a1"), prices);
        assert_eq!((sub.tokens.total(), sub.responses), (15, 1));
        assert_eq!(t.thread(Some("aside_question-1"), prices).responses, 0);
        let turns = t.turns(prices);
        let outputs: Vec<u64> = turns.iter().map(|t| t.tokens.output).collect();
        assert_eq!(outputs, vec![322, 5], "one per live response");
        assert_eq!(turns[1].agent_id.as_deref(), Some("a1"));
        assert!(turns.iter().all(|t| t.cost.is_some()));
    }

    #[test]
    fn unpriced_models_leave_cost_unknown() {
        let mut t = Tally::default();
        let mut l = line("m", "r", 1);
        l.model = Some("some-local-model".into());
        t.add(&l, Some("a"), None);
        let u = t.thread(Some("a"), PriceTable::embedded());
        assert_eq!(u.cost, None);
        assert_eq!(u.models, vec!["some-local-model".to_owned()]);
    }
}
