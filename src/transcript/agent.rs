//! Which coding agent wrote a transcript. Every session, transcript file and piece of evidence
//! names its agent, so readers of other agents can be added beside Claude Code's.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A coding agent whose transcripts git-vouch reads.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Agent {
    /// Anthropic's Claude Code CLI.
    #[default]
    ClaudeCode,
    /// OpenAI's Codex CLI.
    Codex,
    /// Google's Gemini CLI.
    Gemini,
    /// opencode (sst/opencode, now anomalyco/opencode).
    OpenCode,
}

impl Agent {
    /// The stable identifier written to evidence and records (`claude-code`).
    pub const fn id(self) -> &'static str {
        match self {
            Self::ClaudeCode => "claude-code",
            Self::Codex => "codex",
            Self::Gemini => "gemini-cli",
            Self::OpenCode => "opencode",
        }
    }

    /// The name shown to people (`Claude Code`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::ClaudeCode => "Claude Code",
            Self::Codex => "Codex CLI",
            Self::Gemini => "Gemini CLI",
            Self::OpenCode => "opencode",
        }
    }

    /// The agent an identifier names; `None` for one this build does not know.
    pub fn parse(id: &str) -> Option<Self> {
        match id {
            "claude-code" => Some(Self::ClaudeCode),
            "codex" => Some(Self::Codex),
            "gemini-cli" => Some(Self::Gemini),
            "opencode" => Some(Self::OpenCode),
            _ => None,
        }
    }
}

impl fmt::Display for Agent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_identifier_reads_back_and_is_the_serialized_form() {
        let a = Agent::ClaudeCode;
        assert_eq!(Agent::parse(a.id()), Some(a));
        assert_eq!(
            serde_json::to_value(a).unwrap(),
            serde_json::json!("claude-code")
        );
        assert_eq!(
            serde_json::from_value::<Agent>(serde_json::json!("claude-code")).unwrap(),
            a
        );
        assert_eq!(a.name(), "Claude Code");
        assert_eq!(Agent::parse("codex"), Some(Agent::Codex));
        assert_eq!(Agent::Codex.name(), "Codex CLI");
        assert_eq!(Agent::parse("cursor"), None);
        assert_eq!(Agent::default(), Agent::ClaudeCode);
    }
}
