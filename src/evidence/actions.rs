//! The actions part of session evidence: every Bash command and every file read or edit, in the
//! order of the agent's tool calls, so policies can ask what ran and whether it ran after the
//! last edit. The repository's absolute folder never leaves the machine: paths inside it become
//! relative and commands name it `<repo>`.

use super::ActionEvidence;
use crate::session::detail::ToolCall;
use crate::transcript::tool::ToolKind;

/// The placeholder for the repository's folder in commands.
pub const REPO_PLACEHOLDER: &str = "<repo>";

/// The actions among `calls` (already in call order); `roots` are the absolute folders that
/// stand for the repository (its worktree, the session's working folder), longest first.
pub fn actions(calls: &[ToolCall], roots: &[String]) -> Vec<ActionEvidence> {
    calls
        .iter()
        .enumerate()
        .filter_map(|(seq, call)| action(seq as u64, call, roots))
        .collect()
}

fn action(seq: u64, call: &ToolCall, roots: &[String]) -> Option<ActionEvidence> {
    let kind = match ToolKind::of(&call.name) {
        ToolKind::Bash => "command",
        ToolKind::Read => "read",
        k if k.writes_file() => "edit",
        _ => return None,
    };
    Some(ActionEvidence {
        seq,
        kind: kind.to_owned(),
        tool: call.name.clone(),
        command: call.command.as_deref().map(|c| in_commands(c, roots)),
        path: call.path.as_deref().map(|p| relative(p, roots)),
        status: call.status.as_str().to_owned(),
        agent_id: call.agent_id.clone(),
    })
}

/// A path inside one of the roots, relative to it; other paths as they are.
pub fn relative(path: &str, roots: &[String]) -> String {
    for root in roots {
        if path == root {
            return ".".to_owned();
        }
        if let Some(rest) = path.strip_prefix(root.as_str())
            && let Some(rest) = rest.strip_prefix('/')
        {
            return rest.to_owned();
        }
    }
    path.to_owned()
}

/// The command with each root folder written `<repo>` (longest first, so a working folder
/// inside the worktree is replaced whole).
pub fn in_commands(command: &str, roots: &[String]) -> String {
    let mut sorted: Vec<&String> = roots.iter().filter(|r| r.len() > 1).collect();
    sorted.sort_by_key(|r| std::cmp::Reverse(r.len()));
    sorted.into_iter().fold(command.to_owned(), |c, root| {
        c.replace(root.as_str(), REPO_PLACEHOLDER)
    })
}

/// The roots for a session: the worktree, then the session's working folder when it differs.
pub fn roots(worktree: &std::path::Path, cwd: Option<&str>) -> Vec<String> {
    let mut out = vec![worktree.to_string_lossy().trim_end_matches('/').to_owned()];
    if let Some(cwd) = cwd
        .map(|c| c.trim_end_matches('/'))
        .filter(|c| !c.is_empty())
        && !out.iter().any(|r| r == cwd)
    {
        out.push(cwd.to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_paths_become_relative() {
        let roots = roots(std::path::Path::new("/w/repo"), Some("/w/repo/sub"));
        assert_eq!(roots, vec!["/w/repo".to_owned(), "/w/repo/sub".to_owned()]);
        assert_eq!(relative("/w/repo/src/a.rs", &roots), "src/a.rs");
        assert_eq!(relative("/w/repo/sub/b.rs", &roots), "sub/b.rs");
        assert_eq!(relative("/elsewhere/b.rs", &["/elsewhere".into()]), "b.rs");
        assert_eq!(relative("/w/repository/x", &roots), "/w/repository/x");
        assert_eq!(relative("/etc/passwd", &roots), "/etc/passwd");
        assert_eq!(
            in_commands("cd /w/repo/sub && rm -rf /w/repo/target /tmp/x", &roots),
            "cd <repo> && rm -rf <repo>/target /tmp/x"
        );
    }
}
