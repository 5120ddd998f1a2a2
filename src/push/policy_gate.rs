//! The policy gate of pre-push: `git config vouch.policy enforce|warn|off` (default: `warn`
//! when the repository has `.vouch/policies/`, else `off`). The results are told to the person
//! (through `say`, which the hook prints on stderr) and recorded in the evidence, so they are
//! signed with it. `enforce` refuses the push on
//! violations and when a policy could not be evaluated (a broken policy or configuration fails
//! closed); `warn` only shows them.

use std::path::Path;

use crate::config::{PolicyMode, PolicySetting};
use crate::evidence::Evidence;
use crate::git::Git;
use crate::policy::PolicySet;

/// The repository's `vouch.policy` (one that cannot be read counts as unset).
pub fn policy_setting(git: &Git) -> PolicySetting {
    PolicySetting::from_value(git.config_get(PolicyMode::KEY).ok().flatten().as_deref())
}

/// The mode and the loaded policies for one push.
pub struct Gate {
    pub mode: PolicyMode,
    set: Option<PolicySet>,
    /// False when loading already refused the push (enforce with a broken configuration).
    pub allowed: bool,
    /// Why the policies could not be loaded (they then do not run).
    pub load_error: Option<String>,
}

impl Gate {
    /// Reads the mode and loads the policies of the repository at `root`; `say` tells the
    /// person about a bad mode or policies that cannot be loaded.
    pub fn open(git: &Git, root: &Path, say: &dyn Fn(&str)) -> Self {
        let setting = policy_setting(git);
        if let Some(warning) = setting.warning() {
            say(&format!("git-vouch: {warning}"));
        }
        let (mode, explicit) = (setting.mode, setting.explicit);
        if mode == PolicyMode::Off {
            return Self::off();
        }
        match PolicySet::load(root) {
            Ok(set) if !set.configured && !explicit => Self::off(),
            Ok(set) => {
                let set = match std::env::current_exe() {
                    Ok(exe) => set.isolated(exe),
                    Err(_) => set,
                };
                Self {
                    mode,
                    set: Some(set),
                    allowed: true,
                    load_error: None,
                }
            }
            Err(e) => {
                say(&format!("git-vouch: policies not checked: {e}"));
                let allowed = mode != PolicyMode::Enforce;
                if !allowed {
                    say("git-vouch: push refused (vouch.policy=enforce)");
                }
                Self {
                    mode: PolicyMode::Off,
                    set: None,
                    allowed,
                    load_error: Some(e.to_string()),
                }
            }
        }
    }

    fn off() -> Self {
        Self {
            mode: PolicyMode::Off,
            set: None,
            allowed: true,
            load_error: None,
        }
    }

    /// Checks the evidence of one pushed ref, tells and records the results; false when the
    /// push must be refused.
    pub fn check(&self, evidence: &mut Evidence, remote_ref: &str, say: &dyn Fn(&str)) -> bool {
        let Some(set) = self.set.as_ref().filter(|s| s.any_enabled()) else {
            return true;
        };
        let report = set.check(evidence);
        let failing = report.has_violations() || report.errors > 0;
        say(&format!(
            "git-vouch: policies for {remote_ref}: {}",
            report.summary()
        ));
        if failing {
            for line in report.render_text().lines() {
                if !line.starts_with("pass ") && !line.contains(" policies: ") {
                    say(&format!("git-vouch:   {line}"));
                }
            }
        }
        evidence.policies = Some(report);
        if failing && self.mode == PolicyMode::Enforce {
            say(
                "git-vouch: push refused by policy (vouch.policy=enforce; `git config vouch.policy warn` to only warn)",
            );
            return false;
        }
        true
    }
}
