//! Writing a hook's records: what an event changes in a session record, locked appends that
//! repair a torn last line, and lock files.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::capture::payload::{Payload, owned};
use crate::capture::record::SessionRecord;
use crate::transcript::hook_event::HookEvent;

/// Bytes read from the end of a ledger to check its last line before appending.
const LEDGER_TAIL: u64 = 16 * 1024;

/// What one event changes in a session record.
pub(super) fn apply(rec: &mut SessionRecord, event: HookEvent, p: &Payload, now: DateTime<Utc>) {
    let set = |field: &mut Option<String>, value: Option<&str>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            v.clone_into(field.get_or_insert_with(String::new));
        }
    };
    set(&mut rec.transcript_path, p.transcript_path.as_deref());
    if rec.cwd.is_none() {
        set(&mut rec.cwd, p.cwd.as_deref());
    }
    rec.last_event_at = rec.last_event_at.max(Some(now));
    match event {
        // How the session started stays the first source seen. A later SessionStart (resume,
        // compact, clear) leaves the end fields alone: `--fork-session` sends one with the parent's
        // id, and the parent does not end again.
        HookEvent::SessionStart => {
            if rec.source.is_none() {
                set(&mut rec.source, p.source.as_deref());
            }
            set(&mut rec.model, p.model.as_deref());
        }
        HookEvent::SessionEnd => {
            rec.ended_at = Some(now);
            rec.end_reason = owned(&p.reason);
        }
        _ => {}
    }
}

/// Appends whole lines under an exclusive lock. A torn last line (no newline) gets one first, so
/// the new lines stay readable; returns a warning when the last line was torn or not JSON.
pub fn append_lines(path: &Path, bytes: &[u8]) -> io::Result<Option<&'static str>> {
    let mut file = open_creating(
        path,
        OpenOptions::new().read(true).append(true).create(true),
    )?;
    file.lock()?;
    // Checking the tail is best effort: the new lines are written whatever it finds.
    let problem = last_line_problem(&mut file).unwrap_or(None);
    let newline = if problem == Some(TORN) { "\n" } else { "" };
    let result = file.write_all(&[newline.as_bytes(), bytes].concat());
    let _ = file.unlock();
    result.map(|()| problem)
}

const TORN: &str =
    "its last line was cut off (no newline); kept, and new lines start on a fresh line";
const NOT_JSON: &str = "its last line is not valid JSON; kept (readers skip it)";

fn last_line_problem(file: &mut File) -> io::Result<Option<&'static str>> {
    let len = file.metadata()?.len();
    let start = len.saturating_sub(LEDGER_TAIL);
    file.seek(SeekFrom::Start(start))?;
    let mut tail = vec![0; (len - start) as usize];
    file.read_exact(&mut tail)?;
    let Some((&last, body)) = tail.split_last() else {
        return Ok(None);
    };
    if last != b'\n' {
        return Ok(Some(TORN));
    }
    let line = match body.iter().rposition(|&b| b == b'\n') {
        Some(nl) => &body[nl + 1..],
        None if start == 0 => body,
        None => return Ok(None), // Longer than the tail read: not checked.
    };
    let bad = !line.iter().all(u8::is_ascii_whitespace)
        && serde_json::from_slice::<serde::de::IgnoredAny>(line).is_err();
    Ok(bad.then_some(NOT_JSON))
}

fn open_creating(path: &Path, options: &OpenOptions) -> io::Result<File> {
    options
        .open(path)
        .or_else(|e| match (e.kind(), path.parent()) {
            (io::ErrorKind::NotFound, Some(dir)) => {
                fs::create_dir_all(dir).and_then(|()| options.open(path))
            }
            _ => Err(e),
        })
}

/// Takes an exclusive lock on `path` (created if needed), held until the file is dropped.
pub(super) fn lock(path: &Path) -> io::Result<File> {
    let file = open_creating(
        path,
        OpenOptions::new().create(true).write(true).truncate(false),
    )?;
    file.lock()?;
    Ok(file)
}
