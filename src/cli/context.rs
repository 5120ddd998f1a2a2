//! What every command needs: the clock, the price table, output style, and the sessions.

use std::sync::Arc;

use color_eyre::eyre::{Result, WrapErr};

use super::args::{ColorChoice, GlobalArgs};
use super::style::Style;
use crate::clock::{Clock, FixedClock, SystemClock};
use crate::index::{Catalog, load_local};
use crate::pricing::PriceTable;
use crate::transcript::discover::{Env, ProcessEnv};

/// Shared state of one command run.
pub struct Context {
    /// `GIT_VOUCH_NOW` when set, else the wall clock; shared with the screens' worker threads.
    pub clock: Arc<dyn Clock>,
    pub prices: PriceTable,
    pub style: Style,
    /// Columns of text output; [`super::table::UNBOUNDED`] when stdout is not a terminal and COLUMNS is unset.
    pub width: usize,
    pub demo: bool,
    pub use_cache: bool,
}

impl Context {
    pub fn new(global: &GlobalArgs) -> Result<Self> {
        let env = ProcessEnv;
        let clock: Arc<dyn Clock> = match env.var("GIT_VOUCH_NOW") {
            Some(t) => Arc::new(FixedClock::parse(&t).ok_or_else(|| {
                color_eyre::eyre::eyre!("GIT_VOUCH_NOW: not an RFC 3339 time: '{t}'")
            })?),
            None => Arc::new(SystemClock),
        };
        Ok(Self {
            clock,
            prices: crate::config::price_table(&env)?,
            style: Style::detect(
                global.color == ColorChoice::Always,
                global.color == ColorChoice::Never,
            ),
            width: terminal_width(&env),
            demo: global.demo,
            use_cache: !global.no_cache,
        })
    }

    /// Every session, from the demo data or the local Claude Code folders.
    pub fn catalog(&self) -> Result<Catalog> {
        if self.demo {
            return Ok(crate::demo::catalog(&self.prices));
        }
        let cache = self
            .use_cache
            .then(|| crate::config::cache_dir(&ProcessEnv).join("index.sqlite3"));
        let (catalog, _) =
            load_local(&ProcessEnv, cache, &self.prices).wrap_err("cannot load sessions")?;
        Ok(catalog)
    }
}

/// `COLUMNS`, else the terminal's width; output to a pipe or file is not narrowed at all.
fn terminal_width(env: &dyn Env) -> usize {
    if let Some(cols) = env.var("COLUMNS").and_then(|c| c.parse().ok()) {
        return cols;
    }
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        return super::table::UNBOUNDED;
    }
    crossterm::terminal::size()
        .map_or(80, |(w, _)| usize::from(w))
        .max(40)
}
