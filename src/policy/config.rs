//! `.vouch/policies/config.toml`: which built-in policies run, the inputs every policy gets as
//! `input.args`, per-policy overrides, and the per-evaluation limits.
//!
//! ```toml
//! builtins = ["approved-models", "token-budget"]   # or ["all"]
//! time_limit_ms = 1000
//! memory_limit_mb = 512
//!
//! [args]
//! approved_models = ["claude-sonnet-4-5*", "claude-haiku-4-5*"]
//! max_tokens_per_session = 5_000_000
//!
//! [policy.my-policy]       # a built-in or a repository policy, by name
//! enabled = false
//! args = { max_cost_usd_per_push = "20.00" }
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::PolicyError;

/// The configuration file's name inside the policy folder.
pub const FILE: &str = "config.toml";

/// The parsed configuration (defaults when there is no file).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// Built-ins to run, by name; `all` for every one.
    #[serde(default)]
    pub builtins: Vec<String>,
    /// Time limit of one evaluation, in milliseconds.
    pub time_limit_ms: Option<u64>,
    /// Memory a repository policy's evaluation may add, in MiB.
    pub memory_limit_mb: Option<u64>,
    /// Inputs for every policy (`input.args`).
    #[serde(default)]
    pub args: serde_json::Map<String, serde_json::Value>,
    /// Per-policy settings, by name.
    #[serde(default)]
    pub policy: BTreeMap<String, PolicySettings>,
}

/// Settings of one policy.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySettings {
    pub enabled: Option<bool>,
    /// Inputs that replace the shared ones of the same name for this policy.
    #[serde(default)]
    pub args: serde_json::Map<String, serde_json::Value>,
}

impl PolicyConfig {
    /// Reads `folder/config.toml`; `None` when there is none.
    pub fn read(folder: &Path, display: &str) -> Result<Option<Self>, PolicyError> {
        let path = folder.join(FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(PolicyError::Read(format!("{display}: {e}"))),
        };
        toml::from_str(&text)
            .map(Some)
            .map_err(|e| PolicyError::Config(format!("{display}: {}", e.to_string().trim_end())))
    }

    /// Whether the built-in `name` is enabled.
    pub fn builtin_enabled(&self, name: &str) -> bool {
        let listed = self.builtins.iter().any(|b| b == name || b == "all");
        self.policy
            .get(name)
            .and_then(|p| p.enabled)
            .unwrap_or(listed)
    }

    /// Whether the repository policy `name` is enabled (default: yes).
    pub fn file_enabled(&self, name: &str) -> bool {
        self.policy
            .get(name)
            .and_then(|p| p.enabled)
            .unwrap_or(true)
    }

    /// The inputs of policy `name`: the shared ones, overridden by its own.
    pub fn args_for(&self, name: &str) -> serde_json::Value {
        let mut args = self.args.clone();
        if let Some(p) = self.policy.get(name) {
            for (k, v) in &p.args {
                args.insert(k.clone(), v.clone());
            }
        }
        serde_json::Value::Object(args)
    }
}
