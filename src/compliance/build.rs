//! A [`Report`] from a range's provenance ([`BranchLog`]): the commits with their attestations
//! and statement digests, each session once (from the attested evidence when there is one),
//! the guard's decisions, findings and redactions, and each control tested over its population.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::controls::{self, Definition};
use super::{
    CommitRow, Control, ControlResult, Exception, FindingRow, Generator, GuardRow, GuardSection,
    ModelRow, Redactions, Report, SCHEMA, Scope, SessionRow, StatementRow, Summary, Usage,
    Verification,
};
use crate::attest::standing::AttestationState;
use crate::evidence::SessionEvidence;
use crate::money::Usd;
use crate::provenance::{Attestation, BranchLog, CommitEntry, SessionEntry, unique_sessions};

/// What a report is made from besides the log.
pub struct Inputs<'a> {
    pub log: &'a BranchLog,
    /// The worktree's folder name.
    pub repository: String,
    pub remote_url: Option<String>,
    /// The range in words (`main..feature`, `HEAD, 2026-11-01 to 2026-11-30`).
    pub range: String,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// The allowed-signers file, as configured (`None`: none is).
    pub allowed_signers: Option<String>,
    pub trusted_keys: usize,
    /// The command that verifies the range again.
    pub verify_command: String,
    pub now: DateTime<Utc>,
}

/// Makes the report.
pub fn build(inputs: &Inputs<'_>) -> Report {
    let log = inputs.log;
    let sessions = sessions(log);
    let usage = usage(&sessions);
    let guard = guard(&sessions);
    let findings = findings(&sessions);
    let redactions = redactions(log);
    let mut exceptions = Vec::new();
    let controls = controls(log, &sessions, &guard, &mut exceptions);
    let commits: Vec<CommitRow> = log.commits.iter().map(commit_row).collect();
    let statements = commits.iter().map(|c| c.statements.len()).sum();
    let summary = summary(log, &sessions, &guard, findings.len(), exceptions.len());
    Report {
        schema: SCHEMA,
        title: format!(
            "AI-assisted changes in {}: {}",
            inputs.repository, inputs.range
        ),
        generated_at: inputs.now,
        generator: Generator {
            name: "git-vouch",
            version: env!("CARGO_PKG_VERSION"),
        },
        scope: scope(inputs),
        summary,
        controls,
        commits,
        usage,
        guard,
        findings,
        redactions,
        exceptions,
        verification: verification(inputs, statements),
        method: method(),
        limitations: limitations(),
    }
}

fn scope(inputs: &Inputs<'_>) -> Scope {
    let log = inputs.log;
    let times = log.commits.iter().map(|c| c.committed_at);
    Scope {
        repository: inputs.repository.clone(),
        remote_url: inputs.remote_url.clone(),
        range: inputs.range.clone(),
        base: log.base.clone(),
        tip: log.tip.clone(),
        branch: log.branch.clone(),
        since: inputs.since,
        until: inputs.until,
        first_commit_at: times.clone().min(),
        last_commit_at: times.max(),
        allowed_signers: inputs.allowed_signers.clone(),
        trusted_keys: inputs.trusted_keys,
    }
}

/// A session of the range, once: the figures `git vouch log` counts, its evidence when the
/// describing commit's document holds it, where that comes from, and every commit it made.
pub struct Seen<'a> {
    pub entry: &'a SessionEntry,
    pub evidence: Option<&'a SessionEvidence>,
    /// `attestation` or `local`.
    pub source: &'static str,
    pub commits: Vec<String>,
}

/// Each session once, chosen as the log's totals choose it (see [`unique_sessions`]).
fn sessions(log: &BranchLog) -> Vec<Seen<'_>> {
    // Each session's commits, oldest first, from one pass over the commits.
    let mut made: std::collections::HashMap<&str, Vec<String>> = std::collections::HashMap::new();
    for c in log.commits.iter().rev() {
        for s in &c.sessions {
            made.entry(&s.id).or_default().push(short(&c.sha));
        }
    }
    unique_sessions(&log.commits)
        .into_iter()
        .map(|(entry, commit)| Seen {
            entry,
            evidence: commit.session_evidence.iter().find(|e| e.id == entry.id),
            source: if commit.source == "attestation" {
                "attestation"
            } else {
                "local"
            },
            commits: made.get(entry.id.as_str()).cloned().unwrap_or_default(),
        })
        .collect()
}

fn short(sha: &str) -> String {
    sha.chars().take(10).collect()
}

fn usage(sessions: &[Seen<'_>]) -> Usage {
    let rows = sessions
        .iter()
        .map(|s| {
            let (e, x) = (s.entry, s.evidence);
            SessionRow {
                id: e.id.clone(),
                agent: e.agent.clone(),
                agent_version: e.agent_version.clone(),
                models: e.models.clone(),
                started_at: x.and_then(|x| x.started_at),
                total_tokens: e.total_tokens,
                cost_usd: e.cost_usd.clone(),
                source: s.source,
                permission_modes: x.map(|x| x.permission_modes.clone()).unwrap_or_default(),
                launch_mode: x.and_then(|x| x.launch_mode().map(str::to_owned)),
                health: e.health,
                tool_calls: x.map_or(0, |x| x.tools.iter().map(|t| t.calls).sum()),
                recorded: x.is_some(),
                commits: s.commits.clone(),
            }
        })
        .collect();
    Usage {
        sessions: rows,
        by_model: by_model(sessions),
    }
}

fn by_model(sessions: &[Seen<'_>]) -> Vec<ModelRow> {
    let mut rows: BTreeMap<&str, (ModelRow, Option<Usd>)> = BTreeMap::new();
    for m in sessions
        .iter()
        .filter_map(|s| s.evidence)
        .flat_map(|e| &e.models)
    {
        let (row, cost) = rows.entry(&m.model).or_insert_with(|| {
            let row = ModelRow {
                model: m.model.clone(),
                sessions: 0,
                input_tokens: 0,
                output_tokens: 0,
                cache_read_tokens: 0,
                cache_write_tokens: 0,
                cost_usd: None,
            };
            (row, Some(Usd::ZERO))
        });
        let u = &m.usage;
        row.sessions += 1;
        row.input_tokens += u.input_tokens;
        row.output_tokens += u.output_tokens;
        row.cache_read_tokens += u.cache_read_tokens;
        row.cache_write_tokens += u.cache_write_5m_tokens + u.cache_write_1h_tokens;
        *cost = cost
            .zip(u.cost_usd.as_deref().and_then(Usd::parse))
            .map(|(a, b)| a + b);
    }
    rows.into_values()
        .map(|(mut row, cost)| {
            row.cost_usd = cost.map(Usd::decimal6);
            row
        })
        .collect()
}

fn guard(sessions: &[Seen<'_>]) -> GuardSection {
    let mut g = GuardSection::default();
    for s in sessions {
        let Some(e) = s.evidence.and_then(|x| x.guard.as_ref()) else {
            continue;
        };
        g.checked += e.checked();
        g.low += e.levels.low;
        g.medium += e.levels.medium;
        g.high += e.levels.high;
        g.critical += e.levels.critical;
        g.allowed += e.verdicts.allow;
        g.asked += e.verdicts.ask;
        g.denied += e.verdicts.deny;
        g.bypassed += e.bypassed;
        g.answered += e.answered;
        g.calls.extend(e.calls.iter().map(|c| GuardRow {
            session: s.entry.id.chars().take(8).collect(),
            at: c.at,
            tool: c.tool.clone(),
            summary: c.summary.clone(),
            level: c.level.label(),
            decided_by: c.decided_by().label(),
            not_asked: c.decided_by() == crate::evidence::guard::DecidedBy::Permissions,
            fate: c.fate(),
            bypassed: c.bypassed,
        }));
    }
    g.calls.sort_by_key(|c| c.at);
    g
}

fn findings(sessions: &[Seen<'_>]) -> Vec<FindingRow> {
    sessions
        .iter()
        .flat_map(|s| {
            let found =
                (s.evidence.iter()).flat_map(|x| x.insights.iter().flat_map(|i| &i.findings));
            found.map(|f| FindingRow {
                session: s.entry.id.chars().take(8).collect(),
                detector: f.id.label(),
                severity: f.severity.label(),
                title: f.title.clone(),
            })
        })
        .collect()
}

/// What redaction removed, counting each evidence document once (commits of one push share
/// theirs).
fn redactions(log: &BranchLog) -> Redactions {
    let mut out = Redactions::default();
    let mut documents: BTreeSet<String> = BTreeSet::new();
    for c in &log.commits {
        let key = c.statements.first().map_or_else(
            || format!("local {}", c.source),
            |s| s.statement_sha256.clone(),
        );
        if !documents.insert(key) {
            continue;
        }
        for (rule, n) in &c.redactions {
            *out.by_rule.entry(rule.clone()).or_default() += n;
            out.total += n;
        }
    }
    out
}

fn commit_row(c: &CommitEntry) -> CommitRow {
    let (reviewers, signers, note) = match &c.attestation {
        Attestation::Reviewed {
            reviewers,
            signers,
            note,
            ..
        } => (reviewers.clone(), signers.clone(), note.clone()),
        Attestation::Unreviewed { signers, .. } => (Vec::new(), signers.clone(), None),
        _ => (Vec::new(), Vec::new(), None),
    };
    CommitRow {
        sha: c.sha.clone(),
        subject: c.subject.clone(),
        author: c.author.clone(),
        committed_at: c.committed_at,
        state: c.attestation.state().label(),
        standing: c.standing(),
        reviewers,
        signers,
        note,
        source: c.source,
        sessions: c
            .sessions
            .iter()
            .map(|s| s.id.chars().take(8).collect())
            .collect(),
        lines_added: c.lines_added,
        ai_lines_added: c.ai_lines_added,
        policy: c.policy_summary.clone(),
        statements: (c.statements.iter())
            .map(|s| StatementRow {
                signer: s.signer.clone(),
                key_fingerprint: s.key_fingerprint.clone(),
                signed_at: s.signed_at,
                reviewed_by_person: s.reviewed_by_person,
                sha256: s.statement_sha256.clone(),
                note_line: s.line,
            })
            .collect(),
    }
}

fn summary(
    log: &BranchLog,
    sessions: &[Seen<'_>],
    guard: &GuardSection,
    findings: usize,
    exceptions: usize,
) -> Summary {
    let t = &log.totals;
    Summary {
        commits: t.commits,
        agent_commits: t.agent_commits,
        reviewed: t.reviewed,
        unreviewed: t.unreviewed,
        unsigned: t.unsigned,
        untrusted: t.untrusted,
        invalid: t.invalid,
        sessions: sessions.len(),
        sessions_attested: sessions
            .iter()
            .filter(|s| s.source == "attestation")
            .count(),
        sessions_local: sessions.iter().filter(|s| s.source == "local").count(),
        total_tokens: t.total_tokens,
        cost_usd: t.cost_usd.clone(),
        cost_incomplete: t.cost_incomplete,
        guard_checked: guard.checked,
        guard_denied: guard.denied,
        guard_asked: guard.asked,
        guard_bypassed: guard.bypassed,
        findings,
        exceptions,
    }
}

/// Tests each control over its population; its failures become exceptions.
fn controls(
    log: &BranchLog,
    sessions: &[Seen<'_>],
    guard: &GuardSection,
    exceptions: &mut Vec<Exception>,
) -> Vec<Control> {
    let agent: Vec<&CommitEntry> = log
        .commits
        .iter()
        .filter(|c| !c.sessions.is_empty())
        .collect();
    vec![
        review(&agent, exceptions),
        integrity(log, exceptions),
        records(&agent, exceptions),
        policies(log, exceptions),
        guarded(guard, exceptions),
        permissions(sessions, exceptions),
    ]
}

fn control(
    d: &Definition,
    population: String,
    tested: usize,
    failed: usize,
    evidence: Vec<String>,
) -> Control {
    let result = match (tested, failed) {
        (0, _) => ControlResult::NoPopulation,
        (_, 0) => ControlResult::Operated,
        _ => ControlResult::Exceptions,
    };
    Control {
        id: d.id,
        title: d.title,
        objective: d.objective,
        population,
        tested,
        exceptions: failed,
        result,
        evidence,
        mappings: d.mappings.to_vec(),
    }
}

fn commit_exception(control: &'static str, kind: &'static str, c: &CommitEntry) -> Exception {
    Exception {
        control,
        kind,
        subject: format!("commit {} {}", short(&c.sha), c.subject),
        detail: c.standing(),
    }
}

fn review(agent: &[&CommitEntry], exceptions: &mut Vec<Exception>) -> Control {
    let d = &controls::REVIEW;
    let mut reviewers = BTreeSet::new();
    let mut failed = 0;
    for c in agent {
        match &c.attestation {
            Attestation::Reviewed { reviewers: r, .. } => reviewers.extend(r.iter().cloned()),
            _ => {
                failed += 1;
                exceptions.push(commit_exception(d.id, "not reviewed", c));
            }
        }
    }
    let evidence = vec![
        format!(
            "{} of {} agent commits reviewed and signed by a person",
            agent.len() - failed,
            agent.len()
        ),
        format!(
            "reviewers: {}",
            if reviewers.is_empty() {
                "none".to_owned()
            } else {
                reviewers.into_iter().collect::<Vec<_>>().join(", ")
            }
        ),
    ];
    control(
        d,
        crate::words::plural(agent.len() as u64, "agent commit", "agent commits"),
        agent.len(),
        failed,
        evidence,
    )
}

fn integrity(log: &BranchLog, exceptions: &mut Vec<Exception>) -> Control {
    let d = &controls::INTEGRITY;
    let signed: Vec<&CommitEntry> = (log.commits.iter())
        .filter(|c| c.attestation.state() != AttestationState::Unsigned)
        .collect();
    let mut failed = 0;
    for c in &signed {
        let kind = match c.attestation.state() {
            AttestationState::Invalid => "invalid attestation",
            AttestationState::Untrusted => "untrusted signer",
            _ => continue,
        };
        failed += 1;
        exceptions.push(commit_exception(d.id, kind, c));
    }
    let statements: usize = log.commits.iter().map(|c| c.statements.len()).sum();
    let evidence = vec![
        format!(
            "{statements} signed statements verified (SSHSIG over the DSSE envelope, key in the allowed signers)"
        ),
        format!(
            "{} invalid, {} untrusted",
            log.totals.invalid, log.totals.untrusted
        ),
    ];
    control(
        d,
        crate::words::plural(signed.len() as u64, "attested commit", "attested commits"),
        signed.len(),
        failed,
        evidence,
    )
}

fn records(agent: &[&CommitEntry], exceptions: &mut Vec<Exception>) -> Control {
    let d = &controls::RECORDS;
    let mut failed = 0;
    for c in agent.iter().filter(|c| c.source != "attestation") {
        failed += 1;
        exceptions.push(Exception {
            control: d.id,
            kind: "record not signed",
            subject: format!("commit {} {}", short(&c.sha), c.subject),
            detail: "its sessions are known only from this clone's capture data".into(),
        });
    }
    let evidence = vec![format!(
        "{} of {} agent commits carry a signed record of their sessions",
        agent.len() - failed,
        agent.len()
    )];
    control(
        d,
        crate::words::plural(agent.len() as u64, "agent commit", "agent commits"),
        agent.len(),
        failed,
        evidence,
    )
}

fn policies(log: &BranchLog, exceptions: &mut Vec<Exception>) -> Control {
    let d = &controls::POLICIES;
    let attested: Vec<&CommitEntry> = (log.commits.iter())
        .filter(|c| c.source == "attestation")
        .collect();
    let mut failed = 0;
    for c in &attested {
        let why = match (&c.policy_summary, c.policies.is_empty()) {
            (None, _) => "no policy check recorded in its evidence".to_owned(),
            (Some(_), false) => c.policies.join("; "),
            (Some(_), true) => continue,
        };
        failed += 1;
        exceptions.push(Exception {
            control: d.id,
            kind: "policy",
            subject: format!("commit {} {}", short(&c.sha), c.subject),
            detail: why,
        });
    }
    let evidence = vec![format!(
        "{} of {} attested commits have policy results with no violation",
        attested.len() - failed,
        attested.len()
    )];
    control(
        d,
        crate::words::plural(attested.len() as u64, "attested commit", "attested commits"),
        attested.len(),
        failed,
        evidence,
    )
}

fn guarded(g: &GuardSection, exceptions: &mut Vec<Exception>) -> Control {
    let d = &controls::GUARD;
    let risky = (g.high + g.critical) as usize;
    let mut failed = 0;
    for c in &g.calls {
        let kind = if c.bypassed {
            "guard bypassed"
        } else if c.not_asked {
            "risky call not asked"
        } else {
            continue;
        };
        failed += 1;
        exceptions.push(Exception {
            control: d.id,
            kind,
            subject: format!("session {} {}", c.session, c.tool),
            detail: format!(
                "{} {}: {}",
                c.level,
                c.summary.as_deref().unwrap_or(""),
                c.fate
            ),
        });
    }
    let evidence = vec![
        format!(
            "{} calls checked: {} critical, {} high",
            g.checked, g.critical, g.high
        ),
        format!(
            "{} denied, {} asked, {} answered at git vouch watch, {} bypassed",
            g.denied, g.asked, g.answered, g.bypassed
        ),
    ];
    control(
        d,
        crate::words::plural(
            risky as u64,
            "high or critical call",
            "high or critical calls",
        ),
        risky,
        failed,
        evidence,
    )
}

fn permissions(sessions: &[Seen<'_>], exceptions: &mut Vec<Exception>) -> Control {
    let d = &controls::PERMISSIONS;
    let mut failed = 0;
    let recorded: Vec<&SessionEvidence> = sessions.iter().filter_map(|s| s.evidence).collect();
    for e in &recorded {
        let Some(detail) = e.permissions_bypassed() else {
            continue;
        };
        failed += 1;
        exceptions.push(Exception {
            control: d.id,
            kind: "permissions bypassed",
            subject: format!("session {}", e.id.chars().take(8).collect::<String>()),
            detail,
        });
    }
    let evidence = vec![
        format!(
            "{} of {} recorded sessions ran with permission checks",
            recorded.len() - failed,
            recorded.len()
        ),
        format!(
            "{} of {} sessions have no record on this machine",
            sessions.len() - recorded.len(),
            sessions.len()
        ),
    ];
    let population = crate::words::plural(
        recorded.len() as u64,
        "recorded session",
        "recorded sessions",
    );
    control(d, population, recorded.len(), failed, evidence)
}

fn verification(inputs: &Inputs<'_>, statements: usize) -> Verification {
    Verification {
        command: inputs.verify_command.clone(),
        statements,
        steps: vec![
            "Fetch the attestation notes: git vouch notes fetch (they travel in refs/notes/vouch).".into(),
            format!("Re-check every signature and statement: {}", inputs.verify_command),
            "Each statement's sha256 above is that of its DSSE payload: git notes --ref=vouch show COMMIT, take the listed line, base64-decode its payload, and sha256 it.".into(),
            "This report's data: the JSON embedded in the HTML (or written with --format json); its sha256 is printed at the end of the report.".into(),
        ],
    }
}

fn method() -> Vec<String> {
    [
        "Commits are those of the range, as git lists them.",
        "Each commit's attestations are read from its git note and verified: the DSSE envelope's SSHSIG signature (ssh-keygen -Y verify compatible), the key against the allowed-signers file with its validity and revocations, and the in-toto statement's subject against the commit.",
        "A commit is reviewed when a verified statement says a person reviewed it (the review screen signs so); a hook or git vouch attest signs as not reviewed.",
        "Session figures (models, tokens, cost, tool calls, permission modes, guard decisions, findings) come from the signed evidence of verified attestations; for commits without one, from this clone's capture data and transcripts, marked local.",
        "Controls are tested over their whole population in the scope, not a sample; every failure is listed under Exceptions.",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn limitations() -> Vec<String> {
    [
        "Local data (source local) is not signed: it is only as good as the machine that produced this report.",
        "Guard decisions exist only for sessions run with git-vouch's hooks installed; tokens and cost are as the agent's transcripts record them, priced with git-vouch's price table.",
        "A reviewer's signature shows that a named key holder approved the evidence shown to them; it does not show how carefully they read it.",
        "Framework mappings show which evidence supports a requirement; they are not an audit opinion or a certification. EU AI Act Articles 12 and 14 bind high-risk AI systems; coding agents are usually not high-risk, and the mappings show good practice.",
    ]
    .map(str::to_owned)
    .to_vec()
}
