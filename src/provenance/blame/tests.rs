//! Blame by matching, in a real repository no hook saw: a session's distinctive line is its own
//! (with its tool call and prompt), plain lines and lines no session in the commit's time wrote
//! are unknown, and an uncommitted line is matched too.

use std::path::Path;
use std::process::Command;

use chrono::{DateTime, Duration, Utc};

use super::{Basis, LineAuthor, SessionReader, blame_file, why};
use crate::fingerprint::line_hash;
use crate::session::SessionSummary;
use crate::session::detail::{
    Conversation, Entry, EntryKind, FileTouch, SessionDetail, ThreadRef, ToolCall, ToolEntry,
    ToolStatus,
};

const COMMITTED: &str = "2026-03-01T12:00:00Z";

fn git(repo: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(repo)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", repo)
        .env("GIT_AUTHOR_DATE", COMMITTED)
        .env("GIT_COMMITTER_DATE", COMMITTED)
        .env("GIT_AUTHOR_NAME", "Pat")
        .env("GIT_AUTHOR_EMAIL", "pat@example.com")
        .env("GIT_COMMITTER_NAME", "Pat")
        .env("GIT_COMMITTER_EMAIL", "pat@example.com")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

struct Fake {
    sessions: Vec<SessionSummary>,
    details: Vec<(SessionDetail, Conversation)>,
}

impl SessionReader for Fake {
    fn sessions(&self) -> &[SessionSummary] {
        &self.sessions
    }
    fn read(&self, s: &SessionSummary) -> (SessionDetail, Conversation) {
        let i = self.sessions.iter().position(|x| x.id == s.id).unwrap();
        self.details[i].clone()
    }
    fn thread(&self, s: &SessionSummary, _: ThreadRef<'_>) -> Conversation {
        self.read(s).1
    }
}

/// A session in `repo` that wrote `lines` to `src/a.rs` with one Edit, answering one prompt,
/// active from `start` for ten minutes.
fn session(
    repo: &Path,
    id: &str,
    start: DateTime<Utc>,
    lines: &[&str],
) -> (SessionSummary, (SessionDetail, Conversation)) {
    let path = repo.join("src/a.rs").display().to_string();
    let summary = SessionSummary {
        id: id.to_owned(),
        cwd: Some(repo.display().to_string()),
        start: Some(start),
        end: Some(start + Duration::minutes(10)),
        file_paths: vec![path.clone()],
        ..SessionSummary::default()
    };
    let call = format!("toolu_{id}");
    let detail = SessionDetail {
        summary: summary.clone(),
        tool_calls: vec![ToolCall {
            id: call.clone(),
            name: "Edit".into(),
            input_summary: path.clone(),
            started: Some(start + Duration::minutes(5)),
            finished: None,
            duration_ms: None,
            status: ToolStatus::Ok,
            agent_id: None,
            command: None,
            path: Some(path.clone()),
        }],
        subagents: Vec::new(),
        files: vec![FileTouch {
            path,
            tool: "Edit".into(),
            tool_use_id: call.clone(),
            agent_id: None,
            hunks: Vec::new(),
            lines_added: lines.len() as u64,
            lines_removed: 0,
            created: false,
            added_hashes: lines.iter().map(|l| line_hash(l)).collect(),
            edges: Vec::new(),
        }],
        commits: Vec::new(),
        turns: Vec::new(),
        warnings: Vec::new(),
        secrets: crate::redact::Counts::new(),
        notices: Vec::new(),
    };
    let at = Some(start + Duration::minutes(1));
    let conversation = Conversation {
        entries: vec![
            Entry {
                at,
                kind: EntryKind::Prompt(format!("prompt of {id}")),
            },
            Entry {
                at,
                kind: EntryKind::Tool(ToolEntry {
                    id: call,
                    name: "Edit".into(),
                    input: "src/a.rs".into(),
                    result: None,
                }),
            },
        ],
        warnings: Vec::new(),
    };
    (summary, (detail, conversation))
}

#[test]
fn without_records_lines_are_matched_to_the_sessions_that_wrote_them_in_time() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().canonicalize().unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::create_dir_all(repo.join("src")).unwrap();
    std::fs::write(
        repo.join("src/a.rs"),
        "fn alpha() -> u32 { 1 }\n}\nlet by_hand = 2;\n",
    )
    .unwrap();
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "Alpha"]);
    // Uncommitted: a line the first session wrote.
    std::fs::write(
        repo.join("src/a.rs"),
        "fn alpha() -> u32 { 1 }\n}\nlet by_hand = 2;\nfn beta_not_committed() {}\n",
    )
    .unwrap();
    let committed: DateTime<Utc> = COMMITTED.parse().unwrap();
    let (s1, d1) = session(
        &repo,
        "s1-in-time",
        committed - Duration::minutes(30),
        &["fn alpha() -> u32 { 1 }", "}", "fn beta_not_committed() {}"],
    );
    // Wrote the third line, but a month before the commit.
    let (s2, d2) = session(
        &repo,
        "s2-too-early",
        committed - Duration::days(30),
        &["let by_hand = 2;"],
    );
    let reader = Fake {
        sessions: vec![s1, s2],
        details: vec![d1, d2],
    };
    let b = blame_file(&repo, Path::new("src/a.rs"), None, &reader).unwrap();
    assert_eq!(b.path, "src/a.rs");
    let got: Vec<(LineAuthor, Option<&str>, Option<usize>, bool)> = b
        .lines
        .iter()
        .map(|l| {
            assert_eq!(l.basis, Basis::Matched, "line {}", l.line);
            (l.author, l.session.as_deref(), l.prompt, l.commit.is_some())
        })
        .collect();
    assert_eq!(
        got,
        [
            (LineAuthor::Agent, Some("s1-in-time"), Some(1), true),
            // Too plain to be evidence.
            (LineAuthor::Unknown, None, None, true),
            (LineAuthor::Unknown, None, None, true),
            (LineAuthor::Agent, Some("s1-in-time"), Some(1), false),
        ]
    );
    assert_eq!(b.lines[0].tool_use_id.as_deref(), Some("toolu_s1-in-time"));
    assert_eq!(
        (b.totals.agent, b.totals.unknown, b.totals.not_committed),
        (2, 2, 1)
    );
    assert_eq!(b.sessions.len(), 1);
    assert_eq!(b.sessions[0].prompts[0].text, "prompt of s1-in-time");
    assert_eq!(b.sessions[0].prompts[0].lines, 2);
    assert!(!b.commits[0].recorded);

    let story = why(&b, 1, &reader).unwrap();
    assert_eq!(
        story.tool_call.as_ref().map(|t| t.name.as_str()),
        Some("Edit")
    );
    assert_eq!(
        story.prompt.as_ref().map(|p| (p.number, p.of)),
        Some((1, 1))
    );
    assert_eq!(story.conversation.iter().filter(|e| e.this_call).count(), 1);
    let past = why(&b, 9, &reader).unwrap_err().to_string();
    assert_eq!(past, "line 9 is past the end of src/a.rs (4 lines)");
}

#[test]
fn a_file_outside_the_repository_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    let reader = Fake {
        sessions: Vec::new(),
        details: Vec::new(),
    };
    let err = blame_file(&repo, Path::new("../elsewhere.rs"), None, &reader).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("../elsewhere.rs is outside the repository at "),
        "{err}"
    );
    let err = blame_file(&repo, Path::new("missing.rs"), None, &reader).unwrap_err();
    assert!(err.to_string().contains("missing.rs"), "{err}");
}
