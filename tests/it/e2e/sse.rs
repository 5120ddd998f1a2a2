//! A complete message as the streaming Messages API sends it: `message_start` (usage with a
//! placeholder output count, as the real API does), `content_block_start` / `_delta` / `_stop`
//! per block, `message_delta` with the final usage and stop reason, `message_stop`.

use std::net::TcpStream;

use serde_json::{Value, json};

use super::http::Chunked;

fn pieces(text: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return vec![String::new()];
    }
    chars.chunks(n).map(|c| c.iter().collect()).collect()
}

pub fn stream_message(
    stream: &mut TcpStream,
    headers: &[(&str, String)],
    msg: &Value,
) -> std::io::Result<()> {
    let mut out = Chunked::start(stream, headers)?;
    let mut start = msg.clone();
    start["content"] = json!([]);
    start["stop_reason"] = Value::Null;
    start["usage"]["output_tokens"] = json!(1);
    out.event(
        "message_start",
        &json!({"type": "message_start", "message": start}),
    )?;
    out.event("ping", &json!({"type": "ping"}))?;
    let empty = Vec::new();
    for (i, block) in msg["content"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .enumerate()
    {
        let delta = |d: Value| json!({"type": "content_block_delta", "index": i, "delta": d});
        match block["type"].as_str().unwrap_or("") {
            "text" => {
                let head = json!({"type": "text", "text": ""});
                out.event("content_block_start", &block_start(i, &head))?;
                for p in pieces(block["text"].as_str().unwrap_or(""), 24) {
                    out.event(
                        "content_block_delta",
                        &delta(json!({"type": "text_delta", "text": p})),
                    )?;
                }
            }
            "thinking" => {
                let head = json!({"type": "thinking", "thinking": "", "signature": ""});
                out.event("content_block_start", &block_start(i, &head))?;
                for p in pieces(block["thinking"].as_str().unwrap_or(""), 24) {
                    out.event(
                        "content_block_delta",
                        &delta(json!({"type": "thinking_delta", "thinking": p})),
                    )?;
                }
                let sig = json!({"type": "signature_delta", "signature": block["signature"]});
                out.event("content_block_delta", &delta(sig))?;
            }
            "tool_use" => {
                let head = json!({"type": "tool_use", "id": block["id"], "name": block["name"],
                    "input": {}});
                out.event("content_block_start", &block_start(i, &head))?;
                for p in pieces(&block["input"].to_string(), 40) {
                    out.event(
                        "content_block_delta",
                        &delta(json!({"type": "input_json_delta", "partial_json": p})),
                    )?;
                }
            }
            _ => out.event("content_block_start", &block_start(i, block))?,
        }
        out.event(
            "content_block_stop",
            &json!({"type": "content_block_stop", "index": i}),
        )?;
    }
    let u = &msg["usage"];
    out.event(
        "message_delta",
        &json!({"type": "message_delta",
            "delta": {"stop_reason": msg["stop_reason"], "stop_sequence": null},
            "usage": {"input_tokens": u["input_tokens"],
                "cache_creation_input_tokens": u["cache_creation_input_tokens"],
                "cache_read_input_tokens": u["cache_read_input_tokens"],
                "output_tokens": u["output_tokens"]}}),
    )?;
    out.event("message_stop", &json!({"type": "message_stop"}))?;
    out.finish()
}

fn block_start(index: usize, block: &Value) -> Value {
    json!({"type": "content_block_start", "index": index, "content_block": block})
}
