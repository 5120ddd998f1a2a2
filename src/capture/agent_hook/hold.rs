//! Holding a call for `git vouch watch`: when the guard would have a person decide (it asks, or
//! denies only because nobody could answer here) and a watcher is attached to the repository,
//! the hook sends the call there and waits, at most `vouch.guardWait`, for the person's answer.
//! Without an answer in time (no watcher, a watcher that closes or never answers) the guard's own
//! decision stands, and the record says why.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::capture::payload::Payload;
use crate::capture::state::StateDir;
use crate::guard::check::Checked;
use crate::guard::decide::{Decision, Verdict};
use crate::guard::watch::{self, Answer, Held, Hold, Reply};
use crate::redact::RedactOptions;
use crate::redact::detect::Detector;

/// Largest tool input sent whole to the watcher; a larger one goes as clipped text.
const MAX_INPUT: usize = 64 * 1024;

/// The call, as the watcher shows it.
pub(super) struct Call<'a> {
    pub payload: &'a Payload<'a>,
    pub tool: &'a str,
    pub input: &'a Value,
}

/// `checked` after the person's answer, when the call is one to hold and a watcher is attached.
/// `answerable` checks the call again as if a person could answer (for a non-interactive session
/// whose `ask` became a denial); `interactive` is whether Claude Code can prompt.
pub(super) fn if_watched(
    state: &StateDir,
    call: &Call<'_>,
    checked: Checked,
    interactive: bool,
    wait: Duration,
    answerable: impl FnOnce() -> Checked,
) -> Checked {
    let verdict = checked.decision.verdict;
    if wait.is_zero() || verdict == Verdict::Allow {
        return checked;
    }
    let path = watch::socket_path(&state.root);
    if !watch::is_attached(&path) {
        return checked;
    }
    let asked = match verdict {
        Verdict::Ask => None,
        // A denial only a missing person caused: asked of the watcher instead.
        _ if !interactive => Some(answerable()).filter(|a| a.decision.verdict == Verdict::Ask),
        _ => return checked,
    };
    let (fallback, mut asked) = match asked {
        Some(mut asked) => {
            asked.record.interactive = interactive;
            (checked, asked)
        }
        None if verdict == Verdict::Ask => (clone(&checked), checked),
        None => return checked,
    };
    let held = held(call, &asked, fallback.decision.verdict, wait);
    let started = Instant::now();
    let result = watch::hold(&path, &held, wait);
    let waited_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    match result {
        Ok(reply) => {
            answered(&mut asked, &reply, waited_ms);
            asked
        }
        Err(e) => {
            let mut fallback = fallback;
            fallback.record.held = Some(Hold {
                answer: None,
                by: None,
                reason: None,
                error: Some(e.to_string()),
                waited_ms,
            });
            fallback
        }
    }
}

fn clone(checked: &Checked) -> Checked {
    Checked {
        decision: checked.decision.clone(),
        record: checked.record.clone(),
    }
}

/// The decision and record after the person's `reply`.
fn answered(asked: &mut Checked, reply: &Reply, waited_ms: u64) {
    let by = reply.by.trim();
    let by = if by.is_empty() { "a person" } else { by };
    let given = reply
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let decision = match reply.answer {
        Answer::Allow => Decision {
            verdict: Verdict::Allow,
            reason: Some(format!(
                "git-vouch guard: {by} allowed this call once, from git vouch watch"
            )),
        },
        Answer::Deny => Decision {
            verdict: Verdict::Deny,
            reason: Some(format!(
                "git-vouch guard: {by} denied this call from git vouch watch: {}. Do not retry it; change approach or ask the person.",
                given.unwrap_or("no reason given")
            )),
        },
        Answer::Prompt => Decision {
            verdict: Verdict::Ask,
            reason: Some(format!(
                "{} ({by} handed this call to you from git vouch watch)",
                asked
                    .decision
                    .reason
                    .as_deref()
                    .unwrap_or("git-vouch guard")
            )),
        },
    };
    asked.record.verdict = decision.verdict;
    asked.record.reason.clone_from(&decision.reason);
    asked.record.held = Some(Hold {
        answer: Some(reply.answer),
        by: Some(by.to_owned()),
        reason: given.map(str::to_owned),
        error: None,
        waited_ms,
    });
    asked.decision = decision;
}

fn held(call: &Call<'_>, asked: &Checked, fallback: Verdict, wait: Duration) -> Held {
    let payload = call.payload;
    Held {
        protocol: watch::PROTOCOL,
        session_id: payload.session().unwrap_or_default().to_owned(),
        agent_id: payload.agent_id.as_deref().map(str::to_owned),
        tool: call.tool.to_owned(),
        tool_use_id: payload.tool_use_id.as_deref().map(str::to_owned),
        cwd: payload.cwd.as_deref().map(str::to_owned),
        input: redacted(call.input),
        level: asked.record.level,
        categories: asked.record.categories.clone(),
        rules: asked.record.rules.clone(),
        reason: asked.decision.reason.clone(),
        fallback,
        wait_secs: wait.as_secs(),
    }
}

/// The input with its secrets replaced, clipped to text when it is large.
fn redacted(input: &Value) -> Value {
    let text = input.to_string();
    let clean = Detector::new(RedactOptions::default()).redact(&text);
    if clean.len() > MAX_INPUT {
        let mut end = MAX_INPUT;
        while !clean.is_char_boundary(end) {
            end -= 1;
        }
        return Value::String(format!("{}… (clipped)", &clean[..end]));
    }
    serde_json::from_str(&clean).unwrap_or(Value::String(clean))
}
