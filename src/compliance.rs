//! `git vouch report`: a compliance report over a range of commits, for auditors. It is built
//! from the range's verified attestations (each statement's digest and signer shown, with the
//! `git vouch verify` command that re-checks them) and, where nothing was attested, from this
//! clone's own capture data, marked `local`.
//!
//! One [`Report`] is made ([`build`]) and written three ways: its JSON (the data itself), HTML
//! that needs no network or script and embeds that JSON with its sha256 ([`html`]), and PDF laid
//! out by Typst from the same JSON ([`pdf`], feature `pdf`). Frameworks are mapped to controls,
//! never to events, and each mapping says which evidence supports it ([`controls`]).

pub mod build;
pub mod controls;
pub mod html;
#[cfg(feature = "pdf")]
pub mod pdf;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use build::{Inputs, build};

/// The JSON schema name of the report's data.
pub const SCHEMA: &str = "git-vouch/compliance-report@1";

/// Everything a report says.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub title: String,
    pub generated_at: DateTime<Utc>,
    pub generator: Generator,
    pub scope: Scope,
    pub summary: Summary,
    pub controls: Vec<Control>,
    pub commits: Vec<CommitRow>,
    pub usage: Usage,
    pub guard: GuardSection,
    pub findings: Vec<FindingRow>,
    pub redactions: Redactions,
    pub exceptions: Vec<Exception>,
    pub verification: Verification,
    pub method: Vec<String>,
    pub limitations: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Generator {
    pub name: &'static str,
    pub version: &'static str,
}

/// What the report covers.
#[derive(Debug, Clone, Serialize)]
pub struct Scope {
    /// The worktree's folder name (never its local path).
    pub repository: String,
    /// `origin`, without credentials.
    pub remote_url: Option<String>,
    /// The range as asked (`main..feature`, or the dates).
    pub range: String,
    pub base: Option<String>,
    pub tip: String,
    pub branch: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub first_commit_at: Option<DateTime<Utc>>,
    pub last_commit_at: Option<DateTime<Utc>>,
    /// The allowed-signers file the signatures were checked against, and how many keys it
    /// trusts (0: none configured, every signature is untrusted).
    pub allowed_signers: Option<String>,
    pub trusted_keys: usize,
}

/// The headline figures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub commits: usize,
    /// Commits with at least one agent session behind them.
    pub agent_commits: usize,
    pub reviewed: usize,
    pub unreviewed: usize,
    pub unsigned: usize,
    pub untrusted: usize,
    pub invalid: usize,
    pub sessions: usize,
    /// Sessions whose figures come from verified attestations, and from local data only.
    pub sessions_attested: usize,
    pub sessions_local: usize,
    pub total_tokens: u64,
    /// Exact decimal dollars, as every document shows a cost.
    pub cost_usd: String,
    /// Some session's cost is unknown: the total is a lower bound.
    pub cost_incomplete: bool,
    pub guard_checked: u64,
    pub guard_denied: u64,
    pub guard_asked: u64,
    pub guard_bypassed: u64,
    pub findings: usize,
    pub exceptions: usize,
}

/// A control, how it was tested over its population, and what it supports.
#[derive(Debug, Clone, Serialize)]
pub struct Control {
    pub id: &'static str,
    pub title: &'static str,
    pub objective: &'static str,
    /// What was tested, in words (`14 agent commits`).
    pub population: String,
    pub tested: usize,
    pub exceptions: usize,
    pub result: ControlResult,
    /// What the evidence shows, one line each.
    pub evidence: Vec<String>,
    pub mappings: Vec<Mapping>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlResult {
    /// Every item of the population passed.
    Operated,
    /// Some did not: see the exceptions.
    Exceptions,
    /// Nothing to test in this scope.
    NoPopulation,
}

impl ControlResult {
    pub const fn label(self) -> &'static str {
        match self {
            Self::Operated => "operated",
            Self::Exceptions => "exceptions",
            Self::NoPopulation => "no population",
        }
    }
}

/// A framework requirement the control supports, and by which evidence.
#[derive(Debug, Clone, Serialize)]
pub struct Mapping {
    pub framework: &'static str,
    pub reference: &'static str,
    pub requirement: &'static str,
    pub supported_by: &'static str,
}

/// One commit.
#[derive(Debug, Clone, Serialize)]
pub struct CommitRow {
    pub sha: String,
    pub subject: String,
    pub author: String,
    pub committed_at: DateTime<Utc>,
    /// The attestation state's one word.
    pub state: &'static str,
    /// Where it stands, in the words of `git vouch log`.
    pub standing: String,
    pub reviewers: Vec<String>,
    pub signers: Vec<String>,
    pub note: Option<String>,
    /// Where its sessions come from: `attestation`, `local` or `none`.
    pub source: &'static str,
    pub sessions: Vec<String>,
    pub lines_added: u64,
    pub ai_lines_added: u64,
    pub policy: Option<String>,
    pub statements: Vec<StatementRow>,
}

/// One verified attestation.
#[derive(Debug, Clone, Serialize)]
pub struct StatementRow {
    pub signer: String,
    pub key_fingerprint: String,
    pub signed_at: DateTime<Utc>,
    pub reviewed_by_person: bool,
    /// The sha256 of the signed in-toto statement.
    pub sha256: String,
    /// Its line in the commit's note.
    pub note_line: usize,
}

/// AI usage in the range: each session once, and by model.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Usage {
    pub sessions: Vec<SessionRow>,
    pub by_model: Vec<ModelRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SessionRow {
    pub id: String,
    pub agent: String,
    pub agent_version: String,
    pub models: Vec<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub total_tokens: u64,
    pub cost_usd: Option<String>,
    /// `attestation` or `local`.
    pub source: &'static str,
    /// As its transcript records them.
    pub permission_modes: Vec<String>,
    /// The mode it started in, from its command line, where the transcript records none
    /// (`agent_config.launch_mode`).
    pub launch_mode: Option<String>,
    pub health: Option<u32>,
    pub tool_calls: u64,
    /// Whether its record was found (signed, or on this machine); without it only the figures
    /// the commit names are known.
    pub recorded: bool,
    pub commits: Vec<String>,
}

impl SessionRow {
    /// The permission modes in words: the transcript's, else the mode it started in.
    pub fn permission_text(&self) -> String {
        crate::session::permission::in_words(&self.permission_modes, self.launch_mode.as_deref())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ModelRow {
    pub model: String,
    pub sessions: usize,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
    pub cost_usd: Option<String>,
}

/// What the guard decided in the range's sessions.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GuardSection {
    pub checked: u64,
    pub low: u64,
    pub medium: u64,
    pub high: u64,
    pub critical: u64,
    pub allowed: u64,
    pub asked: u64,
    pub denied: u64,
    pub bypassed: u64,
    pub answered: u64,
    /// Every high or critical call, with what was decided and what became of it.
    pub calls: Vec<GuardRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GuardRow {
    pub session: String,
    pub at: DateTime<Utc>,
    pub tool: String,
    pub summary: Option<String>,
    pub level: &'static str,
    pub decided_by: &'static str,
    /// Nobody was asked: the guard let Claude Code's permissions decide.
    #[serde(skip)]
    pub not_asked: bool,
    pub fate: String,
    pub bypassed: bool,
}

/// An insight finding of a session.
#[derive(Debug, Clone, Serialize)]
pub struct FindingRow {
    pub session: String,
    pub detector: &'static str,
    pub severity: &'static str,
    pub title: String,
}

/// What redaction removed from the evidence before it was signed, by rule.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Redactions {
    pub total: u64,
    pub by_rule: BTreeMap<String, u64>,
}

/// Something a control's test did not pass, or that an auditor should see.
#[derive(Debug, Clone, Serialize)]
pub struct Exception {
    pub control: &'static str,
    pub kind: &'static str,
    /// The commit or session it is about.
    pub subject: String,
    pub detail: String,
}

/// How to check the report's facts again.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// The command that verifies every attestation of the range again.
    pub command: String,
    /// Verified statements the report rests on.
    pub statements: usize,
    pub steps: Vec<String>,
}

/// The report's data as written (`--format json`) and embedded in the HTML: pretty JSON with
/// every `<` escaped (`\u003c`), so the same bytes sit safely inside a `<script>` element.
pub fn json_bytes(report: &Report) -> Vec<u8> {
    // Serialising our own structs cannot fail (string keys, no maps of other keys).
    let text = serde_json::to_string_pretty(report).unwrap_or_default();
    let mut out = text.replace('<', "\\u003c");
    out.push('\n');
    out.into_bytes()
}

/// The sha256 of [`json_bytes`], printed in every format so the data can be checked.
pub fn data_sha256(json: &[u8]) -> String {
    crate::fingerprint::sha256_hex(json)
}
