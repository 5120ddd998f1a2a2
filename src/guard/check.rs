//! One tool call checked from start to finish, as the PreToolUse hook needs it: the repository's
//! rules, the assessment and the decision, timed, and the record the ledger keeps. Whatever goes
//! wrong on the way (a broken rules file, an unknown `vouch.guard` value; the hook adds a panic)
//! becomes a decision made on purpose by [`cannot_assess`], never a silent allow.

use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::assess::assess;
use super::decide::{Decision, GuardMode, Verdict, cannot_assess, decide, repeated};
use super::paths::Place;
use super::policy::{self, PolicyDecision, PolicyInput};
use super::rules::{Category, Level, Rules};
use super::watch::Hold;
use crate::redact::detect::Detector;

/// A tool call about to run.
pub struct Call<'a> {
    pub tool: &'a str,
    pub input: &'a Value,
    pub place: Place,
    /// How many times in a row this same call just failed in its thread (the loop breaker's
    /// count, from the ledger).
    pub failed_before: u32,
}

/// What the ledger keeps of one guarded call (`events/<session>.jsonl`, field `guard` of the
/// PreToolUse line): enough to audit the decision afterwards without the rules that made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuardRecord {
    /// The mode in force (`vouch.guard`).
    pub mode: GuardMode,
    pub level: Level,
    /// The categories of the findings, each once, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
    /// The ids of the rules that matched, each once, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
    pub verdict: Verdict,
    /// The reason given to the person and the agent (none for "no objection").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Whether a person could answer Claude Code's prompt.
    pub interactive: bool,
    /// Whether the repository's guard policy made the decision.
    #[serde(default, skip_serializing_if = "is_false")]
    pub by_policy: bool,
    /// How many times in a row the same call had just failed, when it had.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failed_before: u32,
    /// Why the call could not be assessed, when it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// How long the check took, in microseconds (rules loaded, parsed, assessed, decided).
    pub micros: u64,
    /// When the call was held for a person at `git vouch watch`: the answer, or why none came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held: Option<Hold>,
}

/// The outcome of a check: the decision and what the ledger keeps.
pub struct Checked {
    pub decision: Decision,
    pub record: GuardRecord,
}

/// Checks `call` under `mode` (or the error that made the mode unreadable: then the guard asks)
/// with the rules of `worktree`. `interactive`: a person can answer Claude Code's prompt.
pub fn check(
    mode: Result<GuardMode, String>,
    call: &Call<'_>,
    worktree: &Path,
    interactive: bool,
    secrets: Option<&Detector>,
) -> Checked {
    let started = Instant::now();
    let rules = Rules::for_repository(worktree).map_err(|e| e.to_string());
    check_with(mode, call, rules.as_ref(), interactive, secrets, started)
}

/// [`check`] with the rules already loaded (or why they could not be), timed from `started`.
pub fn check_with(
    mode: Result<GuardMode, String>,
    call: &Call<'_>,
    rules: Result<&Rules, &String>,
    interactive: bool,
    secrets: Option<&Detector>,
    started: Instant,
) -> Checked {
    let mode = match mode {
        Ok(mode) => mode,
        Err(why) => return unassessed(GuardMode::Ask, why, interactive, started),
    };
    let rules = match rules {
        Ok(rules) => rules,
        Err(e) => return unassessed(mode, e.clone(), interactive, started),
    };
    let assessment = assess(rules, call.tool, call.input, &call.place, secrets);
    let mut decision = decide(mode, &assessment, interactive);
    let categories = distinct(assessment.findings.iter().map(|f| f.category));
    let mut by_policy = false;
    let mut error = None;
    // The repository's policy, on a flagged call, where the mode lets the guard interfere.
    if let (Some(worktree), false, GuardMode::Ask | GuardMode::Enforce) = (
        call.place.repository.as_deref(),
        assessment.findings.is_empty(),
        mode,
    ) {
        let input = PolicyInput {
            tool: call.tool,
            input: call.input,
            level: assessment.level,
            categories: &categories,
            findings: &assessment.findings,
            mode,
            interactive,
            cwd: &call.place.cwd,
        };
        match policy::decide(worktree, &input) {
            Ok(Some(answer)) => {
                decision = by_the_policy(mode, &answer, interactive);
                by_policy = true;
            }
            Ok(None) => {}
            Err(e) => {
                decision = cannot_assess(mode, &e.to_string(), interactive);
                error = Some(e.to_string());
            }
        }
    }
    let limit = rules.max_repeated_failures;
    if limit > 0 && call.failed_before >= limit {
        decision = repeated(mode, call.failed_before).unwrap_or(decision);
    }
    let record = GuardRecord {
        mode,
        level: assessment.level,
        categories,
        rules: distinct(assessment.findings.iter().map(|f| f.rule.clone())),
        verdict: decision.verdict,
        reason: decision.reason.clone(),
        interactive,
        by_policy,
        failed_before: call.failed_before,
        error,
        micros: micros_since(started),
        held: None,
    };
    Checked { decision, record }
}

/// The check of a call that could not be assessed (`why`: a broken rules file, an unreadable
/// mode, an internal error): [`cannot_assess`] decides, and the record says why.
pub fn unassessed(mode: GuardMode, why: String, interactive: bool, started: Instant) -> Checked {
    let decision = cannot_assess(mode, &why, interactive);
    let record = GuardRecord {
        mode,
        level: Level::default(),
        categories: Vec::new(),
        rules: Vec::new(),
        verdict: decision.verdict,
        reason: decision.reason.clone(),
        interactive,
        by_policy: false,
        failed_before: 0,
        error: Some(why),
        micros: micros_since(started),
        held: None,
    };
    Checked { decision, record }
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference.
fn is_zero(n: &u32) -> bool {
    *n == 0
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference.
fn is_false(b: &bool) -> bool {
    !*b
}

/// The policy's answer as the guard's decision: an `ask` nobody can answer is a denial under
/// `enforce`, as the guard's own decisions are.
fn by_the_policy(mode: GuardMode, answer: &PolicyDecision, interactive: bool) -> Decision {
    let verdict = match answer.verdict {
        Verdict::Ask if !interactive && mode == GuardMode::Enforce => Verdict::Deny,
        v => v,
    };
    let reason = (verdict != Verdict::Allow).then(|| {
        format!(
            "git-vouch guard policy ({}): {}",
            policy::FILE,
            answer.reason
        )
    });
    Decision { verdict, reason }
}

fn micros_since(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX)
}

fn distinct<T: PartialEq>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut out = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// Whether a person can answer a prompt in the session that runs this hook. Claude Code tells its
/// hooks how it was started in `CLAUDE_CODE_ENTRYPOINT`: `cli` at a terminal, `sdk-…` for
/// `claude -p` and the SDKs, where nobody is asked. CI (`CI` set to anything but `false`/`0`) is
/// never interactive. Without the variable (an older CLI) a person is assumed, so `enforce` asks
/// rather than denies high-risk calls; Claude Code refuses an unanswerable `ask` anyway.
pub fn interactive(entrypoint: Option<&str>, ci: Option<&str>) -> bool {
    let in_ci = ci.is_some_and(|v| !matches!(v.trim(), "" | "0" | "false" | "FALSE" | "False"));
    let sdk = entrypoint.is_some_and(|e| e.trim().starts_with("sdk"));
    !in_ci && !sdk
}

#[cfg(test)]
mod tests;
