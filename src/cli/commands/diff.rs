//! `git vouch diff [RANGE] [--json]`: the range's diff with every added line's author.

use color_eyre::eyre::{Result, WrapErr};

use super::blame::{Reader, sessions_legend};
use super::{print_json, print_lines};
use crate::cli::Outcome;
use crate::cli::args::DiffArgs;
use crate::cli::context::Context;
use crate::cli::style::Style;
use crate::cli::table::truncate;
use crate::present::blame::{label, mark};
use crate::present::sanitize::{code_line, one_line};
use crate::provenance::blame::LineAuthor;
use crate::provenance::diff::{DiffFile, DiffLine, LineBy, RangeDiff, range_diff};
use crate::words::counted;

pub fn run(ctx: &Context, args: &DiffArgs) -> Result<Outcome> {
    let cwd = std::env::current_dir().wrap_err("cannot read the current folder")?;
    let reader = Reader {
        ctx,
        sessions: ctx.catalog()?.sessions,
    };
    let diff = range_diff(&cwd, args.range.as_deref(), &reader)?;
    for w in &diff.warnings {
        eprintln!("{} {w}", ctx.style.warn("warning:"));
    }
    if args.json {
        print_json(&diff)?;
    } else {
        print_lines(&text(ctx, &diff))?;
    }
    Ok(Outcome::Success)
}

fn text(ctx: &Context, d: &RangeDiff) -> Vec<String> {
    let style = ctx.style;
    let t = &d.totals;
    let mut out = vec![style.header(&format!(
        "{}: {}, +{} −{}: {} agent, {} human, {} unknown",
        d.range,
        counted(t.files as u64, "file", "files"),
        t.added,
        t.removed,
        t.agent,
        t.human,
        t.unknown
    ))];
    let who_width = d
        .files
        .iter()
        .flat_map(|f| &f.lines)
        .filter_map(|l| l.by.as_ref())
        .map(|b| who(d, b).chars().count().min(20))
        .max()
        .unwrap_or(0);
    for f in &d.files {
        out.push(String::new());
        out.push(file_header(f, style));
        if f.binary {
            out.push(style.dim("  binary file"));
        }
        for l in &f.lines {
            out.push(line(d, l, style, who_width));
        }
        if f.more_lines > 0 {
            out.push(style.dim(&format!(
                "  … {} not shown",
                counted(f.more_lines as u64, "more line", "more lines")
            )));
        }
    }
    out.extend(sessions_legend(ctx, &d.sessions));
    out
}

fn file_header(f: &DiffFile, style: Style) -> String {
    let renamed = f
        .old_path
        .as_deref()
        .map(|o| format!(" (from {o})"))
        .unwrap_or_default();
    style.header(&format!(
        "{}{renamed}  {} +{} −{} · {} agent · {} human · {} unknown",
        f.path, f.status, f.added, f.removed, f.agent, f.human, f.unknown
    ))
}

/// Who wrote an added line, as blame says it.
fn who(d: &RangeDiff, b: &LineBy) -> String {
    let person = b
        .commit
        .as_deref()
        .and_then(|c| d.commits.iter().find(|x| x.sha == c));
    label(
        b.author,
        b.session.as_deref(),
        b.prompt,
        person.map(|c| c.author.as_str()),
    )
}

fn line(d: &RangeDiff, l: &DiffLine, style: Style, who_width: usize) -> String {
    if l.kind == "hunk" {
        return style.id(&one_line(&l.text));
    }
    let num = |n: Option<u32>| n.map_or_else(|| "    ".to_owned(), |n| format!("{n:>4}"));
    let text = code_line(&l.text);
    let (gutter, name, body) = match (l.kind, &l.by) {
        ("added", Some(b)) => (
            match b.author {
                LineAuthor::Agent => style.id(mark(b.author)),
                LineAuthor::Human => style.ok(mark(b.author)),
                LineAuthor::Unknown => style.dim(mark(b.author)),
            },
            truncate(&one_line(&who(d, b)), 20),
            style.ok(&format!("+{text}")),
        ),
        ("removed", _) => (" ".into(), String::new(), style.warn(&format!("-{text}"))),
        _ => (" ".into(), String::new(), format!(" {text}")),
    };
    format!(
        "{} {} {gutter} {name:<who_width$} {body}",
        num(l.old),
        num(l.new)
    )
}
