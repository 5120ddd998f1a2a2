//! Evidence documents for policy tests: built from the library's own types with only what a
//! test varies, and a repository folder holding `.vouch/policies/`.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;

use git_vouch::evidence::{
    ActionEvidence, CommitEvidence, Evidence, FileEvidence, ModelEvidence, Producer, RangeInfo,
    Repository, SessionEvidence, Totals, UsageEvidence,
};

pub const SHA_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

pub fn usage(tokens: u64, cost: Option<&str>) -> UsageEvidence {
    UsageEvidence {
        input_tokens: tokens / 2,
        output_tokens: tokens - tokens / 2,
        total_tokens: tokens,
        cost_usd: cost.map(str::to_owned),
        ..UsageEvidence::default()
    }
}

pub fn session(id: &str) -> SessionEvidence {
    SessionEvidence {
        id: id.to_owned(),
        agent: Producer {
            name: "claude-code".into(),
            version: "2.1.197".into(),
        },
        title: Some("work".into()),
        started_at: None,
        ended_at: None,
        duration_seconds: Some(60),
        git_branch: Some("main".into()),
        permission_modes: vec!["default".into()],
        models: vec![model("claude-sonnet-4-5-20250929", 1000, "0.010000")],
        usage: usage(1000, Some("0.010000")),
        tools: Vec::new(),
        subagents: Vec::new(),
        user_prompts: 1,
        assistant_messages: 2,
        commits: vec![SHA_A.to_owned()],
        transcripts: Vec::new(),
        warnings: Vec::new(),
        actions: Vec::new(),
        guard: None,
        insights: None,
        recording: None,
        agent_config: None,
    }
}

pub fn model(name: &str, tokens: u64, cost: &str) -> ModelEvidence {
    ModelEvidence {
        model: name.to_owned(),
        requests: 3,
        usage: usage(tokens, Some(cost)),
    }
}

/// Actions in order: `("edit", "src/a.rs")`, `("command", "cargo test")`, `("read", ".env")`.
pub fn actions(list: &[(&str, &str)]) -> Vec<ActionEvidence> {
    list.iter()
        .enumerate()
        .map(|(i, (kind, text))| ActionEvidence {
            seq: i as u64 * 2,
            kind: (*kind).to_owned(),
            tool: match *kind {
                "command" => "Bash",
                "read" => "Read",
                _ => "Edit",
            }
            .to_owned(),
            command: (*kind == "command").then(|| (*text).to_owned()),
            path: (*kind != "command").then(|| (*text).to_owned()),
            status: "ok".into(),
            agent_id: None,
        })
        .collect()
}

pub fn file(path: &str) -> FileEvidence {
    FileEvidence {
        path: path.to_owned(),
        old_path: None,
        status: "modified".into(),
        lines_added: 3,
        lines_removed: 1,
        ai_lines_added: 3,
        human_lines_added: 0,
        ai_line_ranges: vec![[1, 3]],
        human_line_ranges: Vec::new(),
        unknown_lines_added: 0,
        unknown_line_ranges: Vec::new(),
    }
}

/// One commit (`SHA_A`) credited to every session, changing `files`.
pub fn evidence(sessions: Vec<SessionEvidence>, files: &[&str]) -> Evidence {
    let ids: Vec<String> = sessions.iter().map(|s| s.id.clone()).collect();
    Evidence {
        schema_version: git_vouch::evidence::SCHEMA_VERSION.into(),
        generated_at: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
        producer: Producer {
            name: "git-vouch".into(),
            version: "0.1.0".into(),
        },
        repository: Repository {
            name: "repo".into(),
            branch: Some("main".into()),
            remote: None,
            remote_url: None,
        },
        range: RangeInfo {
            spec: "HEAD".into(),
            base: None,
            tip: SHA_A.into(),
            tip_tree: SHA_A.into(),
            commit_count: 1,
            change_id: None,
            file_changes: std::collections::BTreeMap::new(),
        },
        commits: vec![CommitEvidence {
            sha: SHA_A.into(),
            parents: Vec::new(),
            subject: "change".into(),
            author: "Dev <dev@example.com>".into(),
            committed_at: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            sessions: ids,
            attribution_source: "recorded".into(),
            files: files.iter().map(|f| file(f)).collect(),
            change_id: None,
        }],
        totals: Totals {
            sessions: sessions.len(),
            ..Totals::default()
        },
        sessions,
        redactions: BTreeMap::new(),
        warnings: Vec::new(),
        policies: None,
    }
}

/// A repository folder whose `.vouch/policies/` holds `files` (name, text).
pub fn repo_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_policies(dir.path(), files);
    dir
}

pub fn write_policies(root: &Path, files: &[(&str, &str)]) {
    let folder = root.join(".vouch/policies");
    std::fs::create_dir_all(&folder).unwrap();
    for (name, text) in files {
        std::fs::write(folder.join(name), text).unwrap();
    }
}
