//! Provenance for the explorer, on worker threads: the branch's diff for the Branch view
//! (`git vouch diff`'s range diff of the branch checked out; in the demo, of a throwaway clone of
//! its repository), with who wrote each added line, and the blame of a file at a commit (the
//! Files tab's `B`), both told from the sessions the explorer loaded.

use std::path::Path;
use std::sync::Arc;

use super::{Source, opener};
use crate::pricing::PriceTable;
use crate::provenance::blame::{Blame, SessionReader, blame_file};
use crate::provenance::diff::range_diff;
use crate::session::SessionSummary;
use crate::session::detail::{Conversation, SessionDetail, ThreadRef};
use crate::tui::msg::{Effect, Msg};
use crate::tui::range_diff::TargetChanges;

/// Does a provenance job: the branch's diff or a blame (`None` for any other effect).
pub fn perform(effect: Effect, source: &Source, prices: &PriceTable) -> Option<Msg> {
    Some(match effect {
        Effect::LoadBranchDiff { repo, sessions } => Msg::BranchDiffLoaded(Box::new(branch_diff(
            source,
            repo.as_deref(),
            sessions,
            prices,
        ))),
        Effect::LoadBlame {
            session,
            cwd,
            sha,
            path,
            sessions,
        } => Msg::BlameLoaded {
            session,
            result: blame_at(source, &cwd, &sha, &path, sessions, prices).map(Arc::new),
            key: (sha, path),
        },
        _ => return None,
    })
}

/// The explorer's sessions, read from where the source keeps their files.
struct Reader<'a> {
    sessions: Vec<SessionSummary>,
    source: &'a Source,
    prices: &'a PriceTable,
}

impl SessionReader for Reader<'_> {
    fn sessions(&self) -> &[SessionSummary] {
        &self.sessions
    }
    fn read(&self, s: &SessionSummary) -> (SessionDetail, Conversation) {
        crate::agent_source::detail_and_conversation(s, &opener(self.source), self.prices)
    }
    fn thread(&self, s: &SessionSummary, thread: ThreadRef<'_>) -> Conversation {
        crate::agent_source::conversation(s, thread, &opener(self.source))
    }
}

/// The diff of the branch checked out at `repo`, or in the demo's repository when there is none.
pub fn branch_diff(
    source: &Source,
    repo: Option<&Path>,
    sessions: Vec<SessionSummary>,
    prices: &PriceTable,
) -> Result<TargetChanges, String> {
    let reader = Reader {
        sessions,
        source,
        prices,
    };
    let at = |cwd: &Path| {
        range_diff(cwd, None, &reader)
            .map(TargetChanges::new)
            .map_err(|e| e.to_string())
    };
    on_branch(source, repo, at)
}

/// `job` run on the repository checked out at `repo`, or without one on a throwaway clone of the
/// demo's repository (with its sessions archived and its attestations, as `git vouch init`
/// leaves a repository), removed afterwards.
pub fn on_branch<T>(
    source: &Source,
    repo: Option<&Path>,
    job: impl FnOnce(&Path) -> Result<T, String>,
) -> Result<T, String> {
    match (source, repo) {
        (_, Some(repo)) => job(repo),
        (Source::Demo { repo_parent }, None) => in_demo_clone(repo_parent, job),
        (Source::Local { .. }, None) => Err(
            "not inside a git repository: the Branch view shows the current branch of the \
             repository the explorer starts in"
                .into(),
        ),
    }
}

/// `job` run on a throwaway clone of the demo repository under `repo_parent`.
fn in_demo_clone<T>(
    repo_parent: &Path,
    job: impl FnOnce(&Path) -> Result<T, String>,
) -> Result<T, String> {
    let clone = crate::demo::review_workspace(repo_parent).map_err(|e| e.to_string())?;
    let out = job(&clone);
    // A leftover clone is replaced by the next one.
    crate::demo::remove_review_workspace(&clone);
    out
}

/// The blame of `path` at commit `sha` in the repository of a session that ran in `cwd` (the
/// demo's repository for the demo's sessions).
pub fn blame_at(
    source: &Source,
    cwd: &str,
    sha: &str,
    path: &str,
    sessions: Vec<SessionSummary>,
    prices: &PriceTable,
) -> Result<Blame, String> {
    let reader = Reader {
        sessions,
        source,
        prices,
    };
    let at = |root: &Path| {
        blame_file(root, Path::new(path), Some(sha), &reader).map_err(|e| e.to_string())
    };
    match source {
        // The demo's repository is bare: blame a throwaway clone of it.
        Source::Demo { repo_parent } if cwd == crate::demo::WORKTREE => {
            in_demo_clone(repo_parent, at)
        }
        Source::Demo { .. } => Err("the demo has no repository for this project".into()),
        Source::Local { .. } => at(&crate::git::paths::RepoPaths::discover(Path::new(cwd))
            .ok_or_else(|| format!("{cwd} is not a git repository on this machine"))?
            .worktree),
    }
}
