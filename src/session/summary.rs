//! Per-session summaries built from the scans of a project's files.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::insights::{Health, Insights, Rules};
use crate::money::Usd;
mod dedup;
mod trace;

use crate::pricing::{ModelPrice, PriceTable, is_unbilled_model, row_at};
use crate::transcript::Diagnostic;
use crate::transcript::agent::Agent;
use crate::transcript::file_scan::{Entry, FileScan};
use crate::transcript::source_file::{FileRole, SourceFile};
use crate::usage::Tokens;
use dedup::{
    Dedup, dedupe_entries, dedupe_tools, replayed_records, session_of, start_order, summary_titles,
};

/// Seconds in one usage bucket: 15 minutes, so every real time-zone offset splits days exactly.
pub const BUCKET_SECS: i64 = 900;

/// A transcript file with what its scan found.
#[derive(Debug, Clone)]
pub struct ScannedFile {
    pub source: SourceFile,
    pub scan: FileScan,
}

/// Usage of one model within a session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelUsage {
    pub model: String,
    pub tokens: Tokens,
    /// Distinct API responses.
    pub messages: u64,
    /// `None` when the model is not in the price table.
    pub cost: Option<Usd>,
}

/// Usage in one 15-minute slot of one model, for period reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    /// Start of the slot, seconds since the epoch (a multiple of [`BUCKET_SECS`]).
    pub start: i64,
    pub model: String,
    pub tokens: Tokens,
    pub messages: u64,
    pub cost: Option<Usd>,
}

/// The row of one session in lists and reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSummary {
    pub id: String,
    /// The agent that wrote the session (an index written before agents were named holds only
    /// Claude Code sessions).
    #[serde(default)]
    pub agent: Agent,
    /// The project its files belong to (for Claude Code, the folder name: its encoding of the
    /// working directory).
    pub project: String,
    pub cwd: Option<String>,
    pub git_branch: Option<String>,
    /// Every permission mode its transcripts record, in the order first seen (none recorded:
    /// empty).
    #[serde(default)]
    pub permission_modes: Vec<String>,
    pub title: Option<String>,
    pub first_prompt: Option<String>,
    pub agent_version: Option<String>,
    pub slug: Option<String>,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub models: Vec<ModelUsage>,
    pub tokens: Tokens,
    /// Cost of the priced models.
    pub cost: Usd,
    /// Models without a price (their tokens are in `tokens` but not in `cost`).
    pub unpriced_models: Vec<String>,
    pub tool_calls: u64,
    /// Calls per tool name, most used first.
    pub tools: Vec<(String, u64)>,
    pub subagents: u64,
    pub user_prompts: u64,
    pub assistant_messages: u64,
    pub api_errors: u64,
    pub compactions: u64,
    pub files: Vec<PathBuf>,
    /// Files the session's tool calls worked on (for search), sub-agents' included.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub file_paths: Vec<String>,
    /// Hashes of record uuids this session's files copy from a session that started earlier (a
    /// fork or an old-style resume); the detail view skips them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replayed_uuids: Vec<u64>,
    /// Responses (low 64 bits of the hash of `message.id` + `requestId`) this session's files
    /// hold but that are counted elsewhere: for another session that had them first or with
    /// more tokens, or as a side-chain replay of a main-chain response. The detail skips them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dropped_responses: Vec<u64>,
    /// Tool calls (hash of the `tool_use` id) this session's files copy from a session that
    /// started earlier; the detail skips them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dropped_tools: Vec<u64>,
    pub buckets: Vec<Bucket>,
    pub warnings: Vec<Diagnostic>,
    /// Its health and findings by detector (`None` if the embedded thresholds could not be
    /// read, which a test rules out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<Health>,
    /// What went wrong in it, in full, as summing it up found. Not kept with the summary: a
    /// catalog of the index moves them to its findings, read only where they are shown.
    #[serde(skip)]
    pub insights: Option<Insights>,
    /// What `git vouch record` recorded of it, when it did; its calls missing from the
    /// transcript are counted in the figures above. Added after loading, never cached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording: Option<Box<super::recorded::Recording>>,
    /// Read from the repository's transcript archive: Claude Code no longer has its transcript.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub archived: bool,
}

impl SessionSummary {
    /// Title to show: the user's `/rename`, the generated title, a summary, or the first prompt.
    pub fn display_title(&self) -> &str {
        self.title
            .as_deref()
            .or(self.first_prompt.as_deref())
            .unwrap_or("")
    }

    /// Wall time from the first to the last record.
    pub fn duration(&self) -> Option<chrono::Duration> {
        Some(self.end? - self.start?)
    }
}

/// Builds the sessions of one project from its files' scans. The files must all be of one agent:
/// sessions of different agents never share their responses.
///
/// Streamed copies of one API response were already collapsed within each file; here the same
/// response seen in several files (a resumed or forked session replays its history; `/btw` side
/// questions replay parent messages) is counted once: the copy with the most tokens wins, ties go
/// to the file that started first. A side-chain copy never wins over a main-chain one.
pub fn summarize_project(files: &[&ScannedFile], prices: &PriceTable) -> Vec<SessionSummary> {
    let order = start_order(files);
    let mut by_session: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for &i in &order {
        by_session.entry(session_of(files[i])).or_default().push(i);
    }
    let mut sessions = vec![0; files.len()];
    for (si, members) in by_session.values().enumerate() {
        for &fi in members {
            sessions[fi] = si;
        }
    }
    let dedup = Dedup {
        entries: dedupe_entries(files, &order),
        tools: dedupe_tools(files, &order),
        replayed: replayed_records(files, &order, &sessions),
    };
    let titles = summary_titles(files);
    by_session
        .into_iter()
        .map(|(id, members)| build(id, &members, files, &dedup, &titles, prices))
        .filter(|s| s.assistant_messages > 0 || s.user_prompts > 0 || s.tool_calls > 0)
        .collect()
}

struct Totals<'p> {
    prices: &'p PriceTable,
    /// Price rows by model name, resolved once per session rather than once per response.
    rows: HashMap<String, Option<&'p [ModelPrice]>>,
    by_model: BTreeMap<String, ModelUsage>,
    buckets: BTreeMap<(i64, String), Bucket>,
    unpriced: Vec<String>,
}

impl<'p> Totals<'p> {
    fn new(prices: &'p PriceTable) -> Self {
        Self {
            prices,
            rows: HashMap::new(),
            by_model: BTreeMap::new(),
            buckets: BTreeMap::new(),
            unpriced: Vec::new(),
        }
    }

    fn cost(&mut self, model: &str, e: &Entry) -> Option<Usd> {
        if let Some(legacy) = e.legacy_cost {
            return Some(Usd::from_picos(u128::from(legacy)));
        }
        if is_unbilled_model(model) {
            return Some(Usd::ZERO);
        }
        let prices = self.prices;
        let rows = *self
            .rows
            .entry(model.to_owned())
            .or_insert_with(|| prices.rows(model));
        let at = DateTime::<Utc>::from_timestamp_millis(e.ts_ms).filter(|_| e.ts_ms > 0);
        Some(prices.cost_with(row_at(rows?, at)?, &e.usage))
    }

    /// Counts a response; returns its cost.
    fn add(&mut self, model: &str, e: &Entry) -> Option<Usd> {
        let cost = self.cost(model, e);
        if cost.is_none() && !self.unpriced.iter().any(|m| m == model) {
            self.unpriced.push(model.to_owned());
        }
        let m = self
            .by_model
            .entry(model.to_owned())
            .or_insert_with(|| ModelUsage {
                model: model.to_owned(),
                cost: Some(Usd::ZERO),
                ..ModelUsage::default()
            });
        accumulate(
            &mut m.tokens,
            &mut m.messages,
            &mut m.cost,
            &e.usage.tokens,
            cost,
        );
        let start = (e.ts_ms / 1000).div_euclid(BUCKET_SECS) * BUCKET_SECS;
        let b = self
            .buckets
            .entry((start, model.to_owned()))
            .or_insert_with(|| Bucket {
                start,
                model: model.to_owned(),
                tokens: Tokens::default(),
                messages: 0,
                cost: Some(Usd::ZERO),
            });
        accumulate(
            &mut b.tokens,
            &mut b.messages,
            &mut b.cost,
            &e.usage.tokens,
            cost,
        );
        cost
    }
}

fn accumulate(t: &mut Tokens, n: &mut u64, c: &mut Option<Usd>, add: &Tokens, cost: Option<Usd>) {
    t.add(add);
    *n += 1;
    *c = match (*c, cost) {
        (Some(a), Some(b)) => Some(a + b),
        _ => None,
    };
}

fn build(
    id: String,
    members: &[usize],
    files: &[&ScannedFile],
    dedup: &Dedup,
    titles: &HashMap<String, String>,
    prices: &PriceTable,
) -> SessionSummary {
    let mut s = SessionSummary {
        id,
        ..SessionSummary::default()
    };
    let mut totals = Totals::new(prices);
    // Each counted response's cost, in the order counted (the insights read them).
    let mut costs: Vec<Option<Usd>> = Vec::new();
    let mut tool_counts: BTreeMap<&str, u64> = BTreeMap::new();
    let mut seen_paths: HashSet<&str> = HashSet::new();
    let mut seen_prompts: HashSet<u64> = HashSet::new();
    for &fi in members {
        let f = &files[fi];
        let scan = &f.scan;
        s.agent = f.source.agent;
        s.project.clone_from(&f.source.project);
        s.files.push(f.source.path.clone());
        for p in &scan.paths {
            if seen_paths.insert(p.as_str()) {
                s.file_paths.push(p.clone());
            }
        }
        s.warnings.extend(scan.warnings.iter().cloned());
        s.api_errors += u64::from(scan.api_errors);
        s.compactions += u64::from(scan.compactions);
        for (e, _) in scan
            .entries
            .iter()
            .zip(&dedup.entries[fi])
            .filter(|(_, k)| **k)
        {
            costs.push(totals.add(&scan.models[e.model as usize], e));
        }
        for (t, _) in scan.tools.iter().zip(&dedup.tools[fi]).filter(|(_, k)| **k) {
            *tool_counts
                .entry(&scan.tool_names[t.name as usize])
                .or_default() += 1;
        }
        let ts = |ms: Option<i64>| ms.and_then(DateTime::<Utc>::from_timestamp_millis);
        s.start = min_opt(s.start, ts(scan.first_line_ts_ms.or(scan.first_ts_ms)));
        let replayed = &dedup.replayed[fi];
        s.replayed_uuids.extend(replayed.iter().copied());
        for (uuid, text) in &scan.prompts {
            if *uuid == 0 || (!replayed.contains(uuid) && seen_prompts.insert(*uuid)) {
                s.user_prompts += 1;
                if s.first_prompt.is_none() {
                    s.first_prompt = Some(text.clone());
                }
            }
        }
        s.end = s.end.max(ts(scan.last_ts_ms));
        for mode in &scan.permission_modes {
            if !s.permission_modes.contains(mode) {
                s.permission_modes.push(mode.clone());
            }
        }
        if f.source.role == FileRole::Main || s.cwd.is_none() {
            fill_identity(&mut s, scan, titles);
        }
    }
    dropped(&mut s, members, files, dedup);
    if let Some(rules) = Rules::shared() {
        let cwd = s.cwd.clone();
        let found = trace::insights(rules, members, files, dedup, &costs, prices, cwd.as_deref());
        s.health = Some(Health::of(&found));
        s.insights = Some(found);
    }
    finish(&mut s, totals, tool_counts);
    s
}

/// The responses and tool calls in the session's files that the session does not count (see
/// [`SessionSummary::dropped_responses`]): a key or id none of its kept copies has.
fn dropped(s: &mut SessionSummary, members: &[usize], files: &[&ScannedFile], dedup: &Dedup) {
    let not_kept = |fi: usize| {
        let scan = &files[fi].scan;
        let entries = scan.entries.iter().zip(&dedup.entries[fi]);
        let tools = scan.tools.iter().zip(&dedup.tools[fi]);
        (
            entries.filter(|(e, k)| !**k && e.key != 0),
            tools.filter(|(_, k)| !**k),
        )
    };
    if members.iter().all(|&fi| {
        let (mut e, mut t) = not_kept(fi);
        e.next().is_none() && t.next().is_none()
    }) {
        return;
    }
    let mut keys = HashSet::new();
    let mut tools = HashSet::new();
    for &fi in members {
        let scan = &files[fi].scan;
        let kept_entries = scan.entries.iter().zip(&dedup.entries[fi]);
        keys.extend(kept_entries.filter(|(_, k)| **k).map(|(e, _)| e.key));
        let kept_tools = scan.tools.iter().zip(&dedup.tools[fi]);
        tools.extend(kept_tools.filter(|(_, k)| **k).map(|(t, _)| t.id));
    }
    for &fi in members {
        let (entries, calls) = not_kept(fi);
        for (e, _) in entries {
            if keys.insert(e.key) {
                s.dropped_responses.push(response_hash(e.key));
            }
        }
        for (t, _) in calls {
            if tools.insert(t.id) {
                s.dropped_tools.push(t.id);
            }
        }
    }
}

/// How [`SessionSummary::dropped_responses`] names a response key.
#[allow(clippy::cast_possible_truncation)] // The low half of the hash is the name.
pub const fn response_hash(key: u128) -> u64 {
    key as u64
}

fn fill_identity(s: &mut SessionSummary, scan: &FileScan, titles: &HashMap<String, String>) {
    s.cwd = scan.cwd.clone().or(s.cwd.take());
    s.git_branch = scan.git_branch.clone().or(s.git_branch.take());
    s.agent_version = scan.version.clone().or(s.agent_version.take());
    s.slug = scan.slug.clone().or(s.slug.take());
    let summary = scan.last_uuid.as_ref().and_then(|u| titles.get(u)).cloned();
    s.title = scan
        .custom_title
        .clone()
        .or_else(|| scan.ai_title.clone())
        .or(summary)
        .or(s.title.take());
}

fn finish(s: &mut SessionSummary, totals: Totals<'_>, tool_counts: BTreeMap<&str, u64>) {
    let mut models: Vec<ModelUsage> = totals.by_model.into_values().collect();
    models.sort_by(|a, b| {
        b.cost
            .cmp(&a.cost)
            .then_with(|| b.tokens.total().cmp(&a.tokens.total()))
    });
    for m in &models {
        s.tokens.add(&m.tokens);
        s.assistant_messages += m.messages;
        s.cost += m.cost.unwrap_or(Usd::ZERO);
    }
    s.models = models;
    s.unpriced_models = totals.unpriced;
    s.buckets = totals.buckets.into_values().collect();
    let mut tools: Vec<(String, u64)> = tool_counts
        .into_iter()
        .map(|(n, c)| (n.to_owned(), c))
        .collect();
    tools.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    s.tool_calls = tools.iter().map(|t| t.1).sum();
    s.subagents = tools
        .iter()
        .filter(|t| super::figures::starts_subagent(&t.0))
        .map(|t| t.1)
        .sum();
    s.tools = tools;
}

fn min_opt<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}
