//! The loop breaker's count, read from the end of a session's event ledger: how many times in a
//! row the call about to run just failed in its thread. Only the ledger's last
//! [`TAIL`] bytes are read, so the cost stays flat however long the session runs.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use serde::Deserialize;

use crate::transcript::hook_event::HookEvent;
use crate::transcript::repeats::{Attempt, failure_streak};

/// Bytes read from the end of the ledger (a few hundred calls).
const TAIL: u64 = 256 * 1024;

/// The fields of a ledger line the count needs.
#[derive(Deserialize)]
struct Line<'a> {
    #[serde(borrow)]
    event: &'a str,
    #[serde(default, borrow)]
    tool_use_id: Option<&'a str>,
    #[serde(default, borrow)]
    agent_id: Option<&'a str>,
    #[serde(default, borrow)]
    call_key: Option<&'a str>,
}

/// How many times in a row the call `key` just failed in the thread `agent` (`None`: the main
/// thread) of the ledger at `path`. A missing or unreadable ledger counts none.
pub(super) fn failed_before(path: &Path, agent: Option<&str>, key: u64) -> u32 {
    let Ok(bytes) = tail(path) else { return 0 };
    let lines = bytes
        .split(|&b| b == b'\n')
        .filter_map(|l| serde_json::from_slice::<Line>(l).ok())
        .filter(|l| l.agent_id == agent);
    let mut keys: HashMap<&str, u64> = HashMap::new();
    let mut attempts = Vec::new();
    for line in lines {
        let Some(id) = line.tool_use_id else { continue };
        let ok = match HookEvent::parse(line.event) {
            HookEvent::PreToolUse => {
                if let Some(k) = line.call_key.and_then(|k| u64::from_str_radix(k, 16).ok()) {
                    keys.insert(id, k);
                }
                continue;
            }
            HookEvent::PostToolUse => true,
            HookEvent::PostToolUseFailure => false,
            _ => continue,
        };
        // A call whose start fell before the tail (key 0) ends any streak.
        let key = keys.get(id).copied().unwrap_or(0);
        attempts.push(Attempt { key, ok });
    }
    u32::try_from(failure_streak(&attempts, key)).unwrap_or(u32::MAX)
}

/// The last [`TAIL`] bytes of the file, from the first whole line.
fn tail(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    let start = len.saturating_sub(TAIL);
    file.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::with_capacity(usize::try_from(len - start).unwrap_or(0));
    file.read_to_end(&mut bytes)?;
    if start > 0 {
        let first = bytes
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| i + 1);
        bytes.drain(..first);
    }
    Ok(bytes)
}

/// The key as the ledger writes it.
pub(super) fn hex(key: u64) -> String {
    format!("{key:016x}")
}
