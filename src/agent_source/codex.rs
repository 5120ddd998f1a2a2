//! OpenAI Codex CLI's sessions: one rollout per thread under `$CODEX_HOME/sessions/YYYY/MM/DD/`
//! (and `archived_sessions/`), `rollout-<time>-<thread id>.jsonl`, compressed to `.jsonl.zst`
//! once idle for a week. A sub-agent is a thread of its own, in its own rollout, whose
//! `session_meta` names the root thread: its files join the root's session.
//!
//! Rollouts are read whole, never resumed: a rollout that grew is read again (a thread's
//! running token total must be followed from its start).

mod collect;
mod items;
mod meter;
mod patch;
mod rollout;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::thread::{Depth, detail, scan};
use super::{AgentSource, Discovery, Hints};
use crate::config::Env;
use crate::pricing::PriceTable;
use crate::session::SessionSummary;
use crate::session::detail::{Conversation, Open, SessionDetail, ThreadRef};
use crate::transcript::agent::Agent;
use crate::transcript::discover::{identity, read_dir_sorted};
use crate::transcript::file_scan::FileScan;
use crate::transcript::source_file::{FileRole, SourceFile};
use crate::transcript::{Diagnostic, TranscriptError};

/// The files an `apply_patch` patch changes, as its text says (paths as written, relative to
/// the working directory), for the guard's check of the call before it runs.
pub fn patch_changes(patch: &str) -> Vec<super::thread::Change> {
    patch::parse(patch)
}

/// The project every Codex rollout belongs to: rollouts are filed by date, not by project, and
/// the threads of one session (and an archived copy beside the live one) must be summed up
/// together. Each session names its working directory.
pub const PROJECT: &str = "codex";

/// The source of Codex CLI sessions.
pub struct Codex;

impl AgentSource for Codex {
    fn agent(&self) -> Agent {
        Agent::Codex
    }

    fn discover(&self, env: &dyn Env, notes: &mut Vec<Diagnostic>) -> Discovery {
        let searched = homes(env, notes)
            .into_iter()
            .flat_map(|h| [h.join("sessions"), h.join("archived_sessions")])
            .filter(|p| p.is_dir())
            .collect::<Vec<_>>();
        let mut files = Vec::new();
        for root in &searched {
            files.extend(self.files_in(root, notes));
        }
        Discovery {
            searched,
            files: one_per_thread(files),
        }
    }

    fn files_in(&self, folder: &Path, notes: &mut Vec<Diagnostic>) -> Vec<SourceFile> {
        let mut out = Vec::new();
        walk(folder, &mut out, notes);
        out
    }

    fn scan(&self, file: &SourceFile, scan: &mut FileScan) -> Result<(), TranscriptError> {
        let open = |p: &Path| crate::session::detail::open_file(p);
        let io = |source| TranscriptError::Io {
            path: file.path.clone(),
            source,
        };
        // A file that cannot be opened fails the scan.
        let reader = rollout::reader(&file.path, &open).map_err(io)?;
        let read = collect::read_from(reader, &file.path, Depth::Summary);
        *scan = scan::file_scan(&read, file.len);
        Ok(())
    }

    fn scan_bytes(&self, file: &SourceFile, bytes: &[u8]) -> FileScan {
        let read = collect::read_bytes(bytes, &file.path, Depth::Summary);
        scan::file_scan(&read, bytes.len() as u64)
    }

    fn detail(&self, s: &SessionSummary, open: &Open<'_>, prices: &PriceTable) -> SessionDetail {
        let mut d = detail::detail(s, &detail::threads(s, open, collect::read), prices);
        d.record_secrets(self.secrets(s, open));
        d
    }

    fn conversation(
        &self,
        s: &SessionSummary,
        thread: ThreadRef<'_>,
        open: &Open<'_>,
    ) -> Conversation {
        detail::conversation(&detail::threads(s, open, collect::read), thread)
    }

    fn detail_and_conversation(
        &self,
        s: &SessionSummary,
        open: &Open<'_>,
        prices: &PriceTable,
    ) -> (SessionDetail, Conversation) {
        let threads = detail::threads(s, open, collect::read);
        let mut d = detail::detail(s, &threads, prices);
        d.record_secrets(self.secrets(s, open));
        (d, detail::conversation(&threads, ThreadRef::Main))
    }

    fn secrets(&self, s: &SessionSummary, open: &Open<'_>) -> crate::redact::Counts {
        secrets::count(&s.files, open)
    }

    fn hints(&self) -> Hints {
        Hints {
            default_places: "$CODEX_HOME/sessions, ~/.codex/sessions",
            elsewhere: "Set CODEX_HOME if Codex CLI keeps them elsewhere.",
        }
    }
}

/// The Codex homes to read: `$CODEX_HOME` (a comma-separated list, as ccusage reads it) when
/// set, else `~/.codex`.
fn homes(env: &dyn Env, notes: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    match env.var("CODEX_HOME") {
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .filter(|p| {
                let ok = p.is_dir();
                if !ok {
                    notes.push(Diagnostic::file(p, "CODEX_HOME names no folder"));
                }
                ok
            })
            .collect(),
        None => env
            .var("HOME")
            .map(|h| PathBuf::from(h).join(".codex"))
            .into_iter()
            .collect(),
    }
}

fn walk(dir: &Path, out: &mut Vec<SourceFile>, notes: &mut Vec<Diagnostic>) {
    for (entry, is_dir) in read_dir_sorted(dir, notes) {
        if is_dir {
            walk(&entry, out, notes);
            continue;
        }
        let name = entry.file_name().unwrap_or_default().to_string_lossy();
        let rollout = name.starts_with("rollout-")
            && (name.ends_with(".jsonl") || name.ends_with(".jsonl.zst"));
        if !rollout {
            continue;
        }
        match std::fs::metadata(&entry) {
            Ok(meta) => {
                let (mtime_ns, inode) = identity(&meta);
                out.push(SourceFile {
                    agent: Agent::Codex,
                    path: entry,
                    project: PROJECT.to_owned(),
                    session_hint: None,
                    role: FileRole::Main,
                    len: meta.len(),
                    mtime_ns,
                    inode,
                });
            }
            Err(e) => notes.push(Diagnostic::file(
                &entry,
                format!("cannot read file metadata: {e}"),
            )),
        }
    }
}

/// One file per rollout name: the live copy over an archived one, the plain file over a
/// compressed copy Codex is still writing (both name the same thread).
fn one_per_thread(files: Vec<SourceFile>) -> Vec<SourceFile> {
    let rank = |f: &SourceFile| {
        let archived = f
            .path
            .components()
            .any(|c| c.as_os_str() == "archived_sessions");
        let compressed = f.path.extension().is_some_and(|e| e == "zst");
        (archived, compressed)
    };
    let mut best: HashMap<String, SourceFile> = HashMap::new();
    for f in files {
        let name = f.path.file_name().unwrap_or_default().to_string_lossy();
        let key = name.trim_end_matches(".zst").to_owned();
        match best.get(&key) {
            Some(kept) if rank(kept) <= rank(&f) => {}
            _ => {
                best.insert(key, f);
            }
        }
    }
    let mut out: Vec<SourceFile> = best.into_values().collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

mod secrets {
    //! The secrets a Codex session's rollouts hold, counted with the evidence's redaction rules
    //! over each thread's own lines: a sub-agent's or fork's copy of its parent's history is the
    //! parent's, counted there.

    use std::path::PathBuf;

    use super::rollout::{self, Line, Visit};
    use crate::agent_source::thread::Identity;
    use crate::redact::{Counts, Redactor, shared};
    use crate::session::detail::Open;

    struct Secrets<'r> {
        redactor: &'r Redactor,
        counts: Counts,
    }

    impl Visit for Secrets<'_> {
        fn identity(&mut self, _id: &Identity) {}

        fn line(&mut self, _line: &Line<'_>, _line_no: u64) {}

        fn own_text(&mut self, text: &[u8]) {
            let Ok(text) = std::str::from_utf8(text) else {
                return;
            };
            if !self.redactor.may_match(text) {
                return;
            }
            if let Ok(mut value) = serde_json::from_str::<serde_json::Value>(text) {
                self.redactor.redact_json(&mut value, &mut self.counts);
            }
        }
    }

    pub fn count(files: &[PathBuf], open: &Open<'_>) -> Counts {
        let mut secrets = Secrets {
            redactor: shared(),
            counts: Counts::new(),
        };
        for path in files {
            let mut warnings = Vec::new();
            rollout::read(path, open, &mut secrets, &mut warnings);
        }
        secrets.counts
    }
}
