//! The resource a session's telemetry belongs to: git-vouch, and the repository the session
//! worked in (its `origin` URL without credentials, its folder's name, the branch and commit
//! checked out when exported). Repositories are read once per export.

use std::collections::HashMap;
use std::path::Path;

use super::names as n;
use super::proto::{self, KeyValue, Resource};

/// The resources of one export, by the folder sessions worked in.
#[derive(Default)]
pub struct Resources {
    by_folder: HashMap<String, (String, Resource)>,
}

impl Resources {
    /// The key and resource of the repository at (or above) `folder`; sessions outside any
    /// repository share one resource that names none.
    pub fn of(&mut self, folder: Option<&str>) -> (String, Resource) {
        let folder = folder.unwrap_or_default();
        if let Some(found) = self.by_folder.get(folder) {
            return found.clone();
        }
        let attributes = repository(Path::new(folder));
        let key = attributes
            .iter()
            .map(|kv| format!("{}={:?}", kv.key, kv.value))
            .collect::<Vec<_>>()
            .join(";");
        let resource = Resource {
            attributes: base().into_iter().chain(attributes).collect(),
        };
        self.by_folder
            .insert(folder.to_owned(), (key.clone(), resource.clone()));
        (key, resource)
    }

    /// The resource of a key [`Self::of`] gave.
    pub fn by_key(&self, key: &str) -> Option<Resource> {
        self.by_folder
            .values()
            .find(|(k, _)| k == key)
            .map(|(_, r)| r.clone())
    }
}

fn base() -> Vec<KeyValue> {
    vec![
        proto::text(n::SERVICE_NAME, "git-vouch"),
        proto::text(n::SERVICE_VERSION, env!("CARGO_PKG_VERSION")),
    ]
}

fn repository(folder: &Path) -> Vec<KeyValue> {
    if folder.as_os_str().is_empty() {
        return Vec::new();
    }
    let Ok(repo) = git2::Repository::discover(folder) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let root = repo.workdir().unwrap_or_else(|| repo.path());
    if let Some(name) = root.file_name() {
        out.push(proto::text(n::VCS_REPOSITORY_NAME, name.to_string_lossy()));
    }
    if let Some(url) = repo
        .find_remote("origin")
        .ok()
        .and_then(|r| r.url().ok().map(crate::evidence::build::strip_credentials))
    {
        out.push(proto::text(n::VCS_REPOSITORY_URL, url));
    }
    if let Ok(head) = repo.head() {
        if let Some(branch) = head.shorthand().ok().filter(|_| head.is_branch()) {
            out.push(proto::text(n::VCS_REF_HEAD_NAME, branch));
        }
        if let Some(oid) = head.target() {
            out.push(proto::text(n::VCS_REF_HEAD_REVISION, oid.to_string()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn credentials_never_leave_in_a_url() {
        let strip = crate::evidence::build::strip_credentials;
        assert_eq!(
            strip("https://bob:ghp_x@github.com/acme/app.git"),
            "https://github.com/acme/app.git"
        );
        assert_eq!(
            strip("git@github.com:acme/app.git"),
            "git@github.com:acme/app.git"
        );
        assert_eq!(strip("https://github.com/a@b"), "https://github.com/a@b");
    }
}
