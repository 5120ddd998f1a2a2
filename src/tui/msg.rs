//! What happens to the explorer ([`Msg`]) and what it asks the outside world to do ([`Effect`]).

use std::collections::HashMap;
use std::path::PathBuf;

use crossterm::event::{KeyEvent, MouseEvent};

use super::action::Action;
use crate::correlate::SessionCommits;
use crate::index::Catalog;
use crate::provenance::BranchLog;

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
    /// The commits and attestation state of the sessions in the repository, by session id.
    CommitsLoaded(Box<HashMap<String, SessionCommits>>),
    /// Time passed: animates the progress indicator.
    Tick,
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
            Self::BranchLoaded(_) => Some("branch_loaded"),
            Self::Mouse(_) | Self::Resize(..) | Self::Action(_) | Self::Tick => None,
        }
    }
}

/// The sessions, with the folders they were looked for in (for the empty state).
#[derive(Debug, Clone, Default)]
pub struct LoadResult {
    pub catalog: Catalog,
    pub searched: Vec<PathBuf>,
}

/// Work for the runner: I/O and slow jobs never run inside `update`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Read the sessions on a worker thread; it answers with `Loaded` or `LoadFailed`.
    LoadCatalog,
    /// Read the provenance of the branch checked out in this repository (`BranchLoaded`).
    LoadBranch(PathBuf),
    /// Find the sessions' commits in the repository after a load; answers with `CommitsLoaded`.
    LoadCommits,
    /// Restore the terminal and leave.
    Quit,
}
