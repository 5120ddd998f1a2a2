//! The evidence of one session: the range's document narrowed to the session and the commits
//! credited to it; a session with no commit in the range (still working, not committed) is
//! read from the capture state on its own, so policies can be checked before committing.

use std::path::Path;

use super::{Evidence, EvidenceError, build_evidence, sessions};
use crate::capture::state::StateDir;
use crate::clock::Clock;
use crate::pricing::PriceTable;
use crate::redact::{Counts, Redactor};

/// Builds the evidence of `range` narrowed to the session whose id starts with `prefix`.
pub fn build_for_session(
    cwd: &Path,
    range: Option<&str>,
    prefix: &str,
    prices: &PriceTable,
    redactor: &Redactor,
    clock: &dyn Clock,
) -> Result<Evidence, EvidenceError> {
    let mut evidence = build_evidence(cwd, range, prices, redactor, clock)?;
    if let Some(s) = evidence
        .sessions
        .iter()
        .find(|s| s.id.starts_with(prefix))
        .cloned()
    {
        evidence.commits.retain(|c| c.sessions.contains(&s.id));
        evidence.sessions = vec![s];
        evidence.range.commit_count = evidence.commits.len();
        return Ok(evidence);
    }
    let state = StateDir::discover(cwd)
        .ok_or_else(|| EvidenceError::NotARepository(cwd.display().to_string()))?;
    let id = recorded_session(&state, prefix)?;
    let session = sessions::load(&state, &id, prices)
        .map_err(EvidenceError::Session)?
        .evidence;
    let mut value =
        serde_json::to_value(&session).map_err(|e| EvidenceError::Session(e.to_string()))?;
    let mut counts = Counts::new();
    redactor.redact_json(&mut value, &mut counts);
    let session =
        serde_json::from_value(value).map_err(|e| EvidenceError::Session(e.to_string()))?;
    evidence.commits.clear();
    evidence.range.commit_count = 0;
    evidence.sessions = vec![session];
    evidence.redactions = counts.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    Ok(evidence)
}

/// The one recorded (or archived) session whose id starts with `prefix`.
fn recorded_session(state: &StateDir, prefix: &str) -> Result<String, EvidenceError> {
    let names = |dir: std::path::PathBuf| -> Vec<String> {
        std::fs::read_dir(dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let records = names(state.sessions_dir())
        .into_iter()
        .filter_map(|n| n.strip_suffix(".json").map(str::to_owned));
    let archives = state
        .transcripts_dir("x")
        .parent()
        .map(|p| names(p.to_path_buf()))
        .unwrap_or_default();
    let ids: Vec<String> = records
        .chain(archives)
        .filter(|id| id.starts_with(prefix))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    match ids.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(EvidenceError::Session(format!(
            "no session '{prefix}' in the range or in this repository's capture records"
        ))),
        _ => Err(EvidenceError::Session(format!(
            "'{prefix}' names {} sessions; give more of the id",
            ids.len()
        ))),
    }
}
