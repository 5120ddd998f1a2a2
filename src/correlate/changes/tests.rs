//! On the demo repository (unpacked from the embedded bundle) and its recorded sessions.

use super::{Author, LineKind, session_changes};
use crate::agent_source;
use crate::capture::commit_record::{CommitRecord, FileChange};
use crate::pricing::PriceTable;
use crate::session::detail::{SessionDetail, open_text};

fn demo_detail(prompt_start: &str) -> SessionDetail {
    let prices = PriceTable::embedded();
    let catalog = crate::demo::catalog(prices);
    let summary = catalog
        .sessions
        .iter()
        .find(|s| s.display_title().starts_with(prompt_start))
        .expect("demo session");
    let open = |p: &std::path::Path| open_text(crate::demo::read_file(p));
    agent_source::detail(summary, &open, prices)
}

/// Session 7a694908's sub-agent rewrote two lines of README.md, its edit starting mid-line; no
/// hook saw the commit. Both lines are the agent's, and without a record none is a person's.
#[test]
fn without_a_record_no_line_is_a_persons_and_sub_agent_pieces_of_lines_match() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, paths) = crate::demo::repository(dir.path()).unwrap();
    let prices = PriceTable::embedded();
    let catalog = crate::demo::catalog(prices);
    let summary = catalog
        .sessions
        .iter()
        .find(|s| s.id.starts_with("7a694908"))
        .expect("demo session 7a694908");
    let open = |p: &std::path::Path| open_text(crate::demo::read_file(p));
    let detail = agent_source::detail(summary, &open, prices);
    let changes = session_changes(&repo, &paths, &[], &detail).unwrap();
    let readme = changes
        .iter()
        .flat_map(|c| &c.files)
        .find(|f| f.path == "README.md")
        .expect("README.md in a linked commit");
    let authors: Vec<Author> = readme
        .lines
        .iter()
        .filter_map(|l| match l.kind {
            LineKind::Added(a) => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(authors, vec![Author::Agent, Author::Agent]);
    assert_eq!(
        (readme.agent_lines, readme.human_lines, readme.unknown_lines),
        (2, 0, 0)
    );
    for file in changes.iter().flat_map(|c| &c.files) {
        assert_eq!(file.human_lines, 0, "{}: no record, no person", file.path);
        assert_eq!(
            file.agent_lines + file.unknown_lines,
            file.added,
            "{}",
            file.path
        );
    }
    let linked: u32 = changes[0].files.iter().map(|f| f.agent_lines).sum();
    assert_eq!(
        changes[0].link.agent_lines, linked,
        "the link counts the same lines"
    );
}

#[test]
fn demo_commit_files_diffs_and_agent_lines() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, paths) = crate::demo::repository(dir.path()).unwrap();
    // A second call reuses the unpacked folder.
    crate::demo::repository(dir.path()).unwrap();
    let detail = demo_detail("Add `tasktrack import");
    let changes = session_changes(&repo, &paths, &[], &detail).unwrap();
    let import = changes
        .iter()
        .find(|c| c.link.subject == "Import tasks from CSV")
        .expect("the agent's commit");
    let names: Vec<&str> = import.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(names.len(), 6, "{names:?}");
    let importer = import
        .files
        .iter()
        .find(|f| f.path == "tasktrack/importer.py")
        .unwrap();
    assert_eq!(
        (importer.status, importer.added, importer.removed),
        ("added", 50, 0)
    );
    assert!(!importer.recorded);
    assert!(importer.agent_lines > 30, "{}", importer.agent_lines);
    // Blank lines cannot be matched: neither the agent's nor a person's.
    let blank = importer
        .lines
        .iter()
        .find(|l| l.text.is_empty() && l.new.is_some());
    assert_eq!(blank.map(|l| l.kind), Some(LineKind::Added(Author::Plain)));
    assert_eq!(
        importer.human_lines, 0,
        "only a record says a person wrote a line"
    );
    assert!(importer.unknown_lines > 0);
    assert_eq!(
        importer.agent_lines + importer.unknown_lines,
        importer.added
    );
    let added = importer
        .lines
        .iter()
        .filter(|l| matches!(l.kind, LineKind::Added(_)))
        .count();
    assert_eq!(added, 50);
    assert_eq!(importer.lines[0].kind, LineKind::Hunk);
    assert!(importer.lines[0].text.starts_with("@@ -0,0 +1,50 @@"));
}

#[test]
fn a_commit_record_decides_who_wrote_each_line() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, paths) = crate::demo::repository(dir.path()).unwrap();
    let detail = demo_detail("Add `tasktrack import");
    let plain = session_changes(&repo, &paths, &[], &detail).unwrap();
    let sha = plain
        .iter()
        .find(|c| c.link.subject == "Import tasks from CSV")
        .map(|c| c.link.sha.clone())
        .unwrap();
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-21T07:54:07Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let record = CommitRecord {
        sha: sha.clone(),
        parents: Vec::new(),
        subject: "Import tasks from CSV".into(),
        author: "Dev <dev@example.com>".into(),
        committed_at: at,
        sessions: vec![detail.summary.id.clone()],
        source: crate::correlate::LinkSource::Recorded,
        files: vec![FileChange {
            path: "tasktrack/importer.py".into(),
            status: "added".into(),
            lines_added: 50,
            ai_lines: vec![[1, 3]],
            human_lines: vec![[4, 50]],
            ..FileChange::default()
        }],
        recorded_at: at,
    };
    let changes = session_changes(&repo, &paths, &[record], &detail).unwrap();
    let commit = changes.iter().find(|c| c.link.sha == sha).unwrap();
    assert_eq!(commit.link.source, crate::correlate::LinkSource::Recorded);
    let importer = commit
        .files
        .iter()
        .find(|f| f.path == "tasktrack/importer.py")
        .unwrap();
    assert!(importer.recorded);
    assert_eq!((importer.agent_lines, importer.human_lines), (3, 47));
    let authors: Vec<(u32, Author)> = importer
        .lines
        .iter()
        .filter_map(|l| match l.kind {
            LineKind::Added(a) => Some((l.new.unwrap(), a)),
            _ => None,
        })
        .take(5)
        .collect();
    assert_eq!(
        authors,
        vec![
            (1, Author::Agent),
            (2, Author::Agent),
            (3, Author::Agent),
            (4, Author::Human),
            (5, Author::Human)
        ]
    );
}

#[test]
fn very_large_diffs_are_capped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(dir.path()).unwrap();
    let text = (0..6000)
        .map(|i| format!("line number {i}"))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    let blob = repo.blob(text.as_bytes()).unwrap();
    let mut tree = repo.treebuilder(None).unwrap();
    tree.insert("big.txt", blob, 0o100_644).unwrap();
    let tree = repo.find_tree(tree.write().unwrap()).unwrap();
    let who = git2::Signature::new("Dev", "dev@example.com", &git2::Time::new(0, 0)).unwrap();
    let oid = repo.commit(None, &who, &who, "big", &tree, &[]).unwrap();
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-21T07:54:07Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let record = CommitRecord {
        sha: oid.to_string(),
        parents: Vec::new(),
        subject: "big".into(),
        author: "Dev <dev@example.com>".into(),
        committed_at: at,
        sessions: vec!["s".into()],
        source: crate::correlate::LinkSource::Recorded,
        files: Vec::new(),
        recorded_at: at,
    };
    let detail = SessionDetail {
        summary: crate::session::SessionSummary {
            id: "s".into(),
            ..crate::session::SessionSummary::default()
        },
        tool_calls: Vec::new(),
        subagents: Vec::new(),
        files: Vec::new(),
        commits: Vec::new(),
        turns: Vec::new(),
        warnings: Vec::new(),
        secrets: std::collections::BTreeMap::new(),
        notices: Vec::new(),
    };
    let paths = crate::git::paths::RepoPaths::discover(dir.path()).unwrap();
    let changes = session_changes(&repo, &paths, &[record], &detail).unwrap();
    let big = &changes[0].files[0];
    assert_eq!((big.added, big.lines.len()), (6000, 5000));
    assert_eq!(
        big.more_lines, 1001,
        "the hunk header and 6000 lines, 5000 kept"
    );
    assert!(!big.recorded, "the record lists no file: lines are matched");
    assert_eq!(
        (big.agent_lines, big.human_lines, big.unknown_lines),
        (0, 0, 6000)
    );
}
