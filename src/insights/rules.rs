//! The detectors' thresholds and patterns: `assets/insights.toml`, versioned.

use regex::{Regex, RegexBuilder};
use serde::Deserialize;

const DEFAULT: &str = include_str!("../../assets/insights.toml");

/// A thresholds file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("assets/insights.toml: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("assets/insights.toml: {what}: {source}")]
    Pattern {
        what: String,
        #[source]
        source: regex::Error,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    #[serde(rename = "loop")]
    repeats: LoopSpec,
    retry_storm: StormSpec,
    tool_errors: ErrorsSpec,
    abandonment: AbandonSpec,
    unverified: UnverifiedSpec,
    health: HealthSpec,
    error_class: Vec<ClassSpec>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoopSpec {
    pub min_repeats: usize,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StormSpec {
    pub window: usize,
    pub min_failures: usize,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorsSpec {
    pub min_failures: usize,
    pub min_rate_percent: u64,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AbandonSpec {
    pub min_failures: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnverifiedSpec {
    documentation: String,
    claims: String,
    test_runners: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthSpec {
    pub high: u32,
    pub medium: u32,
    pub low: u32,
    /// (lowest score, grade), best first.
    pub grades: Vec<(u32, String)>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClassSpec {
    id: String,
    pattern: String,
}

/// The thresholds, with their patterns compiled.
#[derive(Debug, Clone)]
pub struct Rules {
    pub version: u32,
    pub repeats: LoopSpec,
    pub retry_storm: StormSpec,
    pub tool_errors: ErrorsSpec,
    pub abandonment: AbandonSpec,
    pub health: HealthSpec,
    pub claims: Regex,
    pub documentation: Regex,
    pub test_runners: Regex,
    /// Error classes in order, first match wins.
    pub error_classes: Vec<(String, Regex)>,
}

impl Rules {
    /// The embedded thresholds.
    pub fn embedded() -> Result<Self, RulesError> {
        Self::parse(DEFAULT)
    }

    fn parse(text: &str) -> Result<Self, RulesError> {
        let file: File = toml::from_str(text)?;
        let compile = |what: &str, pattern: &str, ignore_case: bool| {
            RegexBuilder::new(pattern)
                .case_insensitive(ignore_case)
                .build()
                .map_err(|source| RulesError::Pattern {
                    what: what.to_owned(),
                    source,
                })
        };
        let error_classes = file
            .error_class
            .iter()
            .map(|c| Ok((c.id.clone(), compile(&c.id, &c.pattern, true)?)))
            .collect::<Result<_, RulesError>>()?;
        Ok(Self {
            version: file.version,
            repeats: file.repeats,
            retry_storm: file.retry_storm,
            tool_errors: file.tool_errors,
            abandonment: file.abandonment,
            claims: compile("unverified.claims", &file.unverified.claims, false)?,
            documentation: compile(
                "unverified.documentation",
                &file.unverified.documentation,
                false,
            )?,
            test_runners: compile(
                "unverified.test_runners",
                &file.unverified.test_runners,
                false,
            )?,
            health: file.health,
            error_classes,
        })
    }

    /// The class of a failed call's error text.
    pub fn error_class(&self, error: &str) -> &str {
        self.error_classes
            .iter()
            .find(|(_, re)| re.is_match(error))
            .map_or("other", |(id, _)| id.as_str())
    }
}
