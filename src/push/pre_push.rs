//! `pre-push`: reads the pushed refs from stdin and computes exactly the commits each ref sends,
//! records them, tells a one-line summary, then hands the agent commits to the review gate and
//! attestation (`pipeline`).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use git2::{Oid, Repository};
use serde::{Deserialize, Serialize};

use super::pipeline::Edge;
use crate::capture::commit_record::CommitRecord;
use crate::capture::git_hook::{GitHookError, Verdict};
use crate::capture::record::EventRecord;
use crate::capture::state::{StateDir, append_json, read_json};
use crate::capture::trailer::trailer_sessions;
use crate::clock::Clock;
use crate::git::pushed::commits_sent;
use crate::transcript::hook_event::HookEvent;

/// One line git gives pre-push on stdin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushRef {
    pub local_ref: String,
    pub local_sha: String,
    pub remote_ref: String,
    pub remote_sha: String,
}

/// A pushed ref with the commits it sends, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushedRef {
    #[serde(flatten)]
    pub push: PushRef,
    pub commits: Vec<String>,
}

/// A line of `pushes.jsonl`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PushRecord {
    ts: DateTime<Utc>,
    remote: String,
    url: String,
    refs: Vec<PushedRef>,
    /// Sessions credited with any pushed commit.
    sessions: Vec<String>,
}

/// Parses pre-push stdin (`<local ref> <local sha> <remote ref> <remote sha>` per line).
pub fn parse_refs(stdin: &[u8]) -> Vec<PushRef> {
    String::from_utf8_lossy(stdin)
        .lines()
        .filter_map(|l| {
            let p: Vec<&str> = l.split_whitespace().collect();
            (p.len() == 4).then(|| PushRef {
                local_ref: p[0].to_owned(),
                local_sha: p[1].to_owned(),
                remote_ref: p[2].to_owned(),
                remote_sha: p[3].to_owned(),
            })
        })
        .collect()
}

/// The commits each ref sends to `remote`, oldest first (see [`commits_sent`]). Deletions send
/// nothing.
pub fn pushed_commits(
    repo: &Repository,
    remote: &str,
    refs: &[PushRef],
) -> Result<Vec<PushedRef>, git2::Error> {
    refs.iter()
        .map(|r| {
            Ok(PushedRef {
                push: r.clone(),
                commits: commits_sent(repo, remote, &r.local_sha, &r.remote_sha)?,
            })
        })
        .collect()
}

pub fn run(
    state: &StateDir,
    repo: &Repository,
    args: &[String],
    stdin: &[u8],
    edge: &Edge<'_>,
    clock: &dyn Clock,
) -> Result<Verdict, GitHookError> {
    let remote = args.first().cloned().unwrap_or_default();
    let url = args.get(1).cloned().unwrap_or_default();
    let refs = pushed_commits(repo, &remote, &parse_refs(stdin))?;
    let mut sessions = BTreeSet::new();
    let mut agent_commits = BTreeSet::new();
    let all: BTreeSet<&String> = refs.iter().flat_map(|r| &r.commits).collect();
    for sha in &all {
        let credited = commit_sessions(state, repo, sha)?;
        if !credited.is_empty() {
            agent_commits.insert((*sha).clone());
        }
        sessions.extend(credited);
    }
    let sessions: Vec<String> = sessions.into_iter().collect();
    let labels: Vec<String> = sessions.iter().map(|id| session_label(state, id)).collect();
    (edge.say)(&summary(&remote, all.len(), agent_commits.len(), &labels));
    let record = PushRecord {
        ts: clock.now(),
        remote: remote.clone(),
        url,
        refs,
        sessions,
    };
    append_json(&state.pushes_file(), &record)?;
    if agent_commits.is_empty() {
        return Ok(Verdict::Continue);
    }
    Ok(super::pipeline::run(
        state,
        &remote,
        &record.refs,
        &agent_commits,
        edge,
        clock,
    ))
}

/// Sessions of a commit: its record, else its trailer.
fn commit_sessions(
    state: &StateDir,
    repo: &Repository,
    sha: &str,
) -> Result<Vec<String>, GitHookError> {
    if let Some(record) = read_json::<CommitRecord>(&state.commit_file(sha))? {
        return Ok(record.sessions);
    }
    let commit = repo.find_commit(Oid::from_str(sha)?)?;
    Ok(trailer_sessions(commit.message().unwrap_or("")))
}

/// Characters of a session's first prompt in the push line.
const PROMPT_SHOWN: usize = 32;

/// `0b3c1d2e “Add due dates to tasks…”`: the short id, with the session's first prompt as its
/// capture ledger recorded it (just the id when there is none).
fn session_label(state: &StateDir, id: &str) -> String {
    let short: String = id.chars().take(8).collect();
    let prompt = std::fs::File::open(state.events_file(id))
        .ok()
        .and_then(|f| first_prompt(std::io::BufReader::new(f)));
    match prompt {
        Some(p) if p.chars().count() > PROMPT_SHOWN => {
            let cut: String = p.chars().take(PROMPT_SHOWN - 1).collect();
            format!("{short} “{}…”", cut.trim_end())
        }
        Some(p) => format!("{short} “{p}”"),
        None => short,
    }
}

/// The summary of the first prompt in an events ledger.
fn first_prompt(ledger: impl std::io::BufRead) -> Option<String> {
    ledger
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str::<EventRecord>(&l).ok())
        .find(|e| HookEvent::parse(&e.event) == HookEvent::UserPromptSubmit && e.summary.is_some())
        .and_then(|e| e.summary)
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| !s.is_empty())
}

/// The one line a push prints; `sessions` are already labelled for people.
fn summary(remote: &str, commits: usize, agent_commits: usize, sessions: &[String]) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    if agent_commits == 0 {
        return format!(
            "git-vouch: pushing {} to {remote}; none made with an agent",
            plural(commits, "commit")
        );
    }
    format!(
        "git-vouch: pushing {} to {remote}; {} made with {} ({})",
        plural(commits, "commit"),
        agent_commits,
        plural(sessions.len(), "agent session"),
        sessions.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ref_lines() {
        let refs = parse_refs(b"refs/heads/a 1111 refs/heads/a 0000\nbad line\n");
        assert_eq!(refs.len(), 1);
        assert_eq!(refs[0].remote_ref, "refs/heads/a");
    }

    #[test]
    fn summary_reads_well() {
        assert_eq!(
            summary("origin", 1, 0, &[]),
            "git-vouch: pushing 1 commit to origin; none made with an agent"
        );
        assert_eq!(
            summary("origin", 3, 2, &["01234567 “Fix the bug”".into()]),
            "git-vouch: pushing 3 commits to origin; 2 made with 1 agent session (01234567 “Fix the bug”)"
        );
    }

    #[test]
    fn sessions_are_named_by_short_id_and_first_prompt() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let git_dir = dir.path().join(".git");
        let state = StateDir::new(crate::git::paths::RepoPaths {
            worktree: dir.path().to_path_buf(),
            git_dir: git_dir.clone(),
            common_dir: git_dir,
        });
        let id = "0123456789abcdef";
        assert_eq!(session_label(&state, id), "01234567");
        let ledger = state.events_file(id);
        std::fs::create_dir_all(ledger.parent().expect("a parent")).expect("folder");
        let line = |event: &str, summary: &str| {
            format!(r#"{{"ts":"2026-03-01T10:00:00Z","event":"{event}","summary":"{summary}"}}"#)
        };
        let text = [
            line("SessionStart", "startup"),
            line(
                "UserPromptSubmit",
                "Add due dates to tasks and show\\n them in the list",
            ),
            line("UserPromptSubmit", "second"),
        ]
        .join("\n");
        std::fs::write(&ledger, text).expect("ledger written");
        assert_eq!(
            session_label(&state, id),
            "01234567 “Add due dates to tasks and show…”"
        );
    }
}
