//! What the guard decided during a session, from the PreToolUse lines of its event ledger: how
//! many calls were checked at each level, what was decided, and every high or critical call with
//! its decision and what became of it (Claude Code reports a call that ran with PostToolUse or
//! PostToolUseFailure; a denied or refused call gets neither).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::capture::record::EventRecord;
use crate::capture::state::{StateDir, read_ledger};
use crate::guard::check::GuardRecord;
use crate::guard::decide::{GuardMode, Verdict};
use crate::guard::rules::{Category, Level};
use crate::transcript::hook_event::HookEvent;

/// The guard's account of one session (absent when it checked none of its calls).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuardEvidence {
    /// Calls checked, by level.
    pub levels: LevelCounts,
    /// Decisions, by verdict: `allow` is "no objection" (Claude Code's own permissions decided).
    pub verdicts: VerdictCounts,
    /// Calls the guard could not assess (each was decided by its mode: asked, denied or let be).
    pub unassessed: u64,
    /// Denied calls that ran anyway (see [`GuardedCall::bypassed`]): each is a critical finding.
    #[serde(default)]
    pub bypassed: u64,
    /// Calls a person answered at `git vouch watch` (their answer is the verdict).
    #[serde(default)]
    pub answered: u64,
    /// Every high or critical call, in the order they were made.
    pub calls: Vec<GuardedCall>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelCounts {
    pub low: u64,
    pub medium: u64,
    pub high: u64,
    pub critical: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictCounts {
    pub allow: u64,
    pub ask: u64,
    pub deny: u64,
}

/// What became of a checked call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It ran and succeeded (PostToolUse).
    Ran,
    /// It ran and failed (PostToolUseFailure).
    Failed,
    /// No result was recorded: it was denied, refused or interrupted, or is still running.
    NoResult,
}

impl Outcome {
    /// The words for it in every screen and command.
    pub fn label(self) -> &'static str {
        match self {
            Self::Ran => "ran",
            Self::Failed => "failed",
            Self::NoResult => "no result",
        }
    }
}

impl GuardEvidence {
    /// Calls checked, at every level.
    pub fn checked(&self) -> u64 {
        let l = &self.levels;
        l.low + l.medium + l.high + l.critical
    }

    /// One line of counts: `13 calls checked · 1 critical, 0 high · 1 denied, 0 asked`, then
    /// the calls not assessed and the bypasses when there are any.
    pub fn headline(&self) -> String {
        let mut parts = vec![
            crate::words::plural(self.checked(), "call checked", "calls checked"),
            format!(
                "{} critical, {} high",
                self.levels.critical, self.levels.high
            ),
            format!("{} denied, {} asked", self.verdicts.deny, self.verdicts.ask),
        ];
        if self.answered > 0 {
            parts.push(format!("{} answered at watch", self.answered));
        }
        if self.unassessed > 0 {
            parts.push(format!("{} not assessed", self.unassessed));
        }
        if self.bypassed > 0 {
            parts.push(crate::words::plural(self.bypassed, "bypass", "bypasses"));
        }
        parts.join(" · ")
    }
}

/// One high or critical call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuardedCall {
    pub at: DateTime<Utc>,
    pub tool_use_id: Option<String>,
    pub tool: String,
    /// The sub-agent that made the call; `null` on the main thread.
    pub agent_id: Option<String>,
    /// The command, path or pattern, clipped (redacted with the rest of the document).
    pub summary: Option<String>,
    pub level: Level,
    pub categories: Vec<Category>,
    pub rules: Vec<String>,
    pub mode: GuardMode,
    pub verdict: Verdict,
    pub reason: Option<String>,
    pub outcome: Outcome,
    /// Denied, yet it ran: Claude Code reported its result to the hooks, or the transcript holds
    /// a successful result for it (a denied call's result is the denial). No peer checks this.
    #[serde(default)]
    pub bypassed: bool,
    /// Who answered for the call at `git vouch watch` (the verdict is their answer); absent when
    /// nobody there did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_by: Option<String>,
}

impl GuardedCall {
    /// What became of it, in words: `BYPASSED` when a denied call ran anyway.
    pub fn fate(&self) -> String {
        if self.bypassed {
            "denied, yet it ran: BYPASSED".to_owned()
        } else {
            format!("{}, {}", self.decided_by().label(), self.outcome.label())
        }
    }

    /// A call that ran although nobody was asked: the guard only observed it.
    pub fn ran_unreviewed(&self) -> bool {
        self.verdict == Verdict::Allow
            && self.answered_by.is_none()
            && self.outcome != Outcome::NoResult
    }

    /// Who decided that the call would run or not.
    pub fn decided_by(&self) -> DecidedBy {
        let watched = self.answered_by.is_some();
        match (self.verdict, self.outcome) {
            (Verdict::Allow, _) if watched => DecidedBy::PersonAllowed,
            (Verdict::Deny, _) if watched => DecidedBy::PersonDenied,
            (Verdict::Allow, _) => DecidedBy::Permissions,
            (Verdict::Deny, _) => DecidedBy::Guard,
            (Verdict::Ask, Outcome::NoResult) => DecidedBy::PersonRefusedOrNoAnswer,
            (Verdict::Ask, _) => DecidedBy::PersonAllowed,
        }
    }
}

/// Who decided a checked call's fate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecidedBy {
    /// The guard had no objection: Claude Code's own permission rules decided.
    Permissions,
    /// The guard denied it.
    Guard,
    /// Asked, and a person let it run.
    PersonAllowed,
    /// Asked, and it never ran: the person said no, or nobody answered.
    PersonRefusedOrNoAnswer,
    /// A person denied it at `git vouch watch`.
    PersonDenied,
}

impl DecidedBy {
    /// The words for it in every screen and command.
    pub fn label(self) -> &'static str {
        match self {
            Self::Permissions => "not asked",
            Self::Guard => "denied",
            Self::PersonAllowed => "person allowed",
            Self::PersonRefusedOrNoAnswer => "person refused",
            Self::PersonDenied => "person denied",
        }
    }
}

/// The guard's account of a session with every call it checked, for the explorer's Guard tab.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuardAccount {
    pub evidence: GuardEvidence,
    /// Every checked call, in order (the evidence keeps only the high and critical ones).
    pub timeline: Vec<GuardedCall>,
}

/// [`load`] with the whole timeline, from one reading of the ledger.
pub fn account(state: &StateDir, id: &str, succeeded: &BTreeSet<&str>) -> Option<GuardAccount> {
    let (events, _problems) = read_ledger::<EventRecord>(&state.events_file(id));
    let evidence = of_events(&events, succeeded)?;
    Some(GuardAccount {
        evidence,
        timeline: timeline(&events, succeeded),
    })
}

/// The guard's account of session `id`, from its ledger in `state` (`None`: nothing checked);
/// `succeeded` holds the ids of the calls whose transcript result is a success.
/// Unreadable ledger lines are skipped (capture reports them where it reads them).
pub fn load(state: &StateDir, id: &str, succeeded: &BTreeSet<&str>) -> Option<GuardEvidence> {
    let (events, _problems) = read_ledger::<EventRecord>(&state.events_file(id));
    of_events(&events, succeeded)
}

/// The account from a session's ledger lines and the ids of the calls whose transcript result is
/// a success.
pub fn of_events(events: &[EventRecord], succeeded: &BTreeSet<&str>) -> Option<GuardEvidence> {
    let mut out = GuardEvidence::default();
    let mut any = false;
    for record in events.iter().filter_map(|e| e.guard.as_ref()) {
        any = true;
        out.count(record);
    }
    for call in timeline(events, succeeded) {
        if call.level >= Level::High {
            out.bypassed += u64::from(call.bypassed);
            out.calls.push(call);
        }
    }
    any.then_some(out)
}

/// Every call the guard checked in a session's ledger, in order, with what became of it.
pub fn timeline(events: &[EventRecord], succeeded: &BTreeSet<&str>) -> Vec<GuardedCall> {
    let outcomes: HashMap<&str, Outcome> = events
        .iter()
        .filter_map(|e| {
            let outcome = match HookEvent::parse(&e.event) {
                HookEvent::PostToolUse => Outcome::Ran,
                HookEvent::PostToolUseFailure => Outcome::Failed,
                _ => return None,
            };
            Some((e.tool_use_id.as_deref()?, outcome))
        })
        .collect();
    events
        .iter()
        .filter_map(|e| Some((e, e.guard.as_ref()?)))
        .map(|(event, record)| {
            let id = event.tool_use_id.as_deref();
            let outcome = id
                .and_then(|id| outcomes.get(id).copied())
                .unwrap_or(Outcome::NoResult);
            let mut call = guarded(event, record, outcome);
            call.bypassed = call.verdict == Verdict::Deny
                && (outcome != Outcome::NoResult || id.is_some_and(|id| succeeded.contains(id)));
            call
        })
        .collect()
}

impl GuardEvidence {
    fn count(&mut self, r: &GuardRecord) {
        *match r.level {
            Level::Low => &mut self.levels.low,
            Level::Medium => &mut self.levels.medium,
            Level::High => &mut self.levels.high,
            Level::Critical => &mut self.levels.critical,
        } += 1;
        *match r.verdict {
            Verdict::Allow => &mut self.verdicts.allow,
            Verdict::Ask => &mut self.verdicts.ask,
            Verdict::Deny => &mut self.verdicts.deny,
        } += 1;
        self.unassessed += u64::from(r.error.is_some());
        self.answered += u64::from(r.held.as_ref().is_some_and(|h| h.answer.is_some()));
    }
}

fn guarded(event: &EventRecord, r: &GuardRecord, outcome: Outcome) -> GuardedCall {
    GuardedCall {
        at: event.ts,
        tool_use_id: event.tool_use_id.clone(),
        tool: event.tool.clone().unwrap_or_default(),
        agent_id: event.agent_id.clone(),
        summary: event.summary.clone(),
        level: r.level,
        categories: r.categories.clone(),
        rules: r.rules.clone(),
        mode: r.mode,
        verdict: r.verdict,
        reason: r.reason.clone(),
        outcome,
        bypassed: false,
        answered_by: r
            .held
            .as_ref()
            .filter(|h| h.answer.is_some())
            .and_then(|h| h.by.clone()),
    }
}

#[cfg(test)]
mod tests;
