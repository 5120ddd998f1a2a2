//! How blame's lines and stories are worded, the same in `git vouch blame` and the explorer.

use crate::provenance::blame::{Basis, Blame, BlameLine, BlameSession, LineAuthor};
use crate::words::counted;

/// The gutter mark of a line's author, as the Files tab draws it: `A` agent, `H` a person
/// (from a record), `?` unknown.
pub const fn mark(author: LineAuthor) -> &'static str {
    match author {
        LineAuthor::Agent => "A",
        LineAuthor::Human => "H",
        LineAuthor::Unknown => "?",
    }
}

/// The short session id: its first 8 characters.
pub fn short_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// Who wrote a line, in a column: `3f2a91c0 #2` for an agent session and prompt, the author's
/// name for a person, `unknown` otherwise.
pub fn who(blame: &Blame, l: &BlameLine) -> String {
    let person = l.commit.as_deref().and_then(|c| blame.commit(c));
    label(
        l.author,
        l.session.as_deref(),
        l.prompt,
        person.map(|c| c.author.as_str()),
    )
}

/// [`who`] from its parts: `person` is the commit's author (`Name <email>`).
pub fn label(
    author: LineAuthor,
    session: Option<&str>,
    prompt: Option<usize>,
    person: Option<&str>,
) -> String {
    match author {
        LineAuthor::Agent => match (session, prompt) {
            (Some(s), Some(p)) => format!("{} #{p}", short_id(s)),
            (Some(s), None) => short_id(s).to_owned(),
            (None, _) => "agent".to_owned(),
        },
        LineAuthor::Human => person.map_or_else(|| "person".to_owned(), |a| name_of(a).to_owned()),
        LineAuthor::Unknown => "unknown".to_owned(),
    }
}

/// `Alice <alice@example.com>` → `Alice`.
pub fn name_of(author: &str) -> &str {
    author.split(" <").next().unwrap_or(author).trim()
}

/// The headline: `120 lines: 80 agent, 30 human, 10 unknown (5 not committed)`.
pub fn headline(blame: &Blame) -> String {
    let t = &blame.totals;
    let mut out = format!(
        "{}: {} agent, {} human, {} unknown",
        counted(u64::from(t.lines), "line", "lines"),
        t.agent,
        t.human,
        t.unknown
    );
    if t.not_committed > 0 {
        out = format!("{out} ({} not committed)", t.not_committed);
    }
    out
}

/// How the lines were told apart, in words.
pub fn basis_note(blame: &Blame) -> String {
    let recorded = blame
        .lines
        .iter()
        .filter(|l| l.basis == Basis::Recorded)
        .count();
    let matched = blame.lines.len() - recorded;
    match (recorded, matched) {
        (_, 0) => "every line's author comes from the hooks' record of its commit".to_owned(),
        (0, _) => "no commit of these lines was recorded by the hooks: agent lines were found by \
                   matching what the sessions wrote, the others are unknown"
            .to_owned(),
        _ => format!(
            "{} from the hooks' records of their commits; {} matched against what the sessions \
             wrote (those matching nothing are unknown)",
            counted(recorded as u64, "line", "lines"),
            matched
        ),
    }
}

/// `Claude Code 2.1.197 · opus-4-5 · Title`.
pub fn session_line(s: &BlameSession) -> String {
    let agent = crate::transcript::agent::Agent::parse(&s.agent)
        .map_or_else(|| s.agent.clone(), |a| a.name().to_owned());
    let mut parts = vec![match &s.agent_version {
        Some(v) => format!("{agent} {v}"),
        None => agent,
    }];
    parts.extend(s.models.iter().map(|m| super::model(m)));
    if let Some(t) = &s.title {
        parts.push(super::sanitize::one_line(t));
    }
    if !s.transcript {
        parts.push("transcript not on this machine".to_owned());
    }
    parts.retain(|p| !p.is_empty());
    parts.join(" · ")
}
