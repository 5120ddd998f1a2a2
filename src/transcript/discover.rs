//! Finding transcripts: the Claude Code data folders, their projects, and every session file in
//! all three layouts (main files, `<session>/subagents/**`, and legacy `agent-*.jsonl` files).

use std::fs;
use std::path::{Path, PathBuf};

use super::Diagnostic;
use super::agent::Agent;
use super::source_file::{FileRole, SourceFile};
use crate::config::Env;

/// The `projects/` folders to read, following Claude Code and ccusage: `$CLAUDE_CONFIG_DIR`
/// (a comma-separated list; each entry may name the config folder or its `projects/`) when set,
/// otherwise `$XDG_CONFIG_HOME/claude` (default `~/.config/claude`) and `~/.claude`.
pub fn project_roots(env: &dyn Env, notes: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let home = env.var("HOME").map(PathBuf::from);
    let expand = |p: &str| match (p.strip_prefix("~/"), &home) {
        (Some(rest), Some(h)) => h.join(rest),
        _ if p == "~" => home.clone().unwrap_or_default(),
        _ => PathBuf::from(p),
    };
    let candidates: Vec<PathBuf> = if let Some(list) = env.var("CLAUDE_CONFIG_DIR") {
        list.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(expand)
            .collect()
    } else {
        let xdg = env
            .var("XDG_CONFIG_HOME")
            .map_or_else(|| expand("~/.config"), PathBuf::from);
        vec![xdg.join("claude"), expand("~/.claude")]
    };
    let explicit = env.var("CLAUDE_CONFIG_DIR").is_some();
    let mut roots: Vec<PathBuf> = Vec::new();
    for dir in candidates {
        let projects = if dir.file_name().is_some_and(|n| n == "projects") {
            dir.clone()
        } else {
            dir.join("projects")
        };
        if projects.is_dir() {
            let canonical = projects.canonicalize().unwrap_or(projects);
            if !roots.contains(&canonical) {
                roots.push(canonical);
            }
        } else if explicit {
            notes.push(Diagnostic::file(
                &dir,
                "CLAUDE_CONFIG_DIR entry has no projects/ folder",
            ));
        }
    }
    roots
}

/// Every transcript file under the given `projects/` folders, sorted by path.
pub fn find_files(roots: &[PathBuf], notes: &mut Vec<Diagnostic>) -> Vec<SourceFile> {
    let mut out = Vec::new();
    for root in roots {
        for (project, is_dir) in read_dir_sorted(root, notes) {
            if !is_dir {
                continue;
            }
            let name = file_name(&project);
            collect_project(&project, &name, &mut out, notes);
        }
    }
    out
}

/// Files of one project folder (`--project` narrows to one).
pub fn find_project_files(project: &Path, notes: &mut Vec<Diagnostic>) -> Vec<SourceFile> {
    let mut out = Vec::new();
    collect_project(project, &file_name(project), &mut out, notes);
    out
}

fn collect_project(
    dir: &Path,
    project: &str,
    out: &mut Vec<SourceFile>,
    notes: &mut Vec<Diagnostic>,
) {
    for (entry, is_dir) in read_dir_sorted(dir, notes) {
        if is_dir {
            let session = file_name(&entry);
            collect_session_dir(&entry, project, &session, out, notes);
        } else if let Some(stem) = jsonl_stem(&entry) {
            let (role, hint) = match stem.strip_prefix("agent-") {
                Some(id) => (
                    FileRole::Agent {
                        agent_id: id.to_owned(),
                    },
                    None,
                ),
                None => (FileRole::Main, Some(stem)),
            };
            push_file(out, entry, project, hint, role, notes);
        }
    }
}

fn collect_session_dir(
    dir: &Path,
    project: &str,
    session: &str,
    out: &mut Vec<SourceFile>,
    notes: &mut Vec<Diagnostic>,
) {
    for (entry, is_dir) in read_dir_sorted(dir, notes) {
        if is_dir {
            collect_session_dir(&entry, project, session, out, notes);
        } else if let Some(stem) = jsonl_stem(&entry) {
            let role = match stem.strip_prefix("agent-") {
                Some(id) => FileRole::Agent {
                    agent_id: id.to_owned(),
                },
                None => FileRole::Other,
            };
            push_file(out, entry, project, Some(session.to_owned()), role, notes);
        }
    }
}

fn push_file(
    out: &mut Vec<SourceFile>,
    path: PathBuf,
    project: &str,
    session_hint: Option<String>,
    role: FileRole,
    notes: &mut Vec<Diagnostic>,
) {
    match fs::metadata(&path) {
        Ok(meta) => {
            let (mtime_ns, inode) = identity(&meta);
            out.push(SourceFile {
                agent: Agent::ClaudeCode,
                path,
                project: project.to_owned(),
                session_hint,
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

#[cfg(unix)]
pub fn identity(meta: &fs::Metadata) -> (i64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.mtime() * 1_000_000_000 + meta.mtime_nsec(), meta.ino())
}

#[cfg(not(unix))]
pub fn identity(meta: &fs::Metadata) -> (i64, u64) {
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i64);
    (mtime, 0)
}

/// The entries of `dir` with whether each is a folder (from the directory listing, without a
/// `stat` per entry), sorted by path.
pub fn read_dir_sorted(dir: &Path, notes: &mut Vec<Diagnostic>) -> Vec<(PathBuf, bool)> {
    match fs::read_dir(dir) {
        Ok(entries) => {
            let mut named: Vec<(std::ffi::OsString, PathBuf, bool)> = entries
                .filter_map(Result::ok)
                .map(|e| {
                    let is_dir = match e.file_type() {
                        Ok(t) if t.is_symlink() => e.path().is_dir(),
                        Ok(t) => t.is_dir(),
                        Err(_) => false,
                    };
                    (e.file_name(), e.path(), is_dir)
                })
                .collect();
            // One folder's entries differ only in their names: comparing those bytes orders them
            // as their paths, without taking every path apart into components.
            named.sort_unstable_by(|a, b| a.0.as_encoded_bytes().cmp(b.0.as_encoded_bytes()));
            named.into_iter().map(|(_, path, d)| (path, d)).collect()
        }
        Err(e) => {
            notes.push(Diagnostic::file(dir, format!("cannot list folder: {e}")));
            Vec::new()
        }
    }
}

fn jsonl_stem(path: &Path) -> Option<String> {
    if path.extension().is_some_and(|e| e == "jsonl") {
        path.file_stem().map(|s| s.to_string_lossy().into_owned())
    } else {
        None
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}
