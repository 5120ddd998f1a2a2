//! Which sessions a report covers.

use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};

use crate::session::SessionSummary;
use crate::transcript::agent::Agent;

/// Restrictions on the sessions listed; all are optional.
#[derive(Debug, Clone, Default)]
pub struct SessionFilter {
    /// Only sessions whose working directory is this folder or inside it.
    pub project: Option<PathBuf>,
    /// Only sessions active at or after this instant.
    pub since: Option<DateTime<Utc>>,
    /// Only sessions that started before this instant.
    pub until: Option<DateTime<Utc>>,
    /// Only sessions of these agents (empty: every agent).
    pub agents: Vec<Agent>,
}

impl SessionFilter {
    pub fn matches(&self, s: &SessionSummary) -> bool {
        if !self.agents.is_empty() && !self.agents.contains(&s.agent) {
            return false;
        }
        if let Some(project) = &self.project
            && !in_project(s, project)
        {
            return false;
        }
        if let Some(since) = self.since
            && s.end.or(s.start).is_some_and(|t| t < since)
        {
            return false;
        }
        if let Some(until) = self.until
            && s.start.is_some_and(|t| t >= until)
        {
            return false;
        }
        true
    }
}

/// Claude Code's project folder name for a working directory: every character outside
/// `[A-Za-z0-9]` becomes `-`.
pub fn encode_project_dir(path: &Path) -> String {
    path.to_string_lossy()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

fn in_project(s: &SessionSummary, project: &Path) -> bool {
    match &s.cwd {
        Some(cwd) => Path::new(cwd).starts_with(project),
        // Claude Code names its project folders after the working directory; older Gemini CLI
        // releases after its SHA-256.
        None => match s.agent {
            Agent::ClaudeCode => s.project == encode_project_dir(project),
            Agent::Gemini => {
                s.project == crate::fingerprint::sha256_hex(project.to_string_lossy().as_bytes())
            }
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_claude_code() {
        assert_eq!(
            encode_project_dir(Path::new("/home/u/.agents")),
            "-home-u--agents"
        );
        assert_eq!(
            encode_project_dir(Path::new("/home/u/my_repo")),
            "-home-u-my-repo"
        );
    }

    #[test]
    fn project_and_dates() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let s = SessionSummary {
            cwd: Some("/w/app/sub".into()),
            start: Some(t("2026-03-01T10:00:00Z")),
            end: Some(t("2026-03-01T12:00:00Z")),
            ..SessionSummary::default()
        };
        let f = |p: &str| SessionFilter {
            project: Some(p.into()),
            ..SessionFilter::default()
        };
        assert!(f("/w/app").matches(&s));
        assert!(!f("/w/ap").matches(&s));
        let since = SessionFilter {
            since: Some(t("2026-03-01T11:00:00Z")),
            ..SessionFilter::default()
        };
        assert!(since.matches(&s));
        let until = SessionFilter {
            until: Some(t("2026-03-01T10:00:00Z")),
            ..SessionFilter::default()
        };
        assert!(!until.matches(&s));
    }

    /// Sessions without a working directory: a Claude Code project folder names it encoded, an
    /// older Gemini CLI one by its SHA-256; other agents' never match. `--agent` narrows too.
    #[test]
    fn project_folders_and_agents() {
        let f = |p: &str| SessionFilter {
            project: Some(p.into()),
            ..SessionFilter::default()
        };
        let gemini = SessionSummary {
            agent: Agent::Gemini,
            project: crate::fingerprint::sha256_hex(b"/w/app"),
            ..SessionSummary::default()
        };
        assert!(f("/w/app").matches(&gemini));
        assert!(!f("/w/other").matches(&gemini));
        let codex = SessionSummary {
            agent: Agent::Codex,
            project: "codex".into(),
            ..SessionSummary::default()
        };
        assert!(!f("/w/app").matches(&codex));
        let only_codex = SessionFilter {
            agents: vec![Agent::Codex],
            ..SessionFilter::default()
        };
        assert!(only_codex.matches(&codex) && !only_codex.matches(&gemini));
    }
}
