//! One git-config value read through libgit2, for the hooks' hot path (no `git` process): the
//! repository's configuration with the person's global and system files under it, includes and
//! worktree configuration honoured as git does.

use super::RepoPaths;

/// Why a configuration value could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read git config {key} in {git_dir}: {source}")]
pub struct ConfigError {
    pub key: String,
    pub git_dir: String,
    #[source]
    pub source: git2::Error,
}

/// `git config --get <key>` in `repo`: `None` when unset.
pub fn value(repo: &RepoPaths, key: &str) -> Result<Option<String>, ConfigError> {
    Ok(values(repo, &[key])?.pop().flatten())
}

/// [`value`] of each of `keys`, from one reading of the configuration.
pub fn values(repo: &RepoPaths, keys: &[&str]) -> Result<Vec<Option<String>>, ConfigError> {
    let error = |key: &str, source| ConfigError {
        key: key.to_owned(),
        git_dir: repo.git_dir.display().to_string(),
        source,
    };
    let first = keys.first().copied().unwrap_or_default();
    let config = git2::Repository::open(&repo.git_dir)
        .and_then(|r| r.config())
        .and_then(|mut c| c.snapshot())
        .map_err(|e| error(first, e))?;
    keys.iter()
        .map(|key| match config.get_string(key) {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(error(key, e)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_set_and_unset_values_of_the_repository() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        repo.config()
            .unwrap()
            .set_str("vouch.guard", "enforce")
            .unwrap();
        let paths = RepoPaths::discover(dir.path()).unwrap();
        assert_eq!(
            value(&paths, "vouch.guard").unwrap().as_deref(),
            Some("enforce")
        );
        assert_eq!(value(&paths, "vouch.nothing").unwrap(), None);
        let gone = RepoPaths::from_git_dir(dir.path().into(), dir.path().join("missing"));
        let err = value(&gone, "vouch.guard").unwrap_err().to_string();
        assert!(
            err.starts_with("cannot read git config vouch.guard in "),
            "{err}"
        );
    }
}
