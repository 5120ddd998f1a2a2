//! Small facts pulled out of tool inputs and results as they are read, so that large values
//! (file contents, command output) are not kept for the whole session.
//!
//! Structured results arrive as the record decoder keeps them: `toolUseResult` objects reduced to
//! [`RESULT_KEYS`](crate::transcript::record::RESULT_KEYS). A member read here must be listed there.

use serde_json::Value;

use super::{Hunk, LineEdge};
use crate::transcript::scan::clip;

/// Characters kept of a call's one-line input summary.
const SUMMARY_CHARS: usize = 100;
/// Characters kept of a Bash call's command (for policies over what the agent ran).
pub const COMMAND_CHARS: usize = 4000;
/// Characters kept of a failed call's error.
const ERROR_CHARS: usize = 200;
/// Bytes at the end of a result searched for the `agentId:` tail.
const TAIL_BYTES: usize = 4096;
/// What a file-editing call's input says it changes.
#[derive(Debug, Clone, Default)]
pub struct EditInput {
    pub path: String,
    pub added: u64,
    pub removed: u64,
    /// Hashes of the lines the input writes that were not there before (for matching commits).
    pub added_hashes: Vec<u64>,
    /// The new strings' first and last lines, which may be parts of lines.
    pub edges: Vec<LineEdge>,
}

/// What a file-editing call's `toolUseResult` says it changed.
#[derive(Debug, Clone, Default)]
pub struct PatchFacts {
    pub path: Option<String>,
    pub hunks: Vec<Hunk>,
    pub created: bool,
    /// Lines of the written content, for a created file whose patch is empty.
    pub content_lines: Option<u64>,
}

/// A one-line description of a tool call's input: its command, path, pattern, description…
pub fn input_summary(name: &str, input: &Value) -> String {
    let get = |k: &str| input.get(k).and_then(Value::as_str);
    let text = match name {
        "Task" | "Agent" => get("description")
            .or_else(|| get("prompt"))
            .map(|d| get("subagent_type").map_or_else(|| d.to_owned(), |t| format!("{t}: {d}"))),
        "TodoWrite" => input
            .get("todos")
            .and_then(Value::as_array)
            .map(|t| format!("{} todos", t.len())),
        "Glob" | "Grep" => get("pattern").map(|p| match get("path") {
            Some(dir) => format!("{p} in {dir}"),
            None => p.to_owned(),
        }),
        _ => None,
    };
    let text = text.or_else(|| {
        [
            "command",
            "file_path",
            "notebook_path",
            "path",
            "pattern",
            "url",
            "query",
            "skill",
            "description",
            "prompt",
        ]
        .iter()
        .find_map(|k| get(k).map(str::to_owned))
    });
    clip(&text.unwrap_or_default(), SUMMARY_CHARS)
}

/// For Edit, Write, MultiEdit and NotebookEdit: the path and line counts from the input.
pub fn edit_input(name: &str, input: &Value) -> Option<EditInput> {
    let get = |k: &str| input.get(k).and_then(Value::as_str);
    let (path, added, removed) = match name {
        "Write" => (get("file_path")?, count_lines(get("content")?), 0),
        "Edit" => {
            let (a, r) = changed_lines(get("old_string")?, get("new_string")?);
            (get("file_path")?, a, r)
        }
        "MultiEdit" => {
            let edits = input.get("edits").and_then(Value::as_array)?;
            let (a, r) = edits.iter().fold((0, 0), |(a, r), e| {
                let s = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("");
                let (ea, er) = changed_lines(s("old_string"), s("new_string"));
                (a + ea, r + er)
            });
            (get("file_path")?, a, r)
        }
        "NotebookEdit" => (
            get("notebook_path")?,
            get("new_source").map_or(0, count_lines),
            0,
        ),
        _ => return None,
    };
    Some(EditInput {
        path: path.to_owned(),
        added,
        removed,
        added_hashes: new_line_hashes(name, input),
        edges: edges(name, input),
    })
}

/// Characters kept of a line piece.
const EDGE_CHARS: usize = 200;

/// The first and last new line of each Edit or MultiEdit new string: an edit whose old string
/// starts or ends mid-line writes only part of those lines, so their hashes cannot match the
/// committed lines. Only distinctive pieces are kept.
fn edges(name: &str, input: &Value) -> Vec<LineEdge> {
    let get = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let pairs: Vec<(String, String)> = match name {
        "Edit" => vec![(get(input, "old_string"), get(input, "new_string"))],
        "MultiEdit" => input
            .get("edits")
            .and_then(Value::as_array)
            .map(|e| {
                e.iter()
                    .map(|e| (get(e, "old_string"), get(e, "new_string")))
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for (old, new) in &pairs {
        let before: std::collections::HashSet<&str> = old.lines().collect();
        let lines: Vec<&str> = new.lines().collect();
        let fresh = |l: &str| !before.contains(l) && crate::fingerprint::is_distinctive(l);
        let head = |l: &str| l.chars().take(EDGE_CHARS).collect::<String>();
        let tail = |l: &str| {
            let skip = l.chars().count().saturating_sub(EDGE_CHARS);
            l.chars().skip(skip).collect::<String>()
        };
        match lines.as_slice() {
            [first, .., last] => {
                if fresh(first) {
                    out.push(LineEdge::Ends(tail(first)));
                }
                if fresh(last) {
                    out.push(LineEdge::Starts(head(last)));
                }
            }
            [one] if fresh(one) => out.push(LineEdge::Inside(head(one))),
            _ => {}
        }
    }
    out
}

/// Hashes of the lines an edit input introduces: a Write's content, or the lines of each new
/// string that its old string did not have.
fn new_line_hashes(name: &str, input: &Value) -> Vec<u64> {
    let get = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let pairs: Vec<(String, String)> = match name {
        "Write" => vec![(String::new(), get(input, "content"))],
        "Edit" => vec![(get(input, "old_string"), get(input, "new_string"))],
        "MultiEdit" => input
            .get("edits")
            .and_then(Value::as_array)
            .map(|e| {
                e.iter()
                    .map(|e| (get(e, "old_string"), get(e, "new_string")))
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    pairs
        .iter()
        .flat_map(|(old, new)| {
            let before: std::collections::HashSet<&str> = old.lines().collect();
            new.lines()
                .filter(|l| !before.contains(l) && crate::fingerprint::is_distinctive(l))
                .map(crate::fingerprint::line_hash)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Lines in a text (a trailing newline does not start another line).
pub fn count_lines(text: &str) -> u64 {
    text.lines().count() as u64
}

/// (added, removed) lines when `old` is replaced by `new`, ignoring common leading and trailing
/// lines.
fn changed_lines(old: &str, new: &str) -> (u64, u64) {
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    let head = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let tail = old[head..]
        .iter()
        .rev()
        .zip(new[head..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    (
        (new.len() - head - tail) as u64,
        (old.len() - head - tail) as u64,
    )
}

/// The file facts of an edit tool's structured result.
pub fn patch_facts(result: &Value) -> Option<PatchFacts> {
    let patch = result.get("structuredPatch")?.as_array()?;
    let hunks = patch.iter().filter_map(hunk).collect();
    let created = result.get("type").and_then(Value::as_str) == Some("create");
    Some(PatchFacts {
        path: ["filePath", "notebook_path"]
            .iter()
            .find_map(|k| result.get(*k).and_then(Value::as_str))
            .map(str::to_owned),
        hunks,
        created,
        content_lines: result
            .get("content")
            .and_then(Value::as_str)
            .filter(|_| created)
            .map(count_lines),
    })
}

fn hunk(value: &Value) -> Option<Hunk> {
    let n = |k: &str| value.get(k).and_then(Value::as_u64).unwrap_or(0);
    let lines = value
        .get("lines")?
        .as_array()?
        .iter()
        .filter_map(|l| l.as_str().map(str::to_owned))
        .collect();
    Some(Hunk {
        old_start: n("oldStart"),
        old_lines: n("oldLines"),
        new_start: n("newStart"),
        new_lines: n("newLines"),
        lines,
    })
}

/// The agent id in the `agentId: <id> (…)` tail of a Task/Agent tool result.
pub fn tail_agent_id(text: &str) -> Option<String> {
    let mut start = text.len().saturating_sub(TAIL_BYTES);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let tail = &text[start..];
    let at = tail.rfind("agentId: ")? + "agentId: ".len();
    let id: String = tail[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (!id.is_empty()).then_some(id)
}

/// A failed call's error message on one line, without `<tool_use_error>` tags.
pub fn error_text(result: Option<&Value>, text: &str) -> String {
    let raw = result.and_then(Value::as_str).unwrap_or(text);
    let raw = raw
        .trim()
        .trim_start_matches("<tool_use_error>")
        .trim_end_matches("</tool_use_error>");
    clip(raw, ERROR_CHARS)
}

/// `durationMs`, `totalDurationMs` or `durationSeconds` of a structured result.
pub fn result_duration_ms(result: &Value) -> Option<i64> {
    let ms = |k: &str| result.get(k).and_then(Value::as_i64);
    ms("durationMs")
        .or_else(|| ms("totalDurationMs"))
        .or_else(|| {
            let secs = result.get("durationSeconds")?.as_f64()?;
            Some((secs * 1000.0).round() as i64)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn edit_counts_from_input_and_patch() {
        let e = edit_input(
            "Edit",
            &json!({"file_path":"f","old_string":"a\nb\nc\n","new_string":"a\nB\nB2\nc\n"}),
        );
        let e = e.map(|e| (e.path, e.added, e.removed));
        assert_eq!(e, Some(("f".into(), 2, 1)));
        let w = edit_input("Write", &json!({"file_path":"g","content":"x\ny\n"}));
        assert_eq!(w.map(|w| w.added), Some(2));
        let p = patch_facts(
            &json!({"type":"create","filePath":"g","content":"x\n","structuredPatch":[
            {"oldStart":1,"oldLines":0,"newStart":1,"newLines":1,"lines":["+x"]}]}),
        );
        let p = p.map(|p| (p.created, p.hunks.len(), p.content_lines));
        assert_eq!(p, Some((true, 1, Some(1))));
    }

    #[test]
    fn tails_errors_and_summaries() {
        let text = "done\nagentId: a625f6e667e5a0194 (use SendMessage…)\n<usage>…";
        assert_eq!(tail_agent_id(text).as_deref(), Some("a625f6e667e5a0194"));
        assert_eq!(tail_agent_id("no id"), None);
        let err = error_text(
            None,
            "<tool_use_error>File has not been read yet.</tool_use_error>",
        );
        assert_eq!(err, "File has not been read yet.");
        let s = input_summary(
            "Agent",
            &json!({"description":"Do it","subagent_type":"Plan"}),
        );
        assert_eq!(s, "Plan: Do it");
        assert_eq!(
            input_summary("Bash", &json!({"command":"ls\n-la"})),
            "ls -la"
        );
        assert_eq!(result_duration_ms(&json!({"totalDurationMs": 5})), Some(5));
    }
}
