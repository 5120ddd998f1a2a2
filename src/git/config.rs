//! One git-config value read through libgit2, for the hooks' hot path (no `git` process): the
//! repository's configuration with the person's global and system files under it, includes and
//! worktree configuration honoured as git does.

use std::env;
use std::path::PathBuf;

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
    Config::read(repo).values(keys)
}

/// The global excludes file as git finds it (see [`Config::excludes_file`]).
pub fn excludes_file(repo: &RepoPaths) -> Option<PathBuf> {
    Config::read(repo).excludes_file()
}

/// A repository's configuration, read once: libgit2 opens the repository to read it, the larger
/// part of a hook's configuration read, so a hook that needs several values and the excludes
/// file reads them all from one of these.
pub struct Config {
    git_dir: String,
    read: Result<git2::Config, git2::Error>,
}

impl Config {
    pub fn read(repo: &RepoPaths) -> Self {
        Self {
            git_dir: repo.git_dir.display().to_string(),
            read: open(repo),
        }
    }

    /// `git config --get` of each of `keys`: `None` when unset.
    pub fn values(&self, keys: &[&str]) -> Result<Vec<Option<String>>, ConfigError> {
        let error = |key: &str, source| ConfigError {
            key: key.to_owned(),
            git_dir: self.git_dir.clone(),
            source,
        };
        let config = self.read.as_ref().map_err(|e| {
            let first = keys.first().copied().unwrap_or_default();
            error(first, git2::Error::new(e.code(), e.class(), e.message()))
        })?;
        keys.iter()
            .map(|key| match config.get_string(key) {
                Ok(v) => Ok(Some(v)),
                Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
                Err(e) => Err(error(key, e)),
            })
            .collect()
    }

    /// The global excludes file as git finds it: `core.excludesFile` (`~/` expanded), else
    /// `$XDG_CONFIG_HOME/git/ignore`, else `~/.config/git/ignore`; whether it exists is not
    /// checked. Read through libgit2 like the values: the snapshot walk around each Bash call
    /// needs it, and `ignore`'s own lookup compiles a regular expression per process.
    pub fn excludes_file(&self) -> Option<PathBuf> {
        if let Ok(config) = &self.read {
            match config.get_path("core.excludesfile") {
                Ok(path) => return Some(path),
                Err(e) if e.code() == git2::ErrorCode::NotFound => {}
                Err(_) => return None,
            }
        }
        default_excludes()
    }
}

fn default_excludes() -> Option<PathBuf> {
    let xdg = env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let config_home = xdg.or_else(|| env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
    config_home.map(|dir| dir.join("git/ignore"))
}

fn open(repo: &RepoPaths) -> Result<git2::Config, git2::Error> {
    git2::Repository::open(&repo.git_dir)
        .and_then(|r| r.config())
        .and_then(|mut c| c.snapshot())
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

    #[test]
    fn the_excludes_file_is_the_configured_one_with_the_home_folder_expanded() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        let paths = RepoPaths::discover(dir.path()).unwrap();
        let set = |value: &str| {
            repo.config()
                .unwrap()
                .set_str("core.excludesFile", value)
                .unwrap();
        };
        set("/srv/shop/ignores");
        assert_eq!(
            excludes_file(&paths),
            Some(PathBuf::from("/srv/shop/ignores"))
        );
        set("~/my-ignores");
        let expanded = excludes_file(&paths).unwrap();
        assert!(expanded.ends_with("my-ignores"), "{}", expanded.display());
        assert!(!expanded.starts_with("~"), "{}", expanded.display());
    }
}
