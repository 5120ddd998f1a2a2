//! The hunks an agent wrote in a range's diff ([`RangeDiff`]): every hunk with at least one added
//! line whose author is an agent session, with the sessions behind it, the prompt and tool call
//! behind its first agent line, and the digest its review mark is signed with
//! ([`crate::attest::hunk_review`]). A hunk's digest covers its file's path and its lines (kind
//! and text, not their numbers), so it names the same code wherever the hunk lands.

use sha2::{Digest, Sha256};

use super::blame::LineAuthor;
use super::diff::{DiffLine, LineBy, RangeDiff};

/// One hunk of the diff an agent wrote (some of).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentHunk {
    /// Index of its file in the diff's files.
    pub file: usize,
    /// Its lines in that file's lines: the header at `start`, up to `end` (excluded).
    pub start: usize,
    pub end: usize,
    pub header: String,
    pub digest: String,
    /// The sessions that wrote its agent lines, in order of appearance.
    pub sessions: Vec<String>,
    /// Its added lines by agents, and in all.
    pub agent_lines: u32,
    pub added: u32,
    /// Who wrote its first agent line: its session, tool call and prompt.
    pub first: LineBy,
}

/// The agent hunks of `diff`, in file order.
pub fn agent_hunks(diff: &RangeDiff) -> Vec<AgentHunk> {
    let mut out = Vec::new();
    for (i, f) in diff.files.iter().enumerate() {
        let starts: Vec<usize> = f
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.kind == "hunk")
            .map(|(n, _)| n)
            .collect();
        for (k, &start) in starts.iter().enumerate() {
            let end = starts.get(k + 1).copied().unwrap_or(f.lines.len());
            if let Some(h) = hunk(i, &f.path, &f.lines, start, end) {
                out.push(h);
            }
        }
    }
    out
}

fn hunk(
    file: usize,
    path: &str,
    lines: &[DiffLine],
    start: usize,
    end: usize,
) -> Option<AgentHunk> {
    let body = &lines[start + 1..end];
    let by_agent = || {
        body.iter()
            .filter_map(|l| l.by.as_ref())
            .filter(|b| b.author == LineAuthor::Agent)
    };
    let first = by_agent().next()?.clone();
    let mut sessions: Vec<String> = Vec::new();
    for s in by_agent().filter_map(|b| b.session.as_deref()) {
        if !sessions.iter().any(|x| x == s) {
            sessions.push(s.to_owned());
        }
    }
    Some(AgentHunk {
        file,
        start,
        end,
        header: lines[start].text.clone(),
        digest: digest(path, body),
        sessions,
        agent_lines: u32::try_from(by_agent().count()).unwrap_or(u32::MAX),
        added: u32::try_from(body.iter().filter(|l| l.kind == "added").count()).unwrap_or(u32::MAX),
        first,
    })
}

/// sha256 of the path and the hunk's lines, each as its kind's sign and its text.
fn digest(path: &str, body: &[DiffLine]) -> String {
    let mut h = Sha256::new();
    h.update(path.as_bytes());
    h.update([0]);
    for l in body {
        let sign: &[u8] = match l.kind {
            "added" => b"+",
            "removed" => b"-",
            _ => b" ",
        };
        h.update(sign);
        h.update(l.text.as_bytes());
        h.update(b"\n");
    }
    crate::evidence::hex(&h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provenance::blame::Basis;
    use crate::provenance::diff::{DiffFile, DiffTotals};

    fn line(kind: &'static str, text: &str, author: Option<LineAuthor>, session: &str) -> DiffLine {
        DiffLine {
            kind,
            old: None,
            new: None,
            text: text.to_owned(),
            by: author.map(|author| LineBy {
                author,
                basis: Basis::Recorded,
                commit: None,
                session: (author == LineAuthor::Agent).then(|| session.to_owned()),
                tool_use_id: None,
                prompt: Some(1),
            }),
        }
    }

    fn diff(lines: Vec<DiffLine>) -> RangeDiff {
        RangeDiff {
            schema: "",
            range: String::new(),
            base: None,
            tip: String::new(),
            files: vec![DiffFile {
                path: "src/a.rs".into(),
                old_path: None,
                status: "modified",
                binary: false,
                added: 0,
                removed: 0,
                agent: 0,
                human: 0,
                unknown: 0,
                lines,
                more_lines: 0,
            }],
            commits: Vec::new(),
            sessions: Vec::new(),
            totals: DiffTotals::default(),
            warnings: Vec::new(),
        }
    }

    /// A hunk counts when an agent wrote one of its lines; a person's hunk does not; the digest
    /// follows the content, not the line numbers.
    #[test]
    fn agent_hunks_are_the_hunks_with_an_agent_line() {
        let agent = Some(LineAuthor::Agent);
        let human = Some(LineAuthor::Human);
        let d = diff(vec![
            line("hunk", "@@ -1,2 +1,3 @@", None, ""),
            line("context", "fn a() {", None, ""),
            line("added", "    one();", agent, "s1"),
            line("added", "    two();", agent, "s2"),
            line("added", "    three();", agent, "s1"),
            line("hunk", "@@ -9,1 +10,2 @@", None, ""),
            line("added", "// by hand", human, ""),
            line("hunk", "@@ -20,1 +22,2 @@", None, ""),
            line("removed", "old();", None, ""),
            line("added", "new();", human, ""),
            line("added", "newer();", agent, "s3"),
        ]);
        let hunks = agent_hunks(&d);
        assert_eq!(hunks.len(), 2);
        assert_eq!((hunks[0].start, hunks[0].end), (0, 5));
        assert_eq!(hunks[0].sessions, ["s1", "s2"]);
        assert_eq!((hunks[0].agent_lines, hunks[0].added), (3, 3));
        assert_eq!(hunks[1].header, "@@ -20,1 +22,2 @@");
        assert_eq!((hunks[1].agent_lines, hunks[1].added), (1, 2));
        let mut moved = d.clone();
        moved.files[0].lines[0].text = "@@ -5,2 +5,3 @@".into();
        assert_eq!(agent_hunks(&moved)[0].digest, hunks[0].digest);
        let mut changed = d;
        changed.files[0].lines[2].text = "    uno();".into();
        assert_ne!(agent_hunks(&changed)[0].digest, hunks[0].digest);
    }
}
