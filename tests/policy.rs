//! Policies: every built-in with passing and violating evidence; repository `.rego` files and
//! chainloop `kind: Policy` YAML run unchanged; bad policies (syntax and runtime errors, endless
//! loops, huge output) reported with file and line while the others still run; the CLI's JSON
//! and exit codes; pre-push `vouch.policy` enforce, warn and off with real pushes.

#![allow(
    clippy::unwrap_used,
    clippy::too_many_lines,
    clippy::items_after_statements
)]

#[path = "policy/support.rs"]
mod support;

#[path = "policy/builtins.rs"]
mod builtins;

#[path = "policy/files.rs"]
mod files;

#[path = "support/capture.rs"]
mod capture;
#[path = "support/shared.rs"]
mod shared;

#[path = "support/world.rs"]
mod trust_world;
#[path = "policy/world.rs"]
mod world;

#[path = "policy/cli.rs"]
mod cli;
#[path = "policy/push.rs"]
mod push;
