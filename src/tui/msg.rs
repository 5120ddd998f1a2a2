//! What happens to the explorer ([`Msg`]) and what it asks the outside world to do ([`Effect`]).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::{KeyEvent, MouseEvent};

use super::action::Action;
use super::app::RepoScope;
use super::app::detail::{LayoutKey, RenderedConversation};
use super::highlight::Highlighted;
use super::range_diff::TargetChanges;
use super::theme::Theme;
use super::watch::WatchMsg;
use crate::attest::standing::SessionCommits;
use crate::correlate::CommitChanges;
use crate::evidence::guard::GuardAccount;
use crate::index::{Catalog, Findings};
use crate::insights::Insights;
use crate::provenance::BranchLog;
use crate::provenance::blame::Blame;
use crate::recorder::browse::{ExchangeContent, Exchanges};
use crate::session::SessionSummary;
use crate::session::detail::{Conversation, SessionDetail};

/// Something that happened: input, a finished job, or the clock.
#[derive(Debug, Clone)]
pub enum Msg {
    /// A key press (releases and repeats are filtered out by the runner).
    Key(KeyEvent),
    Mouse(MouseEvent),
    /// The terminal's new width and height.
    Resize(u16, u16),
    /// An action, as if its key had been pressed (tests and future menus).
    Action(Action),
    /// The worker finished reading the sessions.
    Loaded(Box<LoadResult>),
    /// The worker could not read the sessions.
    LoadFailed(String),
    /// The worker read the current branch's provenance (or could not).
    BranchLoaded(Box<Result<BranchLog, String>>),
    /// The worker blamed a file at a commit of a session (the Files tab's `B`).
    BlameLoaded {
        session: String,
        key: (String, String),
        result: Result<Arc<Blame>, String>,
    },
    /// The worker read the current branch's diff with who wrote each added line.
    BranchDiffLoaded(Box<Result<TargetChanges, String>>),
    /// The commits and attestation state of the sessions in the repository, by session id.
    CommitsLoaded(Box<HashMap<String, SessionCommits>>),
    /// The repository's worktrees and archived sessions (what scopes the list besides commits).
    ScopeLoaded(Box<RepoScope>),
    /// A session's detail and its main conversation were read.
    DetailLoaded(Box<DetailLoad>),
    /// The commits tied to a session were read from git (or why they could not be).
    ChangesLoaded {
        session: String,
        result: Result<Arc<Vec<CommitChanges>>, String>,
    },
    /// A sub-agent's conversation was read.
    ConversationLoaded {
        session: String,
        agent: String,
        conversation: Arc<Conversation>,
    },
    /// A recorded API call was read in full (or why it could not be).
    ExchangeLoaded {
        session: String,
        key: (usize, i64),
        result: Result<Arc<ExchangeContent>, String>,
    },
    /// A file's diff was highlighted.
    Highlighted(Box<Highlighted>),
    /// The secrets a session's transcripts hold were counted (after its detail is shown).
    SecretsScanned {
        session: String,
        counts: crate::redact::Counts,
    },
    /// A conversation was laid out.
    ConversationLaidOut {
        session: String,
        rendered: Box<RenderedConversation>,
    },
    /// Time passed: animates the progress indicator.
    Tick,
    /// Something to tell the person in the footer (the live view could not open).
    Notice(String),
    /// A message for the live view while it is open over the explorer (see
    /// [`super::watch::run_on`]).
    Watch(Box<WatchMsg>),
}

impl Msg {
    /// The name the frame log gives this message when it finishes a job (see
    /// [`super::frame_log`]); a message carrying a loaded session detail is `detail_loaded`.
    pub fn event(&self) -> Option<&'static str> {
        match self {
            Self::Key(_) => Some("key"),
            Self::Loaded(_) => Some("loaded"),
            Self::LoadFailed(_) => Some("load_failed"),
            Self::CommitsLoaded(_) => Some("commits_loaded"),
            Self::ScopeLoaded(_) => Some("scope_loaded"),
            Self::BranchLoaded(_) => Some("branch_loaded"),
            Self::BranchDiffLoaded(_) => Some("branch_diff_loaded"),
            Self::BlameLoaded { .. } => Some("blame_loaded"),
            Self::DetailLoaded(_) => Some("detail_loaded"),
            Self::ChangesLoaded { .. } => Some("changes_loaded"),
            Self::SecretsScanned { .. } => Some("secrets_scanned"),
            Self::ConversationLoaded { .. } => Some("conversation_loaded"),
            Self::ExchangeLoaded { .. } => Some("exchange_loaded"),
            Self::Highlighted(_) => Some("highlighted"),
            Self::ConversationLaidOut { .. } => Some("conversation_laid_out"),
            Self::Mouse(_)
            | Self::Resize(..)
            | Self::Action(_)
            | Self::Tick
            | Self::Notice(_)
            | Self::Watch(_) => None,
        }
    }
}

/// The sessions, with the folders they were looked for in (for the empty state).
#[derive(Debug, Clone, Default)]
pub struct LoadResult {
    pub catalog: Catalog,
    pub searched: Vec<PathBuf>,
}

/// One session read in full.
#[derive(Debug, Clone)]
pub struct DetailLoad {
    pub detail: Arc<SessionDetail>,
    pub conversation: Arc<Conversation>,
    /// What the guard decided in the session, where its repository's ledger has it.
    pub guard: Option<Arc<GuardAccount>>,
    /// What went wrong in it (`None`: no findings are kept for it).
    pub insights: Option<Arc<Insights>>,
    /// Its recorded API calls (`None`: not recorded).
    pub exchanges: Option<Result<Arc<Exchanges>, String>>,
}

/// Work for the runner: I/O and slow jobs never run inside `update`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Read the sessions on a worker thread; it answers with `Loaded` or `LoadFailed`.
    LoadCatalog,
    /// Read the provenance of the branch checked out in this repository, or with `None` in the
    /// source's own repository (the demo's) (`BranchLoaded`).
    LoadBranch(Option<PathBuf>),
    /// Read the branch's diff and who wrote each added line, as `LoadBranch` finds the branch,
    /// from these sessions (the repository's); the answer is `BranchDiffLoaded`.
    LoadBranchDiff {
        repo: Option<PathBuf>,
        sessions: Vec<SessionSummary>,
    },
    /// Read the repository's worktrees and archived sessions (`ScopeLoaded`).
    LoadScope(PathBuf),
    /// Find the sessions' commits in the repository (the explorer's scope) after a load;
    /// answers with `CommitsLoaded`.
    LoadCommits(Option<PathBuf>),
    /// Read one session in full, with its findings from where the catalog keeps them; the
    /// answer is `DetailLoaded`.
    LoadDetail {
        summary: Box<SessionSummary>,
        findings: Findings,
    },
    /// Find the session's commits and their diffs in git; the answer is `ChangesLoaded`.
    LoadChanges(Arc<SessionDetail>),
    /// Count the secrets the session's transcripts hold (a second read of every line, kept off
    /// the detail's own read so the session opens at once); the answer is `SecretsScanned`.
    ScanSecrets(Arc<SessionDetail>),
    /// Read a sub-agent's conversation; the answer is `ConversationLoaded`.
    LoadConversation {
        summary: Box<SessionSummary>,
        agent: String,
    },
    /// Read one recorded API call in full from its store; the answer is `ExchangeLoaded`.
    LoadExchange {
        session: String,
        store: PathBuf,
        key: (usize, i64),
    },
    /// Blame `path` at commit `sha` in the repository of a session that ran in `cwd`, telling
    /// each line's author from these sessions; the answer is `BlameLoaded`.
    LoadBlame {
        session: String,
        cwd: String,
        sha: String,
        path: String,
        sessions: Vec<SessionSummary>,
    },
    /// Highlight one file of a commit; the answer is `Highlighted`.
    Highlight {
        session: String,
        changes: Arc<Vec<CommitChanges>>,
        commit: usize,
        file: usize,
    },
    /// Lay a conversation out for a width and set of toggles; the answer is
    /// `ConversationLaidOut`.
    LayoutConversation {
        session: String,
        key: LayoutKey,
        conversation: Arc<Conversation>,
        theme: Box<Theme>,
        /// Paths under it are shown relative to it.
        cwd: Option<String>,
    },
    /// Open the live view of this repository over the explorer (`git vouch watch`); the
    /// runner runs it on the explorer's terminal until the person leaves it.
    Watch(PathBuf),
    /// Restore the terminal and leave.
    Quit,
}
