//! `git vouch blame FILE [--rev REV] [--why LINE] [--json]`: who wrote each line.

use std::path::Path;

use color_eyre::eyre::{Result, WrapErr};

use super::{print_json, print_lines};
use crate::cli::Outcome;
use crate::cli::args::BlameArgs;
use crate::cli::context::Context;
use crate::cli::table::truncate;
use crate::present::blame::{basis_note, headline, mark, session_line, short_id, who};
use crate::present::sanitize::{code_line, one_line, text_lines};
use crate::present::{self, clock};
use crate::provenance::blame::{
    Blame, BlameSession, LineAuthor, SessionReader, Why, blame_file, why as line_story,
};
use crate::session::SessionSummary;
use crate::session::detail::{Conversation, SessionDetail, ThreadRef};

/// Sessions from the catalog, read from their transcripts.
pub struct Reader<'a> {
    pub ctx: &'a Context,
    pub sessions: Vec<SessionSummary>,
}

impl SessionReader for Reader<'_> {
    fn sessions(&self) -> &[SessionSummary] {
        &self.sessions
    }
    fn read(&self, s: &SessionSummary) -> (SessionDetail, Conversation) {
        let open = |p: &Path| self.ctx.open(p);
        crate::agent_source::detail_and_conversation(s, &open, &self.ctx.prices)
    }
    fn thread(&self, s: &SessionSummary, thread: ThreadRef<'_>) -> Conversation {
        let open = |p: &Path| self.ctx.open(p);
        crate::agent_source::conversation(s, thread, &open)
    }
}

pub fn run(ctx: &Context, args: &BlameArgs) -> Result<Outcome> {
    let cwd = std::env::current_dir().wrap_err("cannot read the current folder")?;
    let reader = Reader {
        ctx,
        sessions: ctx.catalog()?.sessions,
    };
    let blame = blame_file(&cwd, &args.file, args.rev.as_deref(), &reader)?;
    for w in &blame.warnings {
        eprintln!("{} {w}", ctx.style.warn("warning:"));
    }
    if let Some(n) = args.why {
        let story = line_story(&blame, n, &reader)?;
        if args.json {
            print_json(&story)?;
        } else {
            print_lines(&why_text(ctx, &story))?;
        }
    } else if args.json {
        print_json(&blame)?;
    } else {
        print_lines(&text(ctx, &blame))?;
    }
    Ok(Outcome::Success)
}

fn text(ctx: &Context, b: &Blame) -> Vec<String> {
    let style = ctx.style;
    let at = b.rev.as_deref().map_or("working tree", |r| &r[..10]);
    let mut out = vec![style.header(&format!("{} ({at}): {}", b.path, headline(b)))];
    let who_width = b
        .lines
        .iter()
        .map(|l| who(b, l).chars().count().min(20))
        .max()
        .unwrap_or(0);
    let num_width = b.lines.last().map_or(1, |l| l.line.to_string().len());
    for l in &b.lines {
        let sha = l.commit.as_deref().map_or("--------", |c| &c[..8]);
        let name = truncate(&one_line(&who(b, l)), 20);
        let gutter = match l.author {
            LineAuthor::Agent => style.id(mark(l.author)),
            LineAuthor::Human => style.ok(mark(l.author)),
            LineAuthor::Unknown => style.dim(mark(l.author)),
        };
        out.push(format!(
            "{} {gutter} {name:<who_width$} {:>num_width$} │ {}",
            style.dim(sha),
            l.line,
            code_line(&l.text)
        ));
    }
    out.extend(sessions_legend(ctx, &b.sessions));
    out.push(String::new());
    out.push(style.dim(&basis_note(b)));
    out
}

/// The sessions lines come from, each with the prompts behind them.
pub fn sessions_legend(ctx: &Context, sessions: &[BlameSession]) -> Vec<String> {
    let style = ctx.style;
    let mut out = Vec::new();
    if !sessions.is_empty() {
        out.push(String::new());
        out.push(style.header("Sessions"));
    }
    for s in sessions {
        out.push(format!(
            "  {}  {}",
            style.id(short_id(&s.id)),
            session_line(s)
        ));
        for p in &s.prompts {
            let head = format!(
                "    #{} {} ({}) ",
                p.number,
                clock(p.at),
                crate::words::counted(u64::from(p.lines), "line", "lines")
            );
            let room = ctx.width.saturating_sub(head.chars().count()).max(20);
            out.push(format!("{head}{}", truncate(&one_line(&p.text), room)));
        }
    }
    out
}

fn why_text(ctx: &Context, w: &Why) -> Vec<String> {
    let style = ctx.style;
    let l = &w.line;
    let mut out = vec![style.header(&format!("{}:{}  {}", w.path, l.line, code_line(&l.text)))];
    out.push(format!("Author     {}", author_text(w)));
    match &w.commit {
        Some(c) => out.push(format!(
            "Commit     {}  {} · {} · {}{}",
            style.id(&c.sha[..10]),
            one_line(&c.subject),
            one_line(&c.author),
            c.committed_at.map(present::datetime).unwrap_or_default(),
            if l.orig_path != w.path || l.orig_line != l.line {
                format!(" · was {}:{}", l.orig_path, l.orig_line)
            } else {
                String::new()
            }
        )),
        None => out.push("Commit     not committed yet".to_owned()),
    }
    out.push(format!(
        "How        {}",
        crate::correlate::how_marked(l.basis == crate::provenance::blame::Basis::Recorded)
    ));
    if let Some(p) = &w.prompt {
        out.push(String::new());
        out.push(style.header(&format!(
            "Prompt #{} of {} · {}",
            p.number,
            p.of,
            clock(p.at)
        )));
        out.extend(text_lines(&p.text).into_iter().map(|t| format!("  {t}")));
    }
    if let Some(t) = &w.tool_call {
        out.push(String::new());
        let by = t
            .agent_id
            .as_deref()
            .map(|a| format!(" · sub-agent {}", short_id(a)))
            .unwrap_or_default();
        out.push(style.header(&format!(
            "Tool call  {} {} · {} · {}{by} · {}",
            t.name,
            one_line(&t.input),
            t.status,
            clock(t.started),
            t.id
        )));
        if let Some(n) = t.created.filter(|_| t.patch.is_empty()) {
            out.push(format!(
                "  created the file: {}",
                crate::words::counted(n, "line", "lines")
            ));
        }
        out.extend(t.patch.iter().map(|p| format!("  {}", code_line(p))));
    }
    if !w.conversation.is_empty() {
        out.push(String::new());
        out.push(style.header("Conversation around it"));
    }
    for e in &w.conversation {
        let pointer = if e.this_call { "▶" } else { " " };
        let head = format!("{pointer} {} {:<8} ", clock(e.at), e.kind);
        let room = ctx.width.saturating_sub(head.chars().count()).max(20);
        out.push(format!("{head}{}", truncate(&one_line(&e.text), room)));
    }
    out
}

fn author_text(w: &Why) -> String {
    let l = &w.line;
    match l.author {
        LineAuthor::Agent => {
            let session = match (&l.session, &w.session) {
                (Some(id), Some(s)) => format!("session {id} · {}", session_line(s)),
                (Some(id), None) => format!("session {id}"),
                (None, _) => "a session the record does not name".to_owned(),
            };
            format!("agent · {session}")
        }
        LineAuthor::Human => format!(
            "a person · {}",
            w.commit
                .as_ref()
                .map_or("", |c| present::blame::name_of(&c.author))
        ),
        LineAuthor::Unknown if l.basis == crate::provenance::blame::Basis::Recorded => {
            "unknown: the commit's record does not place this line".to_owned()
        }
        LineAuthor::Unknown => {
            "unknown: no record of its commit, and no session of this repository wrote it"
                .to_owned()
        }
    }
}
