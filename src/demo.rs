//! The built-in demo data behind `--demo`: real Claude Code sessions recorded against a scripted
//! API, embedded in the binary so every view has content on a machine without Claude Code.
//!
//! `assets/demo/transcripts.txt` packs a `CLAUDE_CONFIG_DIR/projects` tree into one text file:
//! a line `#file <path relative to projects/>` starts each file, and the JSONL lines follow.

mod attestations;

use std::path::{Path, PathBuf};

use crate::agent_source;
use crate::index::{Catalog, Findings, LoadStats, summarize_files};
use crate::pricing::PriceTable;
use crate::session::ScannedFile;
use crate::transcript::agent::Agent;
use crate::transcript::source_file::{FileRole, SourceFile};

const ARCHIVE: &str = include_str!("../assets/demo/transcripts.txt");

/// The demo files: (path relative to `projects/`, contents).
pub fn files() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in ARCHIVE.lines() {
        if let Some(path) = line.strip_prefix("#file ") {
            out.push((path.trim().to_owned(), String::new()));
        } else if let Some((_, body)) = out.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    out
}

/// The embedded file at `path`, spelled as in the demo sessions' `files`
/// (`demo/projects/<project>/…`); sidecars such as `agent-<id>.meta.json` included.
pub fn read_file(path: &Path) -> Option<String> {
    let rel = path.strip_prefix("demo/projects").ok()?;
    files()
        .into_iter()
        .find(|(r, _)| Path::new(r) == rel)
        .map(|(_, body)| body)
}

/// The demo sessions.
pub fn catalog(prices: &PriceTable) -> Catalog {
    let scanned: Vec<ScannedFile> = files()
        .into_iter()
        .filter_map(|(rel, body)| {
            let source = source_for(&rel, body.len() as u64)?;
            let scan = agent_source::of(source.agent).scan_bytes(&source, body.as_bytes());
            Some(ScannedFile { source, scan })
        })
        .collect();
    let stats = LoadStats {
        files: scanned.len(),
        ..LoadStats::default()
    };
    let mut sessions = summarize_files(&scanned, prices);
    Catalog {
        findings: Findings::take_from(&mut sessions),
        sessions,
        diagnostics: Vec::new(),
        stats,
    }
}

/// Places a demo file in the layout discovery would have found it in.
fn source_for(rel: &str, len: u64) -> Option<SourceFile> {
    let parts: Vec<&str> = rel.split('/').collect();
    let stem = |name: &str| name.strip_suffix(".jsonl").map(str::to_owned);
    let (session_hint, role) = match parts.as_slice() {
        [_, file] => {
            let s = stem(file)?;
            match s.strip_prefix("agent-") {
                Some(id) => (
                    None,
                    FileRole::Agent {
                        agent_id: id.to_owned(),
                    },
                ),
                None => (Some(s), FileRole::Main),
            }
        }
        [_, session, .., file] => {
            let s = stem(file)?;
            let role = s
                .strip_prefix("agent-")
                .map_or(FileRole::Other, |id| FileRole::Agent {
                    agent_id: id.to_owned(),
                });
            (Some((*session).to_owned()), role)
        }
        _ => return None,
    };
    Some(SourceFile {
        agent: Agent::ClaudeCode,
        path: PathBuf::from("demo/projects").join(rel),
        project: parts[0].to_owned(),
        session_hint,
        role,
        len,
        mtime_ns: 0,
        inode: 0,
    })
}

/// The working tree the demo sessions ran in (their `cwd`); the demo repository stands for it.
pub const WORKTREE: &str = "/home/dev/tasktrack";

/// `git bundle create --all` of the repository the demo sessions worked in.
const BUNDLE: &[u8] = include_bytes!("../assets/demo/repo.bundle");

/// Problems unpacking the demo repository.
#[derive(Debug, thiserror::Error)]
pub enum DemoRepoError {
    #[error("the embedded demo bundle is malformed: {0}")]
    Bundle(&'static str),
    #[error("cannot unpack the demo repository in {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("git: {0}")]
    Git(#[from] git2::Error),
}

/// The demo repository as a bare repository under `parent` (unpacked from the embedded bundle
/// the first time; a folder named after the bundle's hash is reused afterwards), with the
/// paths that map the demo sessions' working tree onto it.
pub fn repository(
    parent: &Path,
) -> Result<(git2::Repository, crate::git::paths::RepoPaths), DemoRepoError> {
    let digest = crate::transcript::hash::hash64(BUNDLE);
    // `-attested`: unpackings from before the demo carried attestations are not reused.
    let dir = parent.join(format!("demo-repo-{digest:016x}-attested.git"));
    // Unpacked into a temporary folder and renamed: a folder of that name is complete.
    if !dir.is_dir() {
        unpack(parent, &dir)?;
    }
    let repo = git2::Repository::open_bare(&dir)?;
    let paths = crate::git::paths::RepoPaths {
        worktree: PathBuf::from(WORKTREE),
        git_dir: dir.clone(),
        common_dir: dir,
    };
    Ok((repo, paths))
}

/// Unpackings and workspaces started by this process (each gets its own folder).
static UNPACKS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Writes the bundle's pack and refs into a fresh bare repository, then renames it into place
/// (a second explorer, or worker, unpacking at the same time loses the rename harmlessly).
fn unpack(parent: &Path, dir: &Path) -> Result<(), DemoRepoError> {
    let io = |source| DemoRepoError::Io {
        path: parent.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(parent).map_err(io)?;
    // One folder per unpacking: the explorer's workers may unpack at the same time in one process.
    let n = UNPACKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let temp = parent.join(format!("demo-repo.tmp-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&temp);
    let repo = git2::Repository::init_bare(&temp)?;
    let (refs, pack) = parse_bundle(BUNDLE)?;
    let odb = repo.odb()?;
    let mut writer = odb.packwriter()?;
    std::io::Write::write_all(&mut writer, pack).map_err(io)?;
    writer.commit()?;
    for (oid, name) in &refs {
        if name.starts_with("refs/") {
            repo.reference(name, *oid, true, "demo bundle")?;
        }
    }
    repo.set_head("refs/heads/main")?;
    attach_attestations(&temp)?;
    match std::fs::rename(&temp, dir) {
        Ok(()) => Ok(()),
        Err(_) if dir.is_dir() => {
            let _ = std::fs::remove_dir_all(&temp);
            Ok(())
        }
        Err(e) => Err(io(e)),
    }
}

/// The refs a bundle names: (object id, ref name).
type BundleRefs = Vec<(git2::Oid, String)>;

/// The refs and pack of a v2/v3 bundle: header lines, a blank line, then the pack.
fn parse_bundle(bytes: &[u8]) -> Result<(BundleRefs, &[u8]), DemoRepoError> {
    let mut rest = bytes;
    let mut refs = Vec::new();
    let mut first = true;
    loop {
        let end = memchr::memchr(b'\n', rest).ok_or(DemoRepoError::Bundle("no blank line"))?;
        let line = std::str::from_utf8(&rest[..end])
            .map_err(|_| DemoRepoError::Bundle("header is not UTF-8"))?;
        rest = &rest[end + 1..];
        if first {
            if !matches!(line, "# v2 git bundle" | "# v3 git bundle") {
                return Err(DemoRepoError::Bundle("not a v2 or v3 bundle"));
            }
            first = false;
        } else if line.is_empty() {
            return Ok((refs, rest));
        } else if line.starts_with('-') {
            return Err(DemoRepoError::Bundle("it needs prerequisite commits"));
        } else if let Some((oid, name)) = line.split_once(' ') {
            refs.push((git2::Oid::from_str(oid)?, name.to_owned()));
        }
    }
}

/// Runs `f` on the demo repository's git folder (unpacked under `parent`, see [`repository`]).
pub fn with_repository<T>(parent: &Path, f: impl FnOnce(&Path) -> T) -> Result<T, DemoRepoError> {
    let (repo, _) = repository(parent)?;
    Ok(f(repo.path()))
}

/// Attests the demo repository at `bare` (see [`attestations`]): in a throwaway workspace, whose
/// notes are then fetched into it.
fn attach_attestations(bare: &Path) -> Result<(), DemoRepoError> {
    // Beside the unpacking's own temporary folder: unpackings at the same time do not meet.
    let folder = PathBuf::from(format!("{}-attest", bare.display()));
    let dir = workspace(bare, &folder)?;
    let keys = folder.join("keys");
    let result = attestations::attest(&dir, &keys, &attestations::allowed_signers_path(bare))
        .and_then(|()| fetch_notes(bare, &dir));
    let _ = std::fs::remove_dir_all(&folder);
    result
}

/// Fetches the attestation notes of the repository at `from` into `into`.
fn fetch_notes(into: &Path, from: &Path) -> Result<(), DemoRepoError> {
    let repo = git2::Repository::open(into)?;
    let url = from.to_string_lossy().into_owned();
    let mut remote = repo.remote_anonymous(&url)?;
    let spec = format!("+{NOTES_REF}:{NOTES_REF}");
    remote.fetch(&[spec.as_str()], None, None)?;
    Ok(())
}

/// The notes ref attestations travel in.
const NOTES_REF: &str = "refs/notes/vouch";

/// A throwaway clone of the demo repository under `parent`, with the demo sessions that worked
/// in it archived in its capture state, as `git vouch init` would have left them, its
/// attestations, and the demo's allowed signers configured: what `git vouch review --demo`
/// reviews and the Branch view shows. The caller removes it with [`remove_review_workspace`].
pub fn review_workspace(parent: &Path) -> Result<PathBuf, DemoRepoError> {
    let (bare, _) = repository(parent)?;
    // One folder per workspace: the explorer's jobs (the branch, its diff, a blame) may each
    // make one at the same time.
    let n = UNPACKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let folder = parent.join(format!("demo-review-{}-{n}", std::process::id()));
    let dir = workspace(bare.path(), &folder)?;
    fetch_notes(&dir, bare.path())?;
    let allowed = attestations::allowed_signers_path(bare.path());
    git2::Repository::open(&dir)?
        .config()?
        .set_str("gpg.ssh.allowedSignersFile", &allowed.to_string_lossy())?;
    Ok(dir)
}

/// A clone of the bare repository at `bare` in `folder` (made anew), named as the demo
/// sessions' worktree, with the demo sessions archived in its capture state.
fn workspace(bare: &Path, folder: &Path) -> Result<PathBuf, DemoRepoError> {
    // The clone is named as the demo sessions' worktree, so evidence names the repository
    // `tasktrack`, not after this process.
    let name = Path::new(WORKTREE).file_name().unwrap_or_default();
    let dir = folder.join(name);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DemoRepoError::Io { path, source }
    };
    if folder.exists() {
        std::fs::remove_dir_all(folder).map_err(io(folder))?;
    }
    let url = bare.to_string_lossy().into_owned();
    let clone = git2::Repository::clone(&url, &dir)?;
    let archive = clone.path().join("vouch/transcripts");
    let project = format!("{}/", WORKTREE.replace('/', "-"));
    for (rel, text) in files() {
        let Some(rest) = rel.strip_prefix(&project) else {
            continue;
        };
        let id = rest.split(['/', '.']).next().unwrap_or_default();
        let path = archive.join(id).join(rest);
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).map_err(io(folder))?;
        }
        std::fs::write(&path, text).map_err(io(&path))?;
    }
    Ok(dir)
}

/// The demo's allowed signers (alice and the CI key), as the demo repository at `parent` keeps
/// them; none when it cannot be read.
pub fn allowed_signers(parent: &Path) -> crate::attest::allowed_signers::AllowedSigners {
    repository(parent)
        .ok()
        .and_then(|(repo, _)| {
            crate::attest::allowed_signers::AllowedSigners::load(
                &attestations::allowed_signers_path(repo.path()),
            )
            .ok()
        })
        .unwrap_or_default()
}

/// Removes a workspace made by [`review_workspace`], with the folder it was made in.
pub fn remove_review_workspace(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir.parent().unwrap_or(dir));
}

#[cfg(test)]
mod tests {
    use super::parse_bundle;

    #[test]
    fn bundle_headers_are_checked() {
        let (refs, pack) = parse_bundle(super::BUNDLE).unwrap();
        assert!(refs.iter().any(|(_, name)| name == "refs/heads/main"));
        assert!(pack.starts_with(b"PACK"));
        let err = |b: &[u8]| parse_bundle(b).map(|_| ()).unwrap_err().to_string();
        assert_eq!(
            err(b"# v9 git bundle\n\nPACK"),
            "the embedded demo bundle is malformed: not a v2 or v3 bundle"
        );
        assert!(err(b"# v2 git bundle\nabc refs/x").contains("no blank line"));
        assert!(err(b"# v2 git bundle\n-abc\n\n").contains("prerequisite"));
    }

    /// Workspaces made at the same time (the explorer's branch, diff and blame jobs) each get
    /// their own clone, with the demo's attestations and allowed signers, and removing one
    /// leaves the others.
    #[test]
    fn workspaces_at_the_same_time_do_not_meet() {
        let parent = tempfile::tempdir().unwrap();
        let dirs: Vec<std::path::PathBuf> = std::thread::scope(|scope| {
            let jobs: Vec<_> = (0..3)
                .map(|_| scope.spawn(|| super::review_workspace(parent.path()).unwrap()))
                .collect();
            jobs.into_iter().map(|j| j.join().unwrap()).collect()
        });
        let mut unique = dirs.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 3, "{dirs:?}");
        super::remove_review_workspace(&dirs[0]);
        for dir in &dirs[1..] {
            let repo = git2::Repository::open(dir).unwrap();
            assert!(repo.find_reference("refs/notes/vouch").is_ok(), "{dir:?}");
            let allowed = repo
                .config()
                .unwrap()
                .get_string("gpg.ssh.allowedSignersFile");
            assert!(std::path::Path::new(&allowed.unwrap()).is_file());
        }
        assert!(!dirs[0].exists());
    }
}
