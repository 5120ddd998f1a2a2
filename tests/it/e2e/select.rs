//! Which scripted answer a `/v1/messages` request gets. The choice is stateless (it depends only
//! on the request's messages), so retries, `--continue`, `--resume` and forks all find their
//! place in the script:
//!
//! * thread: the first subagent whose `match` occurs in the first user message, else main;
//! * prompt: the last user message with no tool_result and some text outside
//!   `<system-reminder>` / `<task-notification>` blocks; on the main thread the first
//!   `prompts[]` entry whose `match` occurs in it, else entry k = (prompt messages - 1);
//! * turn: the number of assistant messages after that prompt message.

use serde::Serialize;
use serde_json::Value;

use super::scenario::{PromptScript, Scenario, Turn};

/// What the mock decided for one request (logged).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Decision {
    /// `main` or `subagent[i]`.
    pub thread: String,
    pub prompt_no: usize,
    pub turn_no: usize,
    pub n_turns: usize,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub exhausted: bool,
    pub prompt_tail: String,
}

pub fn blocks(msg: &Value) -> Vec<Value> {
    match &msg["content"] {
        Value::String(s) => vec![serde_json::json!({"type": "text", "text": s})],
        Value::Array(a) => a.clone(),
        _ => Vec::new(),
    }
}

pub fn text_of(msg: &Value) -> String {
    blocks(msg)
        .iter()
        .filter(|b| b["type"] == "text")
        .filter_map(|b| b["text"].as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text without `<system-reminder>` and `<task-notification>` blocks.
fn strip_injected(text: &str) -> String {
    let mut out = text.to_owned();
    for tag in ["system-reminder", "task-notification"] {
        let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
        while let Some(start) = out.find(&open) {
            let Some(end) = out[start..].find(&close) else {
                break;
            };
            out.replace_range(start..start + end + close.len(), "");
        }
    }
    out
}

fn is_prompt_message(msg: &Value) -> bool {
    msg["role"] == "user"
        && !blocks(msg).iter().any(|b| b["type"] == "tool_result")
        && !strip_injected(&text_of(msg)).trim().is_empty()
}

/// The subagent thread a request belongs to, if any.
pub fn subagent_of<'a>(sc: &'a Scenario, body: &Value) -> Option<(usize, &'a PromptScript)> {
    let msgs = body["messages"].as_array()?;
    let first = msgs.iter().find(|m| m["role"] == "user")?;
    let text = text_of(first);
    sc.subagents
        .iter()
        .enumerate()
        .find(|(_, s)| !s.matches.is_empty() && text.contains(&s.matches))
}

/// Why a request is a side request (titles, summaries…), or `None`.
pub fn side_reason(sc: &Scenario, body: &Value) -> Option<&'static str> {
    if subagent_of(sc, body).is_some() {
        return None;
    }
    let model = body["model"].as_str().unwrap_or("").to_ascii_lowercase();
    if !sc.side_model.is_empty() && model.contains(&sc.side_model.to_ascii_lowercase()) {
        return Some("side model");
    }
    if body["tools"].as_array().is_none_or(Vec::is_empty) {
        return Some("no tools");
    }
    None
}

/// The scripted turn for a (non-side) request; `None` when the thread has no turns left.
pub fn choose<'a>(sc: &'a Scenario, body: &Value) -> (Option<&'a Turn>, Decision) {
    let empty = Vec::new();
    let msgs = body["messages"].as_array().unwrap_or(&empty);
    let prompt_idxs: Vec<usize> = (0..msgs.len())
        .filter(|&i| is_prompt_message(&msgs[i]))
        .collect();
    let last = prompt_idxs.last().copied();
    let prompt_text = last.map(|i| text_of(&msgs[i])).unwrap_or_default();
    let (thread, script, prompt_no) = match subagent_of(sc, body) {
        Some((i, s)) => (format!("subagent[{i}]"), Some(s), 0),
        None => {
            let matched = sc
                .prompts
                .iter()
                .position(|p| !p.matches.is_empty() && prompt_text.contains(&p.matches));
            let k = matched.unwrap_or_else(|| {
                prompt_idxs
                    .len()
                    .saturating_sub(1)
                    .min(sc.prompts.len().saturating_sub(1))
            });
            ("main".to_owned(), sc.prompts.get(k), k)
        }
    };
    let mut turn_no = 0;
    let mut prev_assistant = false;
    for m in &msgs[last.map_or(0, |i| i + 1)..] {
        let assistant = m["role"] == "assistant";
        if assistant && !prev_assistant {
            turn_no += 1;
        }
        prev_assistant = assistant;
    }
    let turns = script.map_or(&[][..], |s| &s.turns[..]);
    let tail: String = {
        let chars: Vec<char> = prompt_text.chars().collect();
        chars[chars.len().saturating_sub(120)..].iter().collect()
    };
    let decision = Decision {
        thread,
        prompt_no,
        turn_no,
        n_turns: turns.len(),
        exhausted: turn_no >= turns.len(),
        prompt_tail: tail,
    };
    (turns.get(turn_no), decision)
}

/// The side answer's text: a matching `side_responses` entry, or the default; a request for
/// structured output (a JSON schema, e.g. the session title) gets JSON that fits the schema.
pub fn side_text(sc: &Scenario, body: &Value) -> String {
    let mut hay: String = match &body["system"] {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().filter_map(|b| b["text"].as_str()).collect(),
        _ => String::new(),
    };
    for m in body["messages"].as_array().into_iter().flatten() {
        hay.push_str(&text_of(m));
    }
    let matched = sc
        .side_responses
        .iter()
        .find(|r| hay.contains(&r.matches))
        .map(|r| r.text.clone());
    let format = if body["output_config"]["format"].is_object() {
        &body["output_config"]["format"]
    } else {
        &body["output_format"]
    };
    if format["type"] == "json_schema" {
        let text = matched.unwrap_or_else(|| "Scripted mock session".to_owned());
        if serde_json::from_str::<Value>(&text).is_ok_and(|v| v.is_object()) {
            return text;
        }
        return schema_instance(&format["schema"], &text).to_string();
    }
    matched.unwrap_or_else(|| sc.side_default_text.clone())
}

/// A small value that satisfies a JSON schema, strings filled with `text`.
fn schema_instance(schema: &Value, text: &str) -> Value {
    if let Some(c) = schema.get("const") {
        return c.clone();
    }
    if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
        return first.clone();
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(first) = schema[key].as_array().and_then(|a| a.first()) {
            return schema_instance(first, text);
        }
    }
    let kind = match &schema["type"] {
        Value::Array(kinds) => kinds
            .iter()
            .filter_map(Value::as_str)
            .find(|k| *k != "null")
            .unwrap_or("null"),
        Value::String(k) => k.as_str(),
        _ if schema.get("properties").is_some() => "object",
        _ => "string",
    };
    match kind {
        "object" => {
            let props = schema["properties"].as_object();
            let required: Vec<String> = match schema["required"].as_array() {
                Some(r) => r
                    .iter()
                    .filter_map(|k| k.as_str().map(str::to_owned))
                    .collect(),
                None => props
                    .map(|p| p.keys().cloned().collect())
                    .unwrap_or_default(),
            };
            let mut obj = serde_json::Map::new();
            for k in required {
                let sub = props
                    .and_then(|p| p.get(&k))
                    .cloned()
                    .unwrap_or(Value::Null);
                obj.insert(k, schema_instance(&sub, text));
            }
            Value::Object(obj)
        }
        "array" => {
            let n = schema["minItems"].as_u64().unwrap_or(0);
            (0..n)
                .map(|_| schema_instance(&schema["items"], text))
                .collect()
        }
        "boolean" => Value::Bool(false),
        "integer" | "number" => schema.get("minimum").cloned().unwrap_or(Value::from(0)),
        "null" => Value::Null,
        _ => Value::String(text.to_owned()),
    }
}
