//! On the demo repository (unpacked from the embedded bundle) and its recorded sessions.

use super::{Author, LineKind, session_changes};
use crate::capture::commit_record::{CommitRecord, FileChange};
use crate::pricing::PriceTable;
use crate::session::detail::{SessionDetail, load_detail, open_text};

fn demo_detail(prompt_start: &str) -> SessionDetail {
    let prices = PriceTable::embedded();
    let catalog = crate::demo::catalog(prices);
    let summary = catalog
        .sessions
        .iter()
        .find(|s| s.display_title().starts_with(prompt_start))
        .expect("demo session");
    let open = |p: &std::path::Path| open_text(crate::demo::read_file(p));
    load_detail(summary, &open, prices)
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
    assert_eq!(
        blank.map(|l| l.kind),
        Some(LineKind::Added(Author::Unknown))
    );
    assert!(importer.agent_lines + importer.human_lines < importer.added);
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
    let at = crate::transcript::record::parse_time("2026-11-21T07:54:07Z").unwrap();
    let record = CommitRecord {
        sha: sha.clone(),
        parents: Vec::new(),
        subject: "Import tasks from CSV".into(),
        author: "Dev <dev@example.com>".into(),
        committed_at: at,
        sessions: vec![detail.summary.id.clone()],
        source: "recorded".into(),
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
