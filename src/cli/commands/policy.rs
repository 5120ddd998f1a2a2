//! `git vouch policy check [RANGE | --session ID] [--json]` and `git vouch policy list`.

use color_eyre::eyre::{Result, WrapErr, eyre};
use serde_json::json;

use super::{print_json, print_lines, print_text};
use crate::cli::Outcome;
use crate::cli::args::{PolicyCheckArgs, PolicyCommand, PolicyListArgs};
use crate::cli::context::Context;
use crate::evidence::{Evidence, build_evidence, build_for_session};
use crate::git::paths::RepoPaths;
use crate::policy::{PolicyReport, PolicySet, builtin};
use crate::redact::{RedactOptions, Redactor};

/// The schema of `policy check --json`.
pub const CHECK_SCHEMA: &str = "git-vouch/policy-check@1";
/// The schema of `policy list --json`.
pub const LIST_SCHEMA: &str = "git-vouch/policy-list@1";

pub fn run(ctx: &Context, cmd: &PolicyCommand) -> Result<Outcome> {
    match cmd {
        PolicyCommand::Check(args) => check(ctx, args),
        PolicyCommand::List(args) => list(args),
        PolicyCommand::Worker => worker(),
    }
}

/// The repository policies in this process's worker processes.
pub fn load_set(root: &std::path::Path) -> Result<PolicySet> {
    let set = PolicySet::load(root)?;
    Ok(match std::env::current_exe() {
        Ok(exe) => set.isolated(exe),
        Err(_) => set,
    })
}

fn root() -> Result<std::path::PathBuf> {
    let cwd = std::env::current_dir().wrap_err("cannot read the current folder")?;
    RepoPaths::discover(&cwd)
        .map(|p| p.worktree)
        .ok_or_else(|| eyre!("not inside a git repository: {}", cwd.display()))
}

fn check(ctx: &Context, args: &PolicyCheckArgs) -> Result<Outcome> {
    let root = root()?;
    let set = load_set(&root)?;
    let redactor = Redactor::new(RedactOptions::default());
    let range = args.range.as_deref();
    let clock = ctx.clock.as_ref();
    let evidence: Evidence = match &args.session {
        Some(id) => build_for_session(&root, range, id, &ctx.prices, &redactor, clock)?,
        None => build_evidence(&root, range, &ctx.prices, &redactor, clock)?,
    };
    let report = set.check(&evidence);
    if args.json {
        print_json(&check_json(&evidence, &report))?;
    } else if report.policies.is_empty() {
        print_text(
            "no policies enabled: add .rego or chainloop YAML files to .vouch/policies/, or enable built-ins in .vouch/policies/config.toml",
        )?;
    } else {
        let text = report.render_text();
        print_text(text.strip_suffix('\n').unwrap_or(&text))?;
    }
    if report.errors > 0 {
        return Err(eyre!(
            "{} of {} policies could not be evaluated",
            report.errors,
            report.policies.len()
        ));
    }
    Ok(if report.has_violations() {
        Outcome::Negative
    } else {
        Outcome::Success
    })
}

fn check_json(evidence: &Evidence, report: &PolicyReport) -> serde_json::Value {
    json!({
        "schema": CHECK_SCHEMA,
        "range": {"spec": evidence.range.spec, "tip": evidence.range.tip, "commits": evidence.commits.len()},
        "sessions": evidence.sessions.iter().map(|s| &s.id).collect::<Vec<_>>(),
        "policies": report.policies,
        "violations": report.violations,
        "errors": report.errors,
    })
}

fn list(args: &PolicyListArgs) -> Result<Outcome> {
    let set = PolicySet::load(&root()?)?;
    let rows: Vec<serde_json::Value> = set
        .policies
        .iter()
        .map(|p| {
            let description = builtin::find(&p.name)
                .filter(|_| p.source == "builtin")
                .map(|b| format!("{} [args: {}]", b.description, b.args));
            json!({
                "name": p.name,
                "source": p.source,
                "kind": p.kind.as_str(),
                "enabled": p.enabled,
                "description": description,
                "error": p.load_error(),
            })
        })
        .collect();
    if args.json {
        print_json(&json!({"schema": LIST_SCHEMA, "policies": rows}))?;
        return Ok(Outcome::Success);
    }
    let lines: Vec<String> = rows
        .iter()
        .map(|r| {
            let state = if r["enabled"] == true {
                "enabled"
            } else {
                "off"
            };
            let what = r["description"]
                .as_str()
                .or(r["error"].as_str())
                .unwrap_or_else(|| r["kind"].as_str().unwrap_or(""));
            format!(
                "{:<8} {:<24} {:<36} {what}",
                state,
                r["name"].as_str().unwrap_or(""),
                r["source"].as_str().unwrap_or("")
            )
        })
        .collect();
    print_lines(&lines)?;
    Ok(Outcome::Success)
}

/// `git vouch policy worker`: evaluates the request on stdin (see `policy::isolate`).
pub fn worker() -> Result<Outcome> {
    crate::policy::isolate::serve(&mut std::io::stdin().lock(), &mut std::io::stdout().lock())
        .wrap_err("policy worker")?;
    Ok(Outcome::Success)
}
