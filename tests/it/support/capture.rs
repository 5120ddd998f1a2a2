//! Recording, as the Claude Code hooks would, that an agent session wrote some lines.

#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Utc};
use git_vouch::capture::record::{EditKind, EditLine, EditRecord, LineRef};
use git_vouch::capture::state::{StateDir, append_json};
use git_vouch::fingerprint::line_hash;

/// Appends an edit record: `session` (in `agent`, if any) wrote `lines` as lines 1.. of `path`.
pub fn agent_wrote(
    state: &StateDir,
    session: &str,
    agent: Option<&str>,
    path: &str,
    lines: &[&str],
) {
    let record = EditRecord {
        ts: DateTime::parse_from_rfc3339("2026-11-21T06:07:57Z")
            .unwrap()
            .with_timezone(&Utc),
        session_id: session.into(),
        agent_id: agent.map(str::to_owned),
        tool_use_id: format!("toolu_{path}"),
        tool: "Write".into(),
        path: path.into(),
        kind: EditKind::Lines,
        lines: lines
            .iter()
            .enumerate()
            .map(|(i, l)| LineRef {
                line: i as u32 + 1,
                hash: line_hash(l),
            })
            .collect(),
        removed: 0,
    };
    append_json(&state.edits_file(session), &EditLine::Edit(record)).unwrap();
}
