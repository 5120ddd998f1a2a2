//! Provenance that survives forge merges. A squash merge or a rebase merge on a forge makes new
//! commits that no attestation names; their changes are still the attested ones. A commit with no
//! attestation of its own carries the verified attestations of the repository's notes whose
//! change it repeats:
//!
//! - its tree is an attested range's tip tree (the range squashed onto an unchanged base);
//! - its change ([`crate::git::change_id`]) is an attested range's whole change (a squash), or
//!   one attested commit's (a rebase);
//! - otherwise, file by file: the files whose change is an attested range's are carried, and the
//!   rest are named as not attested (a squash with a person's extra change).
//!
//! The ids come from the signed evidence (`range.change_id`, `range.file_changes`,
//! `commits[].change_id`), so the attested commits need not be in the clone; for evidence signed
//! before the ids existed they are computed from the commits when the clone has them. Only
//! attestations that verify against the allowed signers count.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use git2::{Oid, Repository};
use serde::Serialize;
use serde_json::Value;

use super::allowed_signers::AllowedSigners;
use super::notes::{self, NotesError, parse_bundle};
use super::standing::AttestationState;
use super::statement::Statement;
use super::verify::{Verdict, verify_envelope};
use crate::git::Git;
use crate::git::change_id::{ChangeIds, commit_change, range_change};

/// How a commit repeats attested changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CarryKind {
    /// An attested range's changes in one commit.
    Squash,
    /// One attested commit's change, applied elsewhere.
    Rebase,
}

/// The attestations a commit carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Carried {
    pub kind: CarryKind,
    /// The attested commits whose change it repeats.
    pub from: Vec<String>,
    /// The carried attestations' state (`reviewed` or `unreviewed`), signers and reviewers.
    pub state: AttestationState,
    pub signers: Vec<String>,
    pub reviewers: Vec<String>,
    /// The commit's change is an attested change as a whole (not only some of its files).
    pub whole: bool,
    /// Files the commit changes, and how many of them repeat an attested change.
    pub files: usize,
    pub matched: usize,
    /// The files whose change no attestation covers.
    pub not_attested: Vec<String>,
    /// The attested evidence (its predicate's `evidence`), for what the commits were made with.
    #[serde(skip)]
    pub evidence: Option<Value>,
    /// The carried attestations' envelopes, verbatim (what a carry-over embeds).
    #[serde(skip)]
    pub envelopes: Vec<String>,
}

impl Carried {
    /// What a carry-over attestation carries, before its carried signers are counted.
    pub fn over(kind: CarryKind, from: Vec<String>) -> Self {
        Self {
            kind,
            from,
            state: AttestationState::Unreviewed,
            signers: Vec::new(),
            reviewers: Vec::new(),
            whole: true,
            files: 0,
            matched: 0,
            not_attested: Vec::new(),
            evidence: None,
            envelopes: Vec::new(),
        }
    }

    /// Counts a verified carried attestation's signer.
    pub fn add_signer(&mut self, principal: &str, reviewed: bool) {
        push_new(&mut self.signers, principal);
        if reviewed {
            push_new(&mut self.reviewers, principal);
            self.state = AttestationState::Reviewed;
        }
    }

    /// The commit's change is an attested change as a whole: it stands as that attestation does.
    pub fn complete(&self) -> bool {
        self.whole
    }

    /// `via squash of 3 attested commits`, `via rebase of 1a2b3c4d5e`.
    pub fn via(&self) -> String {
        match (self.kind, self.from.as_slice()) {
            (CarryKind::Rebase, [one]) => format!("via rebase of {}", short(one)),
            _ => format!(
                "via squash of {}",
                crate::words::counted(self.from.len(), "attested commit", "attested commits")
            ),
        }
    }

    /// The partial match in words: `2 of 3 files match a squash of 3 attested commits (reviewed
    /// by bob@example.com); not attested: src/extra.rs`.
    pub fn partial(&self) -> String {
        let what = format!("a {}", self.via().trim_start_matches("via "));
        let state = super::standing::account(self.state, &self.reviewers, &self.signers, "");
        if self.not_attested.is_empty() {
            return format!(
                "its {} match part of {what} ({state})",
                crate::words::counted(self.files, "file", "files")
            );
        }
        format!(
            "{} of {} match {what} ({}); not attested: {}",
            self.matched,
            crate::words::counted(self.files, "file", "files"),
            super::standing::account(self.state, &self.reviewers, &self.signers, ""),
            self.not_attested.join(", ")
        )
    }
}

/// One verified attestation's change.
#[derive(Debug, Clone)]
struct Attested {
    commits: Vec<String>,
    tip_tree: String,
    range: Option<ChangeIds>,
    /// Each attested commit's change id.
    commit_changes: BTreeMap<String, String>,
    signers: Vec<String>,
    reviewers: Vec<String>,
    evidence: Option<Value>,
    /// The verified envelopes, as their note lines.
    envelopes: Vec<String>,
}

/// Every verified attestation's change in the repository's notes.
#[derive(Debug, Clone, Default)]
pub struct Lineage {
    attested: Vec<Attested>,
}

impl Lineage {
    /// Reads and verifies every note once (an envelope attached to many commits counts once).
    pub fn from_notes(
        git: &Git,
        repo: &Repository,
        signers: &AllowedSigners,
    ) -> Result<Self, NotesError> {
        let all = notes::list_notes(git)?;
        let blobs: Vec<String> = all
            .values()
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let texts = notes::read_objects(git, &blobs)?;
        let mut by_statement: HashMap<(String, Vec<String>), Attested> = HashMap::new();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        for (commit, blob) in &all {
            let Some(text) = texts.get(blob).cloned().flatten() else {
                continue;
            };
            for line in parse_bundle(&text) {
                let Ok(envelope) = &line.envelope else {
                    continue;
                };
                if !seen.insert(envelope.payload.clone()) {
                    continue;
                }
                let Verdict::Verified {
                    principal,
                    reviewed_by_person,
                    ..
                } = verify_envelope(envelope, commit, signers)
                else {
                    continue;
                };
                let Some(statement) = envelope
                    .payload_bytes()
                    .ok()
                    .and_then(|p| Statement::parse(&p).ok())
                else {
                    continue;
                };
                let a = attested(repo, &statement);
                let entry = by_statement
                    .entry((a.tip_tree.clone(), a.commits.clone()))
                    .or_insert(a);
                push_new(&mut entry.signers, &principal);
                entry.envelopes.push(line.text.clone());
                if reviewed_by_person {
                    push_new(&mut entry.reviewers, &principal);
                }
            }
        }
        let mut attested: Vec<Attested> = by_statement.into_values().collect();
        attested.sort_by(|a, b| a.commits.cmp(&b.commits));
        Ok(Self { attested })
    }

    /// Whether there is any attested change to carry.
    pub fn is_empty(&self) -> bool {
        self.attested.is_empty()
    }

    /// The attestations the commit `sha` carries, if it repeats any attested change.
    pub fn carried(&self, repo: &Repository, sha: &str) -> Option<Carried> {
        let commit = repo.find_commit(Oid::from_str(sha).ok()?).ok()?;
        let tree = commit.tree_id().to_string();
        if let Some(a) = self.attested.iter().find(|a| a.tip_tree == tree) {
            let files = commit_change(repo, &commit).ok()?.files.len();
            return Some(carried(a, kind_of(a), a.commits.clone(), files, Vec::new()));
        }
        let change = commit_change(repo, &commit).ok()?;
        let files = change.files.len();
        if let Some(a) = self
            .attested
            .iter()
            .find(|a| a.range.as_ref().is_some_and(|r| r.whole == change.whole))
        {
            return Some(carried(a, kind_of(a), a.commits.clone(), files, Vec::new()));
        }
        for a in &self.attested {
            if let Some((c, _)) = a.commit_changes.iter().find(|(_, id)| **id == change.whole) {
                return Some(carried(
                    a,
                    CarryKind::Rebase,
                    vec![c.clone()],
                    files,
                    Vec::new(),
                ));
            }
        }
        self.partly(&change)
    }

    /// The attested range whose file changes the commit repeats most of.
    fn partly(&self, change: &ChangeIds) -> Option<Carried> {
        let (a, matched) = self
            .attested
            .iter()
            .filter_map(|a| {
                let r = a.range.as_ref()?;
                let n = change
                    .files
                    .iter()
                    .filter(|(p, id)| r.files.get(*p) == Some(*id))
                    .count();
                (n > 0).then_some((a, n))
            })
            .max_by_key(|(_, n)| *n)?;
        let range = a.range.as_ref()?;
        let not_attested: Vec<String> = change
            .files
            .iter()
            .filter(|(p, id)| range.files.get(*p) != Some(*id))
            .map(|(p, _)| p.clone())
            .collect();
        let mut c = carried(
            a,
            kind_of(a),
            a.commits.clone(),
            change.files.len(),
            not_attested,
        );
        c.matched = matched;
        Some(c)
    }
}

fn kind_of(a: &Attested) -> CarryKind {
    if a.commits.len() == 1 {
        CarryKind::Rebase
    } else {
        CarryKind::Squash
    }
}

fn carried(
    a: &Attested,
    kind: CarryKind,
    from: Vec<String>,
    files: usize,
    not_attested: Vec<String>,
) -> Carried {
    Carried {
        kind,
        from,
        state: if a.reviewers.is_empty() {
            AttestationState::Unreviewed
        } else {
            AttestationState::Reviewed
        },
        signers: a.signers.clone(),
        reviewers: a.reviewers.clone(),
        whole: not_attested.is_empty(),
        matched: files - not_attested.len(),
        files,
        not_attested,
        evidence: a.evidence.clone(),
        envelopes: a.envelopes.clone(),
    }
}

/// What a verified statement attests: from its evidence, or from its commits when the evidence
/// predates change ids and the clone has them.
fn attested(repo: &Repository, statement: &Statement) -> Attested {
    let evidence = statement.predicate.get("evidence").cloned();
    let range = evidence.as_ref().and_then(|e| e.get("range"));
    let text = |v: Option<&Value>, key: &str| {
        v.and_then(|v| v.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let tip_tree = statement
        .subject
        .iter()
        .find_map(|s| s.digest.get(super::statement::GIT_TREE).cloned())
        .or_else(|| text(range, "tip_tree"))
        .unwrap_or_default();
    let commits: Vec<String> = statement.commits().collect();
    let signed_range = text(range, "change_id").map(|whole| ChangeIds {
        whole,
        files: range
            .and_then(|r| r.get("file_changes"))
            .and_then(|f| serde_json::from_value(f.clone()).ok())
            .unwrap_or_default(),
    });
    let computed_range = || {
        let tip = Oid::from_str(&text(range, "tip")?).ok()?;
        let base = text(range, "base").and_then(|b| Oid::from_str(&b).ok());
        range_change(repo, base, tip).ok()
    };
    let mut commit_changes = BTreeMap::new();
    for c in evidence
        .as_ref()
        .and_then(|e| e.get("commits"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        // Only the commits the statement names are attested, whatever else the evidence lists.
        if let (Some(sha), Some(id)) = (text(Some(c), "sha"), text(Some(c), "change_id"))
            && commits.contains(&sha)
        {
            commit_changes.insert(sha, id);
        }
    }
    for c in &commits {
        if !commit_changes.contains_key(c)
            && let Some(id) = Oid::from_str(c)
                .ok()
                .and_then(|o| repo.find_commit(o).ok())
                .and_then(|commit| commit_change(repo, &commit).ok())
        {
            commit_changes.insert(c.clone(), id.whole);
        }
    }
    Attested {
        range: signed_range.or_else(computed_range),
        commits,
        tip_tree,
        commit_changes,
        signers: Vec::new(),
        reviewers: Vec::new(),
        evidence,
        envelopes: Vec::new(),
    }
}

fn push_new(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|x| x == item) {
        list.push(item.to_owned());
    }
}

fn short(sha: &str) -> &str {
    sha.get(..10).unwrap_or(sha)
}
