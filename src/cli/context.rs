//! What every command needs: the configuration, the clock, the price table, output style, and
//! the sessions.

use std::sync::Arc;

use color_eyre::eyre::{Result, WrapErr};

use super::args::{ColorChoice, GlobalArgs};
use super::style::Style;
use crate::clock::Clock;
use crate::config::{Config, ProcessEnv};
use crate::index::{Catalog, load_local};
use crate::pricing::PriceTable;

/// Shared state of one command run.
pub struct Context {
    /// The environment's settings, read once.
    pub config: Config,
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
        let config = Config::load(&ProcessEnv);
        Ok(Self {
            clock: config.clock()?,
            prices: config.price_table()?,
            style: Style::detect(
                global.color == ColorChoice::Always,
                global.color == ColorChoice::Never,
                config.no_color,
            ),
            width: terminal_width(config.columns),
            demo: global.demo,
            use_cache: !global.no_cache,
            config,
        })
    }

    /// Every session, from the demo data or the local Claude Code folders.
    /// Opens a file of a session: from the embedded demo data with `--demo`, else from disk.
    pub fn open(&self, path: &std::path::Path) -> std::io::Result<Box<dyn std::io::Read + Send>> {
        if self.demo {
            crate::session::detail::open_text(crate::demo::read_file(path))
        } else {
            crate::session::detail::open_file(path)
        }
    }

    pub fn catalog(&self) -> Result<Catalog> {
        if self.demo {
            return Ok(crate::demo::catalog(&self.prices));
        }
        let cache = self.use_cache.then(|| self.config.index_file());
        let archives = std::env::current_dir()
            .map(|cwd| crate::capture::archive::archive_roots(&cwd))
            .unwrap_or_default();
        let (mut catalog, _) = load_local(&ProcessEnv, cache, &self.prices, &archives)
            .wrap_err("cannot load sessions")?;
        let open = |p: &std::path::Path| self.open(p);
        let unread = crate::recorder::accounting::add_recordings(
            &mut catalog.sessions,
            &self.config.data_dir,
            &self.prices,
            |s| crate::agent_source::detail(s, &open, &self.prices),
        );
        for e in unread {
            eprintln!(
                "{} {e} (its recordings are left out)",
                self.style.warn("warning:")
            );
        }
        Ok(catalog)
    }
}

/// `COLUMNS`, else the terminal's width; output to a pipe or file is not narrowed at all.
fn terminal_width(columns: Option<usize>) -> usize {
    if let Some(cols) = columns {
        return cols;
    }
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        return super::table::UNBOUNDED;
    }
    crossterm::terminal::size()
        .map_or(80, |(w, _)| usize::from(w))
        .max(40)
}
