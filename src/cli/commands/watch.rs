//! `git vouch watch`: the live view of this repository's sessions and the calls the guard holds
//! for a person (see [`crate::tui::watch`]).

use std::io::IsTerminal;

use color_eyre::eyre::{Result, WrapErr, eyre};

use crate::cli::Outcome;
use crate::cli::context::Context;

pub fn run(ctx: &Context) -> Result<Outcome> {
    if !(std::io::stdout().is_terminal() && std::io::stdin().is_terminal()) {
        return Err(eyre!(
            "git vouch watch needs a terminal: it shows the calls it holds and takes your answers"
        ));
    }
    screen(ctx)
}

#[cfg(feature = "tui")]
fn screen(ctx: &Context) -> Result<Outcome> {
    use crate::tui::watch::{Setup, run};

    let cwd = std::env::current_dir().wrap_err("cannot read the current folder")?;
    let (keymap, theme) = super::explore::ui_config(ctx)?;
    let setup =
        Setup::for_repository(&cwd, keymap, theme, ctx.clock.as_ref()).map_err(|e| eyre!(e))?;
    run(setup).wrap_err("git vouch watch")?;
    Ok(Outcome::Success)
}

#[cfg(not(feature = "tui"))]
fn screen(_ctx: &Context) -> Result<Outcome> {
    Err(eyre!(
        "git vouch watch needs a build with the `tui` feature"
    ))
}
