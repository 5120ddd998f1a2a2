//! File changes: `apply_patch`'s patch language (`*** Begin Patch`, `*** Add File: p`,
//! `*** Update File: p` with `@@` hunks, `*** Delete File: p`, `*** Move to: q`) and the
//! `FileChange` Codex reports after applying one (per absolute path: `add {content}`,
//! `update {unified_diff, move_path}`, `delete {content}`; older releases nest them as
//! `{"add": {...}}`).

use serde_json::Value;

use crate::agent_source::thread::change::{Change, unified};
use crate::session::detail::Hunk;

/// The paths a patch names, in order (a move's new path included).
pub fn paths(patch: &str) -> Vec<String> {
    parse(patch).into_iter().map(|c| c.path).collect()
}

/// The changes a patch makes, as its text says.
pub fn parse(patch: &str) -> Vec<Change> {
    let mut out: Vec<Change> = Vec::new();
    for line in patch.lines() {
        let header = |p: &str| line.strip_prefix(p).map(|s| s.trim().to_owned());
        if let Some(path) = header("*** Add File: ") {
            out.push(Change {
                path,
                created: true,
                hunks: vec![Hunk {
                    old_start: 0,
                    old_lines: 0,
                    new_start: 1,
                    new_lines: 0,
                    lines: Vec::new(),
                }],
                ..Change::default()
            });
        } else if let Some(path) = header("*** Update File: ") {
            out.push(Change {
                path,
                ..Change::default()
            });
        } else if let Some(path) = header("*** Delete File: ") {
            out.push(Change {
                path,
                deleted: true,
                ..Change::default()
            });
        } else if let Some(to) = header("*** Move to: ") {
            if let Some(c) = out.last_mut() {
                c.path = to;
            }
        } else if line.starts_with("*** ") {
        } else if let Some(c) = out.last_mut() {
            body_line(c, line);
        }
    }
    for c in &mut out {
        for h in &mut c.hunks {
            h.new_lines = h.lines.iter().filter(|l| !l.starts_with('-')).count() as u64;
            h.old_lines = h.lines.iter().filter(|l| !l.starts_with('+')).count() as u64;
        }
    }
    out
}

fn body_line(c: &mut Change, line: &str) {
    if line.starts_with("@@") || c.hunks.is_empty() {
        c.hunks.push(Hunk {
            old_start: 0,
            old_lines: 0,
            new_start: 0,
            new_lines: 0,
            lines: Vec::new(),
        });
        if line.starts_with("@@") {
            return;
        }
    }
    if let Some(h) = c.hunks.last_mut()
        && (line.starts_with(['+', '-', ' ']) || line.is_empty())
    {
        h.lines.push(if line.is_empty() {
            " ".to_owned()
        } else {
            line.to_owned()
        });
    }
}

/// The changes of a `FileChange` event's `changes` map.
pub fn from_event(changes: &Value) -> Vec<Change> {
    let Some(map) = changes.as_object() else {
        return Vec::new();
    };
    map.iter()
        .map(|(path, change)| {
            // Older releases: {"add": {...}}; newer: {"type": "add", ...}.
            let (kind, body) = match change.get("type").and_then(Value::as_str) {
                Some(k) => (k.to_owned(), change),
                None => change
                    .as_object()
                    .and_then(|o| o.iter().next())
                    .map_or((String::new(), change), |(k, v)| (k.clone(), v)),
            };
            let text = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or("");
            let moved = body.get("move_path").and_then(Value::as_str);
            let path = moved.unwrap_or(path).to_owned();
            match kind.as_str() {
                "add" => Change::whole(path, text("content"), '+'),
                "delete" => Change::whole(path, text("content"), '-'),
                _ => Change {
                    path,
                    hunks: unified(text("unified_diff")),
                    ..Change::default()
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_patch_names_its_files_and_lines() {
        let patch = "*** Begin Patch\n*** Add File: a.txt\n+one\n+two\n*** Update File: b.rs\n@@ fn main\n-old\n+new\n context\n*** Delete File: c.md\n*** Update File: d\n*** Move to: e\n@@\n+x\n*** End Patch\n";
        let changes = parse(patch);
        let names: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(names, ["a.txt", "b.rs", "c.md", "e"]);
        assert!(changes[0].created && changes[2].deleted);
        assert_eq!((changes[0].added(), changes[0].removed()), (2, 0));
        assert_eq!((changes[1].added(), changes[1].removed()), (1, 1));
        assert_eq!(changes[3].added(), 1);
    }

    #[test]
    fn file_change_events_old_and_new() {
        let new = json!({
            "/r/a.txt": {"type": "add", "content": "x\ny\n"},
            "/r/b.txt": {"type": "update", "unified_diff": "@@ -1,2 +1,2 @@\n-a\n+b\n c\n", "move_path": null},
        });
        let got = from_event(&new);
        assert_eq!(got[0].path, "/r/a.txt");
        assert_eq!((got[0].added(), got[0].created), (2, true));
        assert_eq!((got[1].added(), got[1].removed()), (1, 1));
        assert_eq!(got[1].hunks[0].old_start, 1);
        let old = json!({"/r/c.txt": {"delete": {"content": "gone\n"}}});
        let got = from_event(&old);
        assert!(got[0].deleted);
        assert_eq!(got[0].removed(), 1);
    }
}
