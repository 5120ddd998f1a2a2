//! From an assessment to a decision, by the repository's mode (`git config vouch.guard`), and the
//! decision as Claude Code's PreToolUse hook output. A decision is made on purpose: when the guard
//! cannot assess a call it asks (fails safe), and it never answers `allow`, which would skip the
//! person's own permission rules; "no objection" is printing nothing.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::assess::Assessment;
use super::rules::Level;
pub use crate::config::modes::{GuardMode, GuardModeError};

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

/// The decision on an assessed call. `interactive`: a person can answer Claude Code's prompt
/// (not `claude -p`, not CI).
pub fn decide(mode: GuardMode, assessment: &Assessment, interactive: bool) -> Decision {
    let level = assessment.level;
    let verdict = match (mode, level) {
        (GuardMode::Ask, Level::Critical) => Verdict::Ask,
        (GuardMode::Enforce, Level::High) if interactive => Verdict::Ask,
        (GuardMode::Enforce, Level::High | Level::Critical) => Verdict::Deny,
        _ => Verdict::Allow,
    };
    let reason = (verdict != Verdict::Allow).then(|| reason(verdict, assessment, interactive));
    Decision { verdict, reason }
}

/// The decision when the call could not be assessed (a broken rules file, an internal error):
/// ask, unless the mode never interferes, and say why.
pub fn cannot_assess(mode: GuardMode, why: &str, interactive: bool) -> Decision {
    let verdict = match mode {
        GuardMode::Off | GuardMode::Observe => Verdict::Allow,
        GuardMode::Enforce if !interactive => Verdict::Deny,
        GuardMode::Ask | GuardMode::Enforce => Verdict::Ask,
    };
    let reason = (verdict != Verdict::Allow).then(|| {
        format!("git-vouch guard could not assess this call ({why}), so a person has to decide")
    });
    Decision { verdict, reason }
}

/// The loop breaker's decision on a call that just failed `failures` times in a row, unchanged:
/// denied under `ask` and `enforce` (`None`: the mode never interferes).
pub fn repeated(mode: GuardMode, failures: u32) -> Option<Decision> {
    matches!(mode, GuardMode::Ask | GuardMode::Enforce).then(|| Decision {
        verdict: Verdict::Deny,
        reason: Some(format!(
            "git-vouch guard denied this call: the same call, with the same input, just failed {failures} times in a row. Do not run it again unchanged; read the error, change the approach, or ask the person."
        )),
    })
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

/// What the PreToolUse hook prints when a person allowed the call at `git vouch watch`: an
/// explicit `allow`, which lets this one call skip Claude Code's own prompt.
pub fn approved_output(reason: &str) -> Value {
    json!({
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "allow",
            "permissionDecisionReason": reason,
        }
    })
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
