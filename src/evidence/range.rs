//! Which commits a piece of evidence covers: a `<rev-range>` given by the user, or the current
//! branch against its upstream (or the remote's default branch), resolved through libgit2.

use git2::{Oid, Repository, Sort};

use super::EvidenceError;

/// A resolved range: commits from oldest to newest, the excluded base (if any) and the tip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    pub spec: String,
    pub base: Option<String>,
    pub tip: String,
    pub commits: Vec<String>,
}

/// Resolves `spec`: `A..B`, `A...B` (from their merge base), or a single revision (from its merge
/// base with the upstream or default branch; all of its history when there is none). `None`
/// means the current branch (`HEAD`).
pub fn resolve(repo: &Repository, spec: Option<&str>) -> Result<Range, EvidenceError> {
    let spec = spec.unwrap_or("HEAD");
    let (base, tip) = if let Some((a, b)) = spec.split_once("...") {
        let (a, b) = (rev(repo, a)?, rev(repo, b)?);
        (Some(repo.merge_base(a, b)?), b)
    } else if let Some((a, b)) = spec.split_once("..") {
        (Some(rev(repo, a)?), rev(repo, b)?)
    } else {
        let tip = rev(repo, spec)?;
        (upstream_base(repo, tip), tip)
    };
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    walk.push(tip)?;
    if let Some(b) = base {
        walk.hide(b)?;
    }
    let commits = walk
        .map(|o| o.map(|o| o.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Range {
        spec: spec.to_owned(),
        base: base.map(|b| b.to_string()),
        tip: tip.to_string(),
        commits,
    })
}

/// The commits of `HEAD`'s history committed in `[since, until)`, oldest first: a period's
/// changes on the current branch, for a report. `label` names the range in words.
pub fn by_dates(
    repo: &Repository,
    since: Option<chrono::DateTime<chrono::Utc>>,
    until: Option<chrono::DateTime<chrono::Utc>>,
    label: &str,
) -> Result<Range, EvidenceError> {
    let tip = rev(repo, "HEAD")?;
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    walk.push(tip)?;
    let mut commits = Vec::new();
    for oid in walk {
        let oid = oid?;
        let at = repo.find_commit(oid)?.time().seconds();
        let after = since.is_none_or(|s| at >= s.timestamp());
        let before = until.is_none_or(|u| at < u.timestamp());
        if after && before {
            commits.push(oid.to_string());
        }
    }
    Ok(Range {
        spec: label.to_owned(),
        base: None,
        tip: commits.last().cloned().unwrap_or_else(|| tip.to_string()),
        commits,
    })
}

fn rev(repo: &Repository, text: &str) -> Result<Oid, EvidenceError> {
    let text = if text.is_empty() { "HEAD" } else { text };
    repo.revparse_single(text)
        .and_then(|o| o.peel_to_commit())
        .map(|c| c.id())
        .map_err(|_| EvidenceError::UnknownRevision(text.to_owned()))
}

/// The merge base of `tip` with the current branch's upstream, else with a remote's default
/// branch (`origin/HEAD`, `origin/main`, `origin/master`), else with a local `main`/`master`
/// that is not `tip` itself.
fn upstream_base(repo: &Repository, tip: Oid) -> Option<Oid> {
    let (_, other) = base_branch(repo, tip)?;
    repo.merge_base(tip, other).ok().filter(|b| *b != tip)
}

/// The branch a single revision's range starts from, by name (`origin/main`), with its commit:
/// the current branch's upstream, else a remote's default branch, else a local `main`/`master`
/// that is not `tip` itself.
pub fn base_branch(repo: &Repository, tip: Oid) -> Option<(String, Oid)> {
    let upstream = repo
        .head()
        .ok()
        .and_then(|h| h.shorthand().ok().map(str::to_owned))
        .and_then(|name| repo.find_branch(&name, git2::BranchType::Local).ok())
        .and_then(|b| b.upstream().ok())
        .and_then(|u| {
            let name = u.name().ok().flatten()?.to_owned();
            Some((name, u.get().target()?))
        });
    let candidates = [
        "refs/remotes/origin/HEAD",
        "refs/remotes/origin/main",
        "refs/remotes/origin/master",
        "refs/heads/main",
        "refs/heads/master",
    ];
    let fallback = candidates.iter().find_map(|r| {
        let resolved = repo.find_reference(r).ok()?.resolve().ok()?;
        let oid = resolved.target()?;
        let name = resolved.shorthand().ok()?.to_owned();
        (oid != tip).then_some((name, oid))
    });
    upstream.or(fallback)
}
