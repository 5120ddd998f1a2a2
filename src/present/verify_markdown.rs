//! A range's provenance as Markdown, for a CI job to post on a pull request
//! (`git vouch verify RANGE --format markdown`): where the commits stand (reviewed or not, by
//! whom), the agent sessions behind them (agent, models, tokens, cost, health), policy results
//! and violations, and the command that checks it all again from a clone.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::provenance::{BranchLog, CommitEntry, SessionEntry};
use crate::words::{counted, plural};

/// The document; `recheck` is the command that verifies the range again.
pub fn markdown(log: &BranchLog, recheck: &str) -> String {
    let mut out = String::new();
    let range = if log.range.is_empty() {
        "HEAD"
    } else {
        &log.range
    };
    let _ = writeln!(
        out,
        "## AI provenance · `{}` · {}\n",
        code(range),
        counted(log.commits.len(), "commit", "commits")
    );
    out.push_str(&headline(log));
    out.push_str("\n\n");
    if !log.commits.is_empty() {
        out.push_str(&commits_table(&log.commits));
    }
    out.push_str(&sessions_table(&log.commits));
    out.push_str(&violations(&log.commits));
    if log.commits.iter().any(|c| c.source == "local") {
        out.push_str(
            "\n*local*: described from this clone's capture data, not from signed evidence.\n",
        );
    }
    for w in &log.warnings {
        let _ = writeln!(out, "\n> warning: {}", cell(w));
    }
    let _ = writeln!(out, "\nCheck it again from a clone: `{}`", code(recheck));
    out
}

/// Verified commits, their states, and what the agents did over the range.
fn headline(log: &BranchLog) -> String {
    let t = &log.totals;
    let verified = t.reviewed + t.unreviewed;
    let mut s = format!(
        "**{verified} of {} {} a verified signature**",
        counted(t.commits, "commit", "commits"),
        if t.commits == 1 { "has" } else { "have" }
    );
    if t.commits > 0 {
        let _ = write!(s, " ({})", t.states());
    }
    let _ = write!(
        s,
        ". {} by agents, {}, {} tokens, ${}{}.",
        counted(t.agent_commits, "commit", "commits"),
        plural(t.sessions as u64, "session", "sessions"),
        super::tokens(t.total_tokens),
        t.cost_usd,
        if t.cost_incomplete {
            " (some models without a price)"
        } else {
            ""
        }
    );
    s
}

/// Rows of the commits table at most: a pull request comment holds 65,536 characters.
const MAX_COMMITS: usize = 100;

fn commits_table(commits: &[CommitEntry]) -> String {
    let mut out = String::from(
        "| Commit | Subject | Attestation | Sessions | Agent lines | Policies |\n| --- | --- | --- | --- | --- | --- |\n",
    );
    for c in commits.iter().take(MAX_COMMITS) {
        let sessions: Vec<String> = c
            .sessions
            .iter()
            .map(|s| format!("`{}`", short(&s.id, 8)))
            .collect();
        let sessions = match (sessions.is_empty(), c.source) {
            (true, _) => "—".to_owned(),
            (false, "local") => format!("{} *local*", sessions.join(" ")),
            (false, _) => sessions.join(" "),
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {sessions} | {} of {} | {} |",
            short(&c.sha, 10),
            cell(&c.subject),
            cell(&c.standing()),
            c.ai_lines_added,
            c.lines_added,
            cell(c.policy_summary.as_deref().unwrap_or("not checked")),
        );
    }
    if commits.len() > MAX_COMMITS {
        let _ = writeln!(
            out,
            "| … | {} not shown (`git vouch log` lists every commit) | | | | |",
            counted(commits.len() - MAX_COMMITS, "older commit", "older commits")
        );
    }
    out
}

/// Each session once, with the commits it made.
fn sessions_table(commits: &[CommitEntry]) -> String {
    let mut by_id: BTreeMap<&str, (&SessionEntry, Vec<&str>)> = BTreeMap::new();
    for c in commits {
        for s in &c.sessions {
            by_id.entry(&s.id).or_insert((s, Vec::new())).1.push(&c.sha);
        }
    }
    if by_id.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\n### Agent sessions\n\n| Session | Agent | Models | Tokens | Cost | Health | Commits |\n| --- | --- | --- | --- | --- | --- | --- |\n",
    );
    let more = by_id.len().saturating_sub(MAX_COMMITS);
    for (id, (s, shas)) in by_id.into_iter().take(MAX_COMMITS) {
        let health = match (s.health, &s.grade) {
            (Some(h), Some(g)) => format!(
                "{g} {h} ({})",
                plural(s.findings as u64, "finding", "findings")
            ),
            _ => "—".to_owned(),
        };
        let commits: Vec<String> = shas.iter().map(|c| format!("`{}`", short(c, 10))).collect();
        let _ = writeln!(
            out,
            "| `{}` {} | {} {} | {} | {} | {} | {health} | {} |",
            short(id, 8),
            cell(s.title.as_deref().unwrap_or("")),
            cell(&s.agent),
            cell(&s.agent_version),
            cell(
                &s.models
                    .iter()
                    .map(|m| super::model(m))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            super::tokens(s.total_tokens),
            s.cost_usd
                .as_deref()
                .map_or_else(|| "no price".to_owned(), |c| format!("${c}")),
            commits.join(" "),
        );
    }
    if more > 0 {
        let _ = writeln!(
            out,
            "| … | {} not shown | | | | | |",
            plural(more as u64, "session", "sessions")
        );
    }
    out
}

fn violations(commits: &[CommitEntry]) -> String {
    let all: Vec<String> = commits
        .iter()
        .flat_map(|c| {
            c.policies
                .iter()
                .map(move |p| format!("- `{}` {}", short(&c.sha, 10), cell(p)))
        })
        .collect();
    if all.is_empty() {
        return String::new();
    }
    format!("\n### Policy violations\n\n{}\n", all.join("\n"))
}

fn short(s: &str, n: usize) -> &str {
    &s[..s.len().min(n)]
}

/// Text in a table cell: one line, pipes escaped, Markdown's own marks taken literally.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\n' | '\r' | '\t' => out.push(' '),
            '|' | '\\' | '*' | '_' | '`' | '<' | '>' | '[' | ']' | '#' => {
                out.push('\\');
                out.push(ch);
            }
            c => out.push(c),
        }
    }
    out
}

/// Text inside backticks: backticks and line breaks cannot appear there.
fn code(text: &str) -> String {
    text.chars()
        .map(|c| if c == '`' || c == '\n' { '\'' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{MAX_COMMITS, cell, code, markdown};
    use crate::provenance::{Attestation, BranchLog, CommitEntry, LogTotals};

    #[test]
    fn a_long_range_stays_within_a_comment() {
        let commit = |i: usize| CommitEntry {
            sha: format!("{i:040x}"),
            subject: format!("change {i} | with a pipe"),
            author: "a".into(),
            committed_at: chrono::DateTime::default(),
            attestation: Attestation::Unsigned,
            source: "none",
            sessions: Vec::new(),
            lines_added: 1,
            ai_lines_added: 0,
            policy_summary: None,
            policies: Vec::new(),
            carried: None,
            hunk_reviews: Vec::new(),
            statements: Vec::new(),
            session_evidence: Vec::new(),
            redactions: std::collections::BTreeMap::new(),
        };
        let commits: Vec<CommitEntry> = (0..MAX_COMMITS + 7).map(commit).collect();
        let log = BranchLog {
            schema: "git-vouch/log@1",
            range: "main..big".into(),
            base: None,
            tip: String::new(),
            branch: None,
            base_ref: None,
            totals: LogTotals {
                commits: commits.len(),
                unsigned: commits.len(),
                ..LogTotals::default()
            },
            commits,
            warnings: Vec::new(),
        };
        let md = markdown(&log, "git vouch verify main..big");
        assert!(
            md.contains("**0 of 107 commits have a verified signature** (107 unsigned)"),
            "{md}"
        );
        assert_eq!(md.matches("| unsigned |").count(), MAX_COMMITS);
        assert!(md.contains("| … | 7 older commits not shown"), "{md}");
        assert!(md.contains("change 0 \\| with a pipe"), "{md}");
        assert!(md.len() < 65_536, "{}", md.len());
    }

    #[test]
    fn cells_keep_tables_whole_and_marks_literal() {
        assert_eq!(cell("a | b\nc"), "a \\| b c");
        assert_eq!(cell("fix *all* `x` <b>"), "fix \\*all\\* \\`x\\` \\<b\\>");
        assert_eq!(code("a`b\nc"), "a'b'c");
    }
}
