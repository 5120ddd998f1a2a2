//! The Branch view's state: the provenance of the current branch (`crate::provenance`), read on
//! a worker thread, with the selected commit.

use ratatui::widgets::TableState;

use crate::provenance::{BranchLog, CommitEntry};
use crate::tui::range_diff::{ChangesState, TargetChanges};

/// Where the branch log is in its loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BranchLoad {
    /// Not asked for yet.
    Idle,
    Loading(usize),
    Ready,
    Failed(String),
}

/// The Branch view's state: the log as loaded, the selected commit, the rows a page moves by.
#[derive(Debug, Clone)]
pub struct BranchState {
    pub load: BranchLoad,
    pub log: Option<BranchLog>,
    pub table: TableState,
    /// Rows that fit, from the terminal's size.
    pub page: usize,
    /// The branch's whole diff (`D`), read on a worker thread when first asked for.
    pub diff: BranchDiff,
}

/// The branch's diff: where it is in its loading, and the diff with its cursor.
#[derive(Debug, Clone)]
pub struct BranchDiff {
    pub load: BranchLoad,
    pub changes: ChangesState,
}

impl BranchDiff {
    pub fn loaded(&mut self, result: Result<TargetChanges, String>) {
        match result {
            Ok(c) => {
                self.changes = ChangesState::ready(vec![c]);
                self.load = BranchLoad::Ready;
            }
            Err(e) => self.load = BranchLoad::Failed(e),
        }
    }

    /// The loaded diff, when there is one.
    pub fn target(&self) -> Option<&TargetChanges> {
        self.changes.targets.first()
    }
}

impl Default for BranchState {
    fn default() -> Self {
        Self {
            load: BranchLoad::Idle,
            log: None,
            table: TableState::default(),
            page: 10,
            diff: BranchDiff {
                load: BranchLoad::Idle,
                changes: ChangesState::default(),
            },
        }
    }
}

impl BranchState {
    pub fn loaded(&mut self, result: Result<BranchLog, String>) {
        match result {
            Ok(log) => {
                let row = (!log.commits.is_empty()).then_some(0);
                self.log = Some(log);
                self.table.select(row);
                self.load = BranchLoad::Ready;
            }
            Err(e) => self.load = BranchLoad::Failed(e),
        }
    }

    pub fn commits(&self) -> &[CommitEntry] {
        self.log.as_ref().map_or(&[], |l| l.commits.as_slice())
    }

    pub fn selected(&self) -> Option<&CommitEntry> {
        self.table.selected().and_then(|i| self.commits().get(i))
    }

    /// Moves the selection by `delta` rows, stopping at either end.
    pub fn move_by(&mut self, delta: isize) {
        let Some(last) = self.commits().len().checked_sub(1) else {
            return;
        };
        let now = self.table.selected().unwrap_or(0);
        self.table
            .select(Some(now.saturating_add_signed(delta).min(last)));
    }

    pub fn tick(&mut self) {
        for load in [&mut self.load, &mut self.diff.load] {
            if let BranchLoad::Loading(n) = load {
                *n = n.wrapping_add(1);
            }
        }
    }
}
