//! `git blame --porcelain` read into lines: for each line of a file at a revision (or in the
//! working tree), the commit that last changed it, where the line was in that commit's version
//! (moved and copied lines are followed with `-M -C`), and the commit's author and subject.
//! The real `git` does the walk: it is faster than libgit2's blame and follows moves.

use std::collections::HashMap;

use super::command::{Git, GitError};

/// The id `git blame` gives lines not committed yet.
pub const NOT_COMMITTED: &str = "0000000000000000000000000000000000000000";

/// One line of the blamed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlamedLine {
    /// 1-based, in the blamed version.
    pub line: u32,
    pub commit: String,
    /// The line's number, and its file's path, in `commit`'s version.
    pub orig_line: u32,
    pub orig_path: String,
    pub text: String,
}

/// What blame says of one commit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlamedCommit {
    pub author: String,
    pub author_mail: String,
    /// Seconds since the epoch.
    pub author_time: i64,
    pub summary: String,
    /// The commit is the range's lower end (its lines were not changed inside the range).
    pub boundary: bool,
}

/// A file's blame.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileBlame {
    pub lines: Vec<BlamedLine>,
    pub commits: HashMap<String, BlamedCommit>,
}

/// What to blame.
#[derive(Debug, Clone, Copy, Default)]
pub struct BlameRequest<'a> {
    /// `None`: the working tree's file (uncommitted lines get [`NOT_COMMITTED`]).
    pub rev: Option<&'a str>,
    /// Only lines changed after this commit (`base..rev`); older lines blame the boundary.
    pub since: Option<&'a str>,
    /// Only these inclusive line ranges (all lines when empty).
    pub ranges: &'a [(u32, u32)],
}

/// Blames `path` (relative to the repository's top, or to `git`'s folder) as `request` says.
pub fn blame(git: &Git, path: &str, request: BlameRequest<'_>) -> Result<FileBlame, GitError> {
    let mut args: Vec<String> = ["blame", "--porcelain", "-M", "-C"]
        .map(str::to_owned)
        .to_vec();
    for (start, end) in request.ranges {
        args.push(format!("-L{start},{end}"));
    }
    match (request.since, request.rev) {
        (Some(base), Some(rev)) => args.push(format!("{base}..{rev}")),
        (Some(base), None) => args.push(format!("{base}..HEAD")),
        (None, Some(rev)) => args.push(rev.to_owned()),
        (None, None) => {}
    }
    args.push("--".into());
    args.push(path.to_owned());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = git.run(&refs, None)?;
    Ok(parse(&String::from_utf8_lossy(&out)))
}

/// Reads `git blame --porcelain` output.
pub fn parse(text: &str) -> FileBlame {
    let mut out = FileBlame::default();
    let mut current: Option<(String, u32, u32)> = None;
    let mut paths: HashMap<String, String> = HashMap::new();
    for line in text.split('\n') {
        if let Some(content) = line.strip_prefix('\t') {
            let Some((commit, orig, fin)) = current.take() else {
                continue;
            };
            out.lines.push(BlamedLine {
                line: fin,
                orig_path: paths.get(&commit).cloned().unwrap_or_default(),
                commit,
                orig_line: orig,
                text: content.strip_suffix('\r').unwrap_or(content).to_owned(),
            });
            continue;
        }
        if let Some(header) = group_header(line) {
            out.commits.entry(header.0.clone()).or_default();
            current = Some(header);
            continue;
        }
        let Some((commit, _, _)) = &current else {
            continue;
        };
        let (key, value) = line.split_once(' ').unwrap_or((line, ""));
        if key == "filename" {
            paths.insert(commit.clone(), value.to_owned());
        }
        if let Some(c) = out.commits.get_mut(commit) {
            header_field(c, key, value);
        }
    }
    out
}

/// `<40 hex> <orig> <final> [<count>]`.
fn group_header(line: &str) -> Option<(String, u32, u32)> {
    let mut parts = line.split(' ');
    let sha = parts.next()?;
    if sha.len() != 40 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let orig = parts.next()?.parse().ok()?;
    let fin = parts.next()?.parse().ok()?;
    Some((sha.to_owned(), orig, fin))
}

fn header_field(c: &mut BlamedCommit, key: &str, value: &str) {
    match key {
        "author" => value.clone_into(&mut c.author),
        "author-mail" => value
            .trim_start_matches('<')
            .trim_end_matches('>')
            .clone_into(&mut c.author_mail),
        "author-time" => c.author_time = value.parse().unwrap_or_default(),
        "summary" => value.clone_into(&mut c.summary),
        "boundary" => c.boundary = true,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";

    /// Each commit's headers come once, on its first group; later groups name the commit only,
    /// and the file name follows the commit (a moved line keeps its old path).
    #[test]
    fn porcelain_groups_are_read_with_each_commits_headers_once() {
        let text = format!(
            "{A} 1 1 2\nauthor Alice\nauthor-mail <alice@example.com>\nauthor-time 1700000000\n\
             author-tz +0000\nsummary First\nboundary\nfilename old.rs\n\tfn a() {{\n\
             {A} 2 2\n\t}}\n\
             {B} 7 3 1\nauthor Bob\nauthor-mail <bob@example.com>\nauthor-time 1700000100\n\
             summary Second: a colon\nprevious {A} new.rs\nfilename new.rs\n\tlet x = 1;\r\n\
             {A} 3 4\n\t\n"
        );
        let b = parse(&text);
        let got: Vec<(u32, &str, u32, &str, &str)> = b
            .lines
            .iter()
            .map(|l| {
                (
                    l.line,
                    &l.commit[..1],
                    l.orig_line,
                    l.orig_path.as_str(),
                    l.text.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (1, "1", 1, "old.rs", "fn a() {"),
                (2, "1", 2, "old.rs", "}"),
                (3, "2", 7, "new.rs", "let x = 1;"),
                (4, "1", 3, "old.rs", ""),
            ]
        );
        assert_eq!(b.commits[A].author_mail, "alice@example.com");
        assert!(b.commits[A].boundary);
        assert!(!b.commits[B].boundary);
        assert_eq!(b.commits[B].summary, "Second: a colon");
        assert_eq!(b.commits[B].author_time, 1_700_000_100);
    }
}
