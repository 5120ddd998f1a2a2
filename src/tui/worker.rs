//! Slow work off the UI thread: each job runs on its own thread and reports back as a [`Msg`].

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::Sender;

use super::msg::{LoadResult, Msg};
use crate::attest::allowed_signers::AllowedSigners;
use crate::attest::git::Git;
use crate::clock::SystemClock;
use crate::correlate::{configured_signers, sessions_in_repository};
use crate::index::load_local;
use crate::pricing::PriceTable;
use crate::provenance::{BranchLog, branch_log};
use crate::transcript::discover::ProcessEnv;

/// Where sessions come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// The embedded demo sessions.
    Demo,
    /// The local Claude Code folders, through the index cache unless `cache` is `None`.
    Local { cache: Option<std::path::PathBuf> },
}

/// Runs jobs for the runner.
pub struct Worker {
    tx: Sender<Msg>,
    source: Source,
    prices: Arc<PriceTable>,
    /// The repository whose commits the sessions are tied to (the explorer's scope).
    repository: Option<PathBuf>,
}

impl Worker {
    pub fn new(
        tx: Sender<Msg>,
        source: Source,
        prices: PriceTable,
        repository: Option<PathBuf>,
    ) -> Self {
        Self {
            tx,
            source,
            prices: Arc::new(prices),
            repository,
        }
    }

    /// Reads the branch's provenance on a new thread; the answer is `BranchLoaded`.
    pub fn load_branch(&self, repo: std::path::PathBuf) {
        let (tx, prices) = (self.tx.clone(), self.prices.clone());
        std::thread::spawn(move || {
            let result = branch(&repo, &prices);
            let _ = tx.send(Msg::BranchLoaded(Box::new(result)));
        });
    }

    /// Reads the sessions on a new thread; the answer is `Loaded` or `LoadFailed`.
    pub fn load_catalog(&self) {
        let (tx, source, prices) = (self.tx.clone(), self.source.clone(), self.prices.clone());
        std::thread::spawn(move || {
            let msg = match load(&source, &prices) {
                Ok(result) => Msg::Loaded(Box::new(result)),
                Err(e) => Msg::LoadFailed(e),
            };
            // The UI may be gone already; nobody is left to tell.
            let _ = tx.send(msg);
        });
    }
}

/// The provenance of the branch checked out at `repo`: notes as they are (no fetch), checked
/// against git's allowed signers when configured.
fn branch(repo: &std::path::Path, prices: &PriceTable) -> Result<BranchLog, String> {
    let git = Git::new(repo);
    let signers = AllowedSigners::from_git_config(&git, None)
        .map(|(s, _)| s)
        .unwrap_or_default();
    branch_log(repo, None, &signers, prices, &SystemClock).map_err(|e| e.to_string())
}

impl Worker {
    /// Finds the sessions' commits and attestation state on a new thread (the demo's in its
    /// embedded repository); answers with `CommitsLoaded`, and nothing when there is no
    /// repository or it cannot be read (the columns then stay unknown).
    pub fn load_commits(&self) {
        let (tx, source, repository) = (
            self.tx.clone(),
            self.source.clone(),
            self.repository.clone(),
        );
        std::thread::spawn(move || {
            let found = match (&source, repository) {
                (Source::Demo, _) => crate::demo::with_repository(&std::env::temp_dir(), |repo| {
                    sessions_in_repository(repo, &AllowedSigners::parse(""))
                })
                .ok()
                .and_then(Result::ok),
                (Source::Local { .. }, Some(repo)) => {
                    sessions_in_repository(&repo, &configured_signers(&repo)).ok()
                }
                (Source::Local { .. }, None) => None,
            };
            if let Some(commits) = found {
                let _ = tx.send(Msg::CommitsLoaded(Box::new(commits)));
            }
        });
    }
}

fn load(source: &Source, prices: &PriceTable) -> Result<LoadResult, String> {
    let Source::Local { cache } = source else {
        return Ok(LoadResult {
            catalog: crate::demo::catalog(prices),
            searched: Vec::new(),
        });
    };
    let (catalog, roots) =
        load_local(&ProcessEnv, cache.clone(), prices).map_err(|e| e.to_string())?;
    Ok(LoadResult {
        catalog,
        searched: roots,
    })
}
