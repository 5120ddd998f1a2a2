//! The repository's git-config modes, each with its one parser: `vouch.policy`
//! (enforce/warn/off), `vouch.review` (required/optional/off) and `vouch.guard`
//! (off/observe/ask/enforce). Values are compared trimmed and without regard to case.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// `git config vouch.policy`: what policy results do to a push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyMode {
    /// Violations, or a policy that cannot run, refuse the push.
    Enforce,
    /// Results are shown and recorded, never refuse.
    Warn,
    /// Policies are not checked.
    Off,
}

impl PolicyMode {
    /// The git-config key.
    pub const KEY: &'static str = "vouch.policy";

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "enforce" => Some(Self::Enforce),
            "warn" => Some(Self::Warn),
            "off" => Some(Self::Off),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Enforce => "enforce",
            Self::Warn => "warn",
            Self::Off => "off",
        }
    }
}

/// `vouch.policy` as configured: unset and unknown values mean `warn`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySetting {
    pub mode: PolicyMode,
    /// Whether the key is set at all (unset: policies run only where the repository has them).
    pub explicit: bool,
    /// A value that is not a mode, lowercased (then `mode` is `warn`).
    pub unknown: Option<String>,
}

impl PolicySetting {
    /// From the configured value (`None`: unset).
    pub fn from_value(value: Option<&str>) -> Self {
        let Some(value) = value else {
            return Self {
                mode: PolicyMode::Warn,
                explicit: false,
                unknown: None,
            };
        };
        let mode = PolicyMode::parse(value);
        Self {
            mode: mode.unwrap_or(PolicyMode::Warn),
            explicit: true,
            unknown: mode.is_none().then(|| value.to_ascii_lowercase()),
        }
    }

    /// What to tell the person about an unknown value.
    pub fn warning(&self) -> Option<String> {
        self.unknown
            .as_ref()
            .map(|v| format!("vouch.policy '{v}' is not enforce, warn or off; using warn"))
    }
}

/// `git config vouch.review`: what a push without a terminal does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewMode {
    /// Agent commits must carry an attestation a person reviewed; otherwise the push is refused.
    Required,
    /// Without a terminal, a non-interactive attestation (not reviewed) is attached.
    Optional,
    /// Nothing is reviewed or attached.
    Off,
}

/// A `vouch.review` value git-vouch does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("git config vouch.review is {0:?}; expected required, optional or off")]
pub struct UnknownReviewMode(pub String);

impl ReviewMode {
    /// The git-config key.
    pub const KEY: &'static str = "vouch.review";

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "required" => Some(Self::Required),
            "optional" => Some(Self::Optional),
            "off" | "false" | "no" => Some(Self::Off),
            _ => None,
        }
    }

    /// From the configured value (`None`: unset, the default `optional`).
    pub fn from_value(value: Option<&str>) -> Result<Self, UnknownReviewMode> {
        match value {
            None => Ok(Self::Optional),
            Some(v) => Self::parse(v).ok_or_else(|| UnknownReviewMode(v.to_owned())),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::Optional => "optional",
            Self::Off => "off",
        }
    }
}

/// `git config vouch.guard`: how far the guard goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GuardMode {
    /// Nothing is classified or recorded.
    Off,
    /// Classify and record every call; never interfere.
    #[default]
    Observe,
    /// Ask the person before critical calls.
    Ask,
    /// Deny critical calls, ask before high ones; where nobody can answer, deny those too.
    Enforce,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("vouch.guard is `{0}`; it takes off, observe, ask or enforce")]
pub struct GuardModeError(pub String);

impl GuardMode {
    /// The git-config key.
    pub const KEY: &'static str = "vouch.guard";

    /// From the configured value (`None`: unset, the default `observe`).
    pub fn from_value(value: Option<&str>) -> Result<Self, GuardModeError> {
        value.map_or(Ok(Self::default()), str::parse)
    }
}

impl FromStr for GuardMode {
    type Err = GuardModeError;
    fn from_str(s: &str) -> Result<Self, GuardModeError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "off" | "false" | "no" => Ok(Self::Off),
            "observe" => Ok(Self::Observe),
            "ask" => Ok(Self::Ask),
            "enforce" | "true" | "yes" => Ok(Self::Enforce),
            _ => Err(GuardModeError(s.to_owned())),
        }
    }
}

impl fmt::Display for GuardMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Off => "off",
            Self::Observe => "observe",
            Self::Ask => "ask",
            Self::Enforce => "enforce",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_values() {
        for m in [PolicyMode::Enforce, PolicyMode::Warn, PolicyMode::Off] {
            assert_eq!(PolicyMode::parse(m.name()), Some(m));
        }
        assert_eq!(PolicyMode::parse(" ENFORCE "), Some(PolicyMode::Enforce));
        let unset = PolicySetting::from_value(None);
        assert_eq!((unset.mode, unset.explicit), (PolicyMode::Warn, false));
        assert_eq!(unset.warning(), None);
        let odd = PolicySetting::from_value(Some("strict"));
        assert_eq!((odd.mode, odd.explicit), (PolicyMode::Warn, true));
        assert_eq!(
            odd.warning().as_deref(),
            Some("vouch.policy 'strict' is not enforce, warn or off; using warn")
        );
        assert_eq!(PolicySetting::from_value(Some("Off")).mode, PolicyMode::Off);
    }

    #[test]
    fn review_values() {
        assert_eq!(ReviewMode::from_value(None), Ok(ReviewMode::Optional));
        assert_eq!(ReviewMode::from_value(Some("no")), Ok(ReviewMode::Off));
        assert_eq!(
            ReviewMode::from_value(Some("sometimes"))
                .unwrap_err()
                .to_string(),
            "git config vouch.review is \"sometimes\"; expected required, optional or off"
        );
    }
}
