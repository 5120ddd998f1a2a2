//! A Codex thread's billed responses, each counted once.
//!
//! Codex 0.171 writes a `token_usage_record` per API response, named by its `response_id`: the
//! exact key. Older rollouts have only `event_msg/token_count` events, each with the last
//! response's usage (`last_token_usage`) beside the thread's running total; the oldest carry
//! the total alone, so a response is the growth of the total. Newer files have both kinds for the
//! same responses, so when a file has any `token_usage_record` its `token_count` events are not
//! counted. A `token_count` repeating the previous total is the same response written again; a
//! total that shrank is a new baseline (a counter that was reset), never a negative response.
//! Copied history (a fork's or sub-agent's copy of its parent) only moves the baseline.

use super::rollout::{Line, OpenAiUsage};
use crate::agent_source::thread::Response;
use crate::transcript::hash::hash128;
use crate::usage::Tokens;

/// Counts a thread's responses (see the module docs).
#[derive(Debug, Default)]
pub struct Meter {
    thread: String,
    model: Option<String>,
    records: Vec<Response>,
    counts: Vec<Response>,
    total: Option<OpenAiUsage>,
}

pub use crate::agent_source::thread::UNRECORDED_MODEL;

impl Meter {
    pub fn new(thread: &str) -> Self {
        Self {
            thread: thread.to_owned(),
            ..Self::default()
        }
    }

    /// The model of the thread's current turn.
    pub fn model(&self) -> &str {
        self.model.as_deref().unwrap_or(UNRECORDED_MODEL)
    }

    /// A line of the thread's own.
    pub fn own(&mut self, line: &Line<'_>, ts_ms: i64) {
        let p = &line.payload;
        match (line.kind.as_ref(), p.kind.as_deref()) {
            ("turn_context", _) if p.model.is_some() => {
                self.model = p.model.as_deref().map(str::to_owned);
            }
            ("token_usage_record", _) => {
                let Some(usage) = p.usage else { return };
                let id = p.response_id.as_deref().unwrap_or_default();
                self.records.push(Response {
                    key: hash128(&self.thread, &format!("response:{id}")),
                    id: p.response_id.as_deref().map(str::to_owned),
                    tokens: tokens(&usage),
                    ts_ms,
                    model: self.model().to_owned(),
                    stored_cost: None,
                });
            }
            ("event_msg", Some("token_count")) => self.count(line, ts_ms),
            _ => {}
        }
    }

    /// A copied line: the parent's running total becomes the baseline, its model the default.
    pub fn copied(&mut self, line: &Line<'_>) {
        let p = &line.payload;
        match (line.kind.as_ref(), p.kind.as_deref()) {
            ("turn_context", _) if p.model.is_some() => {
                self.model = p.model.as_deref().map(str::to_owned);
            }
            ("event_msg", Some("token_count")) => {
                if let Some(t) = p.info.as_ref().and_then(|i| i.total_token_usage) {
                    self.total = Some(t);
                }
            }
            _ => {}
        }
    }

    fn count(&mut self, line: &Line<'_>, ts_ms: i64) {
        let Some(info) = &line.payload.info else {
            return;
        };
        let Some(total) = info.total_token_usage else {
            return;
        };
        let prev = self.total.replace(total);
        if prev == Some(total) {
            return;
        }
        let usage = match (info.last_token_usage, prev) {
            (Some(last), _) => last,
            (None, Some(p)) if grew(&p, &total) => minus(&total, &p),
            (None, _) => total,
        };
        if usage.total_tokens == 0 && usage.input_tokens == 0 && usage.output_tokens == 0 {
            return;
        }
        let at = format!("total:{}:{}", total.total_tokens, total.input_tokens);
        self.counts.push(Response {
            key: hash128(&self.thread, &at),
            id: None,
            tokens: tokens(&usage),
            ts_ms,
            model: self.model().to_owned(),
            stored_cost: None,
        });
    }

    /// The thread's responses, in file order.
    pub fn finish(self) -> Vec<Response> {
        if self.records.is_empty() {
            self.counts
        } else {
            self.records
        }
    }
}

/// Codex's counts in the five billed kinds: cached input and cache writes are parts of input,
/// reasoning is part of output.
pub fn tokens(u: &OpenAiUsage) -> Tokens {
    let cache_read = u.cached_input_tokens.min(u.input_tokens);
    let cache_write = u.cache_write_input_tokens.min(u.input_tokens - cache_read);
    Tokens {
        input: u.input_tokens - cache_read - cache_write,
        output: u.output_tokens,
        cache_write_5m: cache_write,
        cache_write_1h: 0,
        cache_read,
    }
}

fn grew(from: &OpenAiUsage, to: &OpenAiUsage) -> bool {
    to.input_tokens >= from.input_tokens
        && to.output_tokens >= from.output_tokens
        && to.cached_input_tokens >= from.cached_input_tokens
        && to.cache_write_input_tokens >= from.cache_write_input_tokens
        && to.reasoning_output_tokens >= from.reasoning_output_tokens
        && to.total_tokens >= from.total_tokens
}

fn minus(a: &OpenAiUsage, b: &OpenAiUsage) -> OpenAiUsage {
    OpenAiUsage {
        input_tokens: a.input_tokens - b.input_tokens,
        cached_input_tokens: a.cached_input_tokens - b.cached_input_tokens,
        cache_write_input_tokens: a.cache_write_input_tokens - b.cache_write_input_tokens,
        output_tokens: a.output_tokens - b.output_tokens,
        reasoning_output_tokens: a.reasoning_output_tokens - b.reasoning_output_tokens,
        total_tokens: a.total_tokens - b.total_tokens,
    }
}
