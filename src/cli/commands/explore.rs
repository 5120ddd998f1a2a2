//! `git vouch` with no subcommand: the explorer on a terminal, the sessions report otherwise
//! (a pipe, a script, or a build without the `tui` feature).

use std::io::IsTerminal;

use color_eyre::eyre::Result;

use super::sessions;
use crate::cli::Outcome;
use crate::cli::args::{FilterArgs, SessionsArgs};
use crate::cli::context::Context;

pub fn run(ctx: &Context) -> Result<Outcome> {
    if std::io::stdout().is_terminal() && std::io::stdin().is_terminal() {
        return explorer(ctx);
    }
    sessions::run(
        ctx,
        &SessionsArgs {
            filter: FilterArgs::default(),
            json: false,
        },
    )
}

/// The key map and theme: the embedded defaults patched with the person's own files.
#[cfg(feature = "tui")]
pub fn ui_config(ctx: &Context) -> Result<(crate::tui::keymap::Keymap, crate::tui::theme::Theme)> {
    use crate::tui::keymap::Keymap;
    use crate::tui::theme::Theme;

    let keymap = Keymap::load(&ctx.config.keymap_file())?;
    let no_color = !ctx.style.color && ctx.config.no_color;
    let theme = Theme::load(&ctx.config.theme_file(), no_color)?;
    Ok((keymap, theme))
}

#[cfg(feature = "tui")]
fn explorer(ctx: &Context) -> Result<Outcome> {
    use crate::tui::app::App;
    use crate::tui::runner;
    use crate::tui::worker::Source;

    let (keymap, theme) = ui_config(ctx)?;
    let (source, scope) = if ctx.demo {
        let repo_parent = ctx.config.cache_dir.clone();
        (Source::Demo { repo_parent }, None)
    } else {
        let cache = ctx.use_cache.then(|| ctx.config.index_file());
        let data_dir = Some(ctx.config.data_dir.clone());
        let archives = std::env::current_dir()
            .map(|cwd| crate::capture::archive::archive_roots(&cwd))
            .unwrap_or_default();
        (
            Source::Local {
                cache,
                data_dir,
                archives,
            },
            runner::current_repository(),
        )
    };
    let app = App::new(keymap, theme, Box::new(ctx.clock.clone()), scope);
    runner::run(app, source, ctx.prices.clone())?;
    Ok(Outcome::Success)
}

#[cfg(not(feature = "tui"))]
fn explorer(ctx: &Context) -> Result<Outcome> {
    sessions::run(
        ctx,
        &SessionsArgs {
            filter: FilterArgs::default(),
            json: false,
        },
    )
}
