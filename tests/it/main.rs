//! The integration tests: one binary (linking git2, SQLite, regorus, syntect and ratatui once),
//! one module per area. `test_files` fails on any `.rs` file under `tests/it` that no `mod`
//! reaches from here, so a test file cannot be forgotten.

#![allow(clippy::unwrap_used)] // Tests and their helpers fail loudly.

mod architecture;
mod attest;
mod attest_flow;
mod attestation_states;
mod bad_input;
mod claude_hooks;
mod codex_e2e;
mod compliance;
mod corpus;
mod correlate;
mod e2e;
mod evidence;
mod forge_merges;
mod gemini_e2e;
mod git_hooks;
mod guard_hook;
mod insights;
mod install;
mod opencode_e2e;
mod otlp;
mod policy;
mod recorded_figures;
mod recorder;
mod redaction;
mod reports;
mod review_flow;
mod review_tmux;
mod session_commits;
mod show;
mod support;
mod test_files;
mod totals;
mod tui_branch;
mod tui_render;
mod tui_tmux;
