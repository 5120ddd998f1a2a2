//! Counting each thing once across the files of a project: API responses, tool calls and
//! records that resumed or forked sessions copy, in the order the files were started.

use std::collections::{HashMap, HashSet};

use super::ScannedFile;

pub(super) fn start_order(files: &[&ScannedFile]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by(|&a, &b| {
        let key = |f: &&ScannedFile| {
            (
                f.scan
                    .first_line_ts_ms
                    .or(f.scan.first_ts_ms)
                    .unwrap_or(i64::MAX),
                f.source.path.clone(),
            )
        };
        key(&files[a]).cmp(&key(&files[b]))
    });
    order
}

pub(super) fn session_of(file: &ScannedFile) -> String {
    file.source
        .session_hint
        .clone()
        .or_else(|| file.scan.session_id.clone())
        .unwrap_or_else(|| {
            let stem = file
                .source
                .path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy();
            format!("unknown-{stem}")
        })
}

/// For each file, which of its entries survive deduplication across the project.
pub(super) fn dedupe_entries(files: &[&ScannedFile], order: &[usize]) -> Vec<Vec<bool>> {
    let mut kept: Vec<Vec<bool>> = files
        .iter()
        .map(|f| vec![true; f.scan.entries.len()])
        .collect();
    let mut best: HashMap<u128, (usize, usize)> = HashMap::new();
    for &fi in order {
        for (ei, e) in files[fi].scan.entries.iter().enumerate() {
            if e.key == 0 {
                continue;
            }
            match best.get_mut(&e.key) {
                None => {
                    best.insert(e.key, (fi, ei));
                }
                Some(slot) => {
                    let old = files[slot.0].scan.entries[slot.1];
                    if e.usage.replaces(&old.usage) {
                        kept[slot.0][slot.1] = false;
                        *slot = (fi, ei);
                    } else {
                        kept[fi][ei] = false;
                    }
                }
            }
        }
    }
    drop_sidechain_replays(files, &mut kept);
    kept
}

/// A side-chain entry whose `message.id` also appears on the main chain is a replay.
pub(super) fn drop_sidechain_replays(files: &[&ScannedFile], kept: &mut [Vec<bool>]) {
    let main_ids: HashSet<u64> = files
        .iter()
        .zip(kept.iter())
        .flat_map(|(f, k)| {
            f.scan
                .entries
                .iter()
                .zip(k)
                .filter(|(e, k)| **k && !e.sidechain)
        })
        .filter(|(e, _)| e.msg != 0)
        .map(|(e, _)| e.msg)
        .collect();
    for (f, k) in files.iter().zip(kept.iter_mut()) {
        for (e, keep) in f.scan.entries.iter().zip(k.iter_mut()) {
            if *keep && e.sidechain && e.msg != 0 && main_ids.contains(&e.msg) {
                *keep = false;
            }
        }
    }
}

/// The per-file results of deduplication across a project.
pub(super) struct Dedup {
    pub(super) entries: Vec<Vec<bool>>,
    pub(super) tools: Vec<Vec<bool>>,
    /// Record uuids each file shares with an earlier file of another session (fork or resume
    /// copies).
    pub(super) replayed: Vec<HashSet<u64>>,
}

/// For each file, the uuids of its records already seen in a file of another session that
/// started earlier (a fork or an old-style resume copies them). A uuid repeated within one
/// session is not a copy from elsewhere: that session's first record with it counts.
pub(super) fn replayed_records(
    files: &[&ScannedFile],
    order: &[usize],
    sessions: &[usize],
) -> Vec<HashSet<u64>> {
    let mut seen: HashMap<u64, usize> = HashMap::new();
    let mut out: Vec<HashSet<u64>> = vec![HashSet::new(); files.len()];
    for &fi in order {
        for &u in &files[fi].scan.uuids {
            let first = *seen.entry(u).or_insert(sessions[fi]);
            if first != sessions[fi] {
                out[fi].insert(u);
            }
        }
    }
    out
}

/// For each file, which of its tool calls are not copies of calls in an earlier file.
pub(super) fn dedupe_tools(files: &[&ScannedFile], order: &[usize]) -> Vec<Vec<bool>> {
    let mut seen = HashSet::new();
    let mut kept: Vec<Vec<bool>> = files
        .iter()
        .map(|f| vec![false; f.scan.tools.len()])
        .collect();
    for &fi in order {
        for (ti, t) in files[fi].scan.tools.iter().enumerate() {
            kept[fi][ti] = seen.insert(t.id);
        }
    }
    kept
}

/// Summaries point at the leaf message of the conversation they title, which may be in another
/// file: map each file's last message uuid to the summary text.
pub(super) fn summary_titles(files: &[&ScannedFile]) -> HashMap<String, String> {
    files
        .iter()
        .flat_map(|f| f.scan.summaries.iter())
        .map(|(leaf, text)| (leaf.clone(), text.clone()))
        .collect()
}
