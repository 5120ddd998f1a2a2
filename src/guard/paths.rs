//! Where a path operand points, resolved the way the shell would (`~`, `$HOME`, relative to the
//! session's working folder, `.` and `..` folded), and what kind of place that is: outside the
//! repository, git's own data, a file holding secrets, a system folder…

use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::pattern::Globs;
use super::shell::Word;

/// What kind of place a path is. A path can be several (a private key in the home folder is
/// `outside_repository` and `private_key`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PathClass {
    /// Not under the repository's worktree (nor a temporary folder).
    OutsideRepository,
    /// The file system's root or the home folder itself.
    RootOrHome,
    /// Inside a `.git` folder: git's objects, refs, hooks and configuration.
    GitDir,
    /// Private keys: SSH, GPG, TLS, key stores.
    PrivateKey,
    /// Credentials of tools and clouds (`.aws/credentials`, `.netrc`, `.npmrc`, …).
    Credentials,
    /// Environment files (`.env`, `.env.local`): usually secrets.
    EnvFile,
    /// System folders (`/etc`, `/usr`, `/boot`, …).
    System,
    /// A temporary folder (`/tmp`, `/var/tmp`).
    Temporary,
    /// Not known before the command runs (a variable, a substitution, arguments from `xargs`).
    Unknown,
}

/// The globs that say which files are which, from the rules file's `[paths]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PathSpec {
    pub private_key: Vec<String>,
    pub credentials: Vec<String>,
    pub env_file: Vec<String>,
    /// Files matching a class's globs that are not secrets (`.env.example`, `*.pub`).
    pub not_secret: Vec<String>,
    pub system: Vec<String>,
    pub temporary: Vec<String>,
}

/// [`PathSpec`] compiled.
#[derive(Debug, Clone)]
pub struct PathClasses {
    private_key: Globs,
    credentials: Globs,
    env_file: Globs,
    not_secret: Globs,
    system: Vec<PathBuf>,
    temporary: Vec<PathBuf>,
}

/// Where the call runs: its working folder, the repository's worktree and the home folder.
#[derive(Debug, Clone)]
pub struct Place {
    pub cwd: PathBuf,
    pub repository: Option<PathBuf>,
    pub home: Option<PathBuf>,
}

impl PathClasses {
    /// The classes of `spec`; `trusted`: its globs are known to parse (the embedded rules').
    pub fn new(spec: &PathSpec, trusted: bool) -> Result<Self, globset::Error> {
        let globs = |patterns: &[String]| {
            if trusted {
                Ok(Globs::trusted(patterns))
            } else {
                Globs::new(patterns)
            }
        };
        Ok(Self {
            private_key: globs(&spec.private_key)?,
            credentials: globs(&spec.credentials)?,
            env_file: globs(&spec.env_file)?,
            not_secret: globs(&spec.not_secret)?,
            system: spec.system.iter().map(PathBuf::from).collect(),
            temporary: spec.temporary.iter().map(PathBuf::from).collect(),
        })
    }

    /// The classes of a path operand.
    pub fn of_word(&self, word: &Word, place: &Place) -> Vec<PathClass> {
        match resolve(word, place) {
            Some(path) => self.of_path(&path, place),
            None => vec![PathClass::Unknown],
        }
    }

    /// The classes of a resolved, absolute path.
    pub fn of_path(&self, path: &Path, place: &Place) -> Vec<PathClass> {
        let mut out = Vec::new();
        if is_harmless_device(path) {
            return out;
        }
        let inside = place.repository.as_deref().unwrap_or(&place.cwd);
        let in_repository = path.starts_with(inside);
        // A temporary folder is scratch space, unless the repository itself lives in it (a CI
        // checkout, a test): then the folders beside it are other people's work.
        let temporary = !in_repository
            && self
                .temporary
                .iter()
                .any(|t| path.starts_with(t) && path != t && !inside.starts_with(t));
        if !in_repository && !temporary {
            out.push(PathClass::OutsideRepository);
        }
        if path == Path::new("/") || place.home.as_deref() == Some(path) {
            out.push(PathClass::RootOrHome);
        }
        if path.components().any(|c| c.as_os_str() == ".git") {
            out.push(PathClass::GitDir);
        }
        // The repository is the agent's workspace wherever it is (a site under `/var/www`, a tool under `/opt`).
        if !in_repository && self.system.iter().any(|s| path.starts_with(s)) {
            out.push(PathClass::System);
        }
        if temporary {
            out.push(PathClass::Temporary);
        }
        let tails = tails(path);
        let secret = |set: &Globs| {
            tails.iter().any(|t| set.is_match(t))
                && !tails.iter().any(|t| self.not_secret.is_match(t))
        };
        if secret(&self.private_key) {
            out.push(PathClass::PrivateKey);
        }
        if secret(&self.credentials) {
            out.push(PathClass::Credentials);
        }
        if secret(&self.env_file) {
            out.push(PathClass::EnvFile);
        }
        out
    }
}

/// The file name and the last two and three components (`.aws/credentials`), which the globs
/// are matched against.
fn tails(path: &Path) -> Vec<String> {
    let parts: Vec<&str> = path.iter().filter_map(|c| c.to_str()).collect();
    (1..=3.min(parts.len()))
        .map(|n| parts[parts.len() - n..].join("/"))
        .collect()
}

fn is_harmless_device(path: &Path) -> bool {
    matches!(
        path.to_str(),
        Some("/dev/null" | "/dev/stdout" | "/dev/stderr" | "/dev/tty" | "/dev/zero")
    ) || path.starts_with("/dev/fd")
}

/// The absolute path a word names, or `None` where it depends on something not known before
/// the command runs. `~` and `$HOME` are the home folder; globs are kept in the path.
pub fn resolve(word: &Word, place: &Place) -> Option<PathBuf> {
    let text = word.text.as_str();
    let home_rest = ["~", "$HOME", "${HOME}"].iter().find_map(|p| {
        let rest = text.strip_prefix(p)?;
        (rest.is_empty() || rest.starts_with('/')).then_some(rest)
    });
    let joined = if let Some(rest) = home_rest {
        let home = place.home.as_deref()?;
        home.join(rest.trim_start_matches('/'))
    } else {
        if word.dynamic || text.starts_with('~') || text.is_empty() {
            return None;
        }
        place.cwd.join(text)
    };
    if home_rest.is_some() && text[text.find('/').unwrap_or(text.len())..].contains('$') {
        return None;
    }
    Some(normalize(&joined))
}

/// `.` and `..` folded without touching the file system (the file may not exist yet).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("/");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push("/");
    }
    out
}

#[cfg(test)]
mod tests;
