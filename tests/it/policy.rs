//! Policies: every built-in with passing and violating evidence; repository `.rego` files and
//! chainloop `kind: Policy` YAML run unchanged; bad policies (syntax and runtime errors, endless
//! loops, huge output) reported with file and line while the others still run; the CLI's JSON
//! and exit codes; pre-push `vouch.policy` enforce, warn and off with real pushes.

#![allow(
    clippy::unwrap_used,
    clippy::too_many_lines,
    clippy::items_after_statements
)]

mod support;

mod builtins;

mod files;

use crate::support::world as trust_world;
mod world;

mod cli;
mod push;
