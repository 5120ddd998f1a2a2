//! Insights: what went wrong in a session, found by deterministic detectors over the session
//! model, each with its thresholds in `assets/insights.toml` ([`rules`]) and the exact calls
//! behind it, and a health score from documented penalties.
//!
//! The detectors of this first step: loops (the same call, tool and whole input, again and
//! again in a thread: the guard's loop breaker compares calls by the same key), retry storms
//! (many failures close together), tools that fail often (their errors classified), sessions
//! abandoned on a failure streak or an unanswered prompt, and completions claimed without a test
//! run after the last edit. All are measured from what the transcript records.

pub mod detect;
pub mod rules;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::session::detail::SessionDetail;

pub use rules::{Rules, RulesError};

/// The JSON document's schema name.
pub const SCHEMA: &str = "git-vouch/insights@1";

/// What found a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Detector {
    Loop,
    RetryStorm,
    ToolErrors,
    Abandoned,
    UnansweredPrompt,
    UnverifiedCompletion,
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
        }
    }
}

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
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
    /// The tool-use ids of the calls behind it, in order.
    pub calls: Vec<String>,
    pub suggestion: String,
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
    /// Per tool that was called, by name.
    pub tool_errors: Vec<ToolErrors>,
}

/// Runs every detector over a session.
pub fn of_session(rules: &Rules, detail: &SessionDetail) -> Insights {
    let tool_errors = detect::tool_errors(rules, detail);
    let mut findings = Vec::new();
    findings.extend(detect::loops(rules, detail));
    findings.extend(detect::retry_storms(rules, detail));
    findings.extend(detect::failing_tools(rules, detail, &tool_errors));
    findings.extend(detect::abandonment(rules, detail));
    findings.extend(detect::unverified_completion(rules, detail));
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
