//! Worktree snapshots around Bash calls: which files a shell command created, changed or deleted.
//!
//! Before the call the snapshot is the list of files git does not ignore: names only, from a walk
//! that stats nothing, saved to a file whose own modification time marks the moment. After the
//! call a second walk stats every file: a name not listed was created, a listed name now gone was
//! deleted, and a file whose change time (ctime, which no tool can set back, unlike mtime) is not
//! older than the snapshot was modified. One stat pass instead of two keeps a Bash call on a
//! 10,000-file worktree within the hook's time budget.

use std::fs::{self, Metadata};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::time::UNIX_EPOCH;

use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

use super::state::{StateDir, file_id};
use crate::git::paths::RepoPaths;

const MAGIC: &[u8] = b"GVSNAP2\n";

/// The files of a worktree before a call: worktree-relative paths (`/` separators), sorted.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Snapshot(pub Vec<String>);

/// A file found after the call: its path and when its inode last changed (ns since the epoch).
pub type Changed = (String, i64);

/// Files that differ between a snapshot and the worktree now, sorted.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    pub created: Vec<String>,
    pub modified: Vec<String>,
    pub deleted: Vec<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.created.is_empty() && self.modified.is_empty() && self.deleted.is_empty()
    }
}

/// Walks a worktree the way `git status` sees it: skips `.git` and nested repositories, honours
/// `.gitignore` files, `info/exclude` and the global excludes file (`excludes`, as
/// [`crate::git::config::Config::excludes_file`] finds it); files and symlinks, not followed.
/// Sorted by path.
///
/// Without `known`, names only: no `stat` calls. With `known` (the names before the call), each
/// file's change time, stat relative to its open folder (no path walk per file); a known name is
/// not matched against the ignore rules again.
pub fn walk(repo: &RepoPaths, known: Option<&[String]>, excludes: Option<&Path>) -> Vec<Changed> {
    let mut base = GitignoreBuilder::new(&repo.worktree);
    if let Some(global) = excludes.filter(|p| p.is_file()) {
        base.add(global);
    }
    let exclude = repo.common_dir.join("info/exclude");
    if exclude.is_file() {
        base.add(exclude);
    }
    let rules = base.build().into_iter().filter(|g| !g.is_empty()).collect();
    let mut found = match known {
        None => {
            let mut walker = Walker {
                rules,
                known,
                sink: None,
                found: Vec::with_capacity(4096),
            };
            walker.visit(&repo.worktree, "");
            walker.found
        }
        Some(names) => stat_while_walking(repo, rules, names),
    };
    found.sort_unstable();
    found
}

/// Files to stat, found in one folder (whose handle they keep open).
type Batch = Vec<(String, fs::DirEntry)>;

/// Walks on this thread while two others stat what it finds.
fn stat_while_walking(repo: &RepoPaths, rules: Vec<Gitignore>, known: &[String]) -> Vec<Changed> {
    // A bounded queue also bounds the folder handles held open.
    let (sink, queue) = mpsc::sync_channel::<Batch>(32);
    let queue = Mutex::new(queue);
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..2).map(|_| s.spawn(|| stat_batches(&queue))).collect();
        let mut walker = Walker {
            rules,
            known: Some(known),
            sink: Some(sink),
            found: Vec::new(),
        };
        walker.visit(&repo.worktree, "");
        drop(walker.sink.take());
        let mut found = Vec::with_capacity(known.len() + 64);
        for worker in workers {
            found.extend(worker.join().unwrap_or_default());
        }
        found
    })
}

fn stat_batches(queue: &Mutex<Receiver<Batch>>) -> Vec<Changed> {
    let mut out = Vec::new();
    while let Some(batch) = queue.lock().ok().and_then(|q| q.recv().ok()) {
        for (path, entry) in batch {
            if let Ok(meta) = entry.metadata() {
                out.push((path, changed_ns(&meta)));
            }
        }
    }
    out
}

struct Walker<'a> {
    /// The ignore rules in force, outermost first.
    rules: Vec<Gitignore>,
    known: Option<&'a [String]>,
    /// Where files to stat go; without it, names are listed only.
    sink: Option<SyncSender<Batch>>,
    found: Vec<Changed>,
}

impl Walker<'_> {
    fn visit(&mut self, dir: &Path, rel: &str) {
        let Ok(read) = fs::read_dir(dir) else { return };
        let entries: Vec<(fs::DirEntry, fs::FileType)> = read
            .flatten()
            .filter_map(|e| e.file_type().ok().map(|t| (e, t)))
            .collect();
        let has = |name: &str| entries.iter().any(|(e, _)| e.file_name() == name);
        if !rel.is_empty() && has(".git") {
            return; // A nested repository: not part of this worktree.
        }
        let own = has(".gitignore").then(|| gitignore_of(dir)).flatten();
        let pushed = own.map(|g| self.rules.push(g)).is_some();
        let mut batch = Batch::new();
        for (entry, kind) in entries {
            let name = entry.file_name();
            let Some(name) = name.to_str().filter(|n| *n != ".git") else {
                continue;
            };
            let path = if rel.is_empty() {
                name.to_owned()
            } else {
                format!("{rel}/{name}")
            };
            if !self.is_known(&path, kind.is_dir())
                && ignored(&self.rules, &dir.join(name), kind.is_dir())
            {
                continue;
            }
            if kind.is_dir() {
                self.visit(&dir.join(name), &path);
            } else if self.sink.is_some() {
                batch.push((path, entry));
            } else {
                self.found.push((path, 0));
            }
        }
        if let Some(sink) = self.sink.as_ref().filter(|_| !batch.is_empty()) {
            let _ = sink.send(batch);
        }
        if pushed {
            self.rules.pop();
        }
    }

    /// Whether `path` (or, for a folder, something in it) was in the worktree before.
    fn is_known(&self, path: &str, is_dir: bool) -> bool {
        let Some(known) = self.known else {
            return false;
        };
        if !is_dir {
            return known.binary_search_by(|k| k.as_str().cmp(path)).is_ok();
        }
        let prefix = format!("{path}/");
        let at = known.partition_point(|k| k.as_str() < prefix.as_str());
        known.get(at).is_some_and(|k| k.starts_with(&prefix))
    }
}

fn gitignore_of(dir: &Path) -> Option<Gitignore> {
    let mut builder = GitignoreBuilder::new(dir);
    builder.add(dir.join(".gitignore"));
    builder.build().ok().filter(|g| !g.is_empty())
}

/// Whether the deepest rule that matches `path` ignores it.
fn ignored(rules: &[Gitignore], path: &Path, is_dir: bool) -> bool {
    for rule in rules.iter().rev() {
        match rule.matched(path, is_dir) {
            Match::Ignore(_) => return true,
            Match::Whitelist(_) => return false,
            Match::None => {}
        }
    }
    false
}

impl Snapshot {
    pub fn take(repo: &RepoPaths, excludes: Option<&Path>) -> Self {
        Self(
            walk(repo, None, excludes)
                .into_iter()
                .map(|(p, _)| p)
                .collect(),
        )
    }

    /// What changed between this snapshot, taken at `taken_ns`, and the files `now` (sorted).
    pub fn diff(&self, taken_ns: i64, now: &[Changed]) -> Changes {
        let mut changes = Changes::default();
        let mut before = self.0.iter().peekable();
        for (path, changed) in now {
            while let Some(gone) = before.next_if(|b| *b < path) {
                changes.deleted.push(gone.clone());
            }
            if before.next_if(|b| *b == path).is_none() {
                changes.created.push(path.clone());
            } else if *changed >= taken_ns {
                changes.modified.push(path.clone());
            }
        }
        changes.deleted.extend(before.cloned());
        changes
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out =
            Vec::with_capacity(MAGIC.len() + self.0.iter().map(|p| p.len() + 1).sum::<usize>());
        out.extend_from_slice(MAGIC);
        for path in &self.0 {
            out.extend_from_slice(path.as_bytes());
            out.push(0);
        }
        out
    }

    pub fn decode(bytes: &[u8]) -> io::Result<Self> {
        let bad = || io::Error::new(io::ErrorKind::InvalidData, "not a git-vouch snapshot");
        let body = bytes.strip_prefix(MAGIC).ok_or_else(bad)?;
        let body = std::str::from_utf8(body).map_err(|_| bad())?;
        let body = body.strip_suffix('\0').unwrap_or(body);
        let mut names: Vec<String> = body
            .split('\0')
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect();
        names.sort_unstable();
        Ok(Self(names))
    }

    /// Writes the snapshot (no fsync: it only lives for one tool call).
    pub fn save(&self, path: &Path) -> io::Result<()> {
        let write = || fs::write(path, self.encode());
        write().or_else(|e| match (e.kind(), path.parent()) {
            (io::ErrorKind::NotFound, Some(dir)) => fs::create_dir_all(dir).and_then(|()| write()),
            _ => Err(e),
        })
    }

    /// The snapshot in `path` and when it was taken (its modification time, in ns).
    pub fn load(path: &Path) -> io::Result<(Self, i64)> {
        let bytes = fs::read(path)?;
        let taken = fs::metadata(path)?.modified()?;
        let ns = taken
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i64);
        Ok((Self::decode(&bytes)?, ns))
    }
}

/// Where the snapshot taken before one Bash call is kept: `snapshots/<session>-<call>.bin`.
pub fn file_for(state: &StateDir, session: &str, call: Option<&str>) -> PathBuf {
    let name = format!(
        "{}-{}.bin",
        file_id(session),
        file_id(call.unwrap_or("none"))
    );
    state.snapshots_dir().join(name)
}

/// Before a Bash call: snapshots the worktree into `file`.
pub fn before(state: &StateDir, file: &Path, excludes: Option<&Path>) -> io::Result<()> {
    Snapshot::take(&state.repo, excludes).save(file)
}

/// After a Bash call: what changed since the snapshot in `file`, which is then removed.
pub fn after(state: &StateDir, file: &Path, excludes: Option<&Path>) -> io::Result<Changes> {
    let (before, taken) = Snapshot::load(file)?;
    let changes = before.diff(taken, &walk(&state.repo, Some(&before.0), excludes));
    let _ = fs::remove_file(file);
    Ok(changes)
}

/// Removes a session's snapshots left by Bash calls that never finished.
pub fn drop_session(state: &StateDir, session: &str) {
    let prefix = format!("{}-", file_id(session));
    let Ok(entries) = fs::read_dir(state.snapshots_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// When the file's inode last changed: ctime where there is one (writes always move it), else
/// the modification time.
#[cfg(unix)]
fn changed_ns(meta: &Metadata) -> i64 {
    use std::os::unix::fs::MetadataExt;
    meta.ctime()
        .saturating_mul(1_000_000_000)
        .saturating_add(meta.ctime_nsec())
}

#[cfg(not(unix))]
fn changed_ns(meta: &Metadata) -> i64 {
    let since = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok());
    since.map_or(i64::MAX, |d| d.as_nanos() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::config::excludes_file as excludes;

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn settle() {
        // Files written just before a snapshot may share its timestamp tick.
        std::thread::sleep(std::time::Duration::from_millis(30));
    }

    #[test]
    fn diff_finds_created_modified_and_deleted_files_and_skips_ignored_ones() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, ".git/HEAD", "ref: refs/heads/main\n");
        write(root, ".gitignore", "target/\n*.log\n");
        for rel in [
            "src/a.rs",
            "src/b.rs",
            "keep.txt",
            "z/moved.txt",
            "z/same.txt",
        ] {
            write(root, rel, "x\n");
        }
        settle();
        let repo = RepoPaths::from_git_dir(root.to_path_buf(), root.join(".git"));
        write(root, ".git/info/exclude", "/excluded.txt\n");
        write(root, "nested/.git/HEAD", "another repository\n");
        write(root, "nested/inner.txt", "x\n");
        let before = Snapshot::take(&repo, excludes(&repo).as_deref());
        assert!(
            before.0.contains(&"src/a.rs".to_owned())
                && before.0.contains(&".gitignore".to_owned())
        );
        assert!(!before.0.iter().any(|k| k.starts_with(".git/")));
        let file = root.join("snap.bin");
        before.save(&file).unwrap();

        write(root, "src/a.rs", "a changed\n");
        fs::remove_file(root.join("src/b.rs")).unwrap();
        fs::rename(root.join("z/moved.txt"), root.join("z/renamed.txt")).unwrap();
        write(root, "src/new/c.rs", "c\n");
        write(root, "target/debug/out", "ignored\n");
        write(root, "run.log", "ignored\n");
        write(root, ".git/index", "git's own\n");
        let (loaded, taken) = Snapshot::load(&file).unwrap();
        assert_eq!(loaded, before);
        write(root, "excluded.txt", "ignored\n");
        write(root, "z/.gitignore", "*.tmp\n!keep.tmp\n");
        write(root, "z/drop.tmp", "ignored\n");
        write(root, "z/keep.tmp", "kept\n");
        let mut now = walk(&repo, Some(&loaded.0), excludes(&repo).as_deref());
        now.retain(|(p, _)| p != "snap.bin");
        let changes = loaded.diff(taken, &now);
        let created = [
            "src/new/c.rs",
            "z/.gitignore",
            "z/keep.tmp",
            "z/renamed.txt",
        ];
        assert_eq!(changes.created, created);
        assert_eq!(changes.modified, ["src/a.rs"]);
        assert_eq!(changes.deleted, ["src/b.rs", "z/moved.txt"]);
        assert!(loaded.diff(i64::MAX, &now[..0]).created.is_empty());
    }

    #[test]
    fn snapshots_round_trip_and_reject_garbage() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "x/y.txt", "y\n");
        write(dir.path(), "é.txt", "accent\n");
        let repo = RepoPaths::from_git_dir(dir.path().to_path_buf(), dir.path().join(".git"));
        let snap = Snapshot::take(&repo, excludes(&repo).as_deref());
        assert_eq!(snap.0, ["x/y.txt", "é.txt"]);
        assert_eq!(Snapshot::decode(&snap.encode()).unwrap(), snap);
        assert_eq!(Snapshot::decode(MAGIC).unwrap(), Snapshot::default());
        assert!(Snapshot::decode(b"garbage").is_err());
        assert!(Snapshot::decode(b"GVSNAP2\n\xff\xfe").is_err());
    }

    #[test]
    fn the_configured_global_excludes_file_is_honoured() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        let repo = git2::Repository::init(&root).unwrap();
        let excludes = dir.path().join("global-ignore");
        fs::write(&excludes, "*.secret\n").unwrap();
        repo.config()
            .unwrap()
            .set_str("core.excludesFile", excludes.to_str().unwrap())
            .unwrap();
        write(&root, "a.txt", "x\n");
        write(&root, "b.secret", "x\n");
        let paths = RepoPaths::discover(&root).unwrap();
        assert_eq!(
            Snapshot::take(&paths, crate::git::config::excludes_file(&paths).as_deref()).0,
            ["a.txt"]
        );
    }
}
