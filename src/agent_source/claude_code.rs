//! Claude Code's transcripts: the `projects/` folders of its config directories (found by
//! [`crate::transcript::discover`]), scanned by [`crate::transcript::scan`] and read in full by
//! [`crate::session::detail`].

use std::path::Path;

use super::{AgentSource, Discovery, Hints};
use crate::config::Env;
use crate::pricing::PriceTable;
use crate::session::SessionSummary;
use crate::session::detail::{
    Conversation, Open, SessionDetail, ThreadRef, load_conversation, load_detail,
    load_detail_and_conversation, load_secrets,
};
use crate::transcript::agent::Agent;
use crate::transcript::discover::{find_files, find_project_files, project_roots};
use crate::transcript::file_scan::FileScan;
use crate::transcript::scan::{resume_file, scan_bytes};
use crate::transcript::source_file::SourceFile;
use crate::transcript::{Diagnostic, TranscriptError};

/// The source of Claude Code sessions.
pub struct ClaudeCode;

impl AgentSource for ClaudeCode {
    fn agent(&self) -> Agent {
        Agent::ClaudeCode
    }

    fn discover(&self, env: &dyn Env, notes: &mut Vec<Diagnostic>) -> Discovery {
        let searched = project_roots(env, notes);
        let files = find_files(&searched, notes);
        Discovery { searched, files }
    }

    fn files_in(&self, folder: &Path, notes: &mut Vec<Diagnostic>) -> Vec<SourceFile> {
        find_project_files(folder, notes)
    }

    fn scan(&self, file: &SourceFile, scan: &mut FileScan) -> Result<(), TranscriptError> {
        resume_file(&file.path, scan)
    }

    fn scan_bytes(&self, file: &SourceFile, bytes: &[u8]) -> FileScan {
        scan_bytes(bytes, &file.path)
    }

    fn detail(&self, s: &SessionSummary, open: &Open<'_>, prices: &PriceTable) -> SessionDetail {
        load_detail(s, open, prices)
    }

    fn conversation(
        &self,
        s: &SessionSummary,
        thread: ThreadRef<'_>,
        open: &Open<'_>,
    ) -> Conversation {
        load_conversation(&s.files, thread, &s.replayed_uuids, open)
    }

    /// One pass over the files for both: decoding the lines is most of the work.
    fn detail_and_conversation(
        &self,
        s: &SessionSummary,
        open: &Open<'_>,
        prices: &PriceTable,
    ) -> (SessionDetail, Conversation) {
        load_detail_and_conversation(s, open, prices)
    }

    fn secrets(&self, s: &SessionSummary, open: &Open<'_>) -> crate::redact::Counts {
        load_secrets(s, open)
    }

    fn hints(&self) -> Hints {
        Hints {
            default_places: "$CLAUDE_CONFIG_DIR/projects, ~/.config/claude/projects, ~/.claude/projects",
            elsewhere: "Set CLAUDE_CONFIG_DIR if Claude Code keeps them elsewhere.",
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::config::VarsEnv;

    fn fixture() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/claude/v2.1.197-parallel_thinking_retry_failure")
    }

    /// Discovery follows CLAUDE_CONFIG_DIR, and a scan through the source is the scan of the
    /// file, resumed from where an earlier one stopped.
    #[test]
    fn finds_and_scans_the_files_of_a_config_dir() {
        let env = VarsEnv::new([("CLAUDE_CONFIG_DIR", fixture().display().to_string())]);
        let mut notes = Vec::new();
        let found = ClaudeCode.discover(&env, &mut notes);
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(found.searched.len(), 1);
        assert!(found.searched[0].ends_with("projects"));
        assert!(!found.files.is_empty());
        assert!(found.files.iter().all(|f| f.agent == Agent::ClaudeCode));
        let file = &found.files[0];
        let whole = crate::transcript::scan::scan_file(&file.path).unwrap();
        let mut scan = FileScan::default();
        ClaudeCode.scan(file, &mut scan).unwrap();
        assert_eq!(scan.resume_offset, file.len);
        assert_eq!(scan.entries, whole.entries);
        assert_eq!(scan.lines, whole.lines);
        let bytes = std::fs::read(&file.path).unwrap();
        assert_eq!(ClaudeCode.scan_bytes(file, &bytes).entries, whole.entries);
    }
}
