//! The detectors' thresholds and patterns: `assets/insights.toml`, versioned.

use regex::{Regex, RegexBuilder};
use serde::Deserialize;

use crate::money::Usd;

const DEFAULT: &str = include_str!("../../assets/insights.toml");

/// A thresholds file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("assets/insights.toml: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("assets/insights.toml: {what}: not an amount in dollars: {value:?}")]
    Amount { what: String, value: String },
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
    churn: ChurnSpec,
    context: ContextSpec,
    window: Vec<Window>,
    compaction: CompactionSpec,
    cost_outlier: OutlierFile,
    cache_thrash: ThrashSpec,
    no_delivery: DeliveryFile,
    waste: WasteFile,
    health: HealthSpec,
    error_class: Vec<ClassSpec>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChurnSpec {
    pub max_in_row: usize,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextSpec {
    pub low_percent: u64,
    pub medium_percent: u64,
}

/// A model's context window.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    pub prefix: String,
    pub tokens: u64,
    /// The larger window it offers on request.
    pub extended: Option<u64>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompactionSpec {
    pub chars_per_token: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct OutlierFile {
    ratio: u64,
    min_usd: String,
    min_requests: usize,
}

/// [`OutlierFile`] with its amount read.
#[derive(Debug, Clone, Copy)]
pub struct OutlierSpec {
    pub ratio: u64,
    pub min: Usd,
    pub min_requests: usize,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThrashSpec {
    pub min_run: usize,
    pub write_percent: u64,
    pub min_context: u64,
    pub ttl_seconds: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeliveryFile {
    min_usd: String,
    delivery: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct WasteFile {
    min_rereads: usize,
    large_output_bytes: u32,
    min_build_reads: usize,
    build_folders: String,
}

/// The waste detectors' thresholds, with the pattern compiled.
#[derive(Debug, Clone)]
pub struct WasteSpec {
    pub min_rereads: usize,
    pub large_output_bytes: u32,
    pub min_build_reads: usize,
    pub build_folders: Regex,
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
    pub info: u32,
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
    pub churn: ChurnSpec,
    pub context: ContextSpec,
    /// Longest prefix first.
    pub windows: Vec<Window>,
    pub compaction: CompactionSpec,
    pub cost_outlier: OutlierSpec,
    pub cache_thrash: ThrashSpec,
    /// The least a session without delivery must cost to be a finding.
    pub no_delivery_min: Usd,
    pub delivery: Regex,
    pub waste: WasteSpec,
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
        let usd = |what: &str, value: &str| {
            Usd::parse(value).ok_or_else(|| RulesError::Amount {
                what: what.to_owned(),
                value: value.to_owned(),
            })
        };
        let mut windows = file.window.clone();
        windows.sort_by_key(|w| std::cmp::Reverse(w.prefix.len()));
        let waste = &file.waste;
        Ok(Self {
            version: file.version,
            churn: file.churn,
            context: file.context,
            windows,
            compaction: file.compaction,
            cost_outlier: OutlierSpec {
                ratio: file.cost_outlier.ratio,
                min: usd("cost_outlier.min_usd", &file.cost_outlier.min_usd)?,
                min_requests: file.cost_outlier.min_requests,
            },
            cache_thrash: file.cache_thrash,
            no_delivery_min: usd("no_delivery.min_usd", &file.no_delivery.min_usd)?,
            delivery: compile("no_delivery.delivery", &file.no_delivery.delivery, false)?,
            waste: WasteSpec {
                min_rereads: waste.min_rereads,
                large_output_bytes: waste.large_output_bytes,
                min_build_reads: waste.min_build_reads,
                build_folders: compile("waste.build_folders", &waste.build_folders, false)?,
            },
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

    /// The context window of `model`, `None` for a model not in the table.
    pub fn window(&self, model: &str) -> Option<&Window> {
        self.windows.iter().find(|w| model.starts_with(&w.prefix))
    }

    /// The embedded thresholds, read once per process; `None` if they cannot be read (a test
    /// makes sure they can).
    pub fn shared() -> Option<&'static Self> {
        static RULES: std::sync::OnceLock<Option<Rules>> = std::sync::OnceLock::new();
        RULES.get_or_init(|| Self::embedded().ok()).as_ref()
    }

    /// A digest of the embedded thresholds' text, so a stored result computed with other ones is
    /// recognised (the index's fingerprint holds it).
    pub fn digest() -> u64 {
        crate::transcript::hash::hash64(DEFAULT.as_bytes())
    }

    /// The class of a failed call's error text.
    pub fn error_class(&self, error: &str) -> &str {
        self.error_classes
            .iter()
            .find(|(_, re)| re.is_match(error))
            .map_or("other", |(id, _)| id.as_str())
    }
}
