//! The JSON documents printed by `--json`. Each carries a `schema` name with a version; fields
//! are only ever added within a version. Money is an exact decimal string of US dollars with six
//! places (`"cost_usd": "1.234567"`), never a float.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use super::period::{Period, UsageRow};
use crate::money::Usd;
use crate::session::SessionSummary;
use crate::session::recorded::{CallKind, Recording, Tally};
use crate::transcript::Diagnostic;
use crate::usage::Tokens;

pub const SESSIONS_SCHEMA: &str = "git-vouch/sessions@1";
pub const USAGE_SCHEMA: &str = "git-vouch/usage@1";

/// Token counts by kind.
pub fn tokens(t: &Tokens) -> Value {
    json!({
        "input": t.input,
        "output": t.output,
        "cache_write_5m": t.cache_write_5m,
        "cache_write_1h": t.cache_write_1h,
        "cache_read": t.cache_read,
        "total": t.total(),
    })
}

/// Money as an exact decimal string.
pub fn usd(amount: Usd) -> Value {
    Value::String(amount.decimal6())
}

/// Token counts by kind, as serialized.
#[derive(Serialize)]
pub struct TokensJson {
    pub input: u64,
    pub output: u64,
    pub cache_write_5m: u64,
    pub cache_write_1h: u64,
    pub cache_read: u64,
    pub total: u64,
}

impl From<&Tokens> for TokensJson {
    fn from(t: &Tokens) -> Self {
        Self {
            input: t.input,
            output: t.output,
            cache_write_5m: t.cache_write_5m,
            cache_write_1h: t.cache_write_1h,
            cache_read: t.cache_read,
            total: t.total(),
        }
    }
}

/// One session row of `sessions --json` (borrowing from the summary; written straight out).
#[derive(Serialize)]
pub struct SessionRow<'a> {
    pub id: &'a str,
    /// The agent that wrote it (`claude-code`, `codex`).
    pub agent: &'static str,
    pub project: &'a str,
    pub cwd: Option<&'a str>,
    pub git_branch: Option<&'a str>,
    /// Every permission mode its transcripts record, in the order first seen.
    pub permission_modes: &'a [String],
    pub title: Option<&'a str>,
    pub first_prompt: Option<&'a str>,
    pub agent_version: Option<&'a str>,
    pub started: Option<String>,
    pub ended: Option<String>,
    pub duration_ms: Option<i64>,
    pub models: Vec<&'a str>,
    pub tokens: TokensJson,
    pub cost_usd: String,
    pub unpriced_models: &'a [String],
    pub tool_calls: u64,
    pub subagents: u64,
    pub user_prompts: u64,
    pub assistant_messages: u64,
    pub api_errors: u64,
    pub compactions: u64,
    /// 0–100, from the findings of `git vouch insights`.
    pub health: Option<u32>,
    pub grade: Option<&'a str>,
    /// How many findings, by id (`git vouch insights --session ID` lists them).
    pub findings: BTreeMap<&'static str, u32>,
    pub files: &'a [std::path::PathBuf],
    /// What `git vouch record` recorded of it (only when it did): the figures above count
    /// its calls the transcript lacks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recording: Option<RecordingJson<'a>>,
    /// Read from the repository's transcript archive: Claude Code no longer has the transcript.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub archived: bool,
}

/// Calls, tokens and cost of one source of a session's figures.
#[derive(Serialize)]
pub struct TallyJson {
    pub calls: u64,
    pub tokens: TokensJson,
    pub cost_usd: String,
}

impl From<&Tally> for TallyJson {
    fn from(t: &Tally) -> Self {
        Self {
            calls: t.calls,
            tokens: (&t.tokens).into(),
            cost_usd: t.cost.decimal6(),
        }
    }
}

/// A recorded call the transcript does not hold.
#[derive(Serialize)]
pub struct MissingCallJson<'a> {
    pub at: String,
    /// `compaction` or `side_call`.
    pub kind: CallKind,
    pub model: &'a str,
    pub message_id: Option<&'a str>,
    pub request_id: Option<&'a str>,
    pub tokens: TokensJson,
    pub cost_usd: Option<String>,
}

/// A session's recording: what was recorded, what the transcript holds, what it lacks.
#[derive(Serialize)]
pub struct RecordingJson<'a> {
    pub recorded: TallyJson,
    pub transcript: TallyJson,
    pub not_in_transcript: Vec<MissingCallJson<'a>>,
    pub unpriced_models: &'a [String],
    pub stores: &'a [std::path::PathBuf],
}

impl<'a> From<&'a Recording> for RecordingJson<'a> {
    fn from(r: &'a Recording) -> Self {
        Self {
            recorded: (&r.recorded).into(),
            transcript: (&r.transcript).into(),
            not_in_transcript: r
                .not_in_transcript
                .iter()
                .map(|m| MissingCallJson {
                    at: m.at.to_rfc3339(),
                    kind: m.kind,
                    model: &m.model,
                    message_id: m.message_id.as_deref(),
                    request_id: m.request_id.as_deref(),
                    tokens: (&m.tokens).into(),
                    cost_usd: m.cost.map(Usd::decimal6),
                })
                .collect(),
            unpriced_models: &r.unpriced_models,
            stores: &r.stores,
        }
    }
}

impl<'a> From<&'a SessionSummary> for SessionRow<'a> {
    fn from(s: &'a SessionSummary) -> Self {
        Self {
            id: &s.id,
            agent: s.agent.id(),
            project: &s.project,
            cwd: s.cwd.as_deref(),
            git_branch: s.git_branch.as_deref(),
            permission_modes: &s.permission_modes,
            title: s.title.as_deref(),
            first_prompt: s.first_prompt.as_deref(),
            agent_version: s.agent_version.as_deref(),
            started: s.start.map(|t| t.to_rfc3339()),
            ended: s.end.map(|t| t.to_rfc3339()),
            duration_ms: s.duration().map(|d| d.num_milliseconds()),
            models: s.models.iter().map(|m| m.model.as_str()).collect(),
            tokens: (&s.tokens).into(),
            cost_usd: s.cost.decimal6(),
            unpriced_models: &s.unpriced_models,
            tool_calls: s.tool_calls,
            subagents: s.subagents,
            user_prompts: s.user_prompts,
            assistant_messages: s.assistant_messages,
            api_errors: s.api_errors,
            compactions: s.compactions,
            health: s.health.as_ref().map(|h| h.score),
            grade: s.health.as_ref().map(|h| h.grade.as_str()),
            findings: s
                .health
                .iter()
                .flat_map(|h| &h.findings)
                .map(|(id, n)| (id.label(), *n))
                .collect(),
            files: &s.files,
            recording: s.recording.as_deref().map(RecordingJson::from),
            archived: s.archived,
        }
    }
}

/// One session row as a JSON value.
pub fn session_row(s: &SessionSummary) -> Value {
    serde_json::to_value(SessionRow::from(s)).unwrap_or(Value::Null)
}

/// Totals of a sessions document.
#[derive(Serialize)]
pub struct SessionTotals {
    pub sessions: usize,
    pub tokens: TokensJson,
    pub cost_usd: String,
}

/// The `sessions --json` document.
#[derive(Serialize)]
pub struct SessionsDoc<'a> {
    pub schema: &'static str,
    pub sessions: Vec<SessionRow<'a>>,
    pub totals: SessionTotals,
    pub warnings: Vec<String>,
}

/// Builds the `sessions --json` document.
pub fn sessions_doc<'a>(
    sessions: &[&'a SessionSummary],
    diagnostics: &[Diagnostic],
) -> SessionsDoc<'a> {
    let mut total = Tokens::default();
    let mut cost = Usd::ZERO;
    for s in sessions {
        total.add(&s.tokens);
        cost += s.cost;
    }
    SessionsDoc {
        schema: SESSIONS_SCHEMA,
        sessions: sessions.iter().map(|s| SessionRow::from(*s)).collect(),
        totals: SessionTotals {
            sessions: sessions.len(),
            tokens: (&total).into(),
            cost_usd: cost.decimal6(),
        },
        warnings: warnings(sessions, diagnostics),
    }
}

/// Every warning as `path:line: message`.
pub fn warnings(sessions: &[&SessionSummary], diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .chain(sessions.iter().flat_map(|s| &s.warnings))
        .map(ToString::to_string)
        .collect()
}

fn usage_row(r: &UsageRow) -> Value {
    json!({
        "period": r.key,
        "models": r.models,
        "tokens": tokens(&r.tokens),
        "messages": r.messages,
        "cost_usd": usd(r.cost),
        "unpriced_models": r.unpriced_models,
    })
}

/// The `usage --json` document.
pub fn usage_doc(period: Period, rows: &[UsageRow], total: &UsageRow) -> Value {
    let name = match period {
        Period::Daily => "daily",
        Period::Monthly => "monthly",
        Period::Session => "session",
    };
    json!({
        "schema": USAGE_SCHEMA,
        "period": name,
        "rows": rows.iter().map(usage_row).collect::<Vec<_>>(),
        "totals": usage_row(total),
    })
}
