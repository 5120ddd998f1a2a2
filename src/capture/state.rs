//! The per-worktree state folder, `<git-dir>/vouch/`:
//!
//! ```text
//! sessions/<id>.json        SessionRecord (replaced atomically)
//! events/<id>.jsonl         EventRecord ledger (append-only)
//! edits/<id>.jsonl          EditLine attribution ledger (append-only)
//! transcripts/<id>/…        copies of the session's transcript files, grown incrementally
//! commits/<sha>.json        what post-commit recorded about a commit
//! pushes.jsonl              what pre-push saw
//! snapshots/                worktree snapshots taken before Bash calls
//! cache/                    what hooks would otherwise parse on every call (the guard's rules)
//! errors.log                problems met by hooks (they never fail the agent or git)
//! ```
//!
//! Appends take an exclusive lock on the file and write each line with one call, so parallel
//! hooks (parallel tool calls, subagents, several sessions) never interleave or lose lines.
//! Whole-file records are written to a temporary file and renamed into place.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::atomic_write::write_atomic;
use crate::git::paths::RepoPaths;
use crate::transcript::Diagnostic;

/// Largest `errors.log` before it is rotated to `errors.log.1`.
const ERROR_LOG_MAX: u64 = 1024 * 1024;

/// The state folder of one worktree.
#[derive(Debug, Clone)]
pub struct StateDir {
    pub repo: RepoPaths,
    pub root: PathBuf,
}

impl StateDir {
    pub fn new(repo: RepoPaths) -> Self {
        let root = repo.git_dir.join("vouch");
        Self { repo, root }
    }

    /// The state folder of the repository containing `cwd`.
    pub fn discover(cwd: &Path) -> Option<Self> {
        RepoPaths::discover(cwd).map(Self::new)
    }

    pub fn session_file(&self, id: &str) -> PathBuf {
        self.root
            .join("sessions")
            .join(format!("{}.json", file_id(id)))
    }
    pub fn events_file(&self, id: &str) -> PathBuf {
        self.events_dir().join(format!("{}.jsonl", file_id(id)))
    }
    /// Copies of the configuration files read at session starts, by sha256.
    pub fn config_files_dir(&self) -> PathBuf {
        self.root.join("config").join("files")
    }
    /// Claude Code's configuration as the session's last start found it.
    pub fn config_file(&self, id: &str) -> PathBuf {
        self.root
            .join("config")
            .join(format!("{}.json", file_id(id)))
    }
    pub fn events_dir(&self) -> PathBuf {
        self.root.join("events")
    }
    pub fn edits_file(&self, id: &str) -> PathBuf {
        self.root
            .join("edits")
            .join(format!("{}.jsonl", file_id(id)))
    }
    pub fn edits_dir(&self) -> PathBuf {
        self.root.join("edits")
    }
    /// The recorder's exchange store (`git vouch record` run inside the repository).
    pub fn exchanges_dir(&self) -> PathBuf {
        self.root.join("exchanges")
    }
    pub fn sessions_dir(&self) -> PathBuf {
        self.root.join("sessions")
    }
    pub fn transcripts_dir(&self, id: &str) -> PathBuf {
        self.transcripts_root().join(file_id(id))
    }
    /// The transcript archive: a folder per session.
    pub fn transcripts_root(&self) -> PathBuf {
        self.root.join("transcripts")
    }
    pub fn snapshots_dir(&self) -> PathBuf {
        self.root.join("snapshots")
    }
    pub fn cache_dir(&self) -> PathBuf {
        self.root.join("cache")
    }
    pub fn commit_file(&self, sha: &str) -> PathBuf {
        self.root
            .join("commits")
            .join(format!("{}.json", file_id(sha)))
    }
    pub fn commits_dir(&self) -> PathBuf {
        self.root.join("commits")
    }
    pub fn pushes_file(&self) -> PathBuf {
        self.root.join("pushes.jsonl")
    }
    pub fn errors_log(&self) -> PathBuf {
        self.root.join("errors.log")
    }

    /// Appends a problem to `errors.log` (best effort: a hook has nowhere else to report).
    pub fn log_error(&self, now: DateTime<Utc>, context: &str, message: &str) {
        let path = self.errors_log();
        if fs::metadata(&path).is_ok_and(|m| m.len() > ERROR_LOG_MAX) {
            let _ = fs::rename(&path, self.root.join("errors.log.1"));
        }
        let line = format!("{} {context}: {}\n", now.to_rfc3339(), one_line(message));
        let _ = append_bytes(&path, line.as_bytes());
    }

    /// The last `n` lines of `errors.log`.
    pub fn last_errors(&self, n: usize) -> Vec<String> {
        let Ok(text) = fs::read_to_string(self.errors_log()) else {
            return Vec::new();
        };
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(n)..]
            .iter()
            .map(|l| (*l).to_owned())
            .collect()
    }
}

/// A name safe to use as a file name for an id. Ids are normally UUIDs or hex; anything else
/// (path separators, dots, control characters) is replaced and a hash suffix keeps it unique.
pub fn file_id(id: &str) -> String {
    let clean = !id.is_empty()
        && id.len() <= 128
        && id != "."
        && id != ".."
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    if clean {
        return id.to_owned();
    }
    let safe: String = id
        .chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "{safe}~{:016x}",
        crate::transcript::hash::hash64(id.as_bytes())
    )
}

/// Whether `id` was usable as given (false means [`file_id`] rewrote it).
pub fn is_clean_id(id: &str) -> bool {
    file_id(id) == id
}

/// Appends one JSON line under an exclusive lock.
pub fn append_json<T: Serialize>(path: &Path, value: &T) -> io::Result<()> {
    let mut line = serde_json::to_vec(value).map_err(io::Error::other)?;
    line.push(b'\n');
    append_bytes(path, &line)
}

/// Appends bytes with one write under an exclusive lock, creating folders as needed.
pub fn append_bytes(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = match OpenOptions::new().create(true).append(true).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir)?;
            }
            OpenOptions::new().create(true).append(true).open(path)?
        }
        Err(e) => return Err(e),
    };
    file.lock()?;
    let result = file.write_all(bytes);
    let _ = file.unlock();
    result
}

/// Writes a value as pretty JSON, atomically.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> io::Result<()> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
    bytes.push(b'\n');
    write_atomic(path, &bytes, None)
}

/// Reads a JSON file; `Ok(None)` when it does not exist.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> io::Result<Option<T>> {
    match fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(io::Error::other),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Reads a JSONL ledger. A line that does not decode is reported and skipped; the lines around
/// it still count (a torn line from a crash must not hide the rest of the ledger).
pub fn read_ledger<T: DeserializeOwned>(path: &Path) -> (Vec<T>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return (out, problems),
        Err(e) => {
            return (
                out,
                vec![Diagnostic::file(path, format!("cannot read: {e}"))],
            );
        }
    };
    for (i, line) in BufReader::new(file).split(b'\n').enumerate() {
        let Ok(line) = line else { break };
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice(&line) {
            Ok(v) => out.push(v),
            Err(e) => problems.push(Diagnostic::at(
                path,
                i as u64 + 1,
                format!("corrupt ledger line: {e}"),
            )),
        }
    }
    (out, problems)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_become_safe_file_names() {
        assert_eq!(file_id("0b3c-77aa_x.y"), "0b3c-77aa_x.y");
        for bad in ["../../etc/passwd", "a/b", "", "..", "x\ny"] {
            let f = file_id(bad);
            assert!(
                !f.contains('/') && !f.contains('\n') && f != ".." && !f.is_empty(),
                "{bad:?} -> {f}"
            );
            assert!(!is_clean_id(bad));
        }
        assert_ne!(file_id("a/b"), file_id("a_b"));
    }

    #[test]
    fn ledger_survives_a_corrupt_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l/x.jsonl");
        append_json(&path, &serde_json::json!({"n": 1})).unwrap();
        append_bytes(&path, b"{\"n\": 2, torn\n").unwrap();
        append_json(&path, &serde_json::json!({"n": 3})).unwrap();
        let (rows, problems) = read_ledger::<serde_json::Value>(&path);
        assert_eq!(rows.len(), 2);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, Some(2));
    }

    #[test]
    fn parallel_appends_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.jsonl");
        std::thread::scope(|s| {
            for t in 0..8 {
                let path = &path;
                s.spawn(move || {
                    for i in 0..200 {
                        append_json(
                            path,
                            &serde_json::json!({"t": t, "i": i, "pad": "x".repeat(300)}),
                        )
                        .unwrap();
                    }
                });
            }
        });
        let (rows, problems) = read_ledger::<serde_json::Value>(&path);
        assert_eq!((rows.len(), problems.len()), (1600, 0));
    }

    #[test]
    fn atomic_write_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s/a.json");
        write_json(&path, &serde_json::json!({"v": 1})).unwrap();
        write_json(&path, &serde_json::json!({"v": 2})).unwrap();
        let v: serde_json::Value = read_json(&path).unwrap().unwrap();
        assert_eq!(v["v"], 2);
        assert_eq!(std::fs::read_dir(dir.path().join("s")).unwrap().count(), 1);
    }
}
