//! The typed result of a policy check, recorded in the evidence (and so signed with it), printed
//! by `git vouch policy check`, and shown by the explorer and the review screen. It lives with the
//! evidence it is part of; `policy` produces it.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

/// Every policy's outcome over one evidence document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyReport {
    pub policies: Vec<PolicyResult>,
    /// Violations over all policies.
    pub violations: usize,
    /// Policies that could not be evaluated (syntax or runtime error, limit reached).
    pub errors: usize,
}

/// One policy's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyResult {
    /// The built-in's name, or the file name without extension (plus `#N` for the N-th policy
    /// of a chainloop file holding several).
    pub name: String,
    /// `builtin` or the file, relative to the repository.
    pub source: String,
    /// `rego` (input: the evidence document) or `chainloop` (input: one chainloop material per
    /// session).
    pub kind: String,
    /// sha256 of the Rego source that ran.
    pub sha256: String,
    /// `pass`, `violated`, `skipped` or `error`.
    pub status: String,
    pub violations: Vec<Violation>,
    /// Why the policy did not apply (`skipped`).
    pub skip_reason: Option<String>,
    /// `file:line:column: message` for syntax and runtime errors and reached limits.
    pub error: Option<String>,
}

/// One violation message, for one session or for the whole push (`session: null`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub session: Option<String>,
    pub message: String,
}

impl PolicyResult {
    pub fn is_violated(&self) -> bool {
        !self.violations.is_empty()
    }

    pub fn is_error(&self) -> bool {
        self.error.is_some()
    }
}

impl PolicyReport {
    /// A report from results, with the counts filled in.
    pub fn new(policies: Vec<PolicyResult>) -> Self {
        let violations = policies.iter().map(|p| p.violations.len()).sum();
        let errors = policies.iter().filter(|p| p.is_error()).count();
        Self {
            policies,
            violations,
            errors,
        }
    }

    pub fn has_violations(&self) -> bool {
        self.violations > 0
    }

    /// Violations of one session (`None`: those about the whole push), with their policy.
    pub fn for_session(&self, session: Option<&str>) -> Vec<(&str, &Violation)> {
        self.policies
            .iter()
            .flat_map(|p| p.violations.iter().map(move |v| (p.name.as_str(), v)))
            .filter(|(_, v)| v.session.as_deref() == session)
            .collect()
    }

    /// Plain text: one line per policy, its violations and errors indented below it.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        for p in &self.policies {
            let _ = writeln!(out, "{:<9} {} ({})", p.status, p.name, p.source);
            for v in &p.violations {
                let who = v
                    .session
                    .as_deref()
                    .map_or_else(|| "push".to_owned(), |s| s.chars().take(8).collect());
                let _ = writeln!(out, "          {who}: {}", v.message);
            }
            if let Some(e) = &p.error {
                let _ = writeln!(out, "          error: {e}");
            }
            if let Some(r) = &p.skip_reason {
                let _ = writeln!(out, "          skipped: {r}");
            }
        }
        let _ = writeln!(out, "{}", self.summary());
        out
    }

    /// One line: how many policies ran, passed, were violated or failed.
    pub fn summary(&self) -> String {
        use crate::words::counted;
        let count = |s: &str| self.policies.iter().filter(|p| p.status == s).count();
        format!(
            "{}: {} passed, {} violated ({}), {} skipped, {}",
            counted(self.policies.len(), "policy", "policies"),
            count("pass"),
            count("violated"),
            counted(self.violations, "violation", "violations"),
            count("skipped"),
            counted(self.errors, "error", "errors")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(name: &str, status: &str, violations: usize) -> PolicyResult {
        PolicyResult {
            name: name.into(),
            source: "builtin".into(),
            kind: "rego".into(),
            sha256: String::new(),
            status: status.into(),
            violations: (0..violations)
                .map(|i| Violation {
                    session: None,
                    message: format!("v{i}"),
                })
                .collect(),
            skip_reason: None,
            error: None,
        }
    }

    #[test]
    fn the_summary_counts_in_words_that_agree_with_the_numbers() {
        let one = PolicyReport::new(vec![result("a", "violated", 1)]);
        assert_eq!(
            one.summary(),
            "1 policy: 0 passed, 1 violated (1 violation), 0 skipped, 0 errors"
        );
        let two = PolicyReport::new(vec![result("a", "pass", 0), result("b", "violated", 2)]);
        assert_eq!(
            two.summary(),
            "2 policies: 1 passed, 1 violated (2 violations), 0 skipped, 0 errors"
        );
    }
}
