//! Building a [`BranchLog`]: resolve the range, verify every commit's notes, read the evidence
//! of the verified attestations, and fall back to local capture data for the rest.

use std::collections::BTreeMap;
use std::path::Path;

use git2::{Oid, Repository};
use serde_json::Value;

use super::{
    Attestation, BranchLog, CommitEntry, LOG_SCHEMA, LogTotals, SessionEntry, SignedStatement,
};
use crate::attest::allowed_signers::AllowedSigners;
use crate::attest::hunk_review::HunkReview;
use crate::attest::lineage::{Carried, Lineage};
use crate::attest::notes::{self, NotesError, parse_bundle};
use crate::attest::standing::{AttestationState, StateCounts};
use crate::attest::statement::{SIGNED_AT, Statement};
use crate::attest::verify::{CommitReport, Verdict, verify_note};
use crate::clock::Clock;
use crate::evidence::range::{Range, base_branch, resolve};
use crate::evidence::{Evidence, EvidenceError, build_for};
use crate::git::Git;
use crate::money::Usd;
use crate::pricing::PriceTable;
use crate::redact::{RedactOptions, Redactor};

/// Why a log could not be built.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    #[error(transparent)]
    Notes(#[from] NotesError),
}

/// What one commit's notes gave: its state, and the evidence and predicate it vouches for.
struct Verified {
    attestation: Attestation,
    evidence: Option<Evidence>,
    carried: Option<Carried>,
    hunk_reviews: Vec<HunkReview>,
    statements: Vec<SignedStatement>,
}

/// The provenance of `spec` (default: the current branch) in the repository at `cwd`.
pub fn branch_log(
    cwd: &Path,
    spec: Option<&str>,
    signers: &AllowedSigners,
    prices: &PriceTable,
    clock: &dyn Clock,
) -> Result<BranchLog, LogError> {
    let repo = Repository::discover(cwd)
        .map_err(|_| EvidenceError::NotARepository(cwd.display().to_string()))?;
    let range = resolve(&repo, spec)?;
    range_log(cwd, &repo, &range, spec, signers, prices, clock)
}

/// The provenance of the commits of `range` (resolved by the caller: a spec, or dates);
/// `spec` is what was asked (`None`: the current branch, which the log then names).
pub fn log_of_range(
    cwd: &Path,
    range: &Range,
    spec: Option<&str>,
    signers: &AllowedSigners,
    prices: &PriceTable,
    clock: &dyn Clock,
) -> Result<BranchLog, LogError> {
    let repo = Repository::discover(cwd)
        .map_err(|_| EvidenceError::NotARepository(cwd.display().to_string()))?;
    range_log(cwd, &repo, range, spec, signers, prices, clock)
}

fn range_log(
    cwd: &Path,
    repo: &Repository,
    range: &Range,
    spec: Option<&str>,
    signers: &AllowedSigners,
    prices: &PriceTable,
    clock: &dyn Clock,
) -> Result<BranchLog, LogError> {
    let git = Git::new(cwd);
    let all_notes = notes::list_notes(&git)?;
    let blobs: Vec<String> = range
        .commits
        .iter()
        .filter_map(|c| all_notes.get(c).cloned())
        .collect();
    let texts = notes::read_objects(&git, &blobs)?;
    let mut verified: BTreeMap<&str, Verified> = range
        .commits
        .iter()
        .map(|c| {
            let text = all_notes
                .get(c)
                .and_then(|b| texts.get(b).cloned().flatten());
            (c.as_str(), read_commit(c, text.as_deref(), signers))
        })
        .collect();
    let mut warnings = Vec::new();
    carry(&git, repo, signers, &mut verified, &mut warnings);
    let local = local_evidence(cwd, range, &verified, prices, clock, &mut warnings);
    let commits: Vec<CommitEntry> = range
        .commits
        .iter()
        .rev()
        .filter_map(|c| entry(repo, c, &verified[c.as_str()], local.as_ref()))
        .collect();
    let (branch, base_ref) = names(repo, spec, range);
    Ok(BranchLog {
        schema: LOG_SCHEMA,
        range: range.spec.clone(),
        base: range.base.clone(),
        tip: range.tip.clone(),
        branch,
        base_ref,
        totals: totals(&commits),
        commits,
        warnings,
    })
}

/// The checked-out branch's name when `spec` is the current branch, and the name of the branch
/// the range's base was taken from when `spec` names one revision.
fn names(repo: &Repository, spec: Option<&str>, range: &Range) -> (Option<String>, Option<String>) {
    if spec.is_some_and(|s| s.contains("..")) {
        return (None, None);
    }
    let branch = spec
        .is_none()
        .then(|| repo.head().ok())
        .flatten()
        .filter(git2::Reference::is_branch)
        .and_then(|h| h.shorthand().ok().map(str::to_owned));
    let tip = Oid::from_str(&range.tip).ok();
    let base_ref = tip
        .filter(|_| range.base.is_some())
        .and_then(|t| base_branch(repo, t))
        .map(|(name, _)| name);
    (branch, base_ref)
}

/// Verifies one commit's note and keeps the evidence of its best verified attestation: one a
/// person reviewed (its note and signing time are the ones shown), else any.
fn read_commit(commit: &str, text: Option<&str>, signers: &AllowedSigners) -> Verified {
    let report = verify_note(commit, text, signers);
    let lines = text.map(parse_bundle).unwrap_or_default();
    let predicate = |reviewed_only: bool| {
        report
            .attestations
            .iter()
            .filter(|a| match a.verdict {
                Verdict::Verified {
                    reviewed_by_person, ..
                } => reviewed_by_person || !reviewed_only,
                _ => false,
            })
            .filter_map(|a| lines.iter().find(|l| l.line == a.line))
            .filter_map(|l| l.envelope.as_ref().ok()?.payload_bytes().ok())
            .find_map(|p| Statement::parse(&p).ok().map(|s| s.predicate))
    };
    let best = predicate(true).or_else(|| predicate(false));
    let evidence = best
        .as_ref()
        .and_then(|p| p.get("evidence").cloned())
        .and_then(|e| serde_json::from_value(e).ok());
    Verified {
        attestation: attestation(&report, best.as_ref()),
        evidence,
        carried: None,
        hunk_reviews: report.hunk_reviews.clone(),
        statements: signed_statements(&report, &lines),
    }
}

/// Each verified attestation, with the digest of the statement it signed.
fn signed_statements(
    report: &CommitReport,
    lines: &[crate::attest::notes::BundleLine],
) -> Vec<SignedStatement> {
    report
        .attestations
        .iter()
        .filter_map(|a| {
            let Verdict::Verified {
                principal,
                key_fingerprint,
                signed_at,
                reviewed_by_person,
            } = &a.verdict
            else {
                return None;
            };
            let line = lines.iter().find(|l| l.line == a.line)?;
            let payload = line.envelope.as_ref().ok()?.payload_bytes().ok()?;
            Some(SignedStatement {
                line: a.line,
                signer: principal.clone(),
                key_fingerprint: key_fingerprint.clone(),
                signed_at: *signed_at,
                reviewed_by_person: *reviewed_by_person,
                statement_sha256: crate::fingerprint::sha256_hex(&payload),
            })
        })
        .collect()
}

/// Unsigned commits that repeat attested changes (squash and rebase merges) carry them: all of
/// their files, and they stand as those attestations do, with their evidence.
fn carry(
    git: &Git,
    repo: &Repository,
    signers: &AllowedSigners,
    verified: &mut BTreeMap<&str, Verified>,
    warnings: &mut Vec<String>,
) {
    if !verified
        .values()
        .any(|v| v.attestation == Attestation::Unsigned)
    {
        return;
    }
    let lineage = match Lineage::from_notes(git, repo, signers) {
        Ok(l) if !l.is_empty() => l,
        Ok(_) => return,
        Err(e) => {
            warnings.push(format!("squash and rebase merges not checked: {e}"));
            return;
        }
    };
    for (sha, v) in verified
        .iter_mut()
        .filter(|(_, v)| v.attestation == Attestation::Unsigned)
    {
        let Some(c) = lineage.carried(repo, sha) else {
            continue;
        };
        if c.complete() {
            v.attestation = match c.state {
                AttestationState::Reviewed => Attestation::Reviewed {
                    signers: c.signers.clone(),
                    reviewers: c.reviewers.clone(),
                    note: None,
                    signed_at: None,
                },
                _ => Attestation::Unreviewed {
                    signers: c.signers.clone(),
                    reviewers: c.reviewers.clone(),
                    signed_at: None,
                },
            };
            v.evidence = c
                .evidence
                .clone()
                .and_then(|e| serde_json::from_value(e).ok());
        }
        v.carried = Some(c);
    }
}

fn attestation(report: &CommitReport, best: Option<&Value>) -> Attestation {
    let reason = || {
        report
            .attestations
            .iter()
            .find_map(|a| match &a.verdict {
                Verdict::Invalid { reason } | Verdict::Untrusted { reason } => Some(reason.clone()),
                Verdict::Verified { .. } => None,
            })
            .unwrap_or_default()
    };
    let signed_at = || {
        best.and_then(|p| p.get(SIGNED_AT))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let (signers, reviewers) = (report.signers.clone(), report.reviewers.clone());
    match report.state {
        AttestationState::Reviewed => Attestation::Reviewed {
            signers,
            reviewers,
            note: best
                .and_then(|p| p.pointer("/review/note"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            signed_at: signed_at(),
        },
        AttestationState::Unreviewed => Attestation::Unreviewed {
            signers,
            reviewers,
            signed_at: signed_at(),
        },
        AttestationState::Unsigned => Attestation::Unsigned,
        AttestationState::Untrusted => Attestation::Untrusted { reason: reason() },
        AttestationState::Invalid => Attestation::Invalid { reason: reason() },
    }
}

/// Evidence from this clone's capture data for the commits no verified attestation covers.
fn local_evidence(
    cwd: &Path,
    range: &Range,
    verified: &BTreeMap<&str, Verified>,
    prices: &PriceTable,
    clock: &dyn Clock,
    warnings: &mut Vec<String>,
) -> Option<Evidence> {
    let missing: Vec<String> = range
        .commits
        .iter()
        .filter(|c| verified[c.as_str()].evidence.is_none())
        .cloned()
        .collect();
    if missing.is_empty() {
        return None;
    }
    let sub = Range {
        spec: range.spec.clone(),
        base: range.base.clone(),
        tip: range.tip.clone(),
        commits: missing,
    };
    let redactor = Redactor::new(RedactOptions::default());
    match build_for(cwd, &sub, prices, &redactor, clock) {
        Ok(e) => Some(e),
        Err(e) => {
            warnings.push(format!("local capture data unreadable: {e}"));
            None
        }
    }
}

fn entry(
    repo: &Repository,
    sha: &str,
    verified: &Verified,
    local: Option<&Evidence>,
) -> Option<CommitEntry> {
    let commit = repo.find_commit(Oid::from_str(sha).ok()?).ok()?;
    let (evidence, source) = match (&verified.evidence, local) {
        (Some(e), _) => (Some(e), "attestation"),
        (None, Some(e)) => (Some(e), "local"),
        (None, None) => (None, "none"),
    };
    // A commit that carries attested commits is described by theirs.
    let described: Vec<&str> = match &verified.carried {
        Some(c) if c.complete() => c.from.iter().map(String::as_str).collect(),
        _ => vec![sha],
    };
    let ces: Vec<&crate::evidence::CommitEvidence> = evidence
        .map(|e| {
            e.commits
                .iter()
                .filter(|c| described.contains(&c.sha.as_str()))
                .collect()
        })
        .unwrap_or_default();
    let mut ids: Vec<&String> = Vec::new();
    for id in ces.iter().flat_map(|c| &c.sessions) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let sessions: Vec<SessionEntry> = match evidence {
        Some(e) => ids.iter().map(|id| session(e, id)).collect(),
        None => Vec::new(),
    };
    let session_evidence = evidence
        .map(|e| {
            (e.sessions.iter())
                .filter(|s| ids.contains(&&s.id))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let files: Vec<&crate::evidence::FileEvidence> = ces.iter().flat_map(|c| &c.files).collect();
    let report = evidence.and_then(|e| e.policies.as_ref());
    let policies: Vec<String> = report
        .map(|r| {
            std::iter::once(None)
                .chain(ids.iter().map(|s| Some(s.as_str())))
                .flat_map(|s| r.for_session(s))
                .map(|(policy, v)| format!("{policy}: {}", v.message))
                .collect()
        })
        .unwrap_or_default();
    Some(CommitEntry {
        sha: sha.to_owned(),
        subject: commit.summary().ok().flatten().unwrap_or("").to_owned(),
        author: commit.author().name().unwrap_or("").to_owned(),
        committed_at: chrono::DateTime::from_timestamp(commit.time().seconds(), 0)
            .unwrap_or_default(),
        attestation: verified.attestation.clone(),
        source: if sessions.is_empty() && source == "local" {
            "none"
        } else {
            source
        },
        sessions,
        lines_added: files.iter().map(|f| u64::from(f.lines_added)).sum(),
        ai_lines_added: files.iter().map(|f| u64::from(f.ai_lines_added)).sum(),
        policy_summary: report.map(crate::policy::PolicyReport::summary),
        policies,
        carried: verified.carried.clone(),
        hunk_reviews: verified.hunk_reviews.clone(),
        statements: verified.statements.clone(),
        session_evidence,
        redactions: evidence.map(|e| e.redactions.clone()).unwrap_or_default(),
    })
}

fn session(evidence: &Evidence, id: &str) -> SessionEntry {
    let s = evidence.sessions.iter().find(|s| s.id == id);
    let insights = s.and_then(|s| s.insights.as_ref());
    SessionEntry {
        id: id.to_owned(),
        agent: s.map(|s| s.agent.name.clone()).unwrap_or_default(),
        agent_version: s.map(|s| s.agent.version.clone()).unwrap_or_default(),
        title: s.and_then(|s| s.title.clone()),
        models: s
            .map(|s| s.models.iter().map(|m| m.model.clone()).collect())
            .unwrap_or_default(),
        total_tokens: s.map_or(0, |s| s.usage.total_tokens),
        cost_usd: s.and_then(|s| s.usage.cost_usd.clone()),
        health: insights.map(|i| i.health),
        grade: insights.map(|i| i.grade.clone()),
        findings: insights.map_or(0, |i| i.findings.len()),
    }
}

fn totals(commits: &[CommitEntry]) -> LogTotals {
    let mut t = LogTotals {
        commits: commits.len(),
        ..LogTotals::default()
    };
    let mut cost = Usd::ZERO;
    t.agent_commits = commits.iter().filter(|c| !c.sessions.is_empty()).count();
    let sessions = super::unique_sessions(commits);
    for (s, _) in &sessions {
        t.total_tokens += s.total_tokens;
        match s.cost_usd.as_deref().and_then(Usd::parse) {
            Some(c) => cost += c,
            None => t.cost_incomplete = true,
        }
    }
    let states: StateCounts = commits.iter().map(|c| c.attestation.state()).collect();
    t.reviewed = states.get(AttestationState::Reviewed);
    t.unreviewed = states.get(AttestationState::Unreviewed);
    t.unsigned = states.get(AttestationState::Unsigned);
    t.untrusted = states.get(AttestationState::Untrusted);
    t.invalid = states.get(AttestationState::Invalid);
    t.sessions = sessions.len();
    t.cost_usd = cost.decimal6();
    t
}
