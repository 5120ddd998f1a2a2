//! The response message for a scripted turn, and unique ids.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};

use super::scenario::{Block, Scenario, Turn, Usage, substitute_json};

/// A turn that only says `text`.
pub fn text_turn(text: String, usage: Usage) -> Turn {
    Turn {
        content: vec![Block::Text { text }],
        usage,
        stop_reason: None,
        delay_ms: 0,
        fail_first: None,
        after: None,
    }
}

/// The complete response message for a turn.
pub fn build(sc: &Scenario, vars: &BTreeMap<String, String>, body: &Value, turn: &Turn) -> Value {
    let mut content = Vec::new();
    for block in &turn.content {
        content.push(match block {
            Block::Text { text } => json!({"type": "text", "text": text}),
            Block::Thinking { thinking } => json!({"type": "thinking", "thinking": thinking,
                "signature": format!("Eq{}", new_id("sig").repeat(4))}),
            Block::ToolUse { name, input, id } => json!({"type": "tool_use",
                "id": id.clone().unwrap_or_else(|| new_id("toolu_")),
                "name": name, "input": substitute_json(input, vars)}),
        });
    }
    let has_tool = content.iter().any(|b| b["type"] == "tool_use");
    let stop = turn
        .stop_reason
        .clone()
        .unwrap_or_else(|| if has_tool { "tool_use" } else { "end_turn" }.to_owned());
    json!({
        "id": new_id("msg_"),
        "type": "message",
        "role": "assistant",
        "model": body["model"].as_str().unwrap_or(&sc.model),
        "content": content,
        "stop_reason": stop,
        "stop_sequence": null,
        "usage": turn.usage.to_api(),
    })
}

/// A unique id such as `msg_01…` (unique across runs too: packed demo sessions share one index).
pub fn new_id(prefix: &str) -> String {
    use std::hash::{BuildHasher, Hasher};
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    // Random per process (std's hasher keys), so ids never repeat across recordings.
    let seed = *SEED.get_or_init(|| {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        h.finish()
    });
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let mut out = format!("{prefix}01");
    for round in 0..2u64 {
        let mut x = mix(seed ^ mix(n.wrapping_add(round << 56)));
        for _ in 0..11 {
            out.push(ALPHABET[(x % 62) as usize] as char);
            x /= 62;
        }
    }
    out
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
