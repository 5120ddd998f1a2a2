//! Anthropic Messages API responses as a recording proxy sees them: an incremental parser of
//! server-sent events, and an assembler that rebuilds one response from a stream's events (or
//! from a plain JSON body), following anthropic-sdk-python's `accumulate_event`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One server-sent event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub event: String,
    pub data: String,
}

/// Incremental SSE parser.
#[derive(Debug, Default)]
pub struct EventParser {
    /// Bytes of the line not ended yet (split on bytes, so a split UTF-8 character waits here).
    line: Vec<u8>,
    /// The last byte fed was `\r`: a `\n` first in the next feed ends no further line.
    after_cr: bool,
    /// The first line was seen (a byte order mark before it is dropped).
    started: bool,
    event: String,
    /// Each `data:` line's value followed by `\n`; empty when the event has no data.
    data: String,
}

impl EventParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds bytes as they arrive; complete events are pushed to `out`.
    pub fn feed(&mut self, bytes: &[u8], out: &mut Vec<Event>) {
        let mut rest = bytes;
        if self.after_cr && !rest.is_empty() {
            self.after_cr = false;
            if rest[0] == b'\n' {
                rest = &rest[1..];
            }
        }
        while let Some(at) = memchr::memchr2(b'\n', b'\r', rest) {
            self.line.extend_from_slice(&rest[..at]);
            self.end_line(out);
            let next = at + 1;
            if rest[at] == b'\r' {
                match rest.get(next) {
                    Some(b'\n') => rest = &rest[next + 1..],
                    Some(_) => rest = &rest[next..],
                    None => {
                        self.after_cr = true;
                        rest = &[];
                    }
                }
            } else {
                rest = &rest[next..];
            }
        }
        self.line.extend_from_slice(rest);
    }

    /// The stream ended: a pending event without its blank line is dispatched (per spec it is
    /// dropped; we DO dispatch it if it has data, since a proxy wants what was received).
    pub fn finish(&mut self, out: &mut Vec<Event>) {
        if !self.line.is_empty() {
            self.end_line(out);
        }
        self.dispatch(out);
        self.after_cr = false;
        self.started = false;
    }

    fn end_line(&mut self, out: &mut Vec<Event>) {
        let bytes = std::mem::take(&mut self.line);
        let text = String::from_utf8_lossy(&bytes);
        let mut line: &str = &text;
        if !self.started {
            self.started = true;
            line = line.strip_prefix('\u{feff}').unwrap_or(line);
        }
        if line.is_empty() {
            self.dispatch(out);
        } else if !line.starts_with(':') {
            let (field, value) = match line.split_once(':') {
                Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
                None => (line, ""),
            };
            match field {
                "event" => value.clone_into(&mut self.event),
                "data" => {
                    self.data.push_str(value);
                    self.data.push('\n');
                }
                _ => {}
            }
        }
        drop(text);
        self.line = bytes;
        self.line.clear();
    }

    fn dispatch(&mut self, out: &mut Vec<Event>) {
        let mut event = std::mem::take(&mut self.event);
        if self.data.is_empty() {
            return;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop();
        if event.is_empty() {
            "message".clone_into(&mut event);
        }
        out.push(Event { event, data });
    }
}

/// A reassembled Messages API response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Response {
    pub id: Option<String>,
    pub model: Option<String>,
    /// Content blocks as the API's JSON (`{"type":"text","text":…}`,
    /// `{"type":"thinking","thinking":…,"signature":…}`, `{"type":"tool_use","id":…,"name":…,"input":{…}}`…),
    /// in index order.
    pub content: Vec<Value>,
    pub stop_reason: Option<String>,
    pub stop_sequence: Option<String>,
    /// The usage object as last assigned (message_start's, with message_delta's fields assigned over it).
    pub usage: Option<Map<String, Value>>,
    /// A mid-stream `error` event's `error` object, or a non-2xx JSON body's `error`.
    pub error: Option<Value>,
    /// Whether `message_stop` was seen (a stream cut short has false).
    pub complete: bool,
    pub events: u32,
    pub pings: u32,
}

/// Builds a Response from a stream's events.
#[derive(Debug, Default)]
pub struct Assembler {
    response: Response,
    blocks: Vec<Block>,
}

/// A content block being assembled: its JSON, and a tool input's partial JSON until it stops.
#[derive(Debug)]
struct Block {
    json: Value,
    partial: Option<String>,
}

impl Block {
    fn new(json: Value) -> Self {
        Self {
            json,
            partial: None,
        }
    }

    /// Parses the collected partial JSON into `input` (kept raw as `partial_input` when it does not parse).
    fn settle(&mut self) {
        let (Some(raw), Value::Object(map)) = (self.partial.take(), &mut self.json) else {
            return;
        };
        let json = if raw.trim().is_empty() { "{}" } else { &raw };
        let input = serde_json::from_str(json).ok();
        let failed = input.is_none();
        map.insert(
            "input".to_owned(),
            input.unwrap_or_else(|| Value::Object(Map::new())),
        );
        if failed {
            map.insert("partial_input".to_owned(), Value::String(raw));
        }
    }

    fn apply(&mut self, mut delta: Map<String, Value>) {
        if text(&delta, "type") == Some("input_json_delta") {
            let piece = text(&delta, "partial_json").unwrap_or_default();
            self.partial.get_or_insert_default().push_str(piece);
            return;
        }
        let Value::Object(map) = &mut self.json else {
            return;
        };
        match text(&delta, "type").unwrap_or_default() {
            "text_delta" => append(map, "text", text(&delta, "text")),
            "thinking_delta" => append(map, "thinking", text(&delta, "thinking")),
            "signature_delta" => {
                if let Some(signature) = delta.remove("signature") {
                    map.insert("signature".to_owned(), signature);
                }
            }
            "citations_delta" => {
                if let Some(citation) = delta.remove("citation") {
                    let list = map.entry("citations").or_insert(Value::Null);
                    if !list.is_array() {
                        *list = Value::Array(Vec::new());
                    }
                    if let Value::Array(list) = list {
                        list.push(citation);
                    }
                }
            }
            _ => {}
        }
    }
}

fn append(map: &mut Map<String, Value>, key: &str, piece: Option<&str>) {
    let Some(piece) = piece else { return };
    match map.get_mut(key) {
        Some(Value::String(text)) => text.push_str(piece),
        _ => {
            map.insert(key.to_owned(), Value::String(piece.to_owned()));
        }
    }
}

fn text<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    map.get(key).and_then(Value::as_str)
}

fn string(value: Option<&Value>) -> Option<String> {
    value.and_then(Value::as_str).map(str::to_owned)
}

/// An error JSON's `error` object (the whole JSON when it has none).
fn error(mut json: Map<String, Value>) -> Value {
    json.remove("error").unwrap_or_else(|| Value::Object(json))
}

/// Takes a message snapshot's fields into `response`; returns its content blocks.
fn apply_message(response: &mut Response, mut message: Map<String, Value>) -> Vec<Value> {
    response.id = string(message.get("id"));
    response.model = string(message.get("model"));
    response.stop_reason = string(message.get("stop_reason"));
    response.stop_sequence = string(message.get("stop_sequence"));
    response.usage = match message.remove("usage") {
        Some(Value::Object(usage)) => Some(usage),
        _ => None,
    };
    match message.remove("content") {
        Some(Value::Array(content)) => content,
        _ => Vec::new(),
    }
}

impl Assembler {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, event: &Event) {
        let r = &mut self.response;
        r.events = r.events.saturating_add(1);
        let data = match serde_json::from_str::<Value>(&event.data) {
            Ok(Value::Object(data)) => Some(data),
            _ => None,
        };
        let kind = data
            .as_ref()
            .and_then(|d| text(d, "type"))
            .unwrap_or(&event.event);
        if kind == "ping" {
            r.pings = r.pings.saturating_add(1);
            return;
        }
        let kind = kind.to_owned();
        let Some(mut data) = data else { return };
        let index = data.get("index").and_then(Value::as_u64);
        let block = index.and_then(|i| self.blocks.get_mut(usize::try_from(i).ok()?));
        match kind.as_str() {
            "message_start" => {
                if let Some(Value::Object(message)) = data.remove("message") {
                    let content = apply_message(r, message);
                    self.blocks = content.into_iter().map(Block::new).collect();
                }
            }
            "content_block_start" => {
                if let Some(json) = data.remove("content_block") {
                    self.blocks.push(Block::new(json));
                }
            }
            "content_block_delta" => {
                if let (Some(block), Some(Value::Object(delta))) = (block, data.remove("delta")) {
                    block.apply(delta);
                }
            }
            "content_block_stop" => {
                if let Some(block) = block {
                    block.settle();
                }
            }
            "message_delta" => {
                if let Some(Value::Object(delta)) = data.get("delta") {
                    if let Some(reason) = delta.get("stop_reason") {
                        r.stop_reason = string(Some(reason));
                    }
                    if let Some(sequence) = delta.get("stop_sequence") {
                        r.stop_sequence = string(Some(sequence));
                    }
                }
                if let Some(Value::Object(usage)) = data.remove("usage") {
                    let current = r.usage.get_or_insert_with(Map::new);
                    for (key, value) in usage.into_iter().filter(|(_, v)| !v.is_null()) {
                        current.insert(key, value);
                    }
                }
            }
            "message_stop" => r.complete = true,
            "error" => r.error = Some(error(data)),
            _ => {}
        }
    }

    /// The response so far (a stream cut short still gives what was received; a tool_use whose
    /// partial JSON does not parse keeps the raw text as
    /// `{"type":"tool_use",…,"input":{}, "partial_input":"<raw>"}`).
    pub fn finish(self) -> Response {
        let mut response = self.response;
        for mut block in self.blocks {
            block.settle();
            response.content.push(block.json);
        }
        response
    }
}

/// A non-streamed body: a message JSON (`{"type":"message",…}`, taken as complete) or an error
/// JSON (`{"type":"error","error":{…}}`); `None` when it is not a JSON object.
pub fn from_json(body: &[u8]) -> Option<Response> {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) else {
        return None;
    };
    let mut response = Response::default();
    if body.get("type").and_then(Value::as_str) == Some("error") || body.contains_key("error") {
        response.error = Some(error(body));
    } else {
        response.content = apply_message(&mut response, body);
        response.complete = true;
    }
    Some(response)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A realistic stream's data lines; each becomes `event: <its type>` + `data: …` + a blank line.
    const DATA: &[&str] = &[
        r#"{"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":2048,"cache_creation_input_tokens":100,"cache_read_input_tokens":4000,"output_tokens":1}}}"#,
        r#"{"type": "ping"}"#,
        r#"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}"#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me read "}}"#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"the file."}}"#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAh"}}"#,
        r#"{"type":"content_block_stop","index":0}"#,
        r#"{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"#,
        r#"{"type": "ping"}"#,
        r#"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Reading the café 日本 file."}}"#,
        r#"{"type":"content_block_stop","index":1}"#,
        r#"{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_01","name":"Read","input":{}}}"#,
        r#"{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"file_pa"}}"#,
        r#"{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"th\": \"src/ma"}}"#,
        r#"{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"in.rs\"}"}}"#,
        r#"{"type":"content_block_stop","index":2}"#,
        r#"{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":512}}"#,
        r#"{"type":"message_stop"}"#,
    ];

    fn stream(data: &[&str]) -> String {
        let kind = |d: &str| serde_json::from_str::<Value>(d).unwrap()["type"].clone();
        let frame = |d: &&str| format!("event: {}\ndata: {d}\n\n", kind(d).as_str().unwrap());
        data.iter().map(frame).collect()
    }

    fn events(chunks: &[&[u8]]) -> Vec<Event> {
        let (mut parser, mut out) = (EventParser::new(), Vec::new());
        for chunk in chunks {
            parser.feed(chunk, &mut out);
        }
        parser.finish(&mut out);
        out
    }

    fn assemble(stream: &str) -> Response {
        let mut assembler = Assembler::new();
        for event in events(&[stream.as_bytes()]) {
            assembler.push(&event);
        }
        assembler.finish()
    }

    fn object(value: &Value) -> Option<Map<String, Value>> {
        value.as_object().cloned()
    }

    #[test]
    fn reassembles_a_realistic_stream() {
        let expected = Response {
            id: Some("msg_01".into()),
            model: Some("claude-sonnet-4-5".into()),
            content: vec![
                json!({"type":"thinking","thinking":"Let me read the file.","signature":"EqQBCgIYAh"}),
                json!({"type":"text","text":"Reading the café 日本 file."}),
                json!({"type":"tool_use","id":"toolu_01","name":"Read",
                    "input":{"file_path":"src/main.rs"}}),
            ],
            stop_reason: Some("tool_use".into()),
            stop_sequence: None,
            usage: object(
                &json!({"input_tokens":2048,"cache_creation_input_tokens":100,
                "cache_read_input_tokens":4000,"output_tokens":512}),
            ),
            error: None,
            complete: true,
            events: 18,
            pings: 2,
        };
        let response = assemble(&stream(DATA));
        assert_eq!(response, expected);
        let json = serde_json::to_value(&response).unwrap();
        assert_eq!(serde_json::from_value::<Response>(json).unwrap(), expected);
    }

    #[test]
    fn any_split_gives_the_same_events() {
        let text = stream(DATA);
        let bytes = text.as_bytes();
        let whole = events(&[bytes]);
        assert_eq!(whole.len(), 18);
        assert!(whole.iter().any(|e| e.data.contains("café 日本")));
        for at in 0..=bytes.len() {
            assert_eq!(
                events(&[&bytes[..at], &bytes[at..]]),
                whole,
                "split at {at}"
            );
        }
        assert_eq!(events(&bytes.chunks(1).collect::<Vec<_>>()), whole);
        for ending in ["\r\n", "\r"] {
            let other = text.replace('\n', ending);
            assert_eq!(events(&[other.as_bytes()]), whole);
            assert_eq!(
                events(&other.as_bytes().chunks(1).collect::<Vec<_>>()),
                whole
            );
        }
        let e = "data: é\n\n".as_bytes();
        let expected = Event {
            event: "message".into(),
            data: "é".into(),
        };
        assert_eq!(events(&[&e[..7], &e[7..]]), vec![expected]);
    }

    #[test]
    fn message_delta_usage_assigns() {
        let r = assemble(&stream(&[
            r#"{"type":"message_start","message":{"id":"m","usage":{"input_tokens":5,"output_tokens":1}}}"#,
            r#"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"input_tokens":2000,"cache_read_input_tokens":30,"output_tokens":40,"server_tool_use":null}}"#,
        ]));
        let usage = json!({"input_tokens":2000,"output_tokens":40,"cache_read_input_tokens":30});
        assert_eq!(r.usage, object(&usage));
        assert_eq!(r.stop_reason.as_deref(), Some("end_turn"));
        assert!(!r.complete);
    }

    #[test]
    fn keeps_a_mid_stream_error() {
        let error =
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
        let text = stream(&[&DATA[..6], &[error, r#"{"type":"mystery"}"#]].concat());
        let r = assemble(&(text + "data: {not json\n\n"));
        assert_eq!(
            r.error,
            Some(json!({"type":"overloaded_error","message":"Overloaded"}))
        );
        assert!(!r.complete);
        assert_eq!((r.events, r.pings), (9, 1));
        let thinking =
            json!({"type":"thinking","thinking":"Let me read the file.","signature":"EqQBCgIYAh"});
        assert_eq!(r.content, vec![thinking]);
    }

    #[test]
    fn a_stream_cut_inside_a_tool_use_keeps_the_partial_input() {
        let r = assemble(&stream(&DATA[..13]));
        assert!(!r.complete);
        assert_eq!(r.content.len(), 3);
        let tool = json!({"type":"tool_use","id":"toolu_01","name":"Read","input":{},"partial_input":"{\"file_pa"});
        assert_eq!(r.content[2], tool);
        let r = assemble(&stream(&DATA[..12]));
        assert_eq!(
            r.content[2],
            json!({"type":"tool_use","id":"toolu_01","name":"Read","input":{}})
        );
    }

    #[test]
    fn from_json_bodies() {
        let body =
            br#"{"id":"msg_2","type":"message","role":"assistant","model":"claude-haiku-4-5",
            "content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","stop_sequence":null,
            "usage":{"input_tokens":10,"output_tokens":2}}"#;
        let r = from_json(body).unwrap();
        assert_eq!(
            (r.id.as_deref(), r.model.as_deref()),
            (Some("msg_2"), Some("claude-haiku-4-5"))
        );
        assert_eq!(r.content, vec![json!({"type":"text","text":"Hi"})]);
        assert_eq!(r.stop_reason.as_deref(), Some("end_turn"));
        assert_eq!(
            r.usage,
            object(&json!({"input_tokens":10,"output_tokens":2}))
        );
        assert!(r.complete && r.error.is_none());
        let body =
            br#"{"type":"error","error":{"type":"rate_limit_error","message":"Rate limited"}}"#;
        let r = from_json(body).unwrap();
        assert_eq!(
            r.error,
            Some(json!({"type":"rate_limit_error","message":"Rate limited"}))
        );
        assert!(!r.complete && r.content.is_empty());
        assert_eq!(from_json(b"<html>502 Bad Gateway</html>"), None);
        assert_eq!(from_json(b""), None);
    }

    #[test]
    fn sse_framing() {
        let text = "\u{feff}: a comment\ndata:nospace\n\ndata: line1\ndata:  two\ndata\n\n\
            event: custom\ndata: x\n\nevent: no-data\nid: 7\n\ndata: after\n\nretry: 10\ndata: tail";
        let e = |event: &str, data: &str| Event {
            event: event.into(),
            data: data.into(),
        };
        let expected = [
            e("message", "nospace"),
            e("message", "line1\n two\n"),
            e("custom", "x"),
            e("message", "after"),
            e("message", "tail"),
        ];
        assert_eq!(events(&[text.as_bytes()]), expected);
        assert_eq!(events(&[b": only\n\n\n"]), vec![]);
    }

    #[test]
    fn other_blocks_and_deltas() {
        let cite = r#"{"type":"char_location","cited_text":"a","document_index":0}"#;
        let delta = format!(
            r#"{{"type":"content_block_delta","index":0,"delta":{{"type":"citations_delta","citation":{cite}}}}}"#
        );
        let r = assemble(&stream(&[
            r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
            &delta,
            &delta,
            r#"{"type":"content_block_start","index":1,"content_block":{"type":"redacted_thinking","data":"x"}}"#,
            r#"{"type":"content_block_start","index":2,"content_block":{"type":"new_block","n":1}}"#,
            r#"{"type":"content_block_delta","index":9,"delta":{"type":"text_delta","text":"lost"}}"#,
        ]));
        let cite: Value = serde_json::from_str(cite).unwrap();
        assert_eq!(
            r.content[0],
            json!({"type":"text","text":"","citations":[cite, cite]})
        );
        assert_eq!(r.content[1], json!({"type":"redacted_thinking","data":"x"}));
        assert_eq!(r.content[2], json!({"type":"new_block","n":1}));
        assert_eq!((r.id, r.usage, r.events), (None, None, 6));
    }
}
