//! What an API response cost: a dated table of Claude list prices and the arithmetic that applies
//! it to token usage.
//!
//! The table ships embedded (`assets/pricing.toml`, read through [`PriceTable::embedded`]); a user
//! file in the same format can be layered on top with [`PriceTable::merged`]. Model strings from
//! transcripts (dated, Bedrock, Vertex, `[1m]`) are mapped onto table rows by
//! [`PriceTable::resolve`], which never prices an unknown model as a different one. All money is
//! integer picodollars ([`Usd`]), so costs are exact (see [`PriceTable::cost`]).

mod cost;
mod error;
mod model_id;
mod table;
mod unpriced;

pub use error::PricingError;
pub use unpriced::unpriced_note;

use crate::money::Usd;
use crate::usage::Usage;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Where errors in the embedded table say they come from.
const EMBEDDED_ORIGIN: &str = "embedded price table";

static EMBEDDED: LazyLock<PriceTable> = LazyLock::new(|| {
    PriceTable::from_toml(include_str!("../assets/pricing.toml"), EMBEDDED_ORIGIN)
        .expect("the embedded price table parses (checked by a unit test)")
});

/// A set of model prices, several dated rows per model, plus the aliases that name them.
#[derive(Debug, Clone, Default)]
pub struct PriceTable {
    /// Rows by canonical id, each list sorted by `effective_from` with no two equal dates.
    rows: BTreeMap<String, Vec<ModelPrice>>,
    /// Alias (as written in the table) to canonical id.
    aliases: BTreeMap<String, String>,
    /// Price of 1,000 server-side web searches; `None` when the table does not set one.
    web_search_per_1000: Option<Usd>,
    /// The file a person adds prices to (read when it exists), for messages about missing ones.
    override_file: Option<std::path::PathBuf>,
}

/// The prices of one model from one date on. Prices are per million tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelPrice {
    /// Canonical undated model id, such as `claude-opus-4-5`.
    pub id: String,
    /// First day (UTC) on which these prices apply.
    pub effective_from: NaiveDate,
    /// Uncached input tokens.
    pub input: Usd,
    /// Output tokens.
    pub output: Usd,
    /// Prompt-cache writes with the 5-minute lifetime.
    pub cache_write_5m: Usd,
    /// Prompt-cache writes with the 1-hour lifetime.
    pub cache_write_1h: Usd,
    /// Prompt-cache reads.
    pub cache_read: Usd,
    /// Premium prices for requests with a long prompt, when the model has them.
    pub long_context: Option<LongContext>,
    /// Price multiple of fast mode; `None` when the model has no fast mode.
    pub fast_multiplier: Option<u32>,
    /// Price multiple of US-only inference as `(numerator, denominator)`, e.g. `(11, 10)`.
    pub us_only_multiplier: Option<(u128, u128)>,
}

/// Premium prices (per million tokens) that replace ALL of a request's prices when its prompt
/// (input + cache writes + cache reads) exceeds `threshold` tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LongContext {
    /// Prompt size in tokens above which the premium applies.
    pub threshold: u64,
    pub input: Usd,
    pub output: Usd,
    pub cache_write_5m: Usd,
    pub cache_write_1h: Usd,
    pub cache_read: Usd,
}

impl PriceTable {
    /// The price table compiled into the binary, parsed on first use.
    /// The table with the file people add prices to (see [`Self::override_file`]).
    #[must_use]
    pub fn with_override_file(mut self, path: std::path::PathBuf) -> Self {
        self.override_file = Some(path);
        self
    }

    /// The price override file that is read (or would be, once written); `None` when unknown.
    pub fn override_file(&self) -> Option<&std::path::Path> {
        self.override_file.as_deref()
    }

    pub fn embedded() -> &'static Self {
        &EMBEDDED
    }

    /// Parses a table in the `assets/pricing.toml` format. `origin` (a file path, or
    /// "embedded price table") is named in every error.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, PricingError> {
        table::parse(text, origin)
    }

    /// This table with `overrides` laid over it: an override row replaces the row with the same
    /// id and `effective_from`, other override rows are added, and override aliases win over
    /// aliases of the same spelling here. The web-search price is the override's when it has one.
    #[must_use]
    pub fn merged(&self, overrides: &Self) -> Self {
        let mut out = self.clone();
        for (id, rows) in &overrides.rows {
            let list = out.rows.entry(id.clone()).or_default();
            for row in rows {
                match list.binary_search_by_key(&row.effective_from, |r| r.effective_from) {
                    Ok(i) => list[i] = row.clone(),
                    Err(i) => list.insert(i, row.clone()),
                }
            }
        }
        for (alias, id) in &overrides.aliases {
            out.aliases.insert(alias.clone(), id.clone());
        }
        out.web_search_per_1000 = overrides.web_search_per_1000.or(self.web_search_per_1000);
        out
    }

    /// The row that prices `model` at time `at`: the latest row whose `effective_from` is on or
    /// before `at`'s UTC day; the earliest row when `at` precedes them all; the latest row when
    /// `at` is `None`. `None` when the model is not in the table (it is never priced as another).
    pub fn resolve(&self, model: &str, at: Option<DateTime<Utc>>) -> Option<&ModelPrice> {
        row_at(self.rows_for(model)?, at)
    }

    /// Every dated row of `model`, oldest first (`None` when the model is unknown). Callers that
    /// price many responses of one model resolve its name once with this and then use
    /// [`row_at`] and [`PriceTable::cost_with`].
    pub fn rows(&self, model: &str) -> Option<&[ModelPrice]> {
        self.rows_for(model)
    }

    /// The cost of one response priced by `price`.
    pub fn cost_with(&self, price: &ModelPrice, usage: &Usage) -> Usd {
        cost::request_cost(price, usage, self.web_search_per_1000())
    }

    /// The cost of one response of `model` at time `at`; see the `cost` module docs for the
    /// formula. `Some(0)` for unbilled models ([`is_unbilled_model`]), `None` for unknown ones.
    ///
    /// Long context follows Anthropic's rule: a prompt over the threshold switches the whole
    /// request to premium prices. (ccusage instead tiers each token field separately at 200k and
    /// so under-estimates such requests.)
    pub fn cost(&self, model: &str, usage: &Usage, at: Option<DateTime<Utc>>) -> Option<Usd> {
        if is_unbilled_model(model) {
            return Some(Usd::ZERO);
        }
        let price = self.resolve(model, at)?;
        Some(cost::request_cost(price, usage, self.web_search_per_1000()))
    }

    /// Every row of the table, by id and then date.
    pub fn models(&self) -> impl Iterator<Item = &ModelPrice> {
        self.rows.values().flatten()
    }

    /// Price of 1,000 server-side web searches (zero when the table does not set one).
    pub fn web_search_per_1000(&self) -> Usd {
        self.web_search_per_1000.unwrap_or(Usd::ZERO)
    }

    /// The rows of the model `model` names: exact id or alias first, then normalised spellings.
    fn rows_for(&self, model: &str) -> Option<&[ModelPrice]> {
        model_id::candidates(model).into_iter().find_map(|key| {
            let id = if self.rows.contains_key(&key) {
                key.as_str()
            } else {
                self.aliases.get(&key)?.as_str()
            };
            self.rows.get(id).map(Vec::as_slice)
        })
    }
}

/// The row of `rows` (oldest first) in force at `at`; see [`PriceTable::resolve`].
pub fn row_at(rows: &[ModelPrice], at: Option<DateTime<Utc>>) -> Option<&ModelPrice> {
    let Some(at) = at else {
        return rows.last();
    };
    let day = at.date_naive();
    let in_force = rows.partition_point(|r| r.effective_from <= day);
    rows.get(in_force.saturating_sub(1))
}

/// Whether `model` marks a line that no API call produced (`<synthetic>` or no model at all), so
/// it costs nothing and must not be reported as missing a price.
pub fn is_unbilled_model(model: &str) -> bool {
    let model = model.trim();
    model.is_empty() || model == "<synthetic>"
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> Option<DateTime<Utc>> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).single()
    }

    #[test]
    fn embedded_table_parses_with_every_price() {
        let table = PriceTable::embedded();
        let ids: Vec<_> = table.models().map(|m| m.id.as_str()).collect();
        assert_eq!(ids.len(), 40, "{ids:?}");
        for m in table.models() {
            for p in [
                m.input,
                m.output,
                m.cache_write_5m,
                m.cache_write_1h,
                m.cache_read,
            ] {
                assert!(p > Usd::ZERO, "{}", m.id);
            }
        }
        assert_eq!(table.web_search_per_1000(), Usd::parse("10").unwrap());
    }

    const HISTORY: &str = r#"
        [[model]]
        id = "m"
        aliases = ["m-20250101"]
        effective_from = 2025-01-01
        input = "1"
        output = "2"
        cache_write_5m = "3"
        cache_write_1h = "4"
        cache_read = "5"

        [[model]]
        id = "m"
        effective_from = 2025-06-01
        input = "10"
        output = "20"
        cache_write_5m = "30"
        cache_write_1h = "40"
        cache_read = "50"
    "#;

    #[test]
    fn date_ranged_rows_pick_the_row_in_force() {
        let table = PriceTable::from_toml(HISTORY, "history.toml").unwrap();
        let input = |at| table.resolve("m-20250101", at).unwrap().input;
        let (one, ten) = (Usd::parse("1").unwrap(), Usd::parse("10").unwrap());
        assert_eq!(input(at(2024, 1, 1)), one, "before every row: earliest");
        assert_eq!(input(at(2025, 5, 31)), one);
        assert_eq!(input(at(2025, 6, 1)), ten, "from its first day");
        assert_eq!(input(at(2026, 1, 1)), ten);
        assert_eq!(input(None), ten, "no time: latest");
    }

    /// OpenAI and Gemini rows: cached input at the cached price, a long prompt switching the
    /// whole request, and a price that changes on its date.
    #[test]
    fn other_vendors_models_are_priced_by_their_rules() {
        use crate::usage::{Tokens, Usage};
        let table = PriceTable::embedded();
        let usage = |input, cache_read, output| Usage {
            tokens: Tokens {
                input,
                output,
                cache_read,
                ..Tokens::default()
            },
            ..Usage::default()
        };
        // gpt-5.5: $5 in, $0.50 cached, $30 out per million.
        let small = table.cost("gpt-5.5", &usage(800, 200, 50), None).unwrap();
        assert_eq!(small, Usd::from_picos((4000 + 100 + 1500) * 1_000_000));
        // Over 272k prompt tokens: $10 / $1 / $45 for the whole request.
        let long = table
            .cost("gpt-5.5", &usage(272_000, 1000, 100), None)
            .unwrap();
        assert_eq!(long, Usd::from_picos((2_720_000 + 1000 + 4500) * 1_000_000));
        let flash = |y, m, d| table.cost("gemini-3.8-flash", &usage(1_000_000, 0, 0), at(y, m, d));
        assert_eq!(flash(2026, 12, 31), Some(Usd::parse("0.75").unwrap()));
        assert_eq!(flash(2027, 1, 1), Some(Usd::parse("1.50").unwrap()));
        assert_eq!(table.cost("gpt-6.2-sol", &usage(1, 0, 0), None), None);
    }

    #[test]
    fn merged_overrides_replace_and_add() {
        let overrides = r#"
            [[model]]
            id = "claude-sonnet-4-5"
            effective_from = 2025-09-29
            input = "2.5"
            output = "15"
            cache_write_5m = "3.75"
            cache_write_1h = "6"
            cache_read = "0.30"

            [[model]]
            id = "acme-coder-1"
            aliases = ["acme-coder-1-20260101", "claude-opus-4-0"]
            effective_from = 2026-01-01
            input = "1"
            output = "1"
            cache_write_5m = "1"
            cache_write_1h = "1"
            cache_read = "1"
        "#;
        let overrides = PriceTable::from_toml(overrides, "user.toml").unwrap();
        let merged = PriceTable::embedded().merged(&overrides);
        let sonnet = merged.resolve("claude-sonnet-4-5-20250929", None).unwrap();
        assert_eq!(sonnet.input, Usd::parse("2.5").unwrap());
        assert!(sonnet.long_context.is_none(), "the whole row is replaced");
        assert_eq!(
            merged
                .models()
                .filter(|m| m.id == "claude-sonnet-4-5")
                .count(),
            1
        );
        assert_eq!(
            merged.resolve("acme-coder-1-20260101", None).unwrap().id,
            "acme-coder-1"
        );
        assert_eq!(
            merged.resolve("claude-opus-4-0", None).unwrap().id,
            "acme-coder-1"
        );
        assert_eq!(
            merged.resolve("claude-opus-4", None).unwrap().id,
            "claude-opus-4"
        );
        assert_eq!(
            merged.models().count(),
            PriceTable::embedded().models().count() + 1
        );
        assert_eq!(merged.web_search_per_1000(), Usd::parse("10").unwrap());
    }
}
