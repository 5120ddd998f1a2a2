//! The loop breaker's count, read from the end of a session's event ledger: how many times in a
//! row the call about to run just failed in its thread, as
//! [`crate::transcript::repeats::failure_streak`] counts it. Only the ledger's last [`TAIL`]
//! bytes are read, from the end and no further than the streak goes, so the cost stays flat
//! however long the session runs.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use serde::Deserialize;

use crate::transcript::hook_event::HookEvent;

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
/// thread) of the ledger at `path`, counting up to `limit`. The ledger is read from its end and
/// only until the streak is known. A missing or unreadable ledger counts none.
pub(super) fn failed_before(path: &Path, agent: Option<&str>, key: u64, limit: u32) -> u32 {
    let Ok(bytes) = tail(path) else { return 0 };
    let start = memchr::memmem::Finder::new(br#""event":"PreToolUse""#);
    // The failures seen so far (newest first) whose starts are still to be found.
    let mut failed: Vec<&str> = Vec::new();
    let mut count = 0;
    let mut end = bytes.len();
    let lines = memchr::memrchr_iter(b'\n', &bytes)
        .map(|i| i + 1)
        .chain(std::iter::once(0))
        .map(|start| {
            let line = &bytes[start..end];
            end = start.saturating_sub(1);
            line
        });
    for raw in lines {
        // A call's start matters only once its failure was seen: the others are not even parsed
        // (a session whose calls are denied, or still running, writes many).
        if failed.is_empty() && start.find(raw).is_some() {
            continue;
        }
        let Ok(line) = serde_json::from_slice::<Line>(raw) else {
            continue;
        };
        if line.agent_id != agent {
            continue;
        }
        let Some(id) = line.tool_use_id else { continue };
        match HookEvent::parse(line.event) {
            HookEvent::PostToolUse => break,
            HookEvent::PostToolUseFailure => failed.push(id),
            HookEvent::PreToolUse if failed.contains(&id) => {
                // The newest failure's start comes first; any other order (calls in parallel)
                // ends the count rather than guess.
                let key_of = line.call_key.and_then(|k| u64::from_str_radix(k, 16).ok());
                if failed[0] != id || key_of != Some(key) {
                    break;
                }
                failed.remove(0);
                count += 1;
                if count >= limit {
                    break;
                }
            }
            _ => {}
        }
    }
    count
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

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;
    use crate::transcript::repeats::{Attempt, failure_streak};

    /// A ledger of calls run one after another: (key, ok), the sub-agent `x` interleaved.
    fn ledger(calls: &[(u64, bool)]) -> String {
        let mut text = String::new();
        for (i, (key, ok)) in calls.iter().enumerate() {
            let post = if *ok {
                "PostToolUse"
            } else {
                "PostToolUseFailure"
            };
            let key = hex(*key);
            let _ = writeln!(
                text,
                r#"{{"event":"PreToolUse","tool_use_id":"t{i}","tool":"Bash","call_key":"{key}"}}"#
            );
            let _ = writeln!(
                text,
                r#"{{"event":"PreToolUse","tool_use_id":"x{i}","agent_id":"x","call_key":"{key}"}}"#
            );
            let _ = writeln!(text, r#"{{"event":"{post}","tool_use_id":"t{i}"}}"#);
            let _ = writeln!(
                text,
                r#"{{"event":"PostToolUse","tool_use_id":"x{i}","agent_id":"x"}}"#
            );
        }
        text
    }

    #[test]
    fn counts_from_the_end_of_the_ledger_what_the_streak_detector_counts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        let mut seed = 7u64;
        for _ in 0..200 {
            let n = usize::try_from(seed % 12).unwrap();
            let calls: Vec<(u64, bool)> = (0..n)
                .map(|_| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    (1 + (seed >> 60) % 2, (seed >> 33).is_multiple_of(3))
                })
                .collect();
            std::fs::write(&path, ledger(&calls)).unwrap();
            let attempts: Vec<Attempt> =
                calls.iter().map(|&(key, ok)| Attempt { key, ok }).collect();
            for key in [1, 2] {
                let expected = u32::try_from(failure_streak(&attempts, key)).unwrap();
                assert_eq!(
                    failed_before(&path, None, key, 100),
                    expected,
                    "{calls:?} key {key}"
                );
                assert_eq!(failed_before(&path, None, key, 2), expected.min(2));
                assert_eq!(
                    failed_before(&path, Some("x"), key, 100),
                    0,
                    "the sub-agent succeeded"
                );
            }
        }
        assert_eq!(failed_before(&dir.path().join("none.jsonl"), None, 1, 5), 0);
    }
}
