//! Assembling the evidence document for a range.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use git2::{Oid, Repository};

use super::range::{Range, resolve};
use super::sessions::{self, usage};
use super::{
    CommitEvidence, Evidence, EvidenceError, FileEvidence, Producer, RangeInfo, SCHEMA_VERSION,
    Totals,
};
use crate::capture::commit_record::{CommitRecord, FileChange};
use crate::capture::state::{StateDir, read_json};
use crate::capture::trailer::trailer_sessions;
use crate::clock::Clock;
use crate::correlate::{Written, matched_files};
use crate::git::diff::commit_diff;
use crate::git::paths::RepoPaths;
use crate::pricing::PriceTable;
use crate::redact::{Counts, Redactor};
use crate::usage::Tokens;

/// Builds the redacted evidence of `range` (default: the current branch) in the repository
/// containing `cwd`.
pub fn build_evidence(
    cwd: &Path,
    range: Option<&str>,
    prices: &PriceTable,
    redactor: &Redactor,
    clock: &dyn Clock,
) -> Result<Evidence, EvidenceError> {
    let paths = RepoPaths::discover(cwd)
        .ok_or_else(|| EvidenceError::NotARepository(cwd.display().to_string()))?;
    let repo = Repository::open(&paths.worktree)?;
    let range = resolve(&repo, range)?;
    build_for(cwd, &range, prices, redactor, clock)
}

/// Builds the redacted evidence of an already resolved range (pre-push knows its commits).
pub fn build_for(
    cwd: &Path,
    range: &Range,
    prices: &PriceTable,
    redactor: &Redactor,
    clock: &dyn Clock,
) -> Result<Evidence, EvidenceError> {
    let paths = RepoPaths::discover(cwd)
        .ok_or_else(|| EvidenceError::NotARepository(cwd.display().to_string()))?;
    let repo = Repository::open(&paths.worktree)?;
    let state = StateDir::new(paths.clone());
    let (mut commits, unrecorded): (Vec<_>, Vec<_>) = range
        .commits
        .iter()
        .map(|sha| commit(&repo, &state, sha))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .unzip();
    let mut warnings = Vec::new();
    let (sessions, written) = load_sessions(&state, &commits, prices, &mut warnings);
    for (c, _) in commits.iter_mut().zip(&unrecorded).filter(|(_, u)| **u) {
        match_agent_lines(&repo, c, &written)?;
    }
    let evidence = Evidence {
        schema_version: SCHEMA_VERSION.to_owned(),
        generated_at: clock.now(),
        producer: Producer {
            name: "git-vouch".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        repository: repository(&repo, &paths),
        range: range_info(&repo, range)?,
        totals: totals(&commits, &sessions),
        commits,
        sessions,
        redactions: BTreeMap::new(),
        warnings,
        policies: None,
    };
    Ok(redact(evidence, redactor))
}

/// Passes every string through the redactor and records the counts.
fn redact(evidence: Evidence, redactor: &Redactor) -> Evidence {
    let Ok(mut value) = serde_json::to_value(&evidence) else {
        return evidence;
    };
    let mut counts = Counts::new();
    redactor.redact_json(&mut value, &mut counts);
    let mut out: Evidence = serde_json::from_value(value).unwrap_or(evidence);
    out.redactions = counts.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    out
}

/// A commit's evidence, and whether its sessions are known only by trailer (its lines are then
/// told apart by matching the sessions' lines, see [`match_agent_lines`]).
type CommitWithDiff = (CommitEvidence, bool);

fn commit(repo: &Repository, state: &StateDir, sha: &str) -> Result<CommitWithDiff, EvidenceError> {
    let c = repo.find_commit(Oid::from_str(sha)?)?;
    let record: Option<CommitRecord> = read_json(&state.commit_file(sha))?;
    let author = c.author();
    let mut out = CommitEvidence {
        sha: sha.to_owned(),
        parents: c.parent_ids().map(|p| p.to_string()).collect(),
        subject: c.summary().ok().flatten().unwrap_or("").to_owned(),
        author: format!(
            "{} <{}>",
            author.name().unwrap_or(""),
            author.email().unwrap_or("")
        ),
        committed_at: chrono::DateTime::from_timestamp(c.time().seconds(), 0).unwrap_or_default(),
        sessions: Vec::new(),
        attribution_source: "none".into(),
        files: Vec::new(),
        change_id: Some(crate::git::change_id::commit_change(repo, &c)?.whole),
    };
    if c.parent_count() > 1 {
        out.attribution_source = "merge".into();
        return Ok((out, false));
    }
    if let Some(r) = record {
        out.sessions = r.sessions;
        r.source.name().clone_into(&mut out.attribution_source);
        out.files = r.files.iter().map(file_from_record).collect();
        return Ok((out, false));
    }
    out.sessions = trailer_sessions(c.message().unwrap_or(""));
    out.files = commit_diff(repo, &c)?.iter().map(file_from_diff).collect();
    if out.sessions.is_empty() {
        return Ok((out, false));
    }
    out.attribution_source = "trailer".into();
    Ok((out, true))
}

/// For a commit known only by its trailer: the added lines one of its sessions wrote count as the
/// agent's, matched exactly as the explorer's Files tab matches them
/// ([`crate::correlate::matched_files`]); the rest are of unknown author (only a capture record
/// says a person wrote a line).
fn match_agent_lines(
    repo: &Repository,
    c: &mut CommitEvidence,
    written: &BTreeMap<String, Written>,
) -> Result<(), EvidenceError> {
    let mut wrote = Written::default();
    for w in c.sessions.iter().filter_map(|s| written.get(s)) {
        wrote.add(w);
    }
    if wrote.is_empty() {
        return Ok(());
    }
    c.attribution_source = "trailer+lines".into();
    let matched = matched_files(repo, &c.sha, &wrote)?;
    for file in &mut c.files {
        let Some(m) = matched.iter().find(|m| m.path == file.path) else {
            continue;
        };
        file.ai_lines_added = m.agent_at.len() as u32;
        file.unknown_lines_added = m.unknown_at.len() as u32;
        file.ai_line_ranges = crate::git::diff::ranges(&m.agent_at);
        file.unknown_line_ranges = crate::git::diff::ranges(&m.unknown_at);
    }
    Ok(())
}

fn file_from_record(f: &FileChange) -> FileEvidence {
    FileEvidence {
        path: f.path.clone(),
        old_path: f.old_path.clone(),
        status: f.status.clone(),
        lines_added: f.lines_added,
        lines_removed: f.lines_removed,
        ai_lines_added: f.ai_count(),
        human_lines_added: f.human_count(),
        ai_line_ranges: f.ai_lines.clone(),
        human_line_ranges: f.human_lines.clone(),
        unknown_lines_added: 0,
        unknown_line_ranges: Vec::new(),
    }
}

/// A file no capture record covers: every added line is of unknown author (a person's only
/// when a record says so).
fn file_from_diff(f: &crate::git::diff::DiffFile) -> FileEvidence {
    let lines: Vec<u32> = f.added.iter().map(|(l, _)| *l).collect();
    FileEvidence {
        path: f.path.clone(),
        old_path: f.old_path.clone(),
        status: f.status.to_owned(),
        lines_added: f.added.len() as u32,
        lines_removed: f.removed,
        ai_lines_added: 0,
        human_lines_added: 0,
        ai_line_ranges: Vec::new(),
        human_line_ranges: Vec::new(),
        unknown_lines_added: f.added.len() as u32,
        unknown_line_ranges: crate::git::diff::ranges(&lines),
    }
}

fn load_sessions(
    state: &StateDir,
    commits: &[CommitEvidence],
    prices: &PriceTable,
    warnings: &mut Vec<String>,
) -> (Vec<super::SessionEvidence>, BTreeMap<String, Written>) {
    let ids: Vec<&String> = commits
        .iter()
        .flat_map(|c| &c.sessions)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // Sessions are independent and their transcripts can be large: read them in parallel.
    let loaded: Vec<Result<sessions::Loaded, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = ids
            .iter()
            .map(|id| scope.spawn(move || sessions::load(state, id, prices)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a session failed to load".into()))
            })
            .collect()
    });
    let (mut out, mut written) = (Vec::new(), BTreeMap::new());
    for (id, result) in ids.into_iter().zip(loaded) {
        match result {
            Ok(sessions::Loaded {
                evidence: mut s,
                written: wrote,
            }) => {
                s.commits = commits
                    .iter()
                    .filter(|c| c.sessions.contains(id))
                    .map(|c| c.sha.clone())
                    .collect();
                written.insert(id.clone(), wrote);
                out.push(s);
            }
            Err(e) => warnings.push(e),
        }
    }
    (out, written)
}

fn totals(commits: &[CommitEvidence], sessions: &[super::SessionEvidence]) -> Totals {
    let mut t = Totals {
        commits: commits.len(),
        sessions: sessions.len(),
        ..Totals::default()
    };
    t.agent_commits = commits.iter().filter(|c| !c.sessions.is_empty()).count();
    for f in commits.iter().flat_map(|c| &c.files) {
        t.lines_added += u64::from(f.lines_added);
        t.ai_lines_added += u64::from(f.ai_lines_added);
        t.human_lines_added += u64::from(f.human_lines_added);
        t.unknown_lines_added += u64::from(f.unknown_lines_added);
    }
    let mut tokens = Tokens::default();
    let mut cost = Some(crate::money::Usd::ZERO);
    for s in sessions {
        let u = &s.usage;
        tokens.add(&Tokens {
            input: u.input_tokens,
            output: u.output_tokens,
            cache_write_5m: u.cache_write_5m_tokens,
            cache_write_1h: u.cache_write_1h_tokens,
            cache_read: u.cache_read_tokens,
        });
        cost = match (
            cost,
            u.cost_usd.as_deref().and_then(crate::money::Usd::parse),
        ) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
    }
    t.usage = usage(&tokens, cost);
    t
}

/// The repository as the evidence names it: its folder's name, branch and remote.
pub fn repository_of(repo: &Repository) -> super::Repository {
    let worktree = repo.workdir().unwrap_or_else(|| repo.path());
    let paths = RepoPaths {
        worktree: worktree.to_path_buf(),
        git_dir: repo.path().to_path_buf(),
        common_dir: repo.commondir().to_path_buf(),
    };
    repository(repo, &paths)
}

fn repository(repo: &Repository, paths: &RepoPaths) -> super::Repository {
    let branch = repo
        .head()
        .ok()
        .filter(git2::Reference::is_branch)
        .and_then(|h| h.shorthand().ok().map(str::to_owned));
    let remote = branch
        .as_deref()
        .and_then(|b| repo.branch_upstream_remote(&format!("refs/heads/{b}")).ok())
        .and_then(|r| r.as_str().ok().map(str::to_owned))
        .or_else(|| repo.find_remote("origin").ok().map(|_| "origin".to_owned()));
    let remote_url = remote
        .as_deref()
        .and_then(|r| repo.find_remote(r).ok())
        .and_then(|r| r.url().ok().map(strip_credentials));
    super::Repository {
        name: paths
            .worktree
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        branch,
        remote,
        remote_url,
    }
}

/// `https://user:token@host/x` → `https://host/x`.
pub fn strip_credentials(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((creds, host)) if !creds.contains('/') => format!("{scheme}://{host}"),
            _ => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

fn range_info(repo: &Repository, range: &Range) -> Result<RangeInfo, EvidenceError> {
    let tip = repo.find_commit(Oid::from_str(&range.tip)?)?;
    // A pushed range knows its commits but not always its base: the oldest one's parent is.
    let base = match range.base.as_deref() {
        Some(b) => Some(Oid::from_str(b)?),
        None => match range.commits.first() {
            Some(oldest) => repo.find_commit(Oid::from_str(oldest)?)?.parent_id(0).ok(),
            None => None,
        },
    };
    let change = crate::git::change_id::range_change(repo, base, tip.id())?;
    Ok(RangeInfo {
        spec: range.spec.clone(),
        base: range.base.clone(),
        tip: range.tip.clone(),
        tip_tree: tip.tree_id().to_string(),
        commit_count: range.commits.len(),
        change_id: Some(change.whole),
        file_changes: change.files,
    })
}

#[cfg(test)]
mod tests {
    use super::strip_credentials;

    #[test]
    fn credentials_leave_urls() {
        assert_eq!(
            strip_credentials("https://u:tok@github.com/o/r.git"),
            "https://github.com/o/r.git"
        );
        assert_eq!(
            strip_credentials("git@github.com:o/r.git"),
            "git@github.com:o/r.git"
        );
        assert_eq!(
            strip_credentials("https://github.com/o/r"),
            "https://github.com/o/r"
        );
    }
}
