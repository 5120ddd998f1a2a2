//! Which lines a file tool call produced, from the `structuredPatch` Claude Code reports in
//! `tool_response` (no file is read and no diff is computed on the hot path).

use chrono::{DateTime, Utc};

use super::payload::{Hunk, Payload, owned};
use super::record::{EditKind, EditRecord, LineRef};
use crate::fingerprint::line_hash;
use crate::transcript::tool::ToolKind;

/// What one tool call did to its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Produced {
    pub kind: EditKind,
    /// Added lines, numbered in the file as it was right after the call.
    pub lines: Vec<LineRef>,
    pub removed: u32,
}

/// What a successful file tool call produced; `None` when it changed nothing (an empty patch) or
/// the tool does not write files.
pub fn produced(tool: &str, payload: &Payload) -> Option<Produced> {
    let response = &payload.tool_response;
    match ToolKind::of(tool) {
        ToolKind::NotebookEdit => Some(whole_file()),
        ToolKind::Edit | ToolKind::MultiEdit => match &response.structured_patch {
            Some(hunks) => from_hunks(hunks),
            // An older or unusual response without a patch: the file changed, lines unknown.
            None => Some(whole_file()),
        },
        ToolKind::Write => match &response.structured_patch {
            Some(hunks) if !hunks.is_empty() => from_hunks(hunks),
            _ if response.kind.as_deref() == Some("update") => None,
            _ => {
                let content = response
                    .content
                    .as_deref()
                    .or(payload.tool_input.content.as_deref());
                Some(content.map_or_else(whole_file, created))
            }
        },
        _ => None,
    }
}

impl Produced {
    /// A change to a file as a whole (or its deletion), lines unknown.
    pub fn whole(kind: EditKind) -> Self {
        Self {
            kind,
            lines: Vec::new(),
            removed: 0,
        }
    }
}

fn whole_file() -> Produced {
    Produced::whole(EditKind::WholeFile)
}

/// The attribution ledger's record of what the call in `payload` produced in `path`.
pub fn record(
    payload: &Payload,
    session: &str,
    now: DateTime<Utc>,
    path: &str,
    produced: Produced,
) -> EditRecord {
    EditRecord {
        ts: now,
        session_id: session.to_owned(),
        agent_id: owned(&payload.agent_id),
        tool_use_id: owned(&payload.tool_use_id).unwrap_or_default(),
        tool: owned(&payload.tool_name).unwrap_or_default(),
        path: path.to_owned(),
        kind: produced.kind,
        lines: produced.lines,
        removed: produced.removed,
    }
}

/// Every line of a newly created file.
pub fn created(content: &str) -> Produced {
    let lines = content
        .lines()
        .enumerate()
        .map(|(i, text)| LineRef {
            line: i as u32 + 1,
            hash: line_hash(text),
        })
        .collect();
    Produced {
        kind: EditKind::Lines,
        lines,
        removed: 0,
    }
}

/// The `+` lines of a patch with their new-file line numbers; `None` when it adds and removes
/// nothing.
pub fn from_hunks(hunks: &[Hunk]) -> Option<Produced> {
    let mut lines = Vec::new();
    let mut removed = 0u32;
    for hunk in hunks {
        let mut line = u32::try_from(hunk.new_start.unwrap_or(1).max(1)).unwrap_or(u32::MAX);
        for text in &hunk.lines {
            match text.as_bytes().first() {
                Some(b'+') => {
                    lines.push(LineRef {
                        line,
                        hash: line_hash(&text[1..]),
                    });
                    line = line.saturating_add(1);
                }
                Some(b'-') => removed += 1,
                // "\ No newline at end of file" belongs to the line before it.
                Some(b'\\') => {}
                _ => line = line.saturating_add(1),
            }
        }
    }
    (!lines.is_empty() || removed > 0).then_some(Produced {
        kind: EditKind::Lines,
        lines,
        removed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(tool: &str, tool_response: &str, tool_input: &str) -> String {
        format!(
            r#"{{"session_id":"s","hook_event_name":"PostToolUse","tool_name":"{tool}",
                "tool_input":{tool_input},"tool_response":{tool_response},"tool_use_id":"t"}}"#
        )
    }

    fn numbers(p: &Produced) -> Vec<u32> {
        p.lines.iter().map(|l| l.line).collect()
    }

    #[test]
    fn edit_with_one_hunk() {
        // The documented PostToolUse example (formats reference, section 2.3).
        let json = post(
            "Edit",
            r#"{"filePath":"/p/a.txt","oldString":"dog","newString":"wolf","originalFile":"The dog.\n",
               "structuredPatch":[{"oldStart":1,"oldLines":1,"newStart":1,"newLines":1,
                                   "lines":["-The dog.","+The wolf."]}],"userModified":false}"#,
            r#"{"file_path":"/p/a.txt","old_string":"dog","new_string":"wolf"}"#,
        );
        let payload = Payload::parse(json.as_bytes()).unwrap();
        let p = produced("Edit", &payload).unwrap();
        assert_eq!(p.kind, EditKind::Lines);
        assert_eq!(numbers(&p), [1]);
        assert_eq!(p.lines[0].hash, line_hash("The wolf."));
        assert_eq!(p.removed, 1);
    }

    #[test]
    fn multi_hunk_patch_counts_context_and_added_lines() {
        // Shape of a real MultiEdit result: several hunks, context lines, a line with a quote.
        let json = post(
            "MultiEdit",
            r#"{"filePath":"/p/README.md","edits":[{"old_string":"a","new_string":"b","replace_all":false}],
               "structuredPatch":[
                 {"oldStart":1,"oldLines":4,"newStart":1,"newLines":5,
                  "lines":[" # TODO App"," ","-Next.js 14","+Next.js 15.5.2","+React 19 \"rc\""," "]},
                 {"oldStart":40,"oldLines":3,"newStart":41,"newLines":2,
                  "lines":[" ## Structure","-todo-app/","-├── src/","+src/"," end"]},
                 {"oldStart":90,"oldLines":1,"newStart":90,"newLines":2,
                  "lines":[" last","+added at end","\\ No newline at end of file"]}],
               "userModified":false}"#,
            r#"{"file_path":"/p/README.md","edits":[]}"#,
        );
        let payload = Payload::parse(json.as_bytes()).unwrap();
        let p = produced("MultiEdit", &payload).unwrap();
        assert_eq!(numbers(&p), [3, 4, 42, 91]);
        assert_eq!(p.lines[1].hash, line_hash("React 19 \"rc\""));
        assert_eq!(p.lines[2].hash, line_hash("src/"));
        assert_eq!(p.removed, 3);
    }

    #[test]
    fn write_create_without_patch_takes_every_line() {
        // As recorded by Claude Code 2.1.197 (harness sample write_commit_read).
        let json = post(
            "Write",
            r#"{"type":"create","filePath":"/p/hello.txt","content":"hello world\nsecond\n",
               "structuredPatch":[],"originalFile":null,"userModified":false}"#,
            r#"{"file_path":"/p/hello.txt","content":"hello world\nsecond\n"}"#,
        );
        let payload = Payload::parse(json.as_bytes()).unwrap();
        let p = produced("Write", &payload).unwrap();
        assert_eq!(numbers(&p), [1, 2]);
        assert_eq!(p.lines[0].hash, line_hash("hello world"));
    }

    #[test]
    fn write_update_uses_its_patch_and_an_unchanged_update_is_nothing() {
        let json = post(
            "Write",
            r#"{"type":"update","filePath":"/p/a","content":"x\ny\nz\n",
               "structuredPatch":[{"oldStart":1,"oldLines":3,"newStart":1,"newLines":3,
                                   "lines":[" x","-old","+y"," z"]}],"originalFile":"x\nold\nz\n"}"#,
            r#"{"file_path":"/p/a","content":"x\ny\nz\n"}"#,
        );
        let payload = Payload::parse(json.as_bytes()).unwrap();
        let p = produced("Write", &payload).unwrap();
        assert_eq!((numbers(&p), p.removed), (vec![2], 1));

        let same = post(
            "Write",
            r#"{"type":"update","filePath":"/p/a","content":"x\n","structuredPatch":[]}"#,
            r#"{"file_path":"/p/a","content":"x\n"}"#,
        );
        assert_eq!(
            produced("Write", &Payload::parse(same.as_bytes()).unwrap()),
            None
        );
    }

    #[test]
    fn notebooks_and_patchless_edits_are_whole_file_and_reads_are_nothing() {
        let nb = post("NotebookEdit", "{}", r#"{"notebook_path":"/p/n.ipynb"}"#);
        let p = produced("NotebookEdit", &Payload::parse(nb.as_bytes()).unwrap()).unwrap();
        assert_eq!(p.kind, EditKind::WholeFile);
        let edit = post("Edit", r#""Edited""#, r#"{"file_path":"/p/a"}"#);
        let p = produced("Edit", &Payload::parse(edit.as_bytes()).unwrap()).unwrap();
        assert_eq!(p.kind, EditKind::WholeFile);
        let read = post("Read", r#"{"type":"text"}"#, r#"{"file_path":"/p/a"}"#);
        assert_eq!(
            produced("Read", &Payload::parse(read.as_bytes()).unwrap()),
            None
        );
        assert!(ToolKind::of("MultiEdit").writes_file() && !ToolKind::of("Read").writes_file());
    }
}
