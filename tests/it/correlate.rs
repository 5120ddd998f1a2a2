//! Sessions recorded without hooks are tied to commits afterwards: a commit that adds the lines
//! the agent wrote, made while or soon after it worked, is linked as inferred; unrelated commits
//! are not.

#![allow(
    clippy::unwrap_used,
    clippy::too_many_lines,
    clippy::items_after_statements
)]

use crate::support::cli;
use crate::support::git;

use git::git_at as git;

#[test]
fn a_commit_with_the_agents_lines_is_inferred_and_others_are_not() {
    let env = cli::TestEnv::new();
    let repo = env.dir.path().join("work/repo");
    std::fs::create_dir_all(&repo).unwrap();
    // The recorded session wrote hello.txt ("hello world") in /home/dev/write_commit_read/repo.
    let fixture = cli::fixture("claude/v2.1.197-write_commit_read/projects");
    let project = std::fs::read_dir(&fixture)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let transcript = std::fs::read_dir(&project)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let text = std::fs::read_to_string(&transcript)
        .unwrap()
        .replace("/home/dev/write_commit_read/repo", repo.to_str().unwrap());
    env.write(
        &format!("p/{}", transcript.file_name().unwrap().to_str().unwrap()),
        &text,
    );

    git(&repo, "2026-11-21T06:00:00Z", &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("README.md"), "readme with enough words\n").unwrap();
    git(&repo, "2026-11-21T06:00:00Z", &["add", "-A"]);
    git(
        &repo,
        "2026-11-21T06:00:00Z",
        &["commit", "-q", "-m", "before the session"],
    );
    std::fs::write(repo.join("hello.txt"), "hello world\n").unwrap();
    git(&repo, "2026-11-21T06:30:00Z", &["add", "-A"]);
    git(
        &repo,
        "2026-11-21T06:30:00Z",
        &["commit", "-q", "-m", "add hello"],
    );
    std::fs::write(repo.join("other.txt"), "unrelated human text\n").unwrap();
    git(&repo, "2026-11-21T06:40:00Z", &["add", "-A"]);
    git(
        &repo,
        "2026-11-21T06:40:00Z",
        &["commit", "-q", "-m", "unrelated"],
    );

    let id = transcript.file_stem().unwrap().to_str().unwrap();
    let doc = env.json(&["show", id, "--json"]);
    let links = doc["linked_commits"].as_array().unwrap();
    assert_eq!(links.len(), 1, "{links:?}");
    assert_eq!(links[0]["source"], "inferred");
    assert_eq!(links[0]["subject"], "add hello");
    assert_eq!(links[0]["agent_lines"], 1);
    assert_eq!(
        links[0]["agent_lines_how"],
        "agent lines found by matching the session's edits; others unknown"
    );
    let text = String::from_utf8(env.run(&["show", id]).stdout).unwrap();
    assert!(
        text.contains("inferred") && text.contains("add hello"),
        "{text}"
    );
    assert!(
        text.contains("AGENT LINES (agent commit, inferred): agent lines found by matching"),
        "{text}"
    );
}
