//! Copies of a session's transcript files inside the state folder. Claude Code deletes its
//! transcripts after 30 days; these copies stay (nothing deletes them but removing the state
//! folder), and the session list reads a session from them once its live transcript is gone.
//!
//! Copies grow incrementally: when the source still starts with what was copied (its first and
//! last few KiB match), only the bytes beyond the copy's length are appended. A source that shrank
//! or changed is copied anew, and the old copy is kept as `<name>.<n>`: nothing already copied is
//! lost.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// The transcript archive of the repository at `cwd`, when it has one: where the session list
/// finds the sessions Claude Code deleted.
pub fn archive_roots(cwd: &Path) -> Vec<PathBuf> {
    super::state::StateDir::discover(cwd)
        .map(|s| s.transcripts_root())
        .filter(|r| r.is_dir())
        .into_iter()
        .collect()
}

/// How many bytes at the start and at the end of the copied part are compared.
const PROBE: u64 = 4096;

/// A problem copying one file.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("transcript {0} is missing or not a file; not copied")]
    Missing(PathBuf),
    #[error("cannot copy {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

/// What one archive pass did.
#[derive(Debug, Default)]
pub struct Archived {
    /// Files whose copy grew or was created.
    pub copied: usize,
    /// Bytes appended or written.
    pub bytes: u64,
    /// Copies kept aside because their source shrank or changed.
    pub rotated: usize,
    pub problems: Vec<ArchiveError>,
}

/// Copies `transcript` and everything under `<its folder>/<its stem>/subagents/` into `dest`,
/// keeping the layout relative to the transcript's folder. `extra` (a subagent transcript named
/// by SubagentStop) is copied too when it exists outside that tree; a missing `extra` is not a
/// problem (compaction's SubagentStop names one that never exists). One pass at a time per
/// `dest` (a lock file beside it).
pub fn archive(transcript: &Path, extra: Option<&Path>, dest: &Path) -> Archived {
    let mut out = Archived::default();
    let _lock = match lock_beside(dest) {
        Ok(lock) => lock,
        Err(source) => {
            out.problems.push(ArchiveError::Io {
                path: dest.to_path_buf(),
                source,
            });
            return out;
        }
    };
    let (Some(name), Some(dir)) = (transcript.file_name(), transcript.parent()) else {
        out.problems
            .push(ArchiveError::Missing(transcript.to_path_buf()));
        return out;
    };
    if transcript.is_file() {
        copy_one(transcript, &dest.join(name), &mut out);
    } else {
        out.problems
            .push(ArchiveError::Missing(transcript.to_path_buf()));
    }
    let stem = Path::new(name).file_stem().unwrap_or(name);
    let subagents = dir.join(stem).join("subagents");
    let mut files = Vec::new();
    list_files(&subagents, &mut files);
    if let Some(extra) = extra.filter(|e| e.is_file() && !e.starts_with(&subagents)) {
        let rel = Path::new(stem)
            .join("subagents")
            .join(extra.file_name().unwrap_or_default());
        copy_one(extra, &dest.join(rel), &mut out);
    }
    for file in files {
        if let Ok(rel) = file.strip_prefix(dir) {
            copy_one(&file, &dest.join(rel), &mut out);
        }
    }
    out
}

fn copy_one(src: &Path, dst: &Path, out: &mut Archived) {
    match copy_incremental(src, dst) {
        Ok(Step { bytes, rotated }) => {
            out.copied += usize::from(bytes > 0);
            out.bytes += bytes;
            out.rotated += usize::from(rotated);
        }
        Err(source) => out.problems.push(ArchiveError::Io {
            path: src.to_path_buf(),
            source,
        }),
    }
}

/// What copying one file did.
#[derive(Debug, PartialEq, Eq)]
pub struct Step {
    pub bytes: u64,
    pub rotated: bool,
}

/// Brings `dst` up to date with `src`: appends what is new, or keeps the old copy aside and
/// copies anew when `src` no longer starts with it.
pub fn copy_incremental(src: &Path, dst: &Path) -> io::Result<Step> {
    let mut source = File::open(src)?;
    let src_len = source.metadata()?.len();
    let copied = match fs::metadata(dst) {
        Ok(m) => m.len(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => 0,
        Err(e) => return Err(e),
    };
    let mut rotated = false;
    let mut from = copied;
    if copied > 0 && (src_len < copied || !same_prefix(&mut source, dst, copied)?) {
        fs::rename(dst, free_name(dst))?;
        rotated = true;
        from = 0;
    }
    if src_len == from && !rotated {
        return Ok(Step { bytes: 0, rotated });
    }
    if let Some(parent) = dst.parent() {
        fs::create_dir_all(parent)?;
    }
    let mut target = OpenOptions::new().create(true).append(true).open(dst)?;
    source.seek(SeekFrom::Start(from))?;
    let bytes = io::copy(&mut source, &mut target)?;
    Ok(Step { bytes, rotated })
}

/// Whether `src` starts with the first `len` bytes of `dst`, probing its head and tail.
fn same_prefix(src: &mut File, dst: &Path, len: u64) -> io::Result<bool> {
    let mut copy = File::open(dst)?;
    let head = len.min(PROBE);
    let tail_at = len - head;
    Ok(read_at(src, 0, head)? == read_at(&mut copy, 0, head)?
        && read_at(src, tail_at, head)? == read_at(&mut copy, tail_at, head)?)
}

fn read_at(file: &mut File, at: u64, len: u64) -> io::Result<Vec<u8>> {
    file.seek(SeekFrom::Start(at))?;
    let mut buf = Vec::with_capacity(len as usize);
    file.take(len).read_to_end(&mut buf)?;
    Ok(buf)
}

/// `<dst>.<n>` for the first `n` not taken.
fn free_name(dst: &Path) -> PathBuf {
    let name = dst.file_name().unwrap_or_default().to_string_lossy();
    (1..=u32::MAX)
        .map(|n| dst.with_file_name(format!("{name}.{n}")))
        .find(|p| !p.exists())
        .unwrap_or_else(|| dst.with_file_name(format!("{name}.old")))
}

fn list_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => list_files(&path, out),
            Ok(t) if t.is_file() => out.push(path),
            _ => {}
        }
    }
}

/// Takes an exclusive lock on `<dest>.lock`, held until the file is dropped.
fn lock_beside(dest: &Path) -> io::Result<File> {
    let name = dest.file_name().unwrap_or_default().to_string_lossy();
    let path = dest.with_file_name(format!("{name}.lock"));
    let open = || {
        OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(&path)
    };
    let file = open().or_else(|e| match (e.kind(), path.parent()) {
        (io::ErrorKind::NotFound, Some(dir)) => fs::create_dir_all(dir).and_then(|()| open()),
        _ => Err(e),
    })?;
    file.lock()?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn append(path: &Path, text: &str) {
        use std::io::Write;
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    }

    #[test]
    fn appends_only_new_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let (src, dst) = (dir.path().join("s.jsonl"), dir.path().join("out/s.jsonl"));
        append(&src, "{\"a\":1}\n");
        assert_eq!(copy_incremental(&src, &dst).unwrap().bytes, 8);
        assert_eq!(copy_incremental(&src, &dst).unwrap().bytes, 0);
        append(&src, &format!("{{\"b\":\"{}\"}}\n", "x".repeat(10_000)));
        let step = copy_incremental(&src, &dst).unwrap();
        assert!(!step.rotated && step.bytes > 10_000);
        assert_eq!(fs::read(&src).unwrap(), fs::read(&dst).unwrap());
    }

    #[test]
    fn a_shrunk_or_rewritten_source_keeps_the_old_copy() {
        let dir = tempfile::tempdir().unwrap();
        let (src, dst) = (dir.path().join("s.jsonl"), dir.path().join("out/s.jsonl"));
        append(&src, "line one\nline two\n");
        copy_incremental(&src, &dst).unwrap();
        fs::write(&src, "short\n").unwrap();
        assert!(copy_incremental(&src, &dst).unwrap().rotated);
        assert_eq!(fs::read_to_string(&dst).unwrap(), "short\n");
        assert_eq!(
            fs::read_to_string(dir.path().join("out/s.jsonl.1")).unwrap(),
            "line one\nline two\n"
        );
        fs::write(&src, "SHORT\nand more lines\n").unwrap();
        assert!(copy_incremental(&src, &dst).unwrap().rotated);
        assert_eq!(fs::read_to_string(&dst).unwrap(), "SHORT\nand more lines\n");
        assert_eq!(
            fs::read_to_string(dir.path().join("out/s.jsonl.2")).unwrap(),
            "short\n"
        );
    }

    #[test]
    fn archives_the_transcript_and_its_subagents() {
        let dir = tempfile::tempdir().unwrap();
        let projects = dir.path().join("projects/-repo");
        let sub = projects.join("sid/subagents");
        fs::create_dir_all(&sub).unwrap();
        append(&projects.join("sid.jsonl"), "main\n");
        append(&sub.join("agent-a.jsonl"), "agent\n");
        append(&sub.join("agent-a.meta.json"), "{}");
        let dest = dir.path().join("state/transcripts/sid");
        let missing = projects.join("sid/subagents/agent-gone.jsonl");
        let done = archive(&projects.join("sid.jsonl"), Some(&missing), &dest);
        assert!(done.problems.is_empty(), "{:?}", done.problems);
        assert_eq!(done.copied, 3);
        assert_eq!(
            fs::read_to_string(dest.join("sid/subagents/agent-a.jsonl")).unwrap(),
            "agent\n"
        );
        assert_eq!(archive(&projects.join("sid.jsonl"), None, &dest).copied, 0);

        let gone = archive(&projects.join("nope.jsonl"), None, &dest);
        assert!(matches!(gone.problems[..], [ArchiveError::Missing(_)]));
    }
}
