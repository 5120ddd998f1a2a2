//! A file one call changed, with the hunks of the change.

use crate::session::detail::Hunk;

/// One file changed by one call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    pub path: String,
    pub created: bool,
    pub deleted: bool,
    pub hunks: Vec<Hunk>,
}

impl Change {
    pub fn added(&self) -> u64 {
        self.count('+')
    }

    pub fn removed(&self) -> u64 {
        self.count('-')
    }

    fn count(&self, c: char) -> u64 {
        self.hunks
            .iter()
            .flat_map(|h| &h.lines)
            .filter(|l| l.starts_with(c))
            .count() as u64
    }

    /// A whole file written (`+`) or deleted (`-`).
    pub fn whole(path: String, content: &str, sign: char) -> Self {
        let lines: Vec<String> = content.lines().map(|l| format!("{sign}{l}")).collect();
        let n = lines.len() as u64;
        let (old, new) = if sign == '+' { (0, n) } else { (n, 0) };
        Self {
            path,
            created: sign == '+',
            deleted: sign == '-',
            hunks: vec![Hunk {
                old_start: u64::from(old > 0),
                old_lines: old,
                new_start: u64::from(new > 0),
                new_lines: new,
                lines,
            }],
        }
    }
}

/// The hunks of a unified diff.
pub fn unified(diff: &str) -> Vec<Hunk> {
    let mut hunks: Vec<Hunk> = Vec::new();
    for line in diff.lines() {
        if let Some(rest) = line.strip_prefix("@@ ") {
            let mut nums = rest.split_whitespace().take(2).map(range);
            let (old_start, old_lines) = nums.next().unwrap_or((0, 0));
            let (new_start, new_lines) = nums.next().unwrap_or((0, 0));
            hunks.push(Hunk {
                old_start,
                old_lines,
                new_start,
                new_lines,
                lines: Vec::new(),
            });
        } else if line.starts_with("---") || line.starts_with("+++") {
        } else if let Some(h) = hunks.last_mut()
            && line.starts_with(['+', '-', ' '])
        {
            h.lines.push(line.to_owned());
        }
    }
    hunks
}

/// `-12,3` or `+4` as (start, count).
fn range(spec: &str) -> (u64, u64) {
    let spec = spec.trim_start_matches(['-', '+']);
    let (start, count) = spec.split_once(',').unwrap_or((spec, "1"));
    (start.parse().unwrap_or(0), count.parse().unwrap_or(0))
}
