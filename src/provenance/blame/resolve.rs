//! Building a [`Blame`]: run `git blame`, read the capture record of each commit it names, read
//! the sessions that may have written the lines (in parallel), and tell each line's author.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Duration, Utc};
use git2::{Oid, Repository};

use super::writings::{Write, Writings, may_have_written};
use super::{
    BLAME_SCHEMA, Basis, Blame, BlameCommit, BlameError, BlameLine, BlamePrompt, BlameSession,
    BlameTotals, LineAuthor, SessionReader,
};
use crate::capture::commit_record::CommitRecord;
use crate::capture::record::SessionRecord;
use crate::capture::state::{StateDir, read_json};
use crate::capture::trailer::trailer_sessions;
use crate::correlate::COMMIT_WINDOW;
use crate::fingerprint::is_distinctive;
use crate::git::Git;
use crate::git::blame::{BlameRequest, BlamedLine, FileBlame, NOT_COMMITTED, blame};
use crate::git::paths::RepoPaths;
use crate::session::SessionSummary;

/// What blame knows of a commit beside git's headers.
struct Facts {
    info: BlameCommit,
    record: Option<CommitRecord>,
}

/// A session read for blame.
pub(crate) struct Read<'a> {
    summary: &'a SessionSummary,
    writings: Writings,
}

/// Blames `file` (as given, relative to `cwd`) at `rev` (the working tree when `None`).
pub fn blame_file(
    cwd: &Path,
    file: &Path,
    rev: Option<&str>,
    reader: &dyn SessionReader,
) -> Result<Blame, BlameError> {
    let paths = RepoPaths::discover(cwd)
        .ok_or_else(|| BlameError::NotARepository(cwd.display().to_string()))?;
    let rel = paths.relative(&lexical(&cwd.join(file))).ok_or_else(|| {
        BlameError::OutsideRepository(
            file.display().to_string(),
            paths.worktree.display().to_string(),
        )
    })?;
    let repo = Repository::open(&paths.worktree)?;
    let rev = rev
        .map(|r| repo.revparse_single(r).and_then(|o| o.peel_to_commit()))
        .transpose()?
        .map(|c| c.id().to_string());
    let git = Git::new(&paths.worktree);
    let request = BlameRequest {
        rev: rev.as_deref(),
        ..BlameRequest::default()
    };
    // The sessions that worked on the file are read while git walks its history.
    let state = StateDir::new(paths.clone());
    let likely = likely_sessions(&paths, &[rel.as_str()], reader);
    let (blamed, read) = std::thread::scope(|scope| {
        let walk = scope.spawn(|| blame(&git, &rel, request));
        let read = read_sessions(&state, reader, &likely);
        (walk.join(), read)
    });
    let blamed = blamed.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    let mut out = attribute(&repo, &paths, &blamed, reader, read);
    out.path = rel;
    out.rev = rev;
    Ok(out)
}

/// `path` with `.` and `..` components resolved without touching the disk (the file may exist
/// only in an older revision).
fn lexical(path: &Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out = std::path::PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// Sessions read before blame names any: at most this many, else blame reads only those it needs.
const READ_AHEAD: usize = 64;

/// The repository's sessions whose tool calls worked on one of `rels`, when there are few enough
/// to read them all ahead.
pub(crate) fn likely_sessions<'a>(
    paths: &RepoPaths,
    rels: &[&str],
    reader: &'a dyn SessionReader,
) -> Vec<&'a SessionSummary> {
    let mut repos: HashMap<&str, bool> = HashMap::new();
    let likely: Vec<&SessionSummary> = reader
        .sessions()
        .iter()
        .filter(|s| rels.iter().any(|rel| may_have_written(s, rel)))
        .filter(|s| {
            let cwd = s.cwd.as_deref().unwrap_or("");
            *repos
                .entry(cwd)
                .or_insert_with(|| same_repository(paths, cwd))
        })
        .take(READ_AHEAD + 1)
        .collect();
    if likely.len() > READ_AHEAD {
        return Vec::new();
    }
    likely
}

/// Tells the author of every line of `blamed` (the lines of one file, or of several runs of a
/// file's lines); `read` holds sessions already read.
pub(crate) fn attribute<'a>(
    repo: &Repository,
    paths: &RepoPaths,
    blamed: &FileBlame,
    reader: &'a dyn SessionReader,
    mut read: HashMap<String, Read<'a>>,
) -> Blame {
    let state = StateDir::new(paths.clone());
    let facts: HashMap<String, Facts> = blamed
        .commits
        .iter()
        .filter(|(sha, _)| sha.as_str() != NOT_COMMITTED)
        .map(|(sha, c)| (sha.clone(), facts(repo, &state, sha, c)))
        .collect();
    let mut warnings = Vec::new();
    let wanted: Vec<&SessionSummary> = wanted_sessions(paths, blamed, &facts, reader)
        .into_iter()
        .filter(|s| !read.contains_key(&s.id))
        .collect();
    read.extend(read_sessions(&state, reader, &wanted));
    let mut lines = Vec::with_capacity(blamed.lines.len());
    let mut used: BTreeMap<String, BTreeMap<usize, u32>> = BTreeMap::new();
    for l in &blamed.lines {
        let line = one_line(l, facts.get(&l.commit), &read);
        if let (Some(s), Some(p)) = (&line.session, line.prompt) {
            *used.entry(s.clone()).or_default().entry(p).or_default() += 1;
        } else if let Some(s) = &line.session {
            used.entry(s.clone()).or_default();
        }
        lines.push(line);
    }
    let missing: Vec<&String> = used.keys().filter(|id| !read.contains_key(*id)).collect();
    if !missing.is_empty() {
        warnings.push(format!(
            "{} not found on this machine: {} name no tool call or prompt",
            crate::words::plural(
                missing.len() as u64,
                "session's transcript",
                "sessions' transcripts"
            ),
            if missing.len() == 1 {
                "its lines"
            } else {
                "their lines"
            }
        ));
    }
    let sessions = used
        .iter()
        .map(|(id, prompts)| session_entry(&state, id, read.get(id), prompts))
        .collect();
    let mut commits: Vec<BlameCommit> = facts.into_values().map(|f| f.info).collect();
    commits.sort_by(|a, b| b.committed_at.cmp(&a.committed_at).then(a.sha.cmp(&b.sha)));
    Blame {
        schema: BLAME_SCHEMA,
        path: String::new(),
        rev: None,
        totals: totals(&lines),
        lines,
        commits,
        sessions,
        warnings,
    }
}

fn facts(
    repo: &Repository,
    state: &StateDir,
    sha: &str,
    c: &crate::git::blame::BlamedCommit,
) -> Facts {
    let record: Option<CommitRecord> = read_json(&state.commit_file(sha)).ok().flatten();
    let commit = Oid::from_str(sha).and_then(|o| repo.find_commit(o)).ok();
    let committed_at = commit
        .as_ref()
        .and_then(|c| DateTime::from_timestamp(c.time().seconds(), 0))
        .or_else(|| DateTime::from_timestamp(c.author_time, 0));
    let sessions = match (&record, &commit) {
        (Some(r), _) => r.sessions.clone(),
        (None, Some(c)) => trailer_sessions(c.message().unwrap_or("")),
        (None, None) => Vec::new(),
    };
    Facts {
        info: BlameCommit {
            sha: sha.to_owned(),
            subject: c.summary.clone(),
            author: format!("{} <{}>", c.author, c.author_mail),
            committed_at,
            recorded: record.is_some(),
            sessions,
        },
        record,
    }
}

/// The record's entry for the file a line came from.
fn recorded_file<'a>(
    f: &'a Facts,
    path: &str,
) -> Option<&'a crate::capture::commit_record::FileChange> {
    f.record.as_ref()?.files.iter().find(|c| c.path == path)
}

/// The sessions worth reading: those a record credits with agent lines of the file, those a
/// trailer names, and, for lines no record covers, the repository's sessions that worked on the
/// file around the commit's time.
fn wanted_sessions<'a>(
    paths: &RepoPaths,
    blamed: &FileBlame,
    facts: &HashMap<String, Facts>,
    reader: &'a dyn SessionReader,
) -> Vec<&'a SessionSummary> {
    let mut ids: BTreeSet<String> = BTreeSet::new();
    let mut unrecorded: Vec<(Option<DateTime<Utc>>, &str)> = Vec::new();
    let mut seen = BTreeSet::new();
    for l in &blamed.lines {
        if !seen.insert((l.commit.as_str(), l.orig_path.as_str())) {
            continue;
        }
        let f = facts.get(&l.commit);
        match f.and_then(|f| recorded_file(f, &l.orig_path)) {
            Some(change) => ids.extend(change.ai_sessions.iter().cloned()),
            None => {
                ids.extend(f.iter().flat_map(|f| f.info.sessions.iter().cloned()));
                unrecorded.push((f.and_then(|f| f.info.committed_at), &l.orig_path));
            }
        }
    }
    let mut repos: HashMap<&str, bool> = HashMap::new();
    reader
        .sessions()
        .iter()
        .filter(|s| {
            ids.contains(&s.id)
                || unrecorded.iter().any(|(at, path)| {
                    in_window(s, *at) && may_have_written(s, path) && {
                        let cwd = s.cwd.as_deref().unwrap_or("");
                        *repos
                            .entry(cwd)
                            .or_insert_with(|| same_repository(paths, cwd))
                    }
                })
        })
        .collect()
}

/// Whether a commit made at `at` (`None`: not committed yet) may hold the session's edits: made
/// from its start until [`COMMIT_WINDOW`] days after its end.
fn in_window(s: &SessionSummary, at: Option<DateTime<Utc>>) -> bool {
    let Some(at) = at else {
        return true;
    };
    let (Some(start), Some(end)) = (s.start, s.end) else {
        return false;
    };
    at >= start - Duration::minutes(1) && at <= end + Duration::days(COMMIT_WINDOW)
}

fn same_repository(paths: &RepoPaths, cwd: &str) -> bool {
    !cwd.is_empty()
        && RepoPaths::discover(Path::new(cwd)).is_some_and(|p| p.common_dir == paths.common_dir)
}

/// Reads the sessions' transcripts, on as many threads as there are cores (at most four).
pub(crate) fn read_sessions<'a>(
    state: &StateDir,
    reader: &dyn SessionReader,
    wanted: &[&'a SessionSummary],
) -> HashMap<String, Read<'a>> {
    let next = AtomicUsize::new(0);
    let out = Mutex::new(HashMap::new());
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(4)
        .min(wanted.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(&s) = wanted.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let (detail, main) = reader.read(s);
                    let worktree =
                        crate::evidence::sessions::session_worktree(state, s.cwd.as_deref());
                    let writings = Writings::of(&worktree, &detail, &main);
                    let read = Read {
                        summary: s,
                        writings,
                    };
                    if let Ok(mut map) = out.lock() {
                        map.insert(s.id.clone(), read);
                    }
                }
            });
        }
    });
    out.into_inner().unwrap_or_default()
}

fn one_line(l: &BlamedLine, facts: Option<&Facts>, read: &HashMap<String, Read<'_>>) -> BlameLine {
    let mut out = BlameLine {
        line: l.line,
        text: l.text.clone(),
        commit: (l.commit != NOT_COMMITTED).then(|| l.commit.clone()),
        orig_path: l.orig_path.clone(),
        orig_line: l.orig_line,
        author: LineAuthor::Unknown,
        basis: Basis::Matched,
        session: None,
        tool_use_id: None,
        prompt: None,
    };
    let at = facts.and_then(|f| f.info.committed_at);
    if let Some(change) = facts.and_then(|f| recorded_file(f, &l.orig_path)) {
        out.basis = Basis::Recorded;
        let inside =
            |ranges: &[[u32; 2]]| ranges.iter().any(|r| (r[0]..=r[1]).contains(&l.orig_line));
        if inside(&change.ai_lines) {
            out.author = LineAuthor::Agent;
            let credited = change.ai_sessions.iter().filter_map(|id| read.get(id));
            match latest_write(credited, l, at) {
                Some((id, w)) => name_write(&mut out, id, w),
                None if change.ai_sessions.len() == 1 => {
                    out.session = change.ai_sessions.first().cloned();
                }
                None => {}
            }
        } else if inside(&change.human_lines) {
            out.author = LineAuthor::Human;
        }
        return out;
    }
    if !is_distinctive(&l.text) {
        return out;
    }
    let candidates = read.values().filter(|r| in_window(r.summary, at));
    if let Some((id, w)) = latest_write(candidates, l, at) {
        out.author = LineAuthor::Agent;
        name_write(&mut out, id, w);
    }
    out
}

/// Among `sessions`, the last write of the line before the commit.
fn latest_write<'a, 'b: 'a>(
    sessions: impl Iterator<Item = &'a Read<'b>>,
    l: &BlamedLine,
    before: Option<DateTime<Utc>>,
) -> Option<(&'a str, &'a Write)> {
    sessions
        .filter_map(|r| {
            r.writings
                .find(&l.orig_path, &l.text, before)
                .map(|w| (r.summary.id.as_str(), w))
        })
        .max_by_key(|(id, w)| (w.at, *id))
}

fn name_write(out: &mut BlameLine, session: &str, w: &Write) {
    out.session = Some(session.to_owned());
    out.tool_use_id = Some(w.tool_use_id.clone()).filter(|t| !t.is_empty());
    out.prompt = w.prompt.map(|i| i + 1);
}

fn session_entry(
    state: &StateDir,
    id: &str,
    read: Option<&Read<'_>>,
    prompts: &BTreeMap<usize, u32>,
) -> BlameSession {
    let Some(r) = read else {
        let record: Option<SessionRecord> = read_json(&state.session_file(id)).ok().flatten();
        return BlameSession {
            id: id.to_owned(),
            agent: record.map(|r| r.agent).unwrap_or_default(),
            agent_version: None,
            title: None,
            models: Vec::new(),
            prompts: Vec::new(),
            transcript: false,
        };
    };
    let s = r.summary;
    BlameSession {
        id: id.to_owned(),
        agent: s.agent.id().to_owned(),
        agent_version: s.agent_version.clone(),
        title: s.title.clone(),
        models: s.models.iter().map(|m| m.model.clone()).collect(),
        prompts: prompts
            .iter()
            .filter_map(|(n, lines)| {
                let p = r.writings.prompts.get(n - 1)?;
                Some(BlamePrompt {
                    number: p.number,
                    at: p.at,
                    text: p.text.clone(),
                    lines: *lines,
                })
            })
            .collect(),
        transcript: true,
    }
}

fn totals(lines: &[BlameLine]) -> BlameTotals {
    let mut t = BlameTotals::default();
    for l in lines {
        t.lines += 1;
        match l.author {
            LineAuthor::Agent => t.agent += 1,
            LineAuthor::Human => t.human += 1,
            LineAuthor::Unknown => t.unknown += 1,
        }
        t.not_committed += u32::from(l.commit.is_none());
    }
    t
}
