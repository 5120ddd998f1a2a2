//! The built-in demo data behind `--demo`: real Claude Code sessions recorded against a scripted
//! API, embedded in the binary so every view has content on a machine without Claude Code.
//!
//! `assets/demo/transcripts.txt` packs a `CLAUDE_CONFIG_DIR/projects` tree into one text file:
//! a line `#file <path relative to projects/>` starts each file, and the JSONL lines follow.

use std::path::{Path, PathBuf};

use crate::index::{Catalog, LoadStats, summarize_files};
use crate::pricing::PriceTable;
use crate::session::ScannedFile;
use crate::transcript::discover::{FileRole, SourceFile};
use crate::transcript::scan::scan_bytes;

const ARCHIVE: &str = include_str!("../assets/demo/transcripts.txt");
/// The repository the demo sessions worked in, as a git bundle (their commits carry
/// `Vouch-Session` trailers).
const BUNDLE: &[u8] = include_bytes!("../assets/demo/repo.bundle");

/// Why the demo repository could not be unpacked.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("demo repository in {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cloning the demo repository bundle failed: {0}")]
    Clone(String),
}

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
            let scan = scan_bytes(body.as_bytes(), &source.path);
            Some(ScannedFile { source, scan })
        })
        .collect();
    let stats = LoadStats {
        files: scanned.len(),
        ..LoadStats::default()
    };
    Catalog {
        sessions: summarize_files(&scanned, prices),
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
        path: PathBuf::from("demo/projects").join(rel),
        project: parts[0].to_owned(),
        session_hint,
        role,
        len,
        mtime_ns: 0,
        inode: 0,
    })
}

/// Runs `f` on a bare clone of the demo repository, made in a new folder under `scratch` (the
/// system's temporary folder in the explorer) and removed afterwards. Needs the git CLI (libgit2
/// does not read bundles).
pub fn with_repository<T>(scratch: &Path, f: impl FnOnce(&Path) -> T) -> Result<T, DemoError> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = scratch.join(format!("git-vouch-demo-{}-{n}", std::process::id()));
    let io = |source| DemoError::Io {
        path: dir.clone(),
        source,
    };
    std::fs::create_dir_all(&dir).map_err(io)?;
    let result = clone_and_run(&dir, f);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn clone_and_run<T>(dir: &Path, f: impl FnOnce(&Path) -> T) -> Result<T, DemoError> {
    let bundle = dir.join("repo.bundle");
    std::fs::write(&bundle, BUNDLE).map_err(|source| DemoError::Io {
        path: bundle.clone(),
        source,
    })?;
    let repo = dir.join("repo.git");
    let out = std::process::Command::new("git")
        .args(["clone", "--quiet", "--bare"])
        .arg(&bundle)
        .arg(&repo)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| DemoError::Clone(e.to_string()))?;
    if !out.status.success() {
        return Err(DemoError::Clone(
            String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        ));
    }
    Ok(f(&repo))
}
