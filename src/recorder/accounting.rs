//! A session's recorded figures beside its transcript's: every model call the recorder stored
//! for the session (answered in full, so billed), summed, and the calls the transcript does not
//! hold (the compaction request Claude Code never writes, side calls), each with its figures.

use std::collections::HashSet;
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::RecorderError;
use super::exchange::Outcome;
use super::store::{FILE, Store};
use crate::money::Usd;
use crate::pricing::PriceTable;
use crate::session::detail::SessionDetail;
use crate::usage::Tokens;

/// A model call recorded but not in the transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingCall {
    pub at: DateTime<Utc>,
    pub model: String,
    pub request_id: Option<String>,
    pub tokens: Tokens,
    /// `None` when the model has no price.
    pub cost: Option<Usd>,
}

/// A session's recording, summed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    /// Model calls answered in full.
    pub calls: u64,
    pub tokens: Tokens,
    pub cost: Usd,
    /// Models without a price (their calls are not in `cost`).
    pub unpriced: Vec<String>,
    pub not_in_transcript: Vec<MissingCall>,
    /// The stores it was read from.
    pub stores: Vec<PathBuf>,
}

/// The recording of `detail`'s session in the stores found in `dirs` (folders without a store
/// are skipped); `None` when none holds a call of it.
pub fn of_session(
    dirs: &[PathBuf],
    detail: &SessionDetail,
    prices: &PriceTable,
) -> Result<Option<Recorded>, RecorderError> {
    let known: HashSet<&str> = detail
        .turns
        .iter()
        .filter_map(|t| t.message_id.as_deref())
        .collect();
    let mut out = Recorded::default();
    let mut seen = HashSet::new();
    for dir in dirs.iter().filter(|d| d.join(FILE).is_file()) {
        let store = Store::open(dir)?;
        let mut any = false;
        for (_, ex) in store.exchanges(Some(&detail.summary.id))? {
            let billed =
                ex.outcome == Outcome::Completed && ex.status == 200 && ex.path == "/v1/messages";
            let Some(r) = ex.response.as_ref().filter(|_| billed) else {
                continue;
            };
            let (Some(usage), Some(model)) = (&r.usage, &r.model) else {
                continue;
            };
            // The same call in two stores counts once.
            if !seen.insert(
                r.id.clone()
                    .unwrap_or_else(|| format!("{:?}", ex.request_id)),
            ) {
                continue;
            }
            any = true;
            let usage = crate::agent_source::api_usage(&serde_json::Value::Object(usage.clone()));
            let cost = prices.cost(model, &usage, Some(ex.started));
            out.calls += 1;
            out.tokens += usage.tokens;
            match cost {
                Some(c) => out.cost += c,
                None if !out.unpriced.contains(model) => out.unpriced.push(model.clone()),
                None => {}
            }
            if !r.id.as_deref().is_some_and(|id| known.contains(id)) {
                out.not_in_transcript.push(MissingCall {
                    at: ex.started,
                    model: model.clone(),
                    request_id: ex.request_id.clone(),
                    tokens: usage.tokens,
                    cost,
                });
            }
        }
        if any {
            out.stores.push(dir.join(FILE));
        }
    }
    Ok((out.calls > 0).then_some(out))
}
