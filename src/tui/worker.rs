//! Slow work off the UI thread: each job runs on its own thread and reports back as a [`Msg`].
//! Conversation layouts run as a single-slot job (`single_job`): one at a time, and of those
//! asked for meanwhile only the latest.

mod provenance;
mod scope;
mod single_job;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::Sender;

use super::highlight::{Highlighted, highlight};
use super::msg::{DetailLoad, Effect, LoadResult, Msg};
use super::timeline::lay_out;
use crate::agent_source;
use crate::attest::allowed_signers::AllowedSigners;
use crate::attest::standing::{SessionCommits, configured_signers, sessions_in_repository};
use crate::capture::state::StateDir;
use crate::clock::SystemClock;
use crate::config::ProcessEnv;
use crate::correlate::{CommitChanges, commit_records, session_changes};
use crate::evidence::guard::GuardAccount;
use crate::git::Git;
use crate::git::paths::RepoPaths;
use crate::index::{Findings, load_local};
use crate::pricing::PriceTable;
use crate::provenance::{BranchLog, branch_log};
use crate::session::SessionSummary;
use crate::session::detail::{SessionDetail, ThreadRef, ToolStatus, open_file, open_text};
use single_job::SingleJob;

/// Where sessions come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// The embedded demo sessions; their repository is unpacked under `repo_parent`.
    Demo { repo_parent: PathBuf },
    /// Every agent's transcripts on this machine, through the index cache unless `cache` is
    /// `None`; with the recordings of `git vouch record` in the sessions' repositories and in
    /// `data_dir` (none read when `None`).
    Local {
        cache: Option<PathBuf>,
        data_dir: Option<PathBuf>,
        /// Transcript archives to read sessions Claude Code deleted from.
        archives: Vec<PathBuf>,
    },
}

/// Runs jobs for the runner.
pub struct Worker {
    tx: Sender<Msg>,
    source: Source,
    prices: Arc<PriceTable>,
    /// Layouts for a width: a resize storm lays out the current one and the last asked for.
    layout: SingleJob<Effect>,
}

impl Worker {
    pub fn new(tx: Sender<Msg>, source: Source, prices: PriceTable) -> Self {
        let prices = Arc::new(prices);
        let layout = {
            let (tx, source, prices) = (tx.clone(), source.clone(), prices.clone());
            SingleJob::new(move |effect| answer(&tx, effect, &source, &prices))
        };
        Self {
            tx,
            source,
            prices,
            layout,
        }
    }

    /// Runs the job an effect asks for on a worker thread and sends its answer.
    pub fn run(&self, effect: Effect) {
        if matches!(effect, Effect::LayoutConversation { .. }) {
            self.layout.request(effect);
        } else {
            let (tx, source) = (self.tx.clone(), self.source.clone());
            let prices = self.prices.clone();
            std::thread::spawn(move || answer(&tx, effect, &source, &prices));
        }
    }
}

/// What the guard decided in a session, from the ledger of the repository it worked in.
fn guard_account(summary: &SessionSummary, detail: &SessionDetail) -> Option<GuardAccount> {
    let state = StateDir::discover(Path::new(summary.cwd.as_deref()?))?;
    let succeeded: BTreeSet<&str> = detail
        .tool_calls
        .iter()
        .filter(|c| c.status == ToolStatus::Ok)
        .map(|c| c.id.as_str())
        .collect();
    crate::evidence::guard::account(&state, &summary.id, &succeeded)
}

/// A session read in full, with what the guard decided, its findings and its recorded calls.
fn detail(
    summary: &SessionSummary,
    findings: &Findings,
    source: &Source,
    prices: &PriceTable,
) -> Msg {
    let (detail, conversation) =
        agent_source::detail_and_conversation(summary, &opener(source), prices);
    let guard = guard_account(summary, &detail).map(Arc::new);
    // A cache that cannot be read now only leaves the Insights tab empty.
    let insights = findings.of(&summary.id).ok().flatten().map(Arc::new);
    let exchanges = summary.recording.as_deref().map(|r| {
        crate::recorder::browse::exchanges(&r.stores, &summary.id, prices)
            .map(Arc::new)
            .map_err(|e| e.to_string())
    });
    Msg::DetailLoaded(Box::new(DetailLoad {
        detail: Arc::new(detail),
        conversation: Arc::new(conversation),
        guard,
        insights,
        exchanges,
    }))
}

/// Does the job and sends its answer.
fn answer(tx: &Sender<Msg>, effect: Effect, source: &Source, prices: &PriceTable) {
    if let Some(msg) = perform(effect, source, prices) {
        // The UI may be gone already; nobody is left to tell.
        let _ = tx.send(msg);
    }
}

/// Does the job of an effect where it is called and returns its answer (`None` for `Quit`).
/// The runner calls it on worker threads; tests call it directly.
pub fn perform(effect: Effect, source: &Source, prices: &PriceTable) -> Option<Msg> {
    Some(match effect {
        // The runner opens the live view itself.
        Effect::Quit | Effect::Watch(_) => return None,
        Effect::LoadBranch(repo) => {
            Msg::BranchLoaded(Box::new(branch(source, repo.as_deref(), prices)))
        }
        e @ (Effect::LoadBranchDiff { .. } | Effect::LoadBlame { .. }) => {
            provenance::perform(e, source, prices)?
        }
        Effect::LoadScope(repo) => Msg::ScopeLoaded(Box::new(scope::repo_scope(&repo))),
        Effect::LoadCommits(repo) => {
            Msg::CommitsLoaded(Box::new(session_commits(source, repo.as_deref())?))
        }
        Effect::LoadCatalog => match load(source, prices) {
            Ok(result) => Msg::Loaded(Box::new(result)),
            Err(e) => Msg::LoadFailed(e),
        },
        Effect::LoadDetail { summary, findings } => detail(&summary, &findings, source, prices),
        Effect::LoadExchange {
            session,
            store,
            key,
        } => Msg::ExchangeLoaded {
            session,
            key,
            result: match crate::recorder::browse::content(&store, key.1) {
                Ok(Some(c)) => Ok(Arc::new(c)),
                Ok(None) => Err(format!("call {} is not in {}", key.1, store.display())),
                Err(e) => Err(e.to_string()),
            },
        },
        Effect::LoadConversation { summary, agent } => {
            let open = opener(source);
            let conversation =
                agent_source::conversation(&summary, ThreadRef::Agent(&agent), &open);
            Msg::ConversationLoaded {
                session: summary.id.clone(),
                agent,
                conversation: Arc::new(conversation),
            }
        }
        Effect::LoadChanges(detail) => Msg::ChangesLoaded {
            session: detail.summary.id.clone(),
            result: changes(source, &detail).map(Arc::new),
        },
        Effect::ScanSecrets(detail) => Msg::SecretsScanned {
            session: detail.summary.id.clone(),
            counts: agent_source::secrets(&detail.summary, &opener(source)),
        },
        Effect::LayoutConversation {
            session,
            key,
            conversation,
            theme,
            cwd,
        } => Msg::ConversationLaidOut {
            session,
            rendered: Box::new(lay_out(&theme, &conversation, key, cwd.as_deref())),
        },
        Effect::Highlight {
            session,
            changes,
            commit,
            file,
        } => {
            let c = &changes[commit];
            let f = &c.files[file];
            Msg::Highlighted(Box::new(Highlighted {
                session,
                sha: c.link.sha.clone(),
                path: f.path.clone(),
                lines: highlight(&f.path, &f.lines),
            }))
        }
    })
}

/// Opens the session's files: embedded for the demo, on disk otherwise.
fn opener(
    source: &Source,
) -> impl Fn(&Path) -> std::io::Result<Box<dyn std::io::Read + Send>> + use<> {
    let demo = matches!(source, Source::Demo { .. });
    move |p: &Path| {
        if demo {
            open_text(crate::demo::read_file(p))
        } else {
            open_file(p)
        }
    }
}

/// The provenance of the branch checked out at `repo`, or in the source's own repository (the
/// demo's) when there is none.
fn branch(source: &Source, repo: Option<&Path>, prices: &PriceTable) -> Result<BranchLog, String> {
    provenance::on_branch(source, repo, |repo| branch_at(repo, prices))
}

/// The provenance of the branch checked out at `repo`: notes as they are (no fetch), checked
/// against git's allowed signers when configured.
fn branch_at(repo: &Path, prices: &PriceTable) -> Result<BranchLog, String> {
    let git = Git::new(repo);
    let signers = AllowedSigners::from_git_config(&git, None)
        .map(|(s, _)| s)
        .unwrap_or_default();
    branch_log(repo, None, &signers, prices, &SystemClock).map_err(|e| e.to_string())
}

/// Each session's commits and attestation state in `repository` (the demo's in its unpacked
/// repository); `None` when there is no repository or it cannot be read (the columns then stay
/// unknown).
fn session_commits(
    source: &Source,
    repository: Option<&Path>,
) -> Option<HashMap<String, SessionCommits>> {
    match (source, repository) {
        (Source::Demo { repo_parent }, _) => crate::demo::with_repository(repo_parent, |repo| {
            sessions_in_repository(repo, &crate::demo::allowed_signers(repo_parent))
        })
        .ok()
        .and_then(Result::ok),
        (Source::Local { .. }, Some(repo)) => {
            sessions_in_repository(repo, &configured_signers(repo)).ok()
        }
        (Source::Local { .. }, None) => None,
    }
}

/// The commits tied to the session in the repository of its working directory (the unpacked
/// demo repository for the demo), or why there are none to look at.
fn changes(source: &Source, detail: &SessionDetail) -> Result<Vec<CommitChanges>, String> {
    let cwd = detail
        .summary
        .cwd
        .as_deref()
        .ok_or("the session did not record its working directory")?;
    let (repo, paths, records) = match source {
        Source::Demo { repo_parent } if cwd == crate::demo::WORKTREE => {
            let (repo, paths) = crate::demo::repository(repo_parent).map_err(|e| e.to_string())?;
            (repo, paths, Vec::new())
        }
        Source::Demo { .. } => return Err("the demo has no repository for this project".into()),
        Source::Local { .. } => {
            let paths = RepoPaths::discover(Path::new(cwd))
                .ok_or_else(|| format!("{cwd} is not a git repository on this machine"))?;
            let repo = git2::Repository::open(&paths.worktree).map_err(|e| e.to_string())?;
            let records = commit_records(&paths);
            (repo, paths, records)
        }
    };
    session_changes(&repo, &paths, &records, detail).map_err(|e| e.to_string())
}

fn load(source: &Source, prices: &PriceTable) -> Result<LoadResult, String> {
    let Source::Local {
        cache,
        data_dir,
        archives,
    } = source
    else {
        return Ok(LoadResult {
            catalog: crate::demo::catalog(prices),
            searched: Vec::new(),
        });
    };
    let (mut catalog, roots) =
        load_local(&ProcessEnv, cache.clone(), prices, archives).map_err(|e| e.to_string())?;
    if let Some(dir) = data_dir {
        let open = opener(source);
        let unread =
            crate::recorder::accounting::add_recordings(&mut catalog.sessions, dir, prices, |s| {
                agent_source::detail(s, &open, prices)
            });
        // A store that cannot be read leaves its sessions as their transcripts count them; the
        // list says so with the other notes.
        for e in unread {
            catalog
                .diagnostics
                .push(crate::transcript::Diagnostic::file(
                    e.path().unwrap_or(dir),
                    format!("its recordings are left out: {e}"),
                ));
        }
    }
    Ok(LoadResult {
        catalog,
        searched: roots,
    })
}
