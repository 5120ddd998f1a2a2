//! Google Gemini CLI's sessions: chats under `~/.gemini/tmp/<project>/chats/`
//! (`$GEMINI_CLI_HOME/.gemini` when set), `session-<time>-<id>.jsonl` (one JSON object,
//! `.json`, before 0.5x), and each sub-agent's chat in `chats/<parent session>/<child>.jsonl`.
//! `<project>` is a short name (a hash of the path in older releases); the folder's
//! `.project_root` names the working directory. Chats hold no git information.
//!
//! Chats are read whole, never resumed: a chat rewrites messages (by id) and rewinds.

mod chat;

use std::path::{Path, PathBuf};

use super::thread::{Depth, ThreadRead, detail, scan};
use super::{AgentSource, Discovery, Hints};
use crate::config::Env;
use crate::pricing::PriceTable;
use crate::session::SessionSummary;
use crate::session::detail::{Conversation, Open, SessionDetail, ThreadRef, open_file};
use crate::transcript::agent::Agent;
use crate::transcript::discover::{identity, read_dir_sorted};
use crate::transcript::file_scan::FileScan;
use crate::transcript::source_file::{FileRole, SourceFile};
use crate::transcript::{Diagnostic, TranscriptError};

/// The source of Gemini CLI sessions.
pub struct Gemini;

impl AgentSource for Gemini {
    fn agent(&self) -> Agent {
        Agent::Gemini
    }

    fn discover(&self, env: &dyn Env, notes: &mut Vec<Diagnostic>) -> Discovery {
        let searched: Vec<PathBuf> = env
            .var("GEMINI_CLI_HOME")
            .or_else(|| env.var("HOME"))
            .map(|h| PathBuf::from(h).join(".gemini").join("tmp"))
            .filter(|p| p.is_dir())
            .into_iter()
            .collect();
        let mut files = Vec::new();
        for root in &searched {
            for (project, is_dir) in read_dir_sorted(root, notes) {
                if is_dir {
                    files.extend(self.files_in(&project, notes));
                }
            }
        }
        Discovery { searched, files }
    }

    /// The chats of one project folder (`tmp/<project>`).
    fn files_in(&self, folder: &Path, notes: &mut Vec<Diagnostic>) -> Vec<SourceFile> {
        let project = folder
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let chats = folder.join("chats");
        let mut out = Vec::new();
        if !chats.is_dir() {
            return out;
        }
        for (entry, is_dir) in read_dir_sorted(&chats, notes) {
            if is_dir {
                let parent = entry.file_name().map(|n| n.to_string_lossy().into_owned());
                for (child, dir) in read_dir_sorted(&entry, notes) {
                    if !dir && is_chat(&child) {
                        push(&mut out, child, &project, parent.clone(), notes);
                    }
                }
            } else if is_chat(&entry) {
                push(&mut out, entry, &project, None, notes);
            }
        }
        out
    }

    fn scan(&self, file: &SourceFile, scan: &mut FileScan) -> Result<(), TranscriptError> {
        let read = read_to(&file.path, &|p: &Path| open_file(p), Depth::Summary);
        if let Some(e) = read
            .warnings
            .iter()
            .find(|w| w.message.starts_with("cannot read"))
        {
            return Err(TranscriptError::Io {
                path: file.path.clone(),
                source: std::io::Error::other(e.message.clone()),
            });
        }
        *scan = scan::file_scan(&read, file.len);
        Ok(())
    }

    fn scan_bytes(&self, file: &SourceFile, bytes: &[u8]) -> FileScan {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let open = move |_: &Path| crate::session::detail::open_text(Some(text.clone()));
        scan::file_scan(
            &read_to(&file.path, &open, Depth::Summary),
            bytes.len() as u64,
        )
    }

    fn detail(&self, s: &SessionSummary, open: &Open<'_>, prices: &PriceTable) -> SessionDetail {
        let mut d = detail::detail(s, &detail::threads(s, open, read), prices);
        d.record_secrets(self.secrets(s, open));
        d
    }

    fn conversation(
        &self,
        s: &SessionSummary,
        thread: ThreadRef<'_>,
        open: &Open<'_>,
    ) -> Conversation {
        detail::conversation(&detail::threads(s, open, read), thread)
    }

    fn secrets(&self, s: &SessionSummary, open: &Open<'_>) -> crate::redact::Counts {
        let files: Vec<&PathBuf> = s.files.iter().collect();
        crate::session::detail::scan_secrets(&files, open, &std::collections::HashSet::new())
    }

    fn hints(&self) -> Hints {
        Hints {
            default_places: "$GEMINI_CLI_HOME/.gemini/tmp, ~/.gemini/tmp",
            elsewhere: "Set GEMINI_CLI_HOME if Gemini CLI keeps them elsewhere.",
        }
    }
}

/// Reads one chat whole.
fn read(path: &Path, open: &Open<'_>) -> ThreadRead {
    read_to(path, open, Depth::Full)
}

/// Reads one chat, with who it is from where it lies.
fn read_to(path: &Path, open: &Open<'_>, depth: Depth) -> ThreadRead {
    let chats = path.parent();
    let in_subfolder = chats
        .and_then(Path::file_name)
        .is_some_and(|n| n != "chats");
    let parent = in_subfolder
        .then(|| chats.and_then(Path::file_name))
        .flatten()
        .map(|n| n.to_string_lossy().into_owned());
    let project = if in_subfolder {
        chats.and_then(Path::parent).and_then(Path::parent)
    } else {
        chats.and_then(Path::parent)
    };
    let cwd = project.and_then(|p| {
        open(&p.join(".project_root")).ok().and_then(|mut r| {
            let mut s = String::new();
            r.read_to_string(&mut s).ok()?;
            Some(s.trim().to_owned()).filter(|s| !s.is_empty())
        })
    });
    chat::read(path, open, &chat::Place { parent, cwd }, depth)
}

use std::io::Read as _;

fn is_chat(path: &Path) -> bool {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    name.ends_with(".jsonl") || (name.starts_with("session-") && name.ends_with(".json"))
}

fn push(
    out: &mut Vec<SourceFile>,
    path: PathBuf,
    project: &str,
    parent: Option<String>,
    notes: &mut Vec<Diagnostic>,
) {
    match std::fs::metadata(&path) {
        Ok(meta) => {
            let (mtime_ns, inode) = identity(&meta);
            let role = match &parent {
                Some(_) => FileRole::Agent {
                    agent_id: path
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                },
                None => FileRole::Main,
            };
            out.push(SourceFile {
                agent: Agent::Gemini,
                path,
                project: project.to_owned(),
                session_hint: parent,
                role,
                len: meta.len(),
                mtime_ns,
                inode,
            });
        }
        Err(e) => notes.push(Diagnostic::file(
            &path,
            format!("cannot read file metadata: {e}"),
        )),
    }
}
