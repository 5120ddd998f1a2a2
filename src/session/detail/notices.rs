//! Session-level warnings worded once for every screen: models without a price, and secrets the
//! session's transcripts hold (which the evidence redacts).

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use super::Open;
use crate::redact::{Counts, shared};

/// Why a session's cost is incomplete: its models without a price, and where to add them.
pub fn unpriced(models: &[String], file: Option<&Path>) -> Option<String> {
    let names: Vec<&str> = models.iter().map(String::as_str).collect();
    crate::pricing::unpriced_note(&names, file.unwrap_or(Path::new("pricing.toml")))
}

/// How many secrets the session holds, by kind: "3 secrets in this session (2 aws-secret-key,
/// 1 github-token); redacted in evidence".
pub fn secrets(counts: &Counts) -> Option<String> {
    let total: u64 = counts.values().sum();
    if total == 0 {
        return None;
    }
    let kinds: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let noun = if total == 1 { "secret" } else { "secrets" };
    Some(format!(
        "{total} {noun} in this session ({}); redacted in evidence",
        kinds.join(", ")
    ))
}

/// The secrets in the strings of the session's files, counted by the evidence's redaction
/// rules. Lines no rule can match are skipped unparsed; lines copied from an earlier session
/// (`skip`, hashes of their uuids) are not counted.
pub fn scan_secrets<S: std::hash::BuildHasher>(
    files: &[&PathBuf],
    open: &Open<'_>,
    skip: &HashSet<u64, S>,
) -> Counts {
    let redactor = shared();
    let mut counts = Counts::new();
    for path in files {
        let Ok(reader) = open(path) else {
            continue;
        };
        for line in BufReader::new(reader).lines().map_while(Result::ok) {
            if !redactor.may_match(&line) {
                continue;
            }
            let Ok(mut value) = serde_json::from_str::<serde_json::Value>(&line) else {
                continue;
            };
            let copied = value
                .get("uuid")
                .and_then(serde_json::Value::as_str)
                .is_some_and(|u| skip.contains(&crate::transcript::hash::hash64(u.as_bytes())));
            if !copied {
                redactor.redact_json(&mut value, &mut counts);
            }
        }
    }
    counts
}
