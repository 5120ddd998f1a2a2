//! The sessions list: which sessions are shown (scope and search), in which order, and which
//! one is selected.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ratatui::widgets::TableState;

use crate::attest::standing::SessionCommits;
use crate::guard::rules::Level;
use crate::present;
use crate::session::SessionSummary;

/// A column of the sessions table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Started,
    /// The agent that wrote the session (shown when the list holds more than one agent's).
    Agent,
    Project,
    Branch,
    Title,
    Models,
    Duration,
    Tokens,
    Cost,
    ToolCalls,
    Commits,
    Attestation,
    /// The session's health score and grade (`git vouch insights`).
    Health,
    /// The riskiest call the guard checked in the session.
    Risk,
}

impl Column {
    /// Every column, left to right.
    pub const ALL: [Self; 14] = [
        Self::Started,
        Self::Agent,
        Self::Project,
        Self::Branch,
        Self::Title,
        Self::Models,
        Self::Duration,
        Self::Tokens,
        Self::Cost,
        Self::ToolCalls,
        Self::Commits,
        Self::Attestation,
        Self::Health,
        Self::Risk,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Started => "Started",
            Self::Agent => "Agent",
            Self::Project => "Project",
            Self::Branch => "Branch",
            Self::Title => "Title",
            Self::Models => "Models",
            Self::Duration => "Time",
            Self::Tokens => "Tokens",
            Self::Cost => "Cost",
            Self::ToolCalls => "Tools",
            Self::Commits => "Commits",
            Self::Attestation => "Attest",
            Self::Health => "Health",
            Self::Risk => "Risk",
        }
    }

    /// Numbers and times read best largest or newest first; text alphabetically; health worst
    /// first, to list the sessions that went wrong.
    fn descending_by_default(self) -> bool {
        !matches!(
            self,
            Self::Agent | Self::Project | Self::Branch | Self::Title | Self::Models | Self::Health
        )
    }

    fn compare(self, a: &SessionSummary, b: &SessionSummary, list: &SessionList) -> Ordering {
        let commits = &list.commits;
        let risk = |s: &SessionSummary| list.repo.risks.get(&s.id).map(|r| r.worst);
        match self {
            Self::Started => a.start.cmp(&b.start),
            Self::Agent => a.agent.name().cmp(b.agent.name()),
            Self::Project => project(a).cmp(&project(b)),
            Self::Branch => a.git_branch.cmp(&b.git_branch),
            Self::Title => a.display_title().cmp(b.display_title()),
            Self::Models => models(a).cmp(&models(b)),
            Self::Duration => a.duration().cmp(&b.duration()),
            Self::Tokens => a.tokens.total().cmp(&b.tokens.total()),
            Self::Cost => a.cost.cmp(&b.cost),
            Self::ToolCalls => a.tool_calls.cmp(&b.tool_calls),
            Self::Commits => commit_count(commits, a).cmp(&commit_count(commits, b)),
            // Unknown (no commits) sorts as better than verified: "worst first" lists problems.
            Self::Attestation => attestation(commits, a).cmp(&attestation(commits, b)),
            // Unchecked sorts below low: "riskiest first" lists the guard's findings.
            Self::Risk => risk(a).cmp(&risk(b)),
            Self::Health => health(a).cmp(&health(b)),
        }
    }
}

/// A session's health score; sessions without one sort after every score.
fn health(s: &SessionSummary) -> u32 {
    s.health.as_ref().map_or(u32::MAX, |h| h.score)
}

/// What the explorer's repository says of its own sessions, beyond their working directories:
/// the worktrees it has and the sessions archived in their capture state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepoScope {
    /// Every worktree of the repository (the main one and linked ones).
    pub worktrees: Vec<PathBuf>,
    /// The ids of the sessions kept in the worktrees' capture state (`<git-dir>/vouch/`).
    pub archived: Vec<String>,
    /// What the guard found in each session its ledgers checked, by session id.
    pub risks: HashMap<String, SessionRisk>,
}

/// The guard's findings in one session, from its event ledger.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionRisk {
    /// The riskiest call checked.
    pub worst: Level,
    /// Calls checked at that level.
    pub at_worst: u64,
}

/// Each session's commits in the repository, by session id.
pub type Commits = HashMap<String, SessionCommits>;

fn commit_count(commits: &Commits, s: &SessionSummary) -> usize {
    commits.get(&s.id).map_or(0, |c| c.commits.len())
}

fn attestation(
    commits: &Commits,
    s: &SessionSummary,
) -> Option<crate::attest::standing::AttestationState> {
    commits.get(&s.id).and_then(|c| c.attestation)
}

/// The project as shown: the last folder of the working directory.
pub fn project(s: &SessionSummary) -> String {
    present::project(s.cwd.as_deref(), &s.project)
}

/// The models as shown: short names, most expensive first.
pub fn models(s: &SessionSummary) -> String {
    let names: Vec<String> = s.models.iter().map(|m| present::model(&m.model)).collect();
    names.join(",")
}

/// Scope, search, order and selection of the sessions table.
#[derive(Debug, Clone)]
pub struct SessionList {
    pub sort: Column,
    pub descending: bool,
    pub query: String,
    /// Whether keys go to the search box.
    pub searching: bool,
    /// The worktree of the repository the explorer started in.
    pub scope: Option<PathBuf>,
    pub all_projects: bool,
    /// Indices into the catalog's sessions of the rows shown, in order.
    pub shown: Vec<usize>,
    pub table: TableState,
    /// Rows that fit on screen, from the terminal's size; what PageUp/PageDown move by.
    pub page: usize,
    /// Only these sessions, opened from a commit of the Branch view: (what, session ids).
    pub only: Option<(String, Vec<String>)>,
    /// The sessions' commits, once the worker has found them.
    pub commits: Commits,
    /// The repository's worktrees and archived sessions, once the worker has read them.
    pub repo: RepoScope,
    /// The sort picker, open on this row of [`SessionList::columns`].
    pub picker: Option<usize>,
    /// How many agents wrote the catalog's sessions (the Agent column shows when several).
    pub agents: usize,
}

impl SessionList {
    pub fn new(scope: Option<PathBuf>) -> Self {
        Self {
            sort: Column::Started,
            descending: true,
            query: String::new(),
            searching: false,
            scope,
            all_projects: false,
            shown: Vec::new(),
            table: TableState::default(),
            page: 10,
            only: None,
            commits: Commits::new(),
            repo: RepoScope::default(),
            picker: None,
            agents: 0,
        }
    }

    /// The repository the list is limited to, if it is.
    pub fn active_scope(&self) -> Option<&Path> {
        self.scope.as_deref().filter(|_| !self.all_projects)
    }

    /// The columns of the table, left to right: the risk only when the guard checked any of
    /// the repository's sessions, the agent only when the sessions are of several agents.
    pub fn columns(&self) -> Vec<Column> {
        let risks = !self.repo.risks.is_empty();
        Column::ALL
            .into_iter()
            .filter(|c| *c != Column::Risk || risks)
            .filter(|c| *c != Column::Agent || self.agents > 1)
            .collect()
    }

    /// Sorts by the next column, in that column's natural direction.
    pub fn sort_next(&mut self) {
        let columns = self.columns();
        let i = columns.iter().position(|c| *c == self.sort).unwrap_or(0);
        let next = (1..=columns.len())
            .map(|d| columns[(i + d) % columns.len()])
            .next()
            .unwrap_or(Column::Started);
        self.sort = next;
        self.descending = next.descending_by_default();
    }

    /// Sorts by `column`: a new column in its natural direction, the current one reversed.
    pub fn sort_by(&mut self, column: Column) {
        if column == self.sort {
            self.descending = !self.descending;
        } else {
            self.sort = column;
            self.descending = column.descending_by_default();
        }
    }

    /// Opens the sort picker on the current sort column.
    pub fn open_picker(&mut self) {
        self.picker = self.columns().iter().position(|c| *c == self.sort);
    }

    /// Selects the first row and scrolls the table to the top.
    pub fn to_top(&mut self) {
        self.select_first();
        *self.table.offset_mut() = 0;
    }

    /// The selected row's place, counted from 1, and the number of rows.
    pub fn position(&self) -> Option<(usize, usize)> {
        self.table.selected().map(|r| (r + 1, self.shown.len()))
    }

    /// Recomputes the rows shown, keeping the selected session selected when it still is.
    pub fn refresh(&mut self, sessions: &[SessionSummary]) {
        let selected = self
            .selected_index()
            .map(|i| sessions.get(i).map(|s| &s.id));
        let selected_id = selected.flatten().cloned();
        let mut agents: Vec<_> = sessions.iter().map(|s| s.agent).collect();
        agents.sort_unstable();
        agents.dedup();
        self.agents = agents.len();
        let terms: Vec<String> = self
            .query
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let only = self.only.as_ref().map(|(_, ids)| ids);
        let mut shown: Vec<usize> = (0..sessions.len())
            .filter(|&i| only.is_none_or(|ids| ids.contains(&sessions[i].id)))
            .filter(|&i| {
                self.in_scope(&sessions[i]) && matches(&sessions[i], &terms, &self.commits)
            })
            .collect();
        let (column, descending) = (self.sort, self.descending);
        shown.sort_by(|&a, &b| {
            let order = column.compare(&sessions[a], &sessions[b], self);
            let order = if descending { order.reverse() } else { order };
            order.then_with(|| sessions[b].start.cmp(&sessions[a].start))
        });
        let position = selected_id.and_then(|id| shown.iter().position(|&i| sessions[i].id == id));
        self.shown = shown;
        let row = match position {
            Some(p) => Some(p),
            None if self.shown.is_empty() => None,
            None => Some(0),
        };
        self.table.select(row);
    }

    /// The catalog index of the selected session.
    pub fn selected_index(&self) -> Option<usize> {
        self.table
            .selected()
            .and_then(|r| self.shown.get(r).copied())
    }

    /// Moves the selection by `delta` rows, stopping at either end.
    pub fn move_by(&mut self, delta: isize) {
        if self.shown.is_empty() {
            return;
        }
        let last = self.shown.len() - 1;
        let now = self.table.selected().unwrap_or(0);
        self.table
            .select(Some(now.saturating_add_signed(delta).min(last)));
    }

    pub fn select_first(&mut self) {
        if !self.shown.is_empty() {
            self.table.select(Some(0));
        }
    }

    pub fn select_last(&mut self) {
        if let Some(last) = self.shown.len().checked_sub(1) {
            self.table.select(Some(last));
        }
    }
}

impl SessionList {
    /// Whether a session belongs to the repository the list is limited to (always, when it is
    /// not): its commits credit it, its capture state keeps it, or it ran in one of its
    /// worktrees. A clone, a moved repository or a worktree thus keeps its sessions.
    fn in_scope(&self, s: &SessionSummary) -> bool {
        let Some(root) = self.active_scope() else {
            return true;
        };
        if self.commits.contains_key(&s.id) || self.repo.archived.contains(&s.id) {
            return true;
        }
        s.cwd.as_deref().is_some_and(|c| {
            let cwd = Path::new(c);
            cwd.starts_with(root) || self.repo.worktrees.iter().any(|w| cwd.starts_with(w))
        })
    }
}

/// Every term appears in the title, first prompt, branch, models, project, working directory,
/// the paths of the files the session's tools worked on, its id, or its commits' ids.
fn matches(s: &SessionSummary, terms: &[String], commits: &Commits) -> bool {
    if terms.is_empty() {
        return true;
    }
    let full_models: Vec<&str> = s.models.iter().map(|m| m.model.as_str()).collect();
    let shas = commits.get(&s.id).map(|c| c.commits.join(" "));
    let haystack = [
        s.agent.id(),
        s.agent.name(),
        &full_models.join(" "),
        &s.file_paths.join("\n"),
        &s.id,
        shas.as_deref().unwrap_or(""),
        s.title.as_deref().unwrap_or(""),
        s.first_prompt.as_deref().unwrap_or(""),
        s.git_branch.as_deref().unwrap_or(""),
        &models(s),
        &s.project,
        s.cwd.as_deref().unwrap_or(""),
    ]
    .join("\n")
    .to_lowercase();
    terms.iter().all(|t| haystack.contains(t.as_str()))
}
