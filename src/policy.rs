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
pub mod isolate;
pub mod load;

use std::path::Path;

use serde_json::Value as Json;
use sha2::{Digest, Sha256};

pub use crate::evidence::policy_report::{PolicyReport, PolicyResult, Violation};
pub use config::PolicyConfig;
pub use eval::Limits;
pub use load::FileKind;

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
    /// A repository policy's module (evaluated in a worker when the set has one).
    module: Option<eval::Module>,
}

impl Loaded {
    /// Why an enabled policy cannot run (a located message), found while loading it.
    pub fn load_error(&self) -> Option<&str> {
        match &self.compiled {
            Err(e) if self.enabled => Some(e.as_str()),
            _ => None,
        }
    }
}

/// The policies of a repository: the built-ins (enabled or not) and its files.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    pub policies: Vec<Loaded>,
    /// Whether the repository has a policy folder with a configuration or policy files.
    pub configured: bool,
    pub limits: Limits,
    /// Runs repository policies in worker processes (memory limit); `None`: in process.
    pub worker: Option<isolate::Worker>,
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
        if let Some(mb) = config.memory_limit_mb {
            limits.memory_bytes = mb.max(1) * 1024 * 1024;
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
                module: None,
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
                module: f.module.as_ref().ok().cloned(),
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
            worker: None,
        })
    }

    /// Evaluates repository policies in worker processes started from `program` (the
    /// git-vouch executable), each with the memory limit.
    #[must_use]
    pub fn isolated(mut self, program: std::path::PathBuf) -> Self {
        self.worker = Some(isolate::Worker { program });
        self
    }

    /// Whether any policy is enabled.
    pub fn enabled_count(&self) -> usize {
        self.policies.iter().filter(|p| p.enabled).count()
    }

    /// Whether any policy is enabled.
    pub fn any_enabled(&self) -> bool {
        self.policies.iter().any(|p| p.enabled)
    }

    /// Runs every enabled policy over `evidence`.
    pub fn check(&self, evidence: &Evidence) -> PolicyReport {
        let chainloop = self
            .policies
            .iter()
            .any(|p| p.enabled && p.kind == FileKind::Chainloop);
        let inputs = Inputs::new(evidence, chainloop);
        let results = self
            .policies
            .iter()
            .filter(|p| p.enabled)
            .map(|p| run(p, &inputs, &self.limits, self.worker.as_ref()))
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
        module: None,
    }
}

fn digest(text: &str) -> String {
    crate::evidence::hex(&Sha256::digest(text.as_bytes()))
}

/// The evidence as JSON and as Rego values, converted once for all policies.
struct Inputs {
    evidence: Input,
    /// One chainloop material per session.
    materials: Vec<Input>,
}

struct Input {
    session: Option<String>,
    /// The input as JSON text (for worker processes).
    text: String,
    rego: Option<regorus::Value>,
}

impl Input {
    fn new<T: serde::Serialize>(session: Option<String>, value: &T) -> Self {
        let text = serde_json::to_string(value).unwrap_or_default();
        let rego = regorus::Value::from_json_str(&text).ok();
        Self {
            session,
            text,
            rego,
        }
    }
}

impl Inputs {
    /// The evidence document, and the chainloop materials when a chainloop policy needs them.
    fn new(evidence: &Evidence, chainloop: bool) -> Self {
        let mut doc = evidence.clone();
        doc.policies = None;
        let materials = if chainloop {
            let materials = crate::evidence::chainloop::materials(&doc);
            doc.sessions
                .iter()
                .zip(materials)
                .map(|(s, m)| Input::new(Some(s.id.clone()), &m))
                .collect()
        } else {
            Vec::new()
        };
        Self {
            evidence: Input::new(None, &doc),
            materials,
        }
    }
}

/// `input` with `args` added.
fn with_args(input: &regorus::Value, args: &Json) -> Option<regorus::Value> {
    let mut input = input.clone();
    let args = regorus::Value::from_json_str(&args.to_string()).ok()?;
    input
        .as_object_mut()
        .ok()?
        .insert(regorus::Value::from("args"), args);
    Some(input)
}

fn json_with_args(input: &str, args: &Json) -> Json {
    let mut input: Json = serde_json::from_str(input).unwrap_or_default();
    if let Some(o) = input.as_object_mut() {
        o.insert("args".into(), args.clone());
    }
    input
}

fn run(
    p: &Loaded,
    inputs: &Inputs,
    limits: &Limits,
    worker: Option<&isolate::Worker>,
) -> PolicyResult {
    let result = PolicyResult {
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
    let inputs: Vec<&Input> = match p.kind {
        FileKind::Rego => vec![&inputs.evidence],
        FileKind::Chainloop => inputs.materials.iter().collect(),
    };
    let outcomes = match (worker, &p.module) {
        (Some(w), Some(module)) => {
            let json = inputs
                .iter()
                .map(|i| json_with_args(&i.text, &p.args))
                .collect();
            w.evaluate(module, json, limits)
        }
        _ => inputs
            .iter()
            .map(|i| {
                let input = i
                    .rego
                    .as_ref()
                    .and_then(|r| with_args(r, &p.args))
                    .ok_or("the evidence could not be converted for Rego")?;
                eval::evaluate(compiled, &input, limits)
            })
            .collect(),
    };
    match outcomes {
        Ok(o) => combine(result, &inputs, o),
        Err(e) => failed(result, e),
    }
}

/// One result from the outcomes of a policy's inputs (violations without a session are given
/// the session of their chainloop material).
fn combine(
    mut result: PolicyResult,
    inputs: &[&Input],
    outcomes: Vec<eval::Outcome>,
) -> PolicyResult {
    let evaluations = outcomes.len();
    let mut skips = Vec::new();
    for (input, outcome) in inputs.iter().zip(outcomes) {
        skips.extend(outcome.skip_reason);
        result
            .violations
            .extend(outcome.violations.into_iter().map(|mut v| {
                if v.session.is_none() {
                    v.session.clone_from(&input.session);
                }
                v
            }));
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
