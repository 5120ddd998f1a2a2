//! git-vouch's own configuration files, in `$XDG_CONFIG_HOME/git-vouch/` (by default
//! `~/.config/git-vouch/`): `pricing.toml` extends or overrides the embedded price table.

use std::path::PathBuf;

use crate::pricing::{PriceTable, PricingError};
use crate::transcript::discover::Env;

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

/// The price file that is read: `$GIT_VOUCH_PRICING`, else `pricing.toml` in [`config_dir`]
/// (which may not exist yet: then it is where overrides go).
pub fn price_file(env: &dyn Env) -> PathBuf {
    env.var("GIT_VOUCH_PRICING")
        .map_or_else(|| config_dir(env).join("pricing.toml"), PathBuf::from)
}

/// The embedded price table, extended or overridden by `$GIT_VOUCH_PRICING` or the user's
/// `pricing.toml`.
pub fn price_table(env: &dyn Env) -> Result<PriceTable, ConfigError> {
    let path =
        Some(price_file(env)).filter(|p| env.var("GIT_VOUCH_PRICING").is_some() || p.is_file());
    let embedded = PriceTable::embedded();
    let Some(path) = path else {
        let file = config_dir(env).join("pricing.toml");
        return Ok(embedded.clone().with_override_file(file));
    };
    let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
        path: path.clone(),
        source,
    })?;
    let overrides = PriceTable::from_toml(&text, &path.display().to_string())?;
    Ok(embedded.merged(&overrides).with_override_file(path))
}
