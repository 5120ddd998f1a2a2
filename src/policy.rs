//! Policies: Rego rules over the evidence, evaluated locally with regorus (no server), at
//! pre-push and for any range. A repository keeps them in `.vouch/policies/` (committed, so the
//! team shares them): plain `.rego` files whose input is our evidence document, and chainloop
//! `kind: Policy` YAML whose Rego runs unchanged over our chainloop materials. Built-in policies
//! are enabled by name in `config.toml` beside them, which also holds their inputs.
//!
//! Every evaluation has a time limit and an output cap; a broken policy (syntax or runtime
//! error, limit reached) is reported with its file and line and the others still run.

pub mod builtin;
pub mod config;
pub mod eval;
pub mod load;
pub mod report;

use std::path::Path;

use serde_json::Value as Json;
use sha2::{Digest, Sha256};

pub use config::PolicyConfig;
pub use eval::Limits;
pub use load::FileKind;
pub use report::{PolicyReport, PolicyResult, Violation};

use crate::evidence::Evidence;

/// Errors that stop a whole check (a single broken policy never does).
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read {0}")]
    Read(String),
    #[error("bad policy configuration: {0}")]
    Config(String),
}

/// One policy ready to run.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub name: String,
    /// `builtin` or the file, relative to the repository.
    pub source: String,
    pub kind: FileKind,
    pub enabled: bool,
    pub sha256: String,
    args: Json,
    compiled: Result<eval::Compiled, String>,
}

/// The policies of a repository: the built-ins (enabled or not) and its files.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    pub policies: Vec<Loaded>,
    /// Whether the repository has a policy folder with a configuration or policy files.
    pub configured: bool,
    pub limits: Limits,
}

/// Loads and checks the repository's policies over `evidence`.
pub fn check(repo_root: &Path, evidence: &Evidence) -> Result<PolicyReport, PolicyError> {
    Ok(PolicySet::load(repo_root)?.check(evidence))
}

impl PolicySet {
    /// Reads `.vouch/policies/` of the repository at `repo_root` and parses every policy.
    pub fn load(repo_root: &Path) -> Result<Self, PolicyError> {
        let folder = repo_root.join(load::FOLDER);
        let display = format!("{}/{}", load::FOLDER, config::FILE);
        let config = PolicyConfig::read(&folder, &display)?;
        let files = load::discover(repo_root)?;
        let configured = config.is_some() || !files.is_empty();
        let config = config.unwrap_or_default();
        let mut limits = Limits::default();
        if let Some(ms) = config.time_limit_ms {
            limits.time = std::time::Duration::from_millis(ms.max(1));
        }
        let mut policies = Vec::new();
        let lib = builtin::lib_module();
        for b in &builtin::BUILTINS {
            let enabled = config.builtin_enabled(b.name);
            let module = b.module();
            policies.push(Loaded {
                name: b.name.to_owned(),
                source: "builtin".into(),
                kind: FileKind::Rego,
                enabled,
                sha256: digest(&module.text),
                args: config.args_for(b.name),
                // Only enabled built-ins are parsed: the pre-push path pays for what runs.
                compiled: if enabled {
                    eval::compile(&module, std::slice::from_ref(&lib), &limits)
                } else {
                    Err("not enabled".into())
                },
            });
        }
        for name in config
            .builtins
            .iter()
            .filter(|n| *n != "all" && builtin::find(n).is_none())
        {
            policies.push(unknown_builtin(name, &display));
        }
        for f in files {
            let enabled = config.file_enabled(&f.name);
            let compiled = f.module.as_ref().map_err(Clone::clone).and_then(|m| {
                if enabled {
                    eval::compile(m, &[], &limits)
                } else {
                    Err("not enabled".into())
                }
            });
            policies.push(Loaded {
                sha256: f
                    .module
                    .as_ref()
                    .map(|m| digest(&m.text))
                    .unwrap_or_default(),
                args: config.args_for(&f.name),
                name: f.name,
                source: f.source,
                kind: f.kind,
                enabled,
                compiled,
            });
        }
        Ok(Self {
            policies,
            configured,
            limits,
        })
    }

    /// Whether any policy is enabled.
    pub fn any_enabled(&self) -> bool {
        self.policies.iter().any(|p| p.enabled)
    }

    /// Runs every enabled policy over `evidence`.
    pub fn check(&self, evidence: &Evidence) -> PolicyReport {
        let inputs = Inputs::new(evidence);
        let results = self
            .policies
            .iter()
            .filter(|p| p.enabled)
            .map(|p| run(p, &inputs, &self.limits))
            .collect();
        PolicyReport::new(results)
    }
}

fn unknown_builtin(name: &str, display: &str) -> Loaded {
    let known: Vec<&str> = builtin::BUILTINS.iter().map(|b| b.name).collect();
    Loaded {
        name: name.to_owned(),
        source: "builtin".into(),
        kind: FileKind::Rego,
        enabled: true,
        sha256: String::new(),
        args: Json::Null,
        compiled: Err(format!(
            "{display}: unknown built-in policy '{name}' (known: {})",
            known.join(", ")
        )),
    }
}

fn digest(text: &str) -> String {
    crate::evidence::hex(&Sha256::digest(text.as_bytes()))
}

/// The evidence as Rego values, converted once for all policies.
struct Inputs {
    evidence: Option<regorus::Value>,
    /// (session id, material) per session.
    materials: Vec<(String, Option<regorus::Value>)>,
}

impl Inputs {
    fn new(evidence: &Evidence) -> Self {
        let mut doc = evidence.clone();
        doc.policies = None;
        let materials = crate::evidence::chainloop::materials(&doc);
        Self {
            evidence: to_rego(&doc),
            materials: doc
                .sessions
                .iter()
                .map(|s| s.id.clone())
                .zip(materials.iter().map(to_rego))
                .collect(),
        }
    }
}

fn to_rego<T: serde::Serialize>(value: &T) -> Option<regorus::Value> {
    let text = serde_json::to_string(value).ok()?;
    regorus::Value::from_json_str(&text).ok()
}

/// `input` with `args` added.
fn with_args(input: &regorus::Value, args: &Json) -> Option<regorus::Value> {
    let mut input = input.clone();
    let args = to_rego(args)?;
    input
        .as_object_mut()
        .ok()?
        .insert(regorus::Value::from("args"), args);
    Some(input)
}

fn run(p: &Loaded, inputs: &Inputs, limits: &Limits) -> PolicyResult {
    let mut result = PolicyResult {
        name: p.name.clone(),
        source: p.source.clone(),
        kind: p.kind.as_str().to_owned(),
        sha256: p.sha256.clone(),
        status: "pass".into(),
        violations: Vec::new(),
        skip_reason: None,
        error: None,
    };
    let compiled = match &p.compiled {
        Ok(c) => c,
        Err(e) => return failed(result, e.clone()),
    };
    let inputs: Vec<(Option<&str>, Option<&regorus::Value>)> = match p.kind {
        FileKind::Rego => vec![(None, inputs.evidence.as_ref())],
        FileKind::Chainloop => inputs
            .materials
            .iter()
            .map(|(id, m)| (Some(id.as_str()), m.as_ref()))
            .collect(),
    };
    let evaluations = inputs.len();
    let mut skips = Vec::new();
    for (session, input) in inputs {
        let Some(input) = input.and_then(|i| with_args(i, &p.args)) else {
            return failed(
                result,
                "the evidence could not be converted for Rego".into(),
            );
        };
        match eval::evaluate(compiled, &input, limits) {
            Ok(outcome) => {
                skips.extend(outcome.skip_reason);
                result
                    .violations
                    .extend(outcome.violations.into_iter().map(|mut v| {
                        if v.session.is_none() {
                            v.session = session.map(str::to_owned);
                        }
                        v
                    }));
            }
            Err(e) => return failed(result, e),
        }
    }
    if !result.violations.is_empty() {
        result.status = "violated".into();
    } else if evaluations > 0 && skips.len() == evaluations {
        result.status = "skipped".into();
        result.skip_reason = skips.into_iter().next();
    }
    result
}

fn failed(mut result: PolicyResult, error: String) -> PolicyResult {
    result.status = "error".into();
    result.violations.clear();
    result.error = Some(error);
    result
}
