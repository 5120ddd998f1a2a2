//! opencode's sessions: rows of its SQLite database (`$XDG_DATA_HOME/opencode/opencode.db`,
//! default `~/.local/share/opencode`; `OPENCODE_DB` names another), and before 1.2 its JSON
//! storage (`storage/`, read where the database does not hold the session). A sub-agent (the
//! `task` tool) is a session of its own whose `parent_id` names its parent: it joins the
//! parent's session.
//!
//! A database holds many sessions, so each is one source file of its own, named
//! `<database>#<session id>` and dated by the session's last change: the index reads again only
//! the sessions that changed.

mod session;
mod store;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::thread::{Depth, ThreadRead, detail, scan};
use super::{AgentSource, Discovery, Hints};
use crate::config::Env;
use crate::pricing::PriceTable;
use crate::session::SessionSummary;
use crate::session::detail::{Conversation, Open, SessionDetail, ThreadRef};
use crate::transcript::agent::Agent;
use crate::transcript::discover::identity;
use crate::transcript::file_scan::FileScan;
use crate::transcript::hash::hash64;
use crate::transcript::source_file::{FileRole, SourceFile};
use crate::transcript::{Diagnostic, TranscriptError};

/// Between a database's path and a session id in a source file's name.
const SEP: char = '#';

/// About what one part row holds, in bytes.
const PART_BYTES: u64 = 1024;

/// The source of opencode sessions.
pub struct OpenCode;

impl AgentSource for OpenCode {
    fn agent(&self) -> Agent {
        Agent::OpenCode
    }

    fn discover(&self, env: &dyn Env, notes: &mut Vec<Diagnostic>) -> Discovery {
        let data = env
            .var("XDG_DATA_HOME")
            .map(PathBuf::from)
            .or_else(|| {
                env.var("HOME")
                    .map(|h| PathBuf::from(h).join(".local/share"))
            })
            .map(|d| d.join("opencode"));
        let mut searched: Vec<PathBuf> = data.clone().filter(|d| d.is_dir()).into_iter().collect();
        let mut dbs: Vec<PathBuf> = searched.iter().flat_map(|d| databases(d)).collect();
        if let Some(db) = env.var("OPENCODE_DB").map(PathBuf::from) {
            if db.is_file() && !dbs.contains(&db) {
                dbs.push(db.clone());
            }
            searched.push(db);
        }
        let mut files = Vec::new();
        let mut seen = HashSet::new();
        for db in &dbs {
            from_database(db, &mut files, &mut seen, notes);
        }
        for dir in searched.iter().filter(|d| d.is_dir()) {
            from_storage(&dir.join("storage"), &mut files, &seen, notes);
        }
        Discovery { searched, files }
    }

    fn files_in(&self, folder: &Path, notes: &mut Vec<Diagnostic>) -> Vec<SourceFile> {
        let mut files = Vec::new();
        let mut seen = HashSet::new();
        for db in databases(folder) {
            from_database(&db, &mut files, &mut seen, notes);
        }
        from_storage(&folder.join("storage"), &mut files, &seen, notes);
        files
    }

    fn scan(&self, file: &SourceFile, scan: &mut FileScan) -> Result<(), TranscriptError> {
        let read = read_file(&file.path, Depth::Summary).map_err(|source| TranscriptError::Io {
            path: file.path.clone(),
            source,
        })?;
        *scan = scan::file_scan(&read, file.len);
        Ok(())
    }

    fn scan_bytes(&self, file: &SourceFile, _bytes: &[u8]) -> FileScan {
        let read = read_to(&file.path, Depth::Summary);
        scan::file_scan(&read, file.len)
    }

    fn detail(&self, s: &SessionSummary, open: &Open<'_>, prices: &PriceTable) -> SessionDetail {
        detail::detail(s, &detail::threads(s, open, read), prices)
    }

    fn conversation(
        &self,
        s: &SessionSummary,
        thread: ThreadRef<'_>,
        open: &Open<'_>,
    ) -> Conversation {
        detail::conversation(&detail::threads(s, open, read), thread)
    }

    /// Counted over the text the session's rows hold.
    fn secrets(&self, s: &SessionSummary, _open: &Open<'_>) -> crate::redact::Counts {
        let redactor = crate::redact::shared();
        let mut counts = crate::redact::Counts::new();
        let json = |text: &str| serde_json::from_str(text).unwrap_or(serde_json::Value::Null);
        for path in &s.files {
            if let Ok(rows) = rows_of(path) {
                let i = &rows.info;
                let mut all = vec![serde_json::json!({
                    "id": i.id, "parentID": i.parent, "directory": i.directory,
                    "title": i.title, "version": i.version, "agent": i.agent,
                })];
                for m in &rows.messages {
                    all.push(json(&m.data));
                    all.extend(m.parts.iter().map(|p| json(p)));
                }
                redactor.redact_json(&mut serde_json::Value::Array(all), &mut counts);
            }
        }
        counts
    }

    fn hints(&self) -> Hints {
        Hints {
            default_places: "$XDG_DATA_HOME/opencode, ~/.local/share/opencode",
            elsewhere: "Set XDG_DATA_HOME or OPENCODE_DB if opencode keeps them elsewhere.",
        }
    }
}

/// `opencode.db` and `opencode-<channel>.db` in a data folder.
fn databases(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    let name = p.file_name().unwrap_or_default().to_string_lossy();
                    name == "opencode.db"
                        || (name.starts_with("opencode-") && name.ends_with(".db"))
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// One source file per session of the database.
fn from_database(
    db: &Path,
    out: &mut Vec<SourceFile>,
    seen: &mut HashSet<String>,
    notes: &mut Vec<Diagnostic>,
) {
    let listed = match store::list(db) {
        Ok(l) => l,
        Err(e) => {
            notes.push(Diagnostic::file(
                db,
                format!("cannot read the opencode database: {e}"),
            ));
            return;
        }
    };
    for s in listed {
        let updated_ns = s.updated_ms.saturating_mul(1_000_000);
        out.push(SourceFile {
            agent: Agent::OpenCode,
            path: PathBuf::from(format!("{}{SEP}{}", db.display(), s.id)),
            project: s.project,
            session_hint: None,
            role: FileRole::Main,
            // Not a file's size: an estimate from its parts, to order the reading largest first.
            len: s.parts.saturating_mul(PART_BYTES),
            mtime_ns: updated_ns,
            inode: hash64(s.id.as_bytes()),
        });
        seen.insert(s.id);
    }
}

/// One source file per session of the older storage that no database holds.
fn from_storage(
    storage: &Path,
    out: &mut Vec<SourceFile>,
    seen: &HashSet<String>,
    notes: &mut Vec<Diagnostic>,
) {
    for path in store::legacy_sessions(storage) {
        let id = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if seen.contains(&id) {
            continue;
        }
        let project = path
            .parent()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match std::fs::metadata(&path) {
            Ok(meta) => {
                let (mtime_ns, inode) = identity(&meta);
                out.push(SourceFile {
                    agent: Agent::OpenCode,
                    path,
                    project,
                    session_hint: None,
                    role: FileRole::Main,
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
}

/// The rows of a source file: a database's session, or a session of the older storage.
fn rows_of(path: &Path) -> std::io::Result<session::Rows> {
    let text = path.to_string_lossy();
    match text.rsplit_once(SEP) {
        Some((db, id)) if Path::new(db).extension().is_some_and(|e| e == "db") => {
            store::load(Path::new(db), id).map_err(std::io::Error::other)
        }
        _ => store::load_legacy(path),
    }
}

fn read_file(path: &Path, depth: Depth) -> std::io::Result<ThreadRead> {
    let mut t = session::thread(&rows_of(path)?, ThreadRead::new(depth));
    t.path = path.to_path_buf();
    Ok(t)
}

/// Reads one session whole (the `open` of embedded data does not apply: the rows are in a
/// database).
fn read(path: &Path, _open: &Open<'_>) -> ThreadRead {
    read_to(path, Depth::Full)
}

fn read_to(path: &Path, depth: Depth) -> ThreadRead {
    read_file(path, depth).unwrap_or_else(|e| ThreadRead {
        path: path.to_path_buf(),
        warnings: vec![Diagnostic::file(
            path,
            format!("cannot read the session: {e}"),
        )],
        ..ThreadRead::default()
    })
}
