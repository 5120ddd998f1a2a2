//! The built-in policy pack: Rego embedded in the binary (`assets/policies/`), enabled by name
//! in `.vouch/policies/config.toml`.

use super::eval::Module;

/// One built-in policy.
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    pub name: &'static str,
    pub description: &'static str,
    /// The inputs it reads from `args`.
    pub args: &'static str,
    pub source: &'static str,
}

/// The helper module every built-in imports (`data.vouch.lib`).
pub const LIB: &str = include_str!("../../assets/policies/lib.rego");

/// Every built-in, in the order they are reported.
pub const BUILTINS: [Builtin; 11] = [
    Builtin {
        name: "approved-models",
        description: "only approved models were used",
        args: "approved_models (globs)",
        source: include_str!("../../assets/policies/approved_models.rego"),
    },
    Builtin {
        name: "token-budget",
        description: "tokens per session and per push within budget",
        args: "max_tokens_per_session, max_tokens_per_push",
        source: include_str!("../../assets/policies/token_budget.rego"),
    },
    Builtin {
        name: "cost-budget",
        description: "cost per session and per push within budget",
        args: "max_cost_usd_per_session, max_cost_usd_per_push (decimal dollars)",
        source: include_str!("../../assets/policies/cost_budget.rego"),
    },
    Builtin {
        name: "tests-run",
        description: "a test runner ran after the agent's last edit",
        args: "test_commands (regular expressions, optional)",
        source: include_str!("../../assets/policies/tests_run.rego"),
    },
    Builtin {
        name: "no-dangerous-commands",
        description: "no force push, rm -rf outside the repository, curl | sh, disabled hooks, secrets files read",
        args: "forbidden_patterns, allowed_paths (optional)",
        source: include_str!("../../assets/policies/no_dangerous_commands.rego"),
    },
    Builtin {
        name: "no-secrets",
        description: "redaction found no secrets in the evidence",
        args: "ignore_rules (optional)",
        source: include_str!("../../assets/policies/no_secrets.rego"),
    },
    Builtin {
        name: "changes-need-tests",
        description: "commits that change code also change tests",
        args: "code_paths, test_paths (globs, optional)",
        source: include_str!("../../assets/policies/changes_need_tests.rego"),
    },
    Builtin {
        name: "guard-reviewed",
        description: "no critical tool call ran while the guard only observed it, and no denied call ran",
        args: "min_level (low, medium, high or critical; default critical), require_guard (optional)",
        source: include_str!("../../assets/policies/guard_reviewed.rego"),
    },
    Builtin {
        name: "verified-work",
        description: "no session claimed success without a test run after its last edit, or left its work failing",
        args: "min_health (0-100, optional)",
        source: include_str!("../../assets/policies/verified_work.rego"),
    },
    Builtin {
        name: "no-bypass-permissions",
        description: "no session ran with permissions bypassed (bypassPermissions, or Codex without its sandbox)",
        args: "forbidden_modes (optional), require_mode (optional)",
        source: include_str!("../../assets/policies/no_bypass_permissions.rego"),
    },
    Builtin {
        name: "mcp-allowlist",
        description: "every MCP server a session called is allowed",
        args: "allowed_servers (globs; [] allows none)",
        source: include_str!("../../assets/policies/mcp_allowlist.rego"),
    },
];

/// The built-in called `name`.
pub fn find(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

impl Builtin {
    /// Its module, labelled so messages name it.
    pub fn module(&self) -> Module {
        Module {
            label: format!("builtin:{}", self.name),
            text: self.source.to_owned(),
            line_offset: 0,
        }
    }
}

/// The helper library module.
pub fn lib_module() -> Module {
    Module {
        label: "builtin:lib".into(),
        text: LIB.to_owned(),
        line_offset: 0,
    }
}
