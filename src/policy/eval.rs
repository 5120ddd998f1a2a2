//! Evaluating one policy with regorus, within limits: a time limit per evaluation (regorus's
//! execution timer), a cap on the violations and bytes a policy may return, and errors turned
//! into `file:line:column: message`.
//!
//! The Rego contract is chainloop's: the query is the policy's package; a `result` object
//! (`violations`, `skipped`, `skip_reason`, `ignore`) is used when declared, else the package's
//! own `violations` (a set or array), `valid_input` (false: skipped) and `skip_reason`, as
//! chainloop's injected boilerplate would define them. A violation is a string, or an object
//! with `msg` (or `message`) and an optional `session`.

use std::num::NonZeroU32;
use std::time::Duration;

use regorus::utils::limits::ExecutionTimerConfig;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::Violation;

/// Limits of one evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    pub time: Duration,
    /// Memory a repository policy's evaluation may add (enforced in its worker process).
    pub memory_bytes: u64,
    /// Violations kept per evaluation; the rest are counted in one closing message.
    pub max_violations: usize,
    /// Characters kept of one message.
    pub max_message_chars: usize,
    /// Bytes of JSON a policy may return; more is an error.
    pub max_output_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            time: Duration::from_secs(1),
            memory_bytes: 512 * 1024 * 1024,
            max_violations: 100,
            max_message_chars: 500,
            max_output_bytes: 1024 * 1024,
        }
    }
}

/// One Rego module to load: its label in messages, its text, and the line in the label's file
/// where the text starts (chainloop YAML embeds Rego below other lines).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Module {
    pub label: String,
    pub text: String,
    pub line_offset: u32,
}

/// A policy parsed and ready to evaluate.
#[derive(Debug, Clone)]
pub struct Compiled {
    engine: regorus::Engine,
    package: String,
    has_result: bool,
    main: Module,
}

/// What one evaluation returned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub violations: Vec<Violation>,
    pub skip_reason: Option<String>,
}

/// Parses `main` together with library modules (built-ins share one); `Err` is a located
/// message.
pub fn compile(main: &Module, libs: &[Module], limits: &Limits) -> Result<Compiled, String> {
    let mut engine = regorus::Engine::new();
    engine.set_execution_timer_config(ExecutionTimerConfig {
        limit: limits.time,
        check_interval: NonZeroU32::MIN,
    });
    for lib in libs {
        engine
            .add_policy(lib.label.clone(), lib.text.clone())
            .map_err(|e| located(&e.to_string(), lib))?;
    }
    let package = engine
        .add_policy(main.label.clone(), main.text.clone())
        .map_err(|e| located(&e.to_string(), main))?;
    let has_result = engine
        .has_declared_rule_rooted_at(&main.label, "result")
        .unwrap_or(false);
    Ok(Compiled {
        engine,
        package,
        has_result,
        main: main.clone(),
    })
}

/// Evaluates a compiled policy over `input`.
pub fn evaluate(
    compiled: &Compiled,
    input: &regorus::Value,
    limits: &Limits,
) -> Result<Outcome, String> {
    let mut engine = compiled.engine.clone();
    engine.set_input(input.clone());
    let query = if compiled.has_result {
        format!("{}.result", compiled.package)
    } else {
        compiled.package.clone()
    };
    let value = match engine.eval_rule(query.clone()) {
        Ok(v) => v,
        Err(_) if !compiled.has_result => {
            // A package is not a rule: ask for it as a query.
            match engine.eval_query(query, false) {
                Ok(r) => r
                    .result
                    .into_iter()
                    .next()
                    .and_then(|r| r.expressions.into_iter().next())
                    .map_or(regorus::Value::Undefined, |e| e.value),
                Err(e) => return Err(failure(&e, &compiled.main, limits)),
            }
        }
        Err(e) => return Err(failure(&e, &compiled.main, limits)),
    };
    let json = to_json(&value, limits)?;
    Ok(outcome(&json, limits))
}

/// A runtime failure: a reached limit in words, else the located message.
fn failure<E>(e: &E, module: &Module, limits: &Limits) -> String
where
    E: std::ops::Deref<Target = dyn std::error::Error + Send + Sync + 'static> + std::fmt::Display,
{
    let inner: &(dyn std::error::Error + Send + Sync + 'static) = &**e;
    if let Some(regorus::LimitError::TimeLimitExceeded { .. }) =
        inner.downcast_ref::<regorus::LimitError>()
    {
        return time_limit(module, limits);
    }
    runtime_error(&e.to_string(), module, limits)
}

fn time_limit(module: &Module, limits: &Limits) -> String {
    format!(
        "{}: evaluation stopped at the time limit of {} ms",
        file_of(&module.label),
        limits.time.as_millis()
    )
}

fn to_json(value: &regorus::Value, limits: &Limits) -> Result<Json, String> {
    if matches!(value, regorus::Value::Undefined) {
        return Ok(Json::Null);
    }
    let text = value.to_json_str().map_err(|e| e.to_string())?;
    if text.len() > limits.max_output_bytes {
        return Err(format!(
            "output too large: {} bytes returned, the limit is {} bytes",
            text.len(),
            limits.max_output_bytes
        ));
    }
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

/// Reads chainloop's result object, or the package's own rules.
fn outcome(json: &Json, limits: &Limits) -> Outcome {
    let skipped = json.get("skipped").and_then(Json::as_bool) == Some(true)
        || json.get("valid_input").and_then(Json::as_bool) == Some(false);
    let ignore = json.get("ignore").and_then(Json::as_bool) == Some(true);
    if skipped {
        let reason = json
            .get("skip_reason")
            .and_then(Json::as_str)
            .filter(|r| !r.is_empty())
            .unwrap_or("the input does not apply");
        return Outcome {
            violations: Vec::new(),
            skip_reason: Some(clip(reason, limits.max_message_chars)),
        };
    }
    if ignore {
        return Outcome::default();
    }
    let findings = json
        .get("findings")
        .and_then(Json::as_array)
        .filter(|f| !f.is_empty());
    let list = findings.or_else(|| json.get("violations").and_then(Json::as_array));
    let mut violations: Vec<Violation> = list
        .into_iter()
        .flatten()
        .map(|v| violation(v, limits))
        .collect();
    if violations.len() > limits.max_violations {
        let more = violations.len() - limits.max_violations;
        violations.truncate(limits.max_violations);
        violations.push(Violation {
            session: None,
            message: format!("… and {more} more violations (output capped)"),
        });
    }
    Outcome {
        violations,
        skip_reason: None,
    }
}

fn violation(v: &Json, limits: &Limits) -> Violation {
    let message = match v {
        Json::String(s) => s.clone(),
        Json::Object(o) => o
            .get("msg")
            .or_else(|| o.get("message"))
            .and_then(Json::as_str)
            .map_or_else(|| v.to_string(), str::to_owned),
        other => other.to_string(),
    };
    Violation {
        session: v.get("session").and_then(Json::as_str).map(str::to_owned),
        message: clip(&message, limits.max_message_chars),
    }
}

fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

/// A regorus message (`--> label:line:col`, the source line, `error: message`) as
/// `file:line:col: message`, with the line moved by the module's offset in its file.
pub fn located(message: &str, module: &Module) -> String {
    let location = message.lines().find_map(|l| l.trim().strip_prefix("--> "));
    let text = message
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(message)
        .trim();
    let text = text.strip_prefix("error: ").unwrap_or(text);
    let Some(location) = location else {
        return format!("{}: {}", file_of(&module.label), text);
    };
    let mut parts = location.rsplitn(3, ':');
    let (col, line, label) = (parts.next(), parts.next(), parts.next());
    match (col, line.and_then(|l| l.parse::<u32>().ok()), label) {
        (Some(col), Some(line), Some(label)) => {
            let offset = if label == module.label {
                module.line_offset
            } else {
                0
            };
            format!("{}:{}:{col}: {text}", file_of(label), line + offset)
        }
        _ => format!("{location}: {text}"),
    }
}

/// A label without its `#N` suffix (the N-th policy of a chainloop file).
fn file_of(label: &str) -> &str {
    label.split_once('#').map_or(label, |(f, _)| f)
}

fn runtime_error(message: &str, module: &Module, limits: &Limits) -> String {
    let lower = message.to_ascii_lowercase();
    if lower.contains("time limit") || lower.contains("execution time") {
        return time_limit(module, limits);
    }
    located(message, module)
}
