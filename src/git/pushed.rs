//! What a push sends: the commits a pushed ref adds to the remote, walked in process (libgit2)
//! from the ids git gives the pre-push hook.

use git2::{Oid, Repository};

/// The commits that pushing `local_sha` over `remote_sha` (the ids git gives pre-push) sends to
/// `remote`, oldest first: for an existing remote branch, those not reachable from its current
/// tip; for a new branch, those after the merge base with the remote's default branch (or
/// everything when the remote has none). A deletion (`local_sha` all zeros) sends nothing.
pub fn commits_sent(
    repo: &Repository,
    remote: &str,
    local_sha: &str,
    remote_sha: &str,
) -> Result<Vec<String>, git2::Error> {
    if is_zero(local_sha) {
        return Ok(Vec::new());
    }
    walk(repo, remote, local_sha, remote_sha)
}

/// Whether `sha` is git's all-zeros id (no object: a new branch or a deletion).
pub fn is_zero(sha: &str) -> bool {
    sha.bytes().all(|b| b == b'0')
}

fn walk(
    repo: &Repository,
    remote: &str,
    local_sha: &str,
    remote_sha: &str,
) -> Result<Vec<String>, git2::Error> {
    let local = Oid::from_str(local_sha)?;
    let mut walk = repo.revwalk()?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)?;
    walk.push(local)?;
    let remote_tip = (!is_zero(remote_sha))
        .then(|| Oid::from_str(remote_sha).ok())
        .flatten();
    match remote_tip.filter(|oid| repo.find_commit(*oid).is_ok()) {
        Some(tip) => walk.hide(tip)?,
        None => {
            if let Some(base) =
                default_branch(repo, remote).and_then(|d| repo.merge_base(local, d).ok())
            {
                walk.hide(base)?;
            }
        }
    }
    walk.map(|oid| oid.map(|o| o.to_string())).collect()
}

/// The tip of the remote's default branch as this clone knows it.
fn default_branch(repo: &Repository, remote: &str) -> Option<Oid> {
    let head = format!("refs/remotes/{remote}/HEAD");
    if let Ok(r) = repo.find_reference(&head)
        && let Ok(resolved) = r.resolve()
    {
        return resolved.target();
    }
    ["main", "master", "trunk", "develop"].iter().find_map(|b| {
        repo.refname_to_id(&format!("refs/remotes/{remote}/{b}"))
            .ok()
    })
}

#[cfg(test)]
mod tests {
    use super::is_zero;

    #[test]
    fn zeros_mean_no_object() {
        assert!(is_zero("0000000000000000000000000000000000000000"));
        assert!(!is_zero("0000000000000000000000000000000000000001"));
    }
}
