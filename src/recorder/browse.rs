//! A session's recording read back for people: every API call it made as a row (time, model,
//! tokens, cost, time to first byte, duration, retries, errors), and one call in full (its
//! parameters, system prompt, tools, the messages new since its thread's previous call, and the
//! response), for the explorer's Exchanges tab.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::RecorderError;
use super::exchange::{Exchange, Outcome, Purpose};
use super::sse::Response;
use super::store::{FILE, Store};
use crate::money::Usd;
use crate::pricing::PriceTable;
use crate::usage::Tokens;

/// One recorded call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeRow {
    /// Index of its store in [`Exchanges::stores`].
    pub store: usize,
    pub id: i64,
    pub started: DateTime<Utc>,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub outcome: Outcome,
    pub model: Option<String>,
    pub agent_id: Option<String>,
    pub request_id: Option<String>,
    /// The response's `id`, as the transcript's `message.id`.
    pub message_id: Option<String>,
    /// Billed calls only.
    pub tokens: Option<Tokens>,
    /// `None` for a call not billed or of a model without a price.
    pub cost: Option<Usd>,
    pub ttfb_ms: Option<u64>,
    pub duration_ms: u64,
    pub retry: u32,
    /// The API's error (`type: message`), from an error status or a mid-stream `error` event.
    pub error: Option<String>,
    pub stop_reason: Option<String>,
    pub purpose: Option<Purpose>,
}

impl ExchangeRow {
    fn of(store: usize, id: i64, ex: &Exchange, prices: &PriceTable) -> Self {
        let billed = ex.billed();
        let usage = billed.map(|(_, u)| crate::agent_source::api_usage(&Value::Object(u.clone())));
        let response = ex.response.as_ref();
        Self {
            store,
            id,
            started: ex.started,
            method: ex.method.clone(),
            path: ex.path.clone(),
            status: ex.status,
            outcome: ex.outcome.clone(),
            model: response
                .and_then(|r| r.model.clone())
                .or_else(|| ex.model.clone()),
            agent_id: ex.agent_id.clone(),
            request_id: ex.request_id.clone(),
            message_id: response.and_then(|r| r.id.clone()),
            tokens: usage.map(|u| u.tokens),
            cost: billed
                .zip(usage)
                .and_then(|((model, _), u)| prices.cost(model, &u, Some(ex.started))),
            ttfb_ms: ex.ttfb_ms,
            duration_ms: ex.duration_ms,
            retry: ex.retry,
            error: response.and_then(|r| r.error.as_ref()).map(error_text),
            stop_reason: response.and_then(|r| r.stop_reason.clone()),
            purpose: ex.purpose,
        }
    }

    /// What became of it, in a word or two: `ok`, the status, `client gone`, `refused`…
    pub fn state(&self) -> String {
        match &self.outcome {
            Outcome::Completed if self.status == 200 => "ok".to_owned(),
            Outcome::Completed => self.status.to_string(),
            Outcome::ClientGone => "client gone".to_owned(),
            Outcome::UpstreamFailed(_) => "upstream failed".to_owned(),
            Outcome::Refused(_) => "refused".to_owned(),
        }
    }
}

/// `overloaded_error: Overloaded`, from an API error object.
fn error_text(e: &Value) -> String {
    let kind = e.get("type").and_then(Value::as_str).unwrap_or("error");
    match e.get("message").and_then(Value::as_str) {
        Some(m) => format!("{kind}: {m}"),
        None => kind.to_owned(),
    }
}

/// A session's recorded calls, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exchanges {
    pub stores: Vec<PathBuf>,
    pub rows: Vec<ExchangeRow>,
}

/// The calls of `session` in the stores at `stores` (store files, as a recording names them).
pub fn exchanges(
    stores: &[PathBuf],
    session: &str,
    prices: &PriceTable,
) -> Result<Exchanges, RecorderError> {
    let mut out = Exchanges::default();
    for file in stores {
        let dir = file.parent().map(PathBuf::from).unwrap_or_default();
        if !dir.join(FILE).is_file() {
            continue;
        }
        let store = Store::open(&dir)?;
        let at = out.stores.len();
        out.stores.push(file.clone());
        for (id, ex) in store.exchanges(Some(session))? {
            out.rows.push(ExchangeRow::of(at, id, &ex, prices));
        }
    }
    out.rows.sort_by_key(|r| r.started);
    Ok(out)
}

/// One call in full.
#[derive(Debug, Clone, PartialEq)]
pub struct ExchangeContent {
    /// The request's parameters besides the content (`max_tokens`, `thinking`, `stream`…).
    pub params: Map<String, Value>,
    pub system: Option<Value>,
    pub tools: Option<Value>,
    /// How many messages of the thread's previous call it sent again before the new ones.
    pub kept: usize,
    pub new_messages: Vec<Value>,
    pub response: Option<Response>,
    /// Why it failed, when the recorder says (upstream failure, refusal).
    pub detail: Option<String>,
    pub redacted: BTreeMap<String, u64>,
}

/// The call `id` of the store file `store`, in full.
pub fn content(store: &std::path::Path, id: i64) -> Result<Option<ExchangeContent>, RecorderError> {
    let dir = store.parent().unwrap_or(store);
    let store = Store::open(dir)?;
    let Some(ex) = store.exchange(id)? else {
        return Ok(None);
    };
    let get = |hash: &Option<String>| -> Result<Option<Value>, RecorderError> {
        match hash {
            Some(h) => store.get(h),
            None => Ok(None),
        }
    };
    let mut new_messages = ex
        .messages
        .new
        .iter()
        .map(|h| Ok(store.get(h)?.unwrap_or(Value::Null)))
        .collect::<Result<Vec<_>, RecorderError>>()?;
    // The markers the request carried, on the new messages.
    let marks: Vec<_> = ex
        .messages
        .marks
        .iter()
        .filter(|m| m.message >= ex.messages.kept)
        .map(|m| super::exchange::CacheMark {
            message: m.message - ex.messages.kept,
            ..m.clone()
        })
        .collect();
    super::exchange::put_marks(&mut new_messages, &marks);
    Ok(Some(ExchangeContent {
        params: ex.params.clone(),
        system: get(&ex.system)?,
        tools: get(&ex.tools)?,
        kept: ex.messages.kept,
        new_messages,
        detail: match &ex.outcome {
            Outcome::UpstreamFailed(why) | Outcome::Refused(why) => Some(why.clone()),
            _ => None,
        },
        response: ex.response,
        redacted: ex.redacted,
    }))
}
