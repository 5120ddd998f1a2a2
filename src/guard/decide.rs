//! From an assessment to a decision, by the repository's mode (`git config vouch.guard`), and the
//! decision as Claude Code's PreToolUse hook output. A decision is made on purpose: when the guard
//! cannot assess a call it asks (fails safe), and it never answers `allow`, which would skip the
//! person's own permission rules; "no objection" is printing nothing.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::assess::Assessment;
use super::rules::Level;

/// `git config vouch.guard`: how far the guard goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Nothing is classified or recorded.
    Off,
    /// Classify and record every call; never interfere.
    #[default]
    Observe,
    /// Ask the person before critical calls.
    Ask,
    /// Deny critical calls, ask before high ones; where nobody can answer, deny those too.
    Enforce,
}

/// What the guard answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No objection: Claude Code's own permission rules decide.
    Allow,
    Ask,
    Deny,
}

/// A decision and the reason given to the person and the agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub verdict: Verdict,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("vouch.guard is `{0}`; it takes off, observe, ask or enforce")]
pub struct ModeError(pub String);

impl FromStr for Mode {
    type Err = ModeError;
    fn from_str(s: &str) -> Result<Self, ModeError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "off" | "false" | "no" => Ok(Self::Off),
            "observe" => Ok(Self::Observe),
            "ask" => Ok(Self::Ask),
            "enforce" | "true" | "yes" => Ok(Self::Enforce),
            _ => Err(ModeError(s.to_owned())),
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Off => "off",
            Self::Observe => "observe",
            Self::Ask => "ask",
            Self::Enforce => "enforce",
        })
    }
}

/// The decision on an assessed call. `interactive`: a person can answer Claude Code's prompt
/// (not `claude -p`, not CI).
pub fn decide(mode: Mode, assessment: &Assessment, interactive: bool) -> Decision {
    let level = assessment.level;
    let verdict = match (mode, level) {
        (Mode::Ask, Level::Critical) => Verdict::Ask,
        (Mode::Enforce, Level::High) if interactive => Verdict::Ask,
        (Mode::Enforce, Level::High | Level::Critical) => Verdict::Deny,
        _ => Verdict::Allow,
    };
    let reason = (verdict != Verdict::Allow).then(|| reason(verdict, assessment, interactive));
    Decision { verdict, reason }
}

/// The decision when the call could not be assessed (a broken rules file, an internal error):
/// ask, unless the mode never interferes, and say why.
pub fn cannot_assess(mode: Mode, why: &str, interactive: bool) -> Decision {
    let verdict = match mode {
        Mode::Off | Mode::Observe => Verdict::Allow,
        Mode::Enforce if !interactive => Verdict::Deny,
        Mode::Ask | Mode::Enforce => Verdict::Ask,
    };
    let reason = (verdict != Verdict::Allow).then(|| {
        format!("git-vouch guard could not assess this call ({why}), so a person has to decide")
    });
    Decision { verdict, reason }
}

fn reason(verdict: Verdict, a: &Assessment, interactive: bool) -> String {
    let mut worst: Vec<String> = a
        .findings
        .iter()
        .filter(|f| f.level == a.level)
        .map(|f| {
            format!(
                "{} (`{}`, rule {})",
                f.reason,
                clip(&f.subject, 120),
                f.rule
            )
        })
        .collect();
    worst.dedup();
    let what = worst.join("; ");
    let level = a.level.label();
    match verdict {
        Verdict::Deny if !interactive && a.level < Level::Critical => format!(
            "git-vouch guard denied this {level}-risk call because nobody can approve it here: {what}. Do it another way, or ask the person to run it."
        ),
        Verdict::Deny => format!(
            "git-vouch guard denied this {level}-risk call: {what}. Do not retry it; change approach or ask the person."
        ),
        _ => format!("git-vouch guard: {level} risk: {what}"),
    }
}

fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

/// What the PreToolUse hook prints for a decision (nothing for "no objection").
pub fn hook_output(decision: &Decision) -> Option<Value> {
    let verdict = match decision.verdict {
        Verdict::Allow => return None,
        Verdict::Ask => "ask",
        Verdict::Deny => "deny",
    };
    Some(json!({
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": verdict,
            "permissionDecisionReason": decision.reason.clone().unwrap_or_default(),
        }
    }))
}

#[cfg(test)]
mod tests;
