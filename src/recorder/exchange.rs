//! One recorded exchange (a request to the API and what came back) and how it is made from the
//! bytes the recorder copied: the request's JSON taken apart (parameters kept inline; system
//! prompt, tool definitions and each message stored once by hash), the response reassembled,
//! everything redacted first.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::RecorderError;
use super::sse::Response;
use super::store::Store;
use crate::redact::{Counts, Redactor};

/// How an exchange ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "detail")]
pub enum Outcome {
    /// The response was relayed whole.
    Completed,
    /// The client went away before the response ended; the upstream was cancelled.
    ClientGone,
    /// The upstream could not be reached, or failed mid-response.
    UpstreamFailed(String),
    /// Not forwarded: the recorded cost had passed the cap (`--max-cost`).
    Refused(String),
}

/// What Claude Code made a request for, where the request itself says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Summing the conversation up (`/compact`, or automatically when the context is full): its
    /// answer replaces the conversation, and the transcript never holds its usage.
    Compaction,
}

impl Purpose {
    /// Its name, as stored.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Compaction => "compaction",
        }
    }

    /// The purpose a stored name stands for.
    pub fn from_name(name: &str) -> Option<Self> {
        (name == "compaction").then_some(Self::Compaction)
    }
}

/// The instruction Claude Code ends a compaction request with (2.1.197 to 2.1.329 alike).
const COMPACTION_ASK: &str = "create a detailed summary of the conversation so far";

/// The purpose the request's last message shows.
fn purpose_of(messages: &[Value]) -> Option<Purpose> {
    let last = messages.last()?;
    if last.get("role").and_then(Value::as_str) != Some("user") {
        return None;
    }
    let asks = |text: &str| text.contains(COMPACTION_ASK);
    let found = match last.get("content")? {
        Value::String(text) => asks(text),
        Value::Array(blocks) => blocks.iter().any(|b| {
            b.get("type").and_then(Value::as_str) == Some("text")
                && b.get("text").and_then(Value::as_str).is_some_and(asks)
        }),
        _ => false,
    };
    found.then_some(Purpose::Compaction)
}

/// The messages of a request: those of the thread's previous request it kept, then new ones.
/// Messages are stored without their blocks' `cache_control` markers, which Claude Code moves to
/// the newest message on every request; `marks` puts them back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Messages {
    /// The thread's previous exchange (`None`: the first request of its thread).
    pub after: Option<i64>,
    /// How many of that exchange's messages this request sent again, first.
    pub kept: usize,
    /// The hashes of the messages after those.
    pub new: Vec<String>,
    /// The `cache_control` markers of this request's messages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub marks: Vec<CacheMark>,
}

/// A `cache_control` marker: on block `block` of message `message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheMark {
    pub message: usize,
    pub block: usize,
    pub value: Value,
}

/// Takes the `cache_control` markers out of the messages' blocks.
fn take_marks(messages: &mut [Value]) -> Vec<CacheMark> {
    let mut marks = Vec::new();
    for (i, m) in messages.iter_mut().enumerate() {
        let Some(blocks) = m.get_mut("content").and_then(Value::as_array_mut) else {
            continue;
        };
        for (j, b) in blocks.iter_mut().enumerate() {
            if let Some(value) = b.as_object_mut().and_then(|o| o.remove("cache_control")) {
                marks.push(CacheMark {
                    message: i,
                    block: j,
                    value,
                });
            }
        }
    }
    marks
}

/// Puts markers taken by [`take_marks`] back.
pub fn put_marks(messages: &mut [Value], marks: &[CacheMark]) {
    for m in marks {
        let block = messages
            .get_mut(m.message)
            .and_then(|msg| msg.get_mut("content"))
            .and_then(Value::as_array_mut)
            .and_then(|blocks| blocks.get_mut(m.block))
            .and_then(Value::as_object_mut);
        if let Some(b) = block {
            b.insert("cache_control".to_owned(), m.value.clone());
        }
    }
}

/// One request and its response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    pub started: DateTime<Utc>,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub request_id: Option<String>,
    pub session_id: Option<String>,
    pub agent_id: Option<String>,
    pub parent_agent_id: Option<String>,
    /// `X-Stainless-Retry-Count`: 0 for a first attempt.
    pub retry: u32,
    pub model: Option<String>,
    /// The request's other fields (`max_tokens`, `thinking`, `metadata`…).
    pub params: Map<String, Value>,
    pub system: Option<String>,
    pub tools: Option<String>,
    pub messages: Messages,
    pub response: Option<Response>,
    /// Milliseconds from the request's arrival to the response's first byte.
    pub ttfb_ms: Option<u64>,
    pub duration_ms: u64,
    pub outcome: Outcome,
    /// What the request was for, when its content says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<Purpose>,
    pub request_bytes: u64,
    pub response_bytes: u64,
    /// What redaction replaced in the stored copy, by rule.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub redacted: BTreeMap<String, u64>,
}

impl Exchange {
    /// The model and usage of a call the API answered in full, so billed: a `POST /v1/messages`
    /// relayed whole with status 200 and a usage (not `count_tokens`, an error or a refusal).
    pub fn billed(&self) -> Option<(&str, &Map<String, Value>)> {
        let whole = self.outcome == Outcome::Completed && self.status == 200;
        let r = self
            .response
            .as_ref()
            .filter(|_| whole && self.path == "/v1/messages")?;
        Some((r.model.as_deref()?, r.usage.as_ref()?))
    }
}

/// The request side as the proxy saw it.
pub struct Request<'a> {
    pub started: DateTime<Utc>,
    pub method: &'a str,
    pub path: &'a str,
    pub headers: &'a super::http::Head,
    pub body: &'a [u8],
}

/// The last message hashes of each thread (session and sub-agent), to store only what is new.
#[derive(Default)]
pub struct Threads(HashMap<ThreadKey, (i64, Vec<String>)>);

/// A thread: its session and sub-agent, as the request headers name them.
type ThreadKey = (Option<String>, Option<String>);

/// An exchange taken apart: its content stored, its record not yet.
pub struct Stored {
    pub exchange: Exchange,
    counts: Counts,
    thread: ThreadKey,
    hashes: Vec<String>,
}

impl Stored {
    /// Takes a request apart and stores its content (redacted); the caller fills in the
    /// response and adds the exchange with [`Stored::finish`].
    pub fn request(
        req: &Request<'_>,
        store: &Store,
        threads: &Threads,
        redactor: &Redactor,
    ) -> Result<Self, RecorderError> {
        let header = |n: &str| req.headers.get(n).map(str::to_owned);
        let mut redacted = Counts::new();
        let mut body: Map<String, Value> = match serde_json::from_slice(req.body) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        let mut take = |key: &str, redacted: &mut Counts| {
            body.remove(key).map(|mut v| {
                redactor.redact_json(&mut v, redacted);
                v
            })
        };
        let system = take("system", &mut redacted)
            .map(|v| store.put(&v))
            .transpose()?;
        let tools = take("tools", &mut redacted)
            .map(|v| store.put(&v))
            .transpose()?;
        let mut messages: Vec<Value> = match take("messages", &mut redacted) {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        };
        let marks = take_marks(&mut messages);
        let purpose = purpose_of(&messages);
        let hashes = messages
            .iter()
            .map(|m| store.put(m))
            .collect::<Result<Vec<_>, _>>()?;
        let mut params = Value::Object(body);
        redactor.redact_json(&mut params, &mut redacted);
        let Value::Object(params) = params else {
            unreachable!("an object stays an object")
        };
        let (session_id, agent_id) = (
            header("x-claude-code-session-id"),
            header("x-claude-code-agent-id"),
        );
        let thread = (session_id.clone(), agent_id.clone());
        let mut messages = threads.messages_of(&thread, &hashes);
        messages.marks = marks;
        let exchange = Exchange {
            started: req.started,
            method: req.method.to_owned(),
            path: req.path.to_owned(),
            status: 0,
            request_id: None,
            model: params
                .get("model")
                .and_then(Value::as_str)
                .map(str::to_owned),
            session_id,
            agent_id,
            parent_agent_id: header("x-claude-code-parent-agent-id"),
            retry: header("x-stainless-retry-count")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            params,
            system,
            tools,
            messages,
            response: None,
            ttfb_ms: None,
            duration_ms: 0,
            outcome: Outcome::Completed,
            purpose,
            request_bytes: req.body.len() as u64,
            response_bytes: 0,
            redacted: BTreeMap::new(),
        };
        Ok(Self {
            exchange,
            counts: redacted,
            thread,
            hashes,
        })
    }

    /// Redacts the response, stores the exchange and remembers its messages for its thread.
    pub fn finish(
        mut self,
        store: &Store,
        threads: &mut Threads,
        redactor: &Redactor,
    ) -> Result<(i64, Exchange), RecorderError> {
        if let Some(r) = &mut self.exchange.response {
            for block in &mut r.content {
                redactor.redact_json(block, &mut self.counts);
            }
            if let Some(e) = &mut r.error {
                redactor.redact_json(e, &mut self.counts);
            }
        }
        self.exchange.redacted = self
            .counts
            .iter()
            .map(|(rule, n)| ((*rule).to_owned(), *n))
            .collect();
        let id = store.add(&self.exchange)?;
        let path = &self.exchange.path;
        if path.starts_with("/v1/messages") && !path.contains("count_tokens") {
            threads.0.insert(self.thread, (id, self.hashes));
        }
        Ok((id, self.exchange))
    }
}

impl Threads {
    fn messages_of(&self, thread: &ThreadKey, hashes: &[String]) -> Messages {
        let Some((id, before)) = self.0.get(thread) else {
            return Messages {
                new: hashes.to_vec(),
                ..Messages::default()
            };
        };
        let kept = before
            .iter()
            .zip(hashes)
            .take_while(|(a, b)| a == b)
            .count();
        Messages {
            after: Some(*id),
            kept,
            new: hashes[kept..].to_vec(),
            marks: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Purpose, purpose_of};

    #[test]
    fn a_compaction_is_told_by_the_instruction_in_its_last_user_message() {
        let ask = "Your task is to create a detailed summary of the conversation so far, paying close attention";
        let blocks = json!([{"role":"user","content":"hi"},{"role":"assistant","content":"hello"},
            {"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"x"},
                {"type":"text","text":ask}]}]);
        let blocks = blocks.as_array().unwrap();
        assert_eq!(purpose_of(blocks), Some(Purpose::Compaction));
        let text = json!([{"role":"user","content":ask}]);
        assert_eq!(
            purpose_of(text.as_array().unwrap()),
            Some(Purpose::Compaction)
        );
        // The instruction quoted earlier in the conversation, or by the model, is not one.
        let quoted = json!([{"role":"user","content":ask},{"role":"assistant","content":"ok"},
            {"role":"user","content":"thanks"}]);
        assert_eq!(purpose_of(quoted.as_array().unwrap()), None);
        let said = json!([{"role":"assistant","content":[{"type":"text","text":ask}]}]);
        assert_eq!(purpose_of(said.as_array().unwrap()), None);
        assert_eq!(purpose_of(&[]), None);
    }
}
