//! What `--content` adds to an export: the prompts and answers around each response, in its
//! own thread (the main agent's or a sub-agent's), each tool call's input and result, and
//! failures' messages, every text redacted with the evidence's rules first (the count of what
//! was removed is kept). Without `--content` no text of the conversation leaves the machine.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::names as n;
use super::proto::{self, KeyValue};
use crate::redact::Counts;
use crate::session::detail::{Conversation, EntryKind, ToolCall, TurnUsage};

/// The texts of a session's threads, for its spans.
pub struct Content {
    /// Each thread's prompts and answers by time (`None`: the main thread).
    texts: HashMap<Option<String>, Vec<Said>>,
    /// Each tool call's result text.
    results: HashMap<String, String>,
    /// What redaction removed, by rule.
    redacted: Mutex<Counts>,
}

/// A text of a thread: when, by whom, what.
type Said = (DateTime<Utc>, Role, String);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    User,
    Assistant,
}

impl Content {
    /// From each thread's conversation: the main thread's (`None`) and each sub-agent's.
    pub fn new(threads: &[(Option<String>, Conversation)]) -> Self {
        let mut texts: HashMap<Option<String>, Vec<_>> = HashMap::new();
        let mut results = HashMap::new();
        for (thread, conversation) in threads {
            let own = texts.entry(thread.clone()).or_default();
            for e in &conversation.entries {
                match (&e.kind, e.at) {
                    (EntryKind::Prompt(t), Some(at)) => own.push((at, Role::User, t.clone())),
                    (EntryKind::Answer(t), Some(at)) => own.push((at, Role::Assistant, t.clone())),
                    (EntryKind::Tool(tool), _) => {
                        if let Some(r) = &tool.result {
                            results.insert(tool.id.clone(), r.text.clone());
                        }
                    }
                    _ => {}
                }
            }
            own.sort_by_key(|(at, ..)| *at);
        }
        Self {
            texts,
            results,
            redacted: Mutex::new(Counts::new()),
        }
    }

    /// `text` with secrets removed.
    pub fn redact(&self, text: &str) -> String {
        let mut counts = self
            .redacted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        crate::redact::shared()
            .redact(text, &mut counts)
            .into_owned()
    }

    /// What redaction removed so far, by rule.
    pub fn redactions(&self) -> Counts {
        self.redacted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// A response's input (its thread's prompts since the request before it) and output (its
    /// answer text), as the convention's message lists.
    pub fn chat_messages(&self, turn: &TurnUsage, begun: Option<DateTime<Utc>>) -> Vec<KeyValue> {
        let (Some(at), Some(texts)) = (turn.at, self.texts.get(&turn.agent_id)) else {
            return Vec::new();
        };
        // Prompts from when the request could go out (a thread's first prompt is stamped with
        // its start); answers after the previous response, which owns the ones stamped with it.
        let from = begun.filter(|b| *b < at);
        let hi = texts.partition_point(|(t, ..)| *t <= at);
        let window = |inclusive: bool| {
            let lo = from.map_or(0, |f| {
                texts.partition_point(|(t, ..)| if inclusive { *t < f } else { *t <= f })
            });
            &texts[lo..hi.max(lo)]
        };
        let texts = |role: Role| -> Vec<String> {
            window(role == Role::User)
                .iter()
                .filter(|(_, r, _)| *r == role)
                .map(|(_, _, text)| self.redact(text))
                .collect()
        };
        let mut out = Vec::new();
        let prompts = texts(Role::User);
        if !prompts.is_empty() {
            let parts: Vec<_> = prompts
                .iter()
                .map(|p| json!({"type": "text", "content": p}))
                .collect();
            let messages = json!([{"role": "user", "parts": parts}]);
            out.push(proto::text(n::INPUT_MESSAGES, messages.to_string()));
        }
        let answers = texts(Role::Assistant);
        if !answers.is_empty() {
            let parts: Vec<_> = answers
                .iter()
                .map(|a| json!({"type": "text", "content": a}))
                .collect();
            let messages = json!([{"role": "assistant", "parts": parts}]);
            out.push(proto::text(n::OUTPUT_MESSAGES, messages.to_string()));
        }
        out
    }

    /// A tool call's input and its result.
    pub fn tool_call(&self, call: &ToolCall) -> Vec<KeyValue> {
        let arguments = match (&call.command, &call.path) {
            (Some(command), _) => json!({"command": self.redact(command)}),
            (None, Some(path)) => json!({"file_path": self.redact(path)}),
            (None, None) => json!({"summary": self.redact(&call.input_summary)}),
        };
        let mut out = vec![proto::text(n::TOOL_ARGUMENTS, arguments.to_string())];
        if let Some(result) = self.results.get(&call.id) {
            out.push(proto::text(n::TOOL_RESULT, self.redact(result)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::detail::Entry;

    #[test]
    fn prompts_and_answers_are_redacted_and_counted() {
        let at = |s: i64| DateTime::from_timestamp(s, 0);
        let secret = "AKIAIOSFODNN7EXAMPLE";
        let conversation = Conversation {
            entries: vec![
                Entry {
                    at: at(10),
                    kind: EntryKind::Prompt(format!("deploy with key {secret}")),
                },
                Entry {
                    at: at(20),
                    kind: EntryKind::Answer("done".into()),
                },
            ],
            warnings: Vec::new(),
        };
        let content = Content::new(&[(None, conversation)]);
        let turn = TurnUsage {
            at: at(20),
            message_id: None,
            agent_id: None,
            model: "m".into(),
            tokens: crate::usage::Tokens::default(),
            cost: None,
            not_in_transcript: None,
        };
        let attributes = content.chat_messages(&turn, at(5));
        let text = format!("{attributes:?}");
        assert!(!text.contains(secret), "{text}");
        assert!(text.contains("deploy with key"), "{text}");
        assert!(text.contains("done"));
        assert_eq!(content.redactions().values().sum::<u64>(), 1);
        // The next response's window starts after this one: nothing repeated.
        let later = TurnUsage { at: at(30), ..turn };
        assert!(content.chat_messages(&later, at(20)).is_empty());
    }
}
