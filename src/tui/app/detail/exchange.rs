//! The selected API call in full, for the Exchanges tab's pop-up: what was asked (parameters,
//! the system prompt and tools, folded to a line until unfolded, the messages new since the
//! thread's previous call) and what came back. Built as lines for a width, the same in `update`
//! (to keep the scroll in range) and in the view; headings are the lines not indented.

use serde_json::Value;

use crate::present;
use crate::present::sanitize::{hide_if, text_lines};
use crate::recorder::browse::{ExchangeContent, ExchangeRow};
use crate::recorder::exchange::Purpose;
use crate::tui::text_fit::wrap;
use crate::words::counted;

/// Lines of a long text block shown before `… N more lines`.
const TEXT_LINES: usize = 40;

/// The call's lines wrapped to `width`; `content` is `None` while it is read.
pub fn exchange_lines(
    row: &ExchangeRow,
    content: Option<&Result<std::sync::Arc<ExchangeContent>, String>>,
    width: usize,
    unfolded: bool,
    redact: bool,
) -> Vec<String> {
    let mut out = Lines {
        out: vec![heading(row)],
        width,
        redact,
    };
    out.push(1, &facts(row));
    match content {
        None => out.push(1, "reading the call…"),
        Some(Err(e)) => out.push(1, &format!("cannot read it: {e}")),
        Some(Ok(c)) => request(&mut out, c, unfolded),
    }
    if let Some(Ok(c)) = content {
        response(&mut out, c);
    }
    out.out
}

/// Lines under construction: indented, wrapped, secrets hidden when asked.
struct Lines {
    out: Vec<String>,
    width: usize,
    redact: bool,
}

impl Lines {
    fn push(&mut self, depth: usize, text: &str) {
        let pad = "  ".repeat(depth);
        let width = self.width.saturating_sub(pad.len()).max(8);
        for line in text_lines(&hide_if(self.redact, text)) {
            self.out
                .extend(wrap(&line, width).into_iter().map(|p| format!("{pad}{p}")));
        }
    }

    /// A text of many lines, cut after [`TEXT_LINES`].
    fn long(&mut self, depth: usize, text: &str) {
        let lines: Vec<&str> = text.lines().collect();
        self.push(depth, &lines[..lines.len().min(TEXT_LINES)].join("\n"));
        if lines.len() > TEXT_LINES {
            let more = counted((lines.len() - TEXT_LINES) as u64, "more line", "more lines");
            self.push(depth, &format!("… {more}"));
        }
    }

    fn section(&mut self, title: &str) {
        self.out.push(String::new());
        self.out.push(title.to_owned());
    }
}

fn heading(row: &ExchangeRow) -> String {
    format!(
        "{} {} · {} · {}",
        row.method,
        row.path,
        row.state(),
        row.started.format("%Y-%m-%d %H:%M:%S%.3f")
    )
}

/// Model, timing, retry, ids, usage and cost, why it is not in the transcript.
fn facts(row: &ExchangeRow) -> String {
    let mut parts = vec![
        row.model
            .as_deref()
            .map_or("no model".into(), present::model),
    ];
    if let Some(ms) = row.ttfb_ms {
        parts.push(format!("first byte {ms} ms"));
    }
    parts.push(format!("took {} ms", row.duration_ms));
    if row.retry > 0 {
        parts.push(format!("retry {}", row.retry));
    }
    if let Some(a) = &row.agent_id {
        parts.push(format!("sub-agent {a}"));
    }
    if let Some(id) = &row.request_id {
        parts.push(id.clone());
    }
    if let Some(t) = &row.tokens {
        parts.push(format!(
            "in {} · out {} · cache write {} · cache read {}",
            present::tokens(t.input),
            present::tokens(t.output),
            present::tokens(t.cache_write()),
            present::tokens(t.cache_read)
        ));
    }
    if let Some(c) = row.cost {
        parts.push(c.to_string());
    }
    if row.purpose == Some(Purpose::Compaction) {
        parts.push("compaction".to_owned());
    }
    if let Some(e) = &row.error {
        parts.push(format!("error {e}"));
    }
    parts.join(" · ")
}

fn request(out: &mut Lines, c: &ExchangeContent, unfolded: bool) {
    if let Some(why) = &c.detail {
        out.push(1, why);
    }
    let params: Vec<String> = c
        .params
        .iter()
        .filter(|(k, _)| k.as_str() != "metadata")
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k} {s}"),
            other => format!("{k} {other}"),
        })
        .collect();
    if !params.is_empty() {
        out.push(1, &params.join(" · "));
    }
    if let Some(system) = &c.system {
        let text = plain_text(system);
        let size = counted(text.chars().count() as u64, "character", "characters");
        out.section(&format!("System prompt · {size}"));
        if unfolded {
            out.long(1, &text);
        } else {
            let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            out.push(1, &format!("{first} … (e unfolds)"));
        }
    }
    if let Some(Value::Array(tools)) = &c.tools {
        out.section(&format!("Tools · {}", tools.len()));
        let name = |t: &Value| t["name"].as_str().unwrap_or("?").to_owned();
        if unfolded {
            for t in tools {
                let desc = t["description"].as_str().unwrap_or("").lines().next();
                out.push(1, &format!("{} · {}", name(t), desc.unwrap_or("")));
            }
        } else {
            out.push(1, &tools.iter().map(name).collect::<Vec<_>>().join(", "));
        }
    }
    let kept = match c.kept {
        0 => String::new(),
        n => format!(
            " (after {} of the thread's previous call)",
            counted(n as u64, "message", "messages")
        ),
    };
    out.section(&format!("Messages · {} new{kept}", c.new_messages.len()));
    for m in &c.new_messages {
        out.push(1, m["role"].as_str().unwrap_or("?"));
        content_lines(out, &m["content"]);
    }
}

fn response(out: &mut Lines, c: &ExchangeContent) {
    let Some(r) = &c.response else {
        out.section("Response · none");
        return;
    };
    let stop = r.stop_reason.as_deref().unwrap_or(if r.complete {
        "no stop reason"
    } else {
        "cut short"
    });
    out.section(&format!("Response · {stop}"));
    if let Some(e) = &r.error {
        out.push(1, &format!("error {e}"));
    }
    content_lines(out, &Value::Array(r.content.clone()));
    if !c.redacted.is_empty() {
        let hidden: Vec<String> = c.redacted.iter().map(|(k, n)| format!("{n} {k}")).collect();
        out.section("Redacted before it was stored");
        out.push(1, &hidden.join(", "));
    }
}

/// A message's content: a string, or blocks.
fn content_lines(out: &mut Lines, content: &Value) {
    match content {
        Value::String(text) => out.long(2, text),
        Value::Array(blocks) => {
            for b in blocks {
                block_lines(out, b);
            }
        }
        _ => {}
    }
}

fn block_lines(out: &mut Lines, b: &Value) {
    let kind = b["type"].as_str().unwrap_or("?");
    match kind {
        "text" => out.long(2, b["text"].as_str().unwrap_or("")),
        "thinking" => {
            let signed = if b.get("signature").is_some() {
                ", signed"
            } else {
                ""
            };
            out.push(2, &format!("thinking{signed}:"));
            out.long(3, b["thinking"].as_str().unwrap_or(""));
        }
        "tool_use" | "server_tool_use" => {
            let name = b["name"].as_str().unwrap_or("?");
            out.push(2, &format!("{kind} {name} {}", b["input"]));
        }
        "tool_result" => {
            let error = if b["is_error"] == Value::Bool(true) {
                ", error"
            } else {
                ""
            };
            out.push(2, &format!("tool_result{error}:"));
            out.long(3, &plain_text(&b["content"]));
        }
        other => out.push(2, &format!("[{other}]")),
    }
}

/// The text of a string or of text blocks.
fn plain_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(blocks) => blocks
            .iter()
            .filter_map(|b| b["text"].as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}
