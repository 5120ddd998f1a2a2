//! Permission modes, in each agent's own words, and the ones in which an agent runs every tool
//! call without asking: one list for the policy, the review screen and the compliance report.

/// The modes that bypass the agent's permission checks:
///
/// - Claude Code's `bypassPermissions` (`--dangerously-skip-permissions`), from its transcript;
/// - Codex CLI without its sandbox, `sandbox:danger-full-access`
///   (`--dangerously-bypass-approvals-and-sandbox`), from its rollout;
/// - Gemini CLI's `yolo` (`--yolo`, `--approval-mode yolo`), from its command line as the
///   SessionStart hook found it;
/// - opencode's `auto-approve` (`--auto`: "auto-approve permissions that are not explicitly
///   denied", and its hidden aliases `--yolo` and `--dangerously-skip-permissions`), from its
///   command line likewise.
///
/// `assets/policies/no_bypass_permissions.rego` forbids the same list by default (a test holds
/// them equal).
pub const BYPASS_MODES: [&str; 4] = [
    "bypassPermissions",
    "sandbox:danger-full-access",
    "yolo",
    "auto-approve",
];

/// Whether `mode` runs every tool call without asking.
pub fn bypasses(mode: &str) -> bool {
    BYPASS_MODES.contains(&mode)
}

/// A session's permission modes in words: those its transcript records, else the mode it
/// started in as its agent's command line gave it (`yolo (at start)`), else nothing.
pub fn in_words(modes: &[String], launch: Option<&str>) -> String {
    match launch {
        Some(mode) if modes.is_empty() => format!("{mode} (at start)"),
        _ => modes.join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::{BYPASS_MODES, bypasses, in_words};

    #[test]
    fn the_bypassing_modes_of_each_agent() {
        for mode in BYPASS_MODES {
            assert!(bypasses(mode), "{mode}");
        }
        for mode in [
            "default",
            "acceptEdits",
            "plan",
            "auto_edit",
            "sandbox:workspace-write",
        ] {
            assert!(!bypasses(mode), "{mode}");
        }
    }

    #[test]
    fn the_modes_in_words() {
        let modes = vec!["default".to_owned(), "plan".to_owned()];
        assert_eq!(in_words(&modes, None), "default, plan");
        assert_eq!(in_words(&modes, Some("yolo")), "default, plan");
        assert_eq!(in_words(&[], Some("yolo")), "yolo (at start)");
        assert_eq!(in_words(&[], None), "");
    }
}
