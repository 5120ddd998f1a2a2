//! Commits in Bash results: `toolUseResult.gitOperation.commit` (recent Claude Code), or the
//! `[branch sha] subject` line that `git commit` prints.

use serde_json::Value;

/// Lines of command output searched for the `[branch sha] subject` line of `git commit`.
const COMMIT_LINES: usize = 40;

/// `toolUseResult.gitOperation.commit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitCommit {
    pub sha: String,
    pub kind: Option<String>,
    pub branch: Option<String>,
}

/// The `[branch sha] subject` line `git commit` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintedCommit {
    pub branch: Option<String>,
    pub sha: String,
    pub subject: String,
}

/// `toolUseResult.gitOperation.commit`, when the result names a commit.
pub fn git_commit(result: &Value) -> Option<GitCommit> {
    let commit = result.get("gitOperation")?.get("commit")?;
    let s = |k: &str| commit.get(k).and_then(Value::as_str).map(str::to_owned);
    Some(GitCommit {
        sha: s("sha").filter(|s| !s.is_empty())?,
        kind: s("kind"),
        branch: s("branch"),
    })
}

/// Whether a shell command runs `git commit`.
pub fn runs_git_commit(command: &str) -> bool {
    command.split(['&', ';', '|', '\n', '(']).any(|part| {
        let words: Vec<&str> = part.split_whitespace().collect();
        let Some(git) = words.iter().position(|w| *w == "git") else {
            return false;
        };
        // Skip global options such as `-C dir` or `-c key=value`.
        let mut rest = words[git + 1..].iter();
        while let Some(w) = rest.next() {
            match *w {
                "-C" | "-c" => {
                    rest.next();
                }
                w if w.starts_with('-') => {}
                w => return w == "commit",
            }
        }
        false
    })
}

/// The `[branch sha] subject` line printed by `git commit` (also `[main (root-commit) sha]` and
/// `[detached HEAD sha]`).
pub fn printed_commit(output: &str) -> Option<PrintedCommit> {
    output.lines().take(COMMIT_LINES).find_map(|line| {
        let rest = line.trim_start().strip_prefix('[')?;
        let (inside, subject) = rest.split_once("] ")?;
        let mut words: Vec<&str> = inside.split_whitespace().collect();
        let sha = words.pop()?;
        let hex = sha.len() >= 7 && sha.len() <= 64 && sha.bytes().all(|b| b.is_ascii_hexdigit());
        if !hex || words.is_empty() {
            return None;
        }
        words.retain(|w| *w != "(root-commit)");
        let branch = words.join(" ");
        Some(PrintedCommit {
            branch: (!branch.is_empty() && branch != "detached HEAD").then_some(branch),
            sha: sha.to_owned(),
            subject: subject.trim().to_owned(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_lines_and_commands() {
        let c = printed_commit("[main (root-commit) 6e715a6] Add notes\n 1 file changed");
        assert_eq!(
            c,
            Some(PrintedCommit {
                branch: Some("main".into()),
                sha: "6e715a6".into(),
                subject: "Add notes".into()
            })
        );
        let d = printed_commit("[detached HEAD abcdef1] x").map(|c| c.branch);
        assert_eq!(d, Some(None));
        assert_eq!(printed_commit("[x] not a commit"), None);
        assert!(runs_git_commit("git add -A && git commit -m \"x\""));
        assert!(runs_git_commit("git -C repo commit -am x"));
        assert!(!runs_git_commit("git log --oneline"));
        assert!(!runs_git_commit("echo commit"));
    }
}
