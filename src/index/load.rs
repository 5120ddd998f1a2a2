//! Loading the catalog of sessions: discovery, parallel scanning, cache reuse, per-project merge.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::IndexError;
use super::cache::{Cache, CachedFile};
use super::findings::Findings;
use super::workers;
use crate::agent_source;
use crate::config::Env;
use crate::pricing::PriceTable;
use crate::session::{ScannedFile, SessionSummary, summarize_project};
use crate::transcript::Diagnostic;
use crate::transcript::agent::Agent;
use crate::transcript::file_scan::FileScan;
use crate::transcript::source_file::SourceFile;

/// How to load.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The SQLite cache file; `None` reads every file from scratch and writes nothing.
    pub cache: Option<PathBuf>,
    /// Worker threads; 0 means one per core.
    pub threads: usize,
}

/// What loading did, for `--verbose` output and benchmarks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadStats {
    pub files: usize,
    pub bytes: u64,
    /// Bytes actually read from transcripts in this run.
    pub bytes_scanned: u64,
    /// Files whose scan came from the cache unchanged.
    pub files_cached: usize,
    /// Whether whole summaries came from the cache (nothing changed at all).
    pub summaries_cached: bool,
}

/// Every session found, with the problems met on the way.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Each with its health; their findings are in `findings`.
    pub sessions: Vec<SessionSummary>,
    pub findings: Findings,
    pub diagnostics: Vec<Diagnostic>,
    pub stats: LoadStats,
}

/// Loads the sessions of the given transcript files.
pub fn load_catalog(
    files: Vec<SourceFile>,
    options: &LoadOptions,
    prices: &PriceTable,
) -> Result<Catalog, IndexError> {
    let mut stats = LoadStats {
        files: files.len(),
        bytes: files.iter().map(|f| f.len).sum(),
        ..LoadStats::default()
    };
    let mut cache = options.cache.as_deref().map(Cache::open).transpose()?;
    let fingerprint = super::cache::fingerprint(&files, prices);
    if let Some(cache) = &mut cache
        && let Some(sessions) = cache.summaries(&fingerprint)?
    {
        stats.summaries_cached = true;
        stats.files_cached = files.len();
        return Ok(Catalog {
            sessions,
            findings: cache.findings(),
            diagnostics: Vec::new(),
            stats,
        });
    }
    let previous = match &mut cache {
        Some(c) => c.file_scans()?,
        None => BTreeMap::new(),
    };
    let (scanned, diagnostics, scanned_bytes, reused) = scan_all(files, previous, options.threads);
    stats.bytes_scanned = scanned_bytes;
    stats.files_cached = reused;
    let (sessions, findings) = match &mut cache {
        // Writing the cache overlaps with summarizing.
        Some(cache) => {
            let (sessions, stored) =
                cache.store_while(&scanned, &fingerprint, || summarize_files(&scanned, prices));
            stored?;
            (sessions, cache.findings())
        }
        None => {
            let mut sessions = summarize_files(&scanned, prices);
            let findings = Findings::take_from(&mut sessions);
            (sessions, findings)
        }
    };
    Ok(Catalog {
        sessions,
        findings,
        diagnostics,
        stats,
    })
}

/// The sessions of every agent's transcripts on this machine (found from `env`), through the
/// index cache at `cache` when given. The cache only speeds things up: when it is unusable the files are read
/// without it and that is reported among the diagnostics. Also returns the folders searched.
///
/// `archives` are transcript archives (capture's `<git-dir>/vouch/transcripts`, a folder per
/// session): a session found there whose live transcript is gone (Claude Code deletes them after
/// 30 days) is read from its copy and marked `archived`; one whose live transcript is still
/// there is read from that one only.
pub fn load_local(
    env: &dyn Env,
    cache: Option<PathBuf>,
    prices: &PriceTable,
    archives: &[PathBuf],
) -> Result<(Catalog, Vec<PathBuf>), IndexError> {
    let mut notes = Vec::new();
    let agent_source::Discovery {
        searched: roots,
        mut files,
    } = agent_source::discover(env, agent_source::ALL, &mut notes);
    let copies = archived(&files, archives, &mut notes);
    files.extend(copies);
    let options = LoadOptions { cache, threads: 0 };
    let mut catalog = match load_catalog(files.clone(), &options, prices) {
        Ok(c) => c,
        Err(e) if options.cache.is_some() => {
            let path = options.cache.clone().unwrap_or_default();
            notes.push(Diagnostic::file(
                &path,
                format!("index cache unusable, reading without it: {e}"),
            ));
            load_catalog(files, &LoadOptions::default(), prices)?
        }
        Err(e) => return Err(e),
    };
    notes.append(&mut catalog.diagnostics);
    catalog.diagnostics = notes;
    for s in &mut catalog.sessions {
        s.archived = !s.files.is_empty()
            && s.files
                .iter()
                .all(|f| archives.iter().any(|a| f.starts_with(a)));
    }
    Ok((catalog, roots))
}

/// The archived sessions' files whose session has no live transcript among `live`.
fn archived(
    live: &[SourceFile],
    archives: &[PathBuf],
    notes: &mut Vec<Diagnostic>,
) -> Vec<SourceFile> {
    let live: std::collections::HashSet<&str> = live
        .iter()
        .filter(|f| f.role == crate::transcript::source_file::FileRole::Main)
        .filter_map(|f| f.session_hint.as_deref())
        .collect();
    let source = agent_source::of(Agent::ClaudeCode);
    let mut out = Vec::new();
    for root in archives {
        let Ok(entries) = std::fs::read_dir(root) else {
            continue;
        };
        let mut folders: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        folders.sort();
        for folder in folders {
            let files = source.files_in(&folder, notes);
            let gone = files
                .iter()
                .filter_map(|f| f.session_hint.as_deref())
                .all(|id| !live.contains(id));
            if gone {
                out.extend(files);
            }
        }
    }
    out
}

/// Groups scanned files by agent and project and summarizes each group's sessions, newest first.
pub fn summarize_files(scanned: &[ScannedFile], prices: &PriceTable) -> Vec<SessionSummary> {
    let mut by_project: BTreeMap<(Agent, &str), Vec<&ScannedFile>> = BTreeMap::new();
    for f in scanned {
        by_project
            .entry(project_key(&f.source))
            .or_default()
            .push(f);
    }
    // On this thread: summing up on workers too left each worker's freed memory behind, and a
    // cold build went over its memory budget for no time saved (the cache writer runs beside).
    let mut sessions: Vec<SessionSummary> = by_project
        .values()
        .flat_map(|files| summarize_project(files, prices))
        .collect();
    sessions.sort_by(|a, b| b.start.cmp(&a.start).then_with(|| a.id.cmp(&b.id)));
    sessions
}

/// The group a file is summarized in: its project, apart for each agent, so that sessions of
/// different agents are never deduplicated against each other.
fn project_key(source: &SourceFile) -> (Agent, &str) {
    (source.agent, source.project.as_str())
}

/// A scanned file, a problem reading it, the bytes read, and whether the cache had it whole.
type ScanResult = (ScannedFile, Option<Diagnostic>, u64, bool);

type ScanOutcome = (Vec<ScannedFile>, Vec<Diagnostic>, u64, usize);

/// Scans files on worker threads, largest first so the threads finish together. A file seen
/// before with the same identity is resumed from where its last scan stopped.
fn scan_all(
    files: Vec<SourceFile>,
    mut previous: BTreeMap<PathBuf, CachedFile>,
    threads: usize,
) -> ScanOutcome {
    let mut jobs: Vec<(SourceFile, FileScan)> = files
        .into_iter()
        .map(|source| {
            let prior = previous
                .remove(&source.path)
                .filter(|c| c.reusable_for(&source))
                .map(|c| c.scan)
                .unwrap_or_default();
            (source, prior)
        })
        .collect();
    jobs.sort_by_key(|(s, prior)| std::cmp::Reverse(s.len.saturating_sub(prior.resume_offset)));
    let mut out = ScanOutcome::default();
    let scan = |(source, scan)| scan_one(source, scan);
    workers::run_into(jobs, threads, scan, |(file, diagnostic, bytes, reused)| {
        out.1.extend(diagnostic);
        out.2 += bytes;
        out.3 += usize::from(reused);
        // Copied here, compactly, so that each worker's memory holds only what it is reading.
        out.0.push(file.clone());
    });
    out.0.sort_by(|a, b| a.source.path.cmp(&b.source.path));
    out
}

fn scan_one(source: SourceFile, mut scan: FileScan) -> ScanResult {
    let start = scan.resume_offset;
    if start == source.len {
        return (ScannedFile { source, scan }, None, 0, true);
    }
    let diagnostic = agent_source::scan(&source, &mut scan)
        .err()
        .map(|e| Diagnostic::file(&source.path, e.to_string()));
    if source.len == 0 {
        scan.warnings
            .push(Diagnostic::file(&source.path, "empty transcript file"));
    }
    let read = source.len.saturating_sub(start);
    (ScannedFile { source, scan }, diagnostic, read, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::source_file::FileRole;

    fn file(agent: Agent, project: &str, path: &str) -> SourceFile {
        SourceFile {
            agent,
            path: PathBuf::from(path),
            project: project.to_owned(),
            session_hint: None,
            role: FileRole::Main,
            len: 0,
            mtime_ns: 0,
            inode: 0,
        }
    }

    /// Sessions are deduplicated within a group only: the group names the agent beside the
    /// project, so one project's sessions of two agents land in two groups.
    #[test]
    fn files_are_grouped_by_agent_and_project() {
        let agent = Agent::ClaudeCode;
        let a = file(agent, "-w-app", "/p/a.jsonl");
        let b = file(agent, "-w-app", "/p/b.jsonl");
        let other = file(agent, "-w-lib", "/p/c.jsonl");
        assert_eq!(project_key(&a), (agent, "-w-app"));
        assert_eq!(project_key(&a), project_key(&b));
        assert_ne!(project_key(&a), project_key(&other));
    }
}
