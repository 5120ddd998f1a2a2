//! Sessions' recorded figures beside their transcripts': every billed call the recorder stored
//! (from each store's `calls` table, without decoding whole exchanges), matched to the
//! transcript's responses by `message.id`; the calls the transcript does not hold (the compaction
//! request Claude Code never writes, side calls) are named with why.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::RecorderError;
use super::exchange::Purpose;
use super::store::{Call, FILE, Store};
use crate::capture::state::StateDir;
use crate::pricing::PriceTable;
use crate::session::SessionSummary;
use crate::session::detail::SessionDetail;
use crate::session::recorded::{CallKind, MissingCall, Recording, Tally};

/// The billed calls of some stores, by session.
#[derive(Debug, Default)]
pub struct Ledger {
    calls: HashMap<String, Vec<(usize, Call)>>,
    stores: Vec<PathBuf>,
}

impl Ledger {
    /// Reads the calls (of one session when given) of the stores in `dirs`; folders without a
    /// store are skipped, a store that cannot be read is returned with why and skipped.
    pub fn read(dirs: &[PathBuf], session: Option<&str>) -> (Self, Vec<RecorderError>) {
        let mut out = Self::default();
        let mut errors = Vec::new();
        let mut seen = HashSet::new();
        for dir in dirs.iter().filter(|d| d.join(FILE).is_file()) {
            let file = dir.join(FILE);
            if !seen.insert(file.canonicalize().unwrap_or_else(|_| file.clone())) {
                continue;
            }
            match Store::open(dir).and_then(|s| s.calls(session)) {
                Ok(calls) => {
                    let at = out.stores.len();
                    out.stores.push(file);
                    for c in calls {
                        let id = c.session.clone().unwrap_or_default();
                        out.calls.entry(id).or_default().push((at, c));
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        (out, errors)
    }

    /// Whether any store holds a call of the session.
    pub fn has(&self, session: &str) -> bool {
        self.calls.contains_key(session)
    }

    /// The session's recording, its calls matched against the `message.id`s its transcript
    /// holds; `None` when no store holds a call of it. The same call in two stores counts once.
    pub fn recording(
        &self,
        session: &str,
        in_transcript: &HashSet<&str>,
        prices: &PriceTable,
    ) -> Option<Recording> {
        let calls = self.calls.get(session)?;
        let mut out = Recording::default();
        let mut seen = HashSet::new();
        let mut stores = HashSet::new();
        for (store, c) in calls {
            let key = c.message_id.clone().or_else(|| c.request_id.clone());
            if key.is_some() && !seen.insert(key) {
                continue;
            }
            stores.insert(*store);
            let usage = crate::agent_source::api_usage(&c.usage);
            let cost = prices.cost(&c.model, &usage, Some(c.started));
            add(&mut out.recorded, &usage.tokens, cost);
            if cost.is_none() && !out.unpriced_models.contains(&c.model) {
                out.unpriced_models.push(c.model.clone());
            }
            if c.message_id
                .as_deref()
                .is_some_and(|id| in_transcript.contains(id))
            {
                continue;
            }
            out.not_in_transcript.push(MissingCall {
                at: c.started,
                kind: match c.purpose {
                    Some(Purpose::Compaction) => CallKind::Compaction,
                    None => CallKind::SideCall,
                },
                model: c.model.clone(),
                message_id: c.message_id.clone(),
                request_id: c.request_id.clone(),
                tokens: usage.tokens,
                cost,
            });
        }
        let mut stores: Vec<usize> = stores.into_iter().collect();
        stores.sort_unstable();
        out.stores = stores.into_iter().map(|i| self.stores[i].clone()).collect();
        out.not_in_transcript.sort_by_key(|m| m.at);
        Some(out)
    }
}

fn add(t: &mut Tally, tokens: &crate::usage::Tokens, cost: Option<crate::money::Usd>) {
    t.calls += 1;
    t.tokens += *tokens;
    t.cost += cost.unwrap_or(crate::money::Usd::ZERO);
}

/// The `message.id`s of the responses the session's transcript holds.
pub fn transcript_ids(detail: &SessionDetail) -> HashSet<&str> {
    detail
        .turns
        .iter()
        .filter(|t| t.not_in_transcript.is_none())
        .filter_map(|t| t.message_id.as_deref())
        .collect()
}

/// Where a session's recordings may be: the store of the repository its working folder is in,
/// then the user's (see [`super::store::locations`]).
pub fn stores_of(cwd: Option<&str>, data_dir: &Path) -> Vec<PathBuf> {
    let repo = cwd
        .filter(|c| !c.is_empty())
        .and_then(|c| StateDir::discover(Path::new(c)));
    super::store::locations(repo.as_ref(), data_dir)
}

/// Adds their recordings to the sessions that have one, reading `detail` of those only (to
/// match calls by `message.id`); returns the stores that could not be read, with why.
pub fn add_recordings(
    sessions: &mut [SessionSummary],
    data_dir: &Path,
    prices: &PriceTable,
    detail: impl Fn(&SessionSummary) -> SessionDetail,
) -> Vec<RecorderError> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut cwds = HashSet::new();
    for s in sessions.iter() {
        if cwds.insert(s.cwd.as_deref()) {
            for d in stores_of(s.cwd.as_deref(), data_dir) {
                if !dirs.contains(&d) {
                    dirs.push(d);
                }
            }
        }
    }
    let (ledger, errors) = Ledger::read(&dirs, None);
    for s in sessions.iter_mut().filter(|s| ledger.has(&s.id)) {
        let d = detail(s);
        if let Some(r) = ledger.recording(&s.id, &transcript_ids(&d), prices) {
            s.add_recording(r);
        }
    }
    errors
}
