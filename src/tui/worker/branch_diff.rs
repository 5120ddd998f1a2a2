//! Reading the branch's diff for the Branch view: `git vouch diff`'s range diff of the branch
//! checked out (in the demo, of a throwaway clone of its repository), with who wrote each added
//! line, read from the sessions the explorer loaded.

use std::path::Path;

use super::{Source, opener};
use crate::pricing::PriceTable;
use crate::provenance::blame::SessionReader;
use crate::provenance::diff::range_diff;
use crate::session::SessionSummary;
use crate::session::detail::{Conversation, SessionDetail, ThreadRef};
use crate::tui::range_diff::TargetChanges;

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
    match (source, repo) {
        (_, Some(repo)) => at(repo),
        (Source::Demo { repo_parent }, None) => {
            let clone = crate::demo::review_workspace(repo_parent).map_err(|e| e.to_string())?;
            let diff = at(&clone);
            crate::demo::remove_review_workspace(&clone);
            diff
        }
        (Source::Local { .. }, None) => Err(
            "not inside a git repository: the Branch view shows the current branch of the \
             repository the explorer starts in"
                .into(),
        ),
    }
}
