//! A repository's own guard policy: `.vouch/policies/guard.rego` (package `vouch.guard`), whose
//! `decision` maps a flagged call's findings to `allow`, `ask` or `deny` with a reason. It runs
//! on the push policies' engine (regorus), and only when a rule flagged the call, so harmless
//! calls never pay for it. A policy that cannot be read, fails, or answers something else is an
//! error, which the guard turns into a decision made on purpose ([`super::decide::cannot_assess`]).

use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use super::assess::Finding;
use super::decide::{GuardMode, Verdict};
use super::rules::{Category, Level};

/// Where a repository keeps its guard policy.
pub const FILE: &str = ".vouch/policies/guard.rego";
/// The rule the guard asks for.
const RULE: &str = "data.vouch.guard.decision";

/// What the policy sees of a call (its `input`).
#[derive(Debug, Serialize)]
pub struct PolicyInput<'a> {
    pub tool: &'a str,
    pub input: &'a Value,
    pub level: Level,
    pub categories: &'a [Category],
    pub findings: &'a [Finding],
    pub mode: GuardMode,
    /// Whether a person can answer Claude Code's prompt.
    pub interactive: bool,
    pub cwd: &'a Path,
}

/// The policy's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyDecision {
    pub verdict: Verdict,
    pub reason: String,
}

/// Why the policy gave no usable answer.
#[derive(Debug, thiserror::Error)]
pub enum GuardPolicyError {
    #[error("cannot read {FILE}: {0}")]
    Read(#[source] std::io::Error),
    #[error("{FILE}: {0}")]
    Rego(String),
    #[error(
        "{FILE}: `decision` must be {{\"verdict\": \"allow\"|\"ask\"|\"deny\", \"reason\": \"…\"}}, not {0}"
    )]
    Answer(String),
}

/// The decision of `worktree`'s guard policy on `input`: `None` without a policy, or when it
/// leaves `decision` undefined (no opinion).
pub fn decide(
    worktree: &Path,
    input: &PolicyInput<'_>,
) -> Result<Option<PolicyDecision>, GuardPolicyError> {
    let text = match std::fs::read_to_string(worktree.join(FILE)) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(GuardPolicyError::Read(e)),
    };
    let rego = |e: &dyn std::fmt::Display| GuardPolicyError::Rego(e.to_string());
    let mut engine = regorus::Engine::new();
    engine
        .add_policy(FILE.to_owned(), text)
        .map_err(|e| rego(&e))?;
    let json = serde_json::to_string(input).map_err(|e| rego(&e))?;
    engine.set_input(regorus::Value::from_json_str(&json).map_err(|e| rego(&e))?);
    let value = engine.eval_rule(RULE.to_owned()).map_err(|e| rego(&e))?;
    if value == regorus::Value::Undefined {
        return Ok(None);
    }
    let answer = value.to_json_str().map_err(|e| rego(&e))?;
    parse(&answer).map(Some)
}

fn parse(answer: &str) -> Result<PolicyDecision, GuardPolicyError> {
    let json: Value = serde_json::from_str(answer)
        .map_err(|_| GuardPolicyError::Answer(answer.chars().take(200).collect()))?;
    let bad = || GuardPolicyError::Answer(json.to_string().chars().take(200).collect());
    let verdict = match json.get("verdict").and_then(Value::as_str) {
        Some("allow") => Verdict::Allow,
        Some("ask") => Verdict::Ask,
        Some("deny") => Verdict::Deny,
        _ => return Err(bad()),
    };
    let reason = json
        .get("reason")
        .and_then(Value::as_str)
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(bad)?;
    Ok(PolicyDecision {
        verdict,
        reason: reason.to_owned(),
    })
}
