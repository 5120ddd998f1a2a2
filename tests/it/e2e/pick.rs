//! Choosing the answer to a `/v1/messages` request: a side answer, the scripted turn (held back
//! by an `after` barrier, or failed by `fail_first`), or the reply once the script ran out.

use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::Value;

use super::mock::{LogEntry, State};
use super::reply::text_turn;
use super::scenario::{After, FailFirst, Turn};
use super::select::{self, Decision};

/// The answer to a `/v1/messages` request.
pub enum Pick<'a> {
    Scripted(&'a Turn),
    /// A side answer, or the reply once the script ran out.
    Made(Turn),
    /// This request fails (`fail_first`).
    Fail(&'a FailFirst),
}

pub fn pick<'a>(state: &'a State, body: &Value, entry: &mut LogEntry) -> Pick<'a> {
    let sc = &state.scenario;
    if let Some(why) = select::side_reason(sc, body) {
        entry.kind = "side".into();
        entry.note = why.into();
        return Pick::Made(text_turn(select::side_text(sc, body), sc.side_usage));
    }
    entry.kind = "messages".into();
    let (turn, mut decision) = select::choose(sc, body);
    if decision.thread == "main" {
        let at = (decision.prompt_no, decision.turn_no);
        state.arrived.lock().expect("arrived lock").push(at);
    }
    let n = state.scripted.fetch_add(1, Ordering::SeqCst) + 1;
    let picked = match turn {
        Some(t) if n <= sc.max_requests => match &t.fail_first {
            Some(ff) if failing(state, ff, entry, &decision) => Pick::Fail(ff),
            _ => {
                if let Some(after) = &t.after {
                    wait_after(state, after, entry);
                }
                Pick::Scripted(t)
            }
        },
        _ => {
            decision.exhausted = true;
            Pick::Made(text_turn(sc.exhausted_text.clone(), sc.exhausted_usage))
        }
    };
    entry.decision = Some(decision);
    picked
}

/// Waits (at most two minutes) until the main thread asked for turn `after.turn` of the prompt
/// `after.prompt`.
fn wait_after(state: &State, after: &After, entry: &mut LogEntry) {
    let prompts = &state.scenario.prompts;
    let Some(k) = prompts.iter().position(|p| p.matches == after.prompt) else {
        entry.note = format!("after: no prompt {:?}", after.prompt);
        return;
    };
    let started = std::time::Instant::now();
    while started.elapsed() < Duration::from_mins(2) {
        let arrived = state.arrived.lock().expect("arrived lock");
        if arrived.iter().any(|&(p, t)| p == k && t >= after.turn) {
            return;
        }
        drop(arrived);
        std::thread::sleep(Duration::from_millis(50));
    }
    entry.note = format!("after: gave up waiting for {:?}", after.prompt);
}

/// Whether this request for a `fail_first` turn is one of those that fail (counted per session
/// and script position); fills in the log entry if so.
fn failing(state: &State, ff: &FailFirst, entry: &mut LogEntry, d: &Decision) -> bool {
    let session = entry.session_id.as_deref().unwrap_or("");
    let key = format!("{session}/{}/{}/{}", d.thread, d.prompt_no, d.turn_no);
    let seen = {
        let mut fails = state.fails.lock().expect("fails lock");
        let c = fails.entry(key).or_insert(0);
        *c += 1;
        *c
    };
    if seen > ff.times {
        return false;
    }
    entry.kind = "error".into();
    entry.status = ff.status;
    entry.note = format!("fail_first {seen}/{}: {}", ff.times, ff.kind);
    true
}
