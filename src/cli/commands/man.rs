//! `git vouch man [--install [--dir DIR]]`: the manual page, generated from the command-line
//! definition, printed or installed where `man` (and so `git vouch --help`) finds it.

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use color_eyre::eyre::{Result, WrapErr, eyre};

use super::print_text;
use crate::cli::Outcome;
use crate::cli::args::{Cli, ManArgs};

/// The page in roff, as `man` reads it: the global options, then one section per command with
/// its synopsis and options (commands within commands, such as `policy check`, included).
pub fn page() -> Result<Vec<u8>> {
    let mut cli = Cli::command();
    cli.build();
    let man = clap_mangen::Man::new(cli.clone()).manual("git-vouch manual");
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    for sub in visible(&cli) {
        command_section(&mut out, &["git vouch"], sub)?;
    }
    man.render_version_section(&mut out)?;
    Ok(out)
}

fn visible(cmd: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    cmd.get_subcommands().filter(|s| !s.is_hide_set())
}

/// `.SH "GIT VOUCH SESSIONS"` with the command's description, synopsis and options as
/// subsections; then its own commands.
fn command_section(out: &mut Vec<u8>, parents: &[&str], cmd: &clap::Command) -> Result<()> {
    let mut path = parents.to_vec();
    path.push(cmd.get_name());
    let full = path.join(" ");
    let cmd = own(cmd, &full);
    out.extend_from_slice(format!(".SH \"{}\"\n", full.to_uppercase()).as_bytes());
    let man = clap_mangen::Man::new(cmd.clone());
    let mut body = Vec::new();
    man.render_description_section(&mut body)?;
    man.render_synopsis_section(&mut body)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut body)?;
    }
    // The command's own headings become subsections of its section.
    let body = String::from_utf8_lossy(&body).replace(".SH ", ".SS ");
    out.extend_from_slice(body.as_bytes());
    for sub in visible(&cmd) {
        command_section(out, &path, sub)?;
    }
    Ok(())
}

pub fn run(args: &ManArgs) -> Result<Outcome> {
    let page = page()?;
    if !args.install {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        out.write_all(&page)?;
        out.flush()?;
        return Ok(Outcome::Success);
    }
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => default_dir()?,
    };
    let path = dir.join("man1").join("git-vouch.1");
    write(&path, &page)?;
    print_text(&format!(
        "Manual page written to {}; `git vouch --help` and `man git-vouch` show it.",
        path.display()
    ))?;
    Ok(Outcome::Success)
}

/// `<folder of this binary>/../share/man`: man finds it from PATH (man-db and mandoc map each
/// `…/bin` on PATH to `…/share/man`).
fn default_dir() -> Result<PathBuf> {
    let exe = std::env::current_exe().wrap_err("cannot tell where git-vouch is installed")?;
    let bin = exe
        .parent()
        .ok_or_else(|| eyre!("{} has no parent folder", exe.display()))?;
    let prefix = bin.parent().unwrap_or(bin);
    Ok(prefix.join("share").join("man"))
}

fn write(path: &Path, page: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .wrap_err_with(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(path, page).wrap_err_with(|| format!("cannot write {}", path.display()))
}

/// The command with only its own options shown: the global ones, help and version are in the
/// page's first section.
fn own(cmd: &clap::Command, full: &str) -> clap::Command {
    cmd.clone().bin_name(full).display_name(full).mut_args(|a| {
        let common = a.is_global_set() || matches!(a.get_id().as_str(), "help" | "version");
        if common { a.hide(true) } else { a }
    })
}
