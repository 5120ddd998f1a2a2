//! The JSON documents printed by `--json`. Each carries a `schema` name with a version; fields
//! are only ever added within a version. Money is an exact decimal string of US dollars with six
//! places (`"cost_usd": "1.234567"`), never a float.

use serde_json::{Value, json};

use super::period::{Period, UsageRow};
use crate::money::Usd;
use crate::session::SessionSummary;
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

/// One session row.
pub fn session_row(s: &SessionSummary) -> Value {
    json!({
        "id": s.id,
        "project": s.project,
        "cwd": s.cwd,
        "git_branch": s.git_branch,
        "title": s.title,
        "first_prompt": s.first_prompt,
        "agent_version": s.agent_version,
        "started": s.start.map(|t| t.to_rfc3339()),
        "ended": s.end.map(|t| t.to_rfc3339()),
        "duration_ms": s.duration().map(|d| d.num_milliseconds()),
        "models": s.models.iter().map(|m| m.model.as_str()).collect::<Vec<_>>(),
        "tokens": tokens(&s.tokens),
        "cost_usd": usd(s.cost),
        "unpriced_models": s.unpriced_models,
        "tool_calls": s.tool_calls,
        "subagents": s.subagents,
        "user_prompts": s.user_prompts,
        "assistant_messages": s.assistant_messages,
        "api_errors": s.api_errors,
        "compactions": s.compactions,
        "files": s.files,
    })
}

/// The `sessions --json` document.
pub fn sessions_doc(sessions: &[&SessionSummary], diagnostics: &[Diagnostic]) -> Value {
    let mut total = Tokens::default();
    let mut cost = Usd::ZERO;
    for s in sessions {
        total.add(&s.tokens);
        cost += s.cost;
    }
    json!({
        "schema": SESSIONS_SCHEMA,
        "sessions": sessions.iter().map(|s| session_row(s)).collect::<Vec<_>>(),
        "totals": { "sessions": sessions.len(), "tokens": tokens(&total), "cost_usd": usd(cost) },
        "warnings": warnings(sessions, diagnostics),
    })
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
