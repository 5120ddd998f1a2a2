//! Insights: what went wrong in a session, found by deterministic detectors over its
//! [`trace::Trace`] (the tool calls, requests, compactions and ending the summary scan keeps),
//! each with its thresholds in `assets/insights.toml` ([`rules`]) and the exact calls behind it,
//! and a health score from documented penalties.
//!
//! - failures ([`detect`]): loops (the same call, tool and whole input, again and again in a
//!   thread; the guard's loop breaker compares calls by the same key), retry storms, tools that
//!   fail often (their errors classified), sessions abandoned on a failure streak or an unanswered
//!   prompt, and completions claimed without a test run after the last edit;
//! - context and money ([`usage`]): context pressure against the model's window, compactions (in
//!   the middle of work, and the compaction call the transcript never records, estimated), costly
//!   outlier requests, cache thrash, and sessions that cost money and delivered nothing;
//! - churn and waste ([`waste`]): edits undone, a file edited again and again, files read again
//!   unchanged, very large outputs, reads of build output.
//!
//! The session model runs them while it sums a session up, so every list, report and screen shows
//! the same findings, and the index keeps them.

pub mod detect;
pub mod rules;
pub mod trace;
pub mod usage;
pub mod waste;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use serde::{Deserialize, Serialize};

pub use rules::{Rules, RulesError};
pub use trace::Trace;

/// The JSON document's schema name.
pub const SCHEMA: &str = "git-vouch/insights@1";

/// What found a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Detector {
    Loop,
    RetryStorm,
    ToolErrors,
    Abandoned,
    UnansweredPrompt,
    UnverifiedCompletion,
    EditChurn,
    ContextPressure,
    Compaction,
    UnrecordedCompaction,
    CostOutlier,
    CacheThrash,
    NoDelivery,
    Reread,
    LargeOutput,
    BuildFolderRead,
}

impl Detector {
    /// The id in every screen, command and document.
    pub fn label(self) -> &'static str {
        match self {
            Self::Loop => "loop",
            Self::RetryStorm => "retry_storm",
            Self::ToolErrors => "tool_errors",
            Self::Abandoned => "abandoned",
            Self::UnansweredPrompt => "unanswered_prompt",
            Self::UnverifiedCompletion => "unverified_completion",
            Self::EditChurn => "edit_churn",
            Self::ContextPressure => "context_pressure",
            Self::Compaction => "compaction",
            Self::UnrecordedCompaction => "unrecorded_compaction",
            Self::CostOutlier => "cost_outlier",
            Self::CacheThrash => "cache_thrash",
            Self::NoDelivery => "no_delivery",
            Self::Reread => "reread",
            Self::LargeOutput => "large_output",
            Self::BuildFolderRead => "build_folder_read",
        }
    }
}

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; costs no health.
    Info,
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}

/// How sure a detector is that what it found is a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// The records say it (failed calls, identical calls).
    High,
    /// Read from words (an answer claiming success).
    Medium,
}

/// Whether a finding's figures are read from the records or estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    Measured,
    Estimated,
}

/// One thing that went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The detector that found it.
    pub id: Detector,
    pub title: String,
    pub severity: Severity,
    pub confidence: Confidence,
    pub basis: Basis,
    /// The sub-agent it happened in; `None` on the main thread.
    pub agent_id: Option<String>,
    /// When it happened (its first call, or the request or compaction behind it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<DateTime<Utc>>,
    /// The tool-use ids of the calls behind it, in order: at most [`MAX_CALLS`] (the title
    /// gives the count).
    pub calls: Vec<String>,
    pub suggestion: String,
}

/// The most calls a finding lists.
pub const MAX_CALLS: usize = 10;

/// A measured finding with high confidence, to be completed by its detector.
pub fn finding(id: Detector, title: String, severity: Severity, thread: Option<&str>) -> Finding {
    Finding {
        id,
        title,
        severity,
        confidence: Confidence::High,
        basis: Basis::Measured,
        agent_id: thread.map(str::to_owned),
        at: None,
        calls: Vec::new(),
        suggestion: String::new(),
    }
}

/// The time of `ms` since the epoch; `None` for 0 (unknown).
pub fn time(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms).filter(|_| ms > 0)
}

/// How one tool's calls ended.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolErrors {
    pub tool: String,
    pub calls: u64,
    pub failed: u64,
    /// Failed calls by error class (`user_rejected`, `file_not_read`, `string_not_found`,
    /// `invalid_input`, `not_found`, `permission`, `timeout`, `syntax_or_runtime`, `other`).
    pub classes: BTreeMap<String, u64>,
}

impl ToolErrors {
    /// Failed calls per hundred.
    pub fn rate_percent(&self) -> u64 {
        (self.failed * 100).checked_div(self.calls).unwrap_or(0)
    }
}

/// A session's insights.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Insights {
    /// The version of the thresholds they were computed with.
    pub rules_version: u32,
    /// 0–100: 100 less each finding's penalty.
    pub health: u32,
    pub grade: String,
    /// Most severe first, then in the order found.
    pub findings: Vec<Finding>,
    /// Per tool that failed at least once, by name.
    pub tool_errors: Vec<ToolErrors>,
}

/// A session's health as every list shows it: the score, its grade and how many findings each
/// detector made. The findings themselves are read only by the screens that show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// 0–100, as [`Insights::health`].
    pub score: u32,
    pub grade: String,
    /// Findings by detector.
    pub findings: BTreeMap<Detector, u32>,
}

impl Health {
    pub fn of(insights: &Insights) -> Self {
        let mut findings = BTreeMap::new();
        for f in &insights.findings {
            *findings.entry(f.id).or_default() += 1;
        }
        Self {
            score: insights.health,
            grade: insights.grade.clone(),
            findings,
        }
    }
}

/// Runs every detector over a session.
pub fn of_trace(rules: &Rules, trace: &Trace<'_>) -> Insights {
    let tool_errors = detect::tool_errors(rules, trace);
    let mut findings = Vec::new();
    findings.extend(detect::loops(rules, trace));
    findings.extend(detect::retry_storms(rules, trace));
    findings.extend(detect::failing_tools(rules, trace, &tool_errors));
    findings.extend(detect::abandonment(rules, trace));
    findings.extend(detect::unverified_completion(rules, trace));
    findings.extend(waste::churn(rules, trace));
    findings.extend(usage::context_pressure(rules, trace));
    findings.extend(usage::compactions(rules, trace));
    findings.extend(usage::cost_outliers(rules, trace));
    findings.extend(usage::cache_thrash(rules, trace));
    findings.extend(usage::no_delivery(rules, trace));
    findings.extend(waste::rereads(rules, trace));
    findings.extend(waste::large_outputs(rules, trace));
    findings.extend(waste::build_folder_reads(rules, trace));
    for f in &mut findings {
        f.calls.truncate(MAX_CALLS);
        f.calls.shrink_to_fit();
        if f.at.is_none() {
            let first = f.calls.first();
            let call = first.and_then(|id| trace.calls.iter().find(|c| c.id == id.as_str()));
            f.at = call.and_then(|c| time(c.ts_ms));
        }
    }
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let (health, grade) = health(rules, &findings);
    Insights {
        rules_version: rules.version,
        health,
        grade,
        findings,
        tool_errors,
    }
}

/// 100 less the penalties of the findings' severities (never below 0), and its grade.
pub fn health(rules: &Rules, findings: &[Finding]) -> (u32, String) {
    let h = &rules.health;
    let lost: u32 = findings
        .iter()
        .map(|f| match f.severity {
            Severity::High => h.high,
            Severity::Medium => h.medium,
            Severity::Low => h.low,
            Severity::Info => h.info,
        })
        .sum();
    let score = 100u32.saturating_sub(lost);
    let grade = h
        .grades
        .iter()
        .find(|(min, _)| score >= *min)
        .map_or_else(|| "F".to_owned(), |(_, g)| g.clone());
    (score, grade)
}

#[cfg(test)]
mod tests;
