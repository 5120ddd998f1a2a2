//! Following the event ledgers (`events/<session>.jsonl`) as the hooks append to them: each file
//! is read from where the last look stopped, complete lines only. At the start only recent
//! ledgers count, and only their last part, so a repository with years of sessions opens at once.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::capture::record::EventRecord;

/// Ledgers changed longer ago than this are not replayed at the start.
const RECENT: Duration = Duration::from_hours(12);
/// How much of a recent ledger's end is replayed at the start.
const REPLAY_BYTES: u64 = 256 * 1024;
/// Most bytes taken from one ledger per look (the rest waits for the next).
const MAX_READ: u64 = 4 * 1024 * 1024;

/// Where each ledger of a folder has been read to.
#[derive(Debug, Default)]
pub struct Tail {
    dir: PathBuf,
    offsets: HashMap<PathBuf, u64>,
    started: bool,
}

/// What one look found: new lines by session, and lines that could not be read.
#[derive(Debug, Default)]
pub struct Found {
    pub events: Vec<(String, EventRecord)>,
    pub problems: Vec<String>,
}

impl Tail {
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
            offsets: HashMap::new(),
            started: false,
        }
    }

    /// Reads what was appended since the last look (at the first, the ends of the ledgers
    /// changed within [`RECENT`] of `now`; one changed after `now` counts as recent).
    pub fn look(&mut self, now: SystemTime) -> Found {
        let mut found = Found::default();
        let Ok(entries) = fs::read_dir(&self.dir) else {
            self.started = true;
            return found;
        };
        let first = !self.started;
        self.started = true;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "jsonl") {
                continue;
            }
            let Ok(meta) = entry.metadata() else { continue };
            let len = meta.len();
            let start = *self.offsets.entry(path.clone()).or_insert_with(|| {
                if !first {
                    return 0;
                }
                let recent = meta
                    .modified()
                    .is_ok_and(|m| now.duration_since(m).map_or(true, |age| age <= RECENT));
                if recent {
                    len.saturating_sub(REPLAY_BYTES)
                } else {
                    len
                }
            });
            if len <= start {
                // Replaced by a shorter file (rotated): start again from its top.
                if len < start {
                    self.offsets.insert(path, 0);
                }
                continue;
            }
            let session = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let read = read_lines(&path, start, len, &session, &mut found);
            self.offsets.insert(path, start + read);
        }
        found.events.sort_by_key(|(_, e)| e.ts);
        found
    }
}

/// Parses the complete lines of `path` from `start` (up to `len`); returns the bytes consumed.
/// A replay starting mid-line skips to the next line.
fn read_lines(path: &Path, start: u64, len: u64, session: &str, found: &mut Found) -> u64 {
    let mut bytes = Vec::new();
    let read = File::open(path).and_then(|mut f| {
        f.seek(SeekFrom::Start(start))?;
        f.take((len - start).min(MAX_READ)).read_to_end(&mut bytes)
    });
    if let Err(e) = read {
        found.problems.push(format!("{}: {e}", path.display()));
        return 0;
    }
    let Some(end) = bytes.iter().rposition(|b| *b == b'\n') else {
        return 0; // No complete line yet.
    };
    let mut body = &bytes[..end];
    if start > 0 && !preceded_by_newline(path, start) {
        let cut = body
            .iter()
            .position(|b| *b == b'\n')
            .map_or(body.len(), |i| i + 1);
        body = &body[cut.min(body.len())..];
    }
    for line in body.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        match serde_json::from_slice::<EventRecord>(line) {
            Ok(event) => found.events.push((session.to_owned(), event)),
            Err(e) => found.problems.push(format!("{}: {e}", path.display())),
        }
    }
    end as u64 + 1
}

fn preceded_by_newline(path: &Path, at: u64) -> bool {
    let mut byte = [0u8];
    File::open(path)
        .and_then(|mut f| {
            f.seek(SeekFrom::Start(at - 1))?;
            f.read_exact(&mut byte)
        })
        .is_ok_and(|()| byte[0] == b'\n')
}
