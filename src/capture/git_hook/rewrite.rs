//! `post-rewrite`: after `commit --amend` or a rebase, the new commits inherit the sessions and
//! the agent lines of the commits they replace (a squash merges several into one).

use std::collections::{BTreeMap, HashMap};

use git2::{Oid, Repository};

use super::GitHookError;
use super::post_commit::{commit_record, write_consumption};
use crate::capture::commit_record::{CommitRecord, LinkSource, attribute};
use crate::capture::pending::Pending;
use crate::capture::state::{StateDir, read_json, write_json};
use crate::clock::Clock;
use crate::git::diff::commit_diff;

pub fn run(
    state: &StateDir,
    repo: &Repository,
    stdin: &[u8],
    clock: &dyn Clock,
) -> Result<(), GitHookError> {
    let mut olds_by_new: BTreeMap<String, Vec<CommitRecord>> = BTreeMap::new();
    for line in String::from_utf8_lossy(stdin).lines() {
        let mut parts = line.split_whitespace();
        let (Some(old), Some(new)) = (parts.next(), parts.next()) else {
            continue;
        };
        let entry = olds_by_new.entry(new.to_owned()).or_default();
        if let Some(record) = read_json::<CommitRecord>(&state.commit_file(old))? {
            entry.push(record);
        }
    }
    for (new, olds) in olds_by_new {
        if !olds.is_empty() {
            carry_over(state, repo, &new, &olds, clock)?;
        }
    }
    Ok(())
}

fn carry_over(
    state: &StateDir,
    repo: &Repository,
    new: &str,
    olds: &[CommitRecord],
    clock: &dyn Clock,
) -> Result<(), GitHookError> {
    let commit = repo.find_commit(Oid::from_str(new)?)?;
    let existing = read_json::<CommitRecord>(&state.commit_file(new))?;
    let mut sessions: Vec<String> = olds.iter().flat_map(|r| r.sessions.clone()).collect();
    let mut known: HashMap<String, Vec<u64>> = HashMap::new();
    for r in olds.iter().chain(existing.as_ref()) {
        sessions.extend(r.sessions.iter().cloned());
        for f in &r.files {
            known
                .entry(f.path.clone())
                .or_default()
                .extend(&f.ai_hashes);
            if let Some(old_path) = &f.old_path {
                known
                    .entry(old_path.clone())
                    .or_default()
                    .extend(&f.ai_hashes);
            }
        }
    }
    sessions.sort();
    sessions.dedup();
    let files = commit_diff(repo, &commit)?;
    let mut pending = Pending::load(state);
    let (changes, consumed) = attribute(&files, &mut pending, &sessions, &mut known);
    let source = olds.first().map_or(LinkSource::Trailer, |r| r.source);
    let record = commit_record(&commit, sessions, source, changes, clock);
    write_json(&state.commit_file(new), &record)?;
    write_consumption(state, new, &consumed, clock)
}
