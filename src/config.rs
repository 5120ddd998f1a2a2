//! git-vouch's configuration, read once into typed values by [`Config::load`]: the folders
//! (`$XDG_CONFIG_HOME/git-vouch/`, by default `~/.config/git-vouch/`, and the cache), the user's
//! price file (`pricing.toml` extends or overrides the embedded price table), the key map and
//! theme files of both screens, `NO_COLOR`, `COLUMNS` and `GIT_VOUCH_NOW`. The repository's
//! git-config modes (`vouch.policy`, `vouch.review`) are in [`modes`]; [`Env`] is how the
//! environment is read.

mod env;
pub mod modes;

use std::path::PathBuf;
use std::sync::Arc;

use crate::clock::{Clock, FixedClock, SystemClock};
use crate::pricing::{PriceTable, PricingError};

pub use env::{Env, ProcessEnv, VarsEnv};
pub use modes::{PolicyMode, PolicySetting, ReviewMode, UnknownReviewMode};

/// Errors reading configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read price overrides {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Pricing(#[from] PricingError),
    #[error("GIT_VOUCH_NOW: not an RFC 3339 time: '{0}'")]
    Now(String),
}

/// Everything git-vouch reads from its environment, parsed once.
#[derive(Debug, Clone)]
pub struct Config {
    /// `$XDG_CONFIG_HOME/git-vouch`, by default `~/.config/git-vouch`.
    pub config_dir: PathBuf,
    /// `$GIT_VOUCH_CACHE_DIR`, else `$XDG_CACHE_HOME/git-vouch`, by default `~/.cache/git-vouch`.
    pub cache_dir: PathBuf,
    /// `$XDG_DATA_HOME/git-vouch`, by default `~/.local/share/git-vouch`: what is recorded
    /// outside any repository.
    pub data_dir: PathBuf,
    /// The price file that is read: `$GIT_VOUCH_PRICING`, else `pricing.toml` in the config
    /// folder (which may not exist yet: then it is where overrides go).
    pub price_file: PathBuf,
    /// Whether `$GIT_VOUCH_PRICING` names the price file (then it must exist).
    price_file_given: bool,
    /// `NO_COLOR` is set (and not empty).
    pub no_color: bool,
    /// `COLUMNS`, when set to a number.
    pub columns: Option<usize>,
    /// `GIT_VOUCH_NOW`: a fixed instant, or the text that is not one.
    now: Option<Result<FixedClock, String>>,
}

impl Config {
    /// Reads the environment; files are read when asked for ([`Config::price_table`]).
    pub fn load(env: &dyn Env) -> Self {
        let home = env.var("HOME").map(PathBuf::from).unwrap_or_default();
        let config_dir = env
            .var("XDG_CONFIG_HOME")
            .map_or_else(|| home.join(".config"), PathBuf::from)
            .join("git-vouch");
        let cache_dir = env.var("GIT_VOUCH_CACHE_DIR").map_or_else(
            || {
                env.var("XDG_CACHE_HOME")
                    .map_or_else(|| home.join(".cache"), PathBuf::from)
                    .join("git-vouch")
            },
            PathBuf::from,
        );
        let data_dir = env
            .var("XDG_DATA_HOME")
            .map_or_else(|| home.join(".local/share"), PathBuf::from)
            .join("git-vouch");
        let given = env.var("GIT_VOUCH_PRICING").map(PathBuf::from);
        Self {
            price_file_given: given.is_some(),
            price_file: given.unwrap_or_else(|| config_dir.join("pricing.toml")),
            config_dir,
            cache_dir,
            data_dir,
            no_color: env.var("NO_COLOR").is_some(),
            columns: env.var("COLUMNS").and_then(|c| c.parse().ok()),
            now: env
                .var("GIT_VOUCH_NOW")
                .map(|t| FixedClock::parse(&t).ok_or(t)),
        }
    }

    /// The key map file of both screens (it may not exist).
    pub fn keymap_file(&self) -> PathBuf {
        self.config_dir.join("keymap.toml")
    }

    /// The theme file of both screens (it may not exist).
    pub fn theme_file(&self) -> PathBuf {
        self.config_dir.join("theme.toml")
    }

    /// The sessions index cache.
    pub fn index_file(&self) -> PathBuf {
        self.cache_dir.join("index.sqlite3")
    }

    /// `GIT_VOUCH_NOW` when set, else the wall clock.
    pub fn clock(&self) -> Result<Arc<dyn Clock>, ConfigError> {
        match &self.now {
            None => Ok(Arc::new(SystemClock)),
            Some(Ok(fixed)) => Ok(Arc::new(*fixed)),
            Some(Err(text)) => Err(ConfigError::Now(text.clone())),
        }
    }

    /// The embedded price table, extended or overridden by `$GIT_VOUCH_PRICING` or the user's
    /// `pricing.toml`.
    pub fn price_table(&self) -> Result<PriceTable, ConfigError> {
        let embedded = PriceTable::embedded();
        if !self.price_file_given && !self.price_file.is_file() {
            return Ok(embedded.clone().with_override_file(self.price_file.clone()));
        }
        let path = &self.price_file;
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        let overrides = PriceTable::from_toml(&text, &path.display().to_string())?;
        Ok(embedded.merged(&overrides).with_override_file(path.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_follow_xdg_and_overrides() {
        let c = Config::load(&VarsEnv::new([("HOME", "/h")]));
        assert_eq!(c.config_dir, PathBuf::from("/h/.config/git-vouch"));
        assert_eq!(c.cache_dir, PathBuf::from("/h/.cache/git-vouch"));
        assert_eq!(
            c.price_file,
            PathBuf::from("/h/.config/git-vouch/pricing.toml")
        );
        assert_eq!(
            c.theme_file(),
            PathBuf::from("/h/.config/git-vouch/theme.toml")
        );
        let c = Config::load(&VarsEnv::new([
            ("HOME", "/h"),
            ("XDG_CONFIG_HOME", "/x"),
            ("XDG_CACHE_HOME", "/c"),
            ("GIT_VOUCH_PRICING", "/p.toml"),
            ("NO_COLOR", "1"),
            ("COLUMNS", "99"),
        ]));
        assert_eq!(c.config_dir, PathBuf::from("/x/git-vouch"));
        assert_eq!(c.index_file(), PathBuf::from("/c/git-vouch/index.sqlite3"));
        assert_eq!(c.price_file, PathBuf::from("/p.toml"));
        assert!(c.no_color);
        assert_eq!(c.columns, Some(99));
        let c = Config::load(&VarsEnv::new([
            ("GIT_VOUCH_CACHE_DIR", "/v"),
            ("NO_COLOR", ""),
        ]));
        assert_eq!(c.cache_dir, PathBuf::from("/v"));
        assert!(!c.no_color);
    }

    #[test]
    fn a_given_price_file_must_exist() {
        let c = Config::load(&VarsEnv::new([(
            "GIT_VOUCH_PRICING",
            "/nonexistent/p.toml",
        )]));
        assert!(matches!(c.price_table(), Err(ConfigError::Read { .. })));
        let c = Config::load(&VarsEnv::new([("HOME", "/nonexistent")]));
        assert!(c.price_table().is_ok());
    }

    #[test]
    fn a_bad_now_is_an_error_only_when_asked() {
        let c = Config::load(&VarsEnv::new([("GIT_VOUCH_NOW", "yesterday")]));
        assert_eq!(
            c.clock().err().map(|e| e.to_string()).as_deref(),
            Some("GIT_VOUCH_NOW: not an RFC 3339 time: 'yesterday'")
        );
        let c = Config::load(&VarsEnv::new([("GIT_VOUCH_NOW", "2026-01-02T03:04:05Z")]));
        assert_eq!(
            c.clock().unwrap().now().to_rfc3339(),
            "2026-01-02T03:04:05+00:00"
        );
    }
}
