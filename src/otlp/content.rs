//! What `--content` adds to an export: the prompts and answers around each main-thread
//! response, each tool call's input and result, and failures' messages, every text redacted
//! with the evidence's rules first (the count of what was removed is kept). Without
//! `--content` no text of the conversation leaves the machine.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::names as n;
use super::proto::{self, KeyValue};
use crate::redact::Counts;
use crate::session::detail::{Conversation, EntryKind, ToolCall, TurnUsage};

/// The main thread's texts, for the spans of one session.
pub struct Content {
    /// Prompts and answers by time.
    texts: Vec<(DateTime<Utc>, Role, String)>,
    /// Each main-thread tool call's result text.
    results: HashMap<String, String>,
    /// What redaction removed, by rule.
    redacted: Mutex<Counts>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    User,
    Assistant,
}

impl Content {
    pub fn new(conversation: &Conversation) -> Self {
        let mut texts = Vec::new();
        let mut results = HashMap::new();
        for e in &conversation.entries {
            match (&e.kind, e.at) {
                (EntryKind::Prompt(t), Some(at)) => texts.push((at, Role::User, t.clone())),
                (EntryKind::Answer(t), Some(at)) => texts.push((at, Role::Assistant, t.clone())),
                (EntryKind::Tool(tool), _) => {
                    if let Some(r) = &tool.result {
                        results.insert(tool.id.clone(), r.text.clone());
                    }
                }
                _ => {}
            }
        }
        texts.sort_by_key(|(at, ..)| *at);
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

    /// A main-thread response's input (the prompts since the request before it) and output
    /// (its answer text), as the convention's message lists.
    pub fn chat_messages(&self, turn: &TurnUsage, begun: Option<DateTime<Utc>>) -> Vec<KeyValue> {
        let (Some(at), None) = (turn.at, &turn.agent_id) else {
            return Vec::new();
        };
        let from = begun.filter(|b| *b < at);
        let lo = from.map_or(0, |f| self.texts.partition_point(|(t, ..)| *t <= f));
        let hi = self.texts.partition_point(|(t, ..)| *t <= at);
        let window = &self.texts[lo..hi.max(lo)];
        let texts = |role: Role| -> Vec<String> {
            window
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

    /// A tool call's input and, on the main thread, its result.
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
        let content = Content::new(&conversation);
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
