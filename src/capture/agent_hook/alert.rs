//! Alerts: a webhook (`git config vouch.guardWebhook URL`) gets Slack-compatible JSON (`text`,
//! plus the details under `git_vouch`) for every critical call and every denial. It is sent by a
//! `curl` the hook starts and never waits for, with no terminal or pipe of the hook's, so a slow
//! or dead endpoint never delays the agent; whatever goes wrong is logged.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::json;

use crate::guard::check::GuardRecord;
use crate::guard::decide::Verdict;
use crate::guard::rules::Level;
use crate::redact::RedactOptions;
use crate::redact::detect::Detector;

/// The git-config key of the webhook's address.
pub(super) const KEY: &str = "vouch.guardWebhook";
/// Seconds curl may take in all, in the background.
const MAX_SECONDS: &str = "10";

/// What an alert is about.
pub(super) struct Alert<'a> {
    pub repository: &'a str,
    pub session: &'a str,
    pub tool: &'a str,
    pub agent_id: Option<&'a str>,
    pub summary: Option<&'a str>,
    pub record: &'a GuardRecord,
}

/// Whether a checked call is alerted: critical, or denied.
pub(super) fn wanted(record: &GuardRecord) -> bool {
    record.level == Level::Critical || record.verdict == Verdict::Deny
}

/// Starts sending `alert` to `url`; an error says why it could not start.
pub(super) fn send(url: &str, alert: &Alert<'_>) -> Result<(), String> {
    let url = url.trim();
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(format!(
            "{KEY} {url:?} is not an http(s) address; no alert sent"
        ));
    }
    let body = body(alert).to_string();
    let mut child = Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            MAX_SECONDS,
            "-H",
            "Content-Type: application/json",
        ])
        .args(["--data-binary", "@-", url])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start curl to send the guard's alert: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("curl has no standard input")?;
    stdin
        .write_all(body.as_bytes())
        .map_err(|e| format!("cannot hand the guard's alert to curl: {e}"))
}

/// The JSON: Slack's `text`, and everything the ledger keeps of the call, its secrets redacted.
fn body(a: &Alert<'_>) -> serde_json::Value {
    let detector = Detector::new(RedactOptions::default());
    let mut r = a.record.clone();
    r.reason = r.reason.map(|why| detector.redact(&why));
    let summary = detector.redact(a.summary.unwrap_or(a.tool));
    let did = match r.verdict {
        Verdict::Deny => "denied",
        Verdict::Ask => "asked about",
        Verdict::Allow => "let through",
    };
    let session: String = a.session.chars().take(8).collect();
    let why = r.reason.clone().unwrap_or_else(|| r.rules.join(", "));
    let text = format!(
        "git-vouch guard {did} a {} call in {} (session {session}, mode {}): {summary} — {why}",
        r.level.label(),
        a.repository,
        r.mode
    );
    json!({
        "text": text,
        "git_vouch": {
            "repository": a.repository,
            "session": a.session,
            "agent_id": a.agent_id,
            "tool": a.tool,
            "summary": summary,
            "guard": r,
        }
    })
}
