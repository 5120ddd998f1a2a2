//! What every command needs: the clock, the price table, output style, and the sessions.

use std::path::PathBuf;

use color_eyre::eyre::{Result, WrapErr};

use super::args::{ColorChoice, GlobalArgs};
use super::style::Style;
use crate::clock::{Clock, FixedClock, SystemClock};
use crate::index::{Catalog, LoadOptions, load_catalog};
use crate::pricing::PriceTable;
use crate::transcript::discover::{Env, ProcessEnv, find_files, project_roots};

/// Shared state of one command run.
pub struct Context {
    pub clock: Box<dyn Clock>,
    pub prices: PriceTable,
    pub style: Style,
    pub width: usize,
    pub demo: bool,
    pub use_cache: bool,
}

impl Context {
    pub fn new(global: &GlobalArgs) -> Result<Self> {
        let env = ProcessEnv;
        let clock: Box<dyn Clock> = match env.var("GIT_VOUCH_NOW") {
            Some(t) => Box::new(FixedClock::parse(&t).ok_or_else(|| {
                color_eyre::eyre::eyre!("GIT_VOUCH_NOW: not an RFC 3339 time: '{t}'")
            })?),
            None => Box::new(SystemClock),
        };
        Ok(Self {
            clock,
            prices: load_prices(&env)?,
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
        let env = ProcessEnv;
        let mut notes = Vec::new();
        let roots = project_roots(&env, &mut notes);
        let files = find_files(&roots, &mut notes);
        let options = LoadOptions {
            cache: self
                .use_cache
                .then(|| cache_dir(&env).join("index.sqlite3")),
            threads: 0,
        };
        let mut catalog = match load_catalog(files.clone(), &options, &self.prices) {
            Ok(c) => c,
            Err(e) if options.cache.is_some() => {
                // The cache is only an accelerator: report it and read without it.
                notes.push(crate::transcript::Diagnostic::file(
                    options
                        .cache
                        .as_deref()
                        .unwrap_or_else(|| std::path::Path::new("")),
                    format!("index cache unusable, reading without it: {e}"),
                ));
                load_catalog(files, &LoadOptions::default(), &self.prices)
                    .wrap_err("cannot load sessions")?
            }
            Err(e) => return Err(e).wrap_err("cannot load sessions"),
        };
        notes.append(&mut catalog.diagnostics);
        catalog.diagnostics = notes;
        Ok(catalog)
    }
}

fn load_prices(env: &dyn Env) -> Result<PriceTable> {
    Ok(crate::config::price_table(env)?)
}

/// The folder of the index cache.
pub fn cache_dir(env: &dyn Env) -> PathBuf {
    crate::config::cache_dir(env)
}

fn terminal_width(env: &dyn Env) -> usize {
    if let Some(cols) = env.var("COLUMNS").and_then(|c| c.parse().ok()) {
        return cols;
    }
    crossterm::terminal::size()
        .map_or(80, |(w, _)| usize::from(w))
        .max(40)
}
