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

/// The embedded price table, extended or overridden by the user's `pricing.toml`.
fn load_prices(env: &dyn Env) -> Result<PriceTable> {
    let path = env.var("GIT_VOUCH_PRICING").map(PathBuf::from).or_else(|| {
        let p = config_dir(env).join("pricing.toml");
        p.is_file().then_some(p)
    });
    let embedded = PriceTable::embedded();
    let Some(path) = path else {
        return Ok(embedded.clone());
    };
    let text = std::fs::read_to_string(&path)
        .wrap_err_with(|| format!("cannot read price overrides {}", path.display()))?;
    let overrides = PriceTable::from_toml(&text, &path.display().to_string())?;
    Ok(embedded.merged(&overrides))
}

fn home(env: &dyn Env) -> PathBuf {
    env.var("HOME").map(PathBuf::from).unwrap_or_default()
}

/// `$XDG_CONFIG_HOME/git-vouch`, by default `~/.config/git-vouch`.
pub fn config_dir(env: &dyn Env) -> PathBuf {
    env.var("XDG_CONFIG_HOME")
        .map_or_else(|| home(env).join(".config"), PathBuf::from)
        .join("git-vouch")
}

/// `$GIT_VOUCH_CACHE_DIR`, else `$XDG_CACHE_HOME/git-vouch`, by default `~/.cache/git-vouch`.
pub fn cache_dir(env: &dyn Env) -> PathBuf {
    env.var("GIT_VOUCH_CACHE_DIR").map_or_else(
        || {
            env.var("XDG_CACHE_HOME")
                .map_or_else(|| home(env).join(".cache"), PathBuf::from)
                .join("git-vouch")
        },
        PathBuf::from,
    )
}

fn terminal_width(env: &dyn Env) -> usize {
    if let Some(cols) = env.var("COLUMNS").and_then(|c| c.parse().ok()) {
        return cols;
    }
    crossterm::terminal::size()
        .map_or(80, |(w, _)| usize::from(w))
        .max(40)
}
