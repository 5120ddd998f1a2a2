//! Reading `assets/pricing.toml` (and user files in the same format) into a [`PriceTable`].
//!
//! The file is first read into plain "wire" structs that reject unknown fields (a misspelt
//! `cache_read` must not silently price at zero), then every value is checked and converted.
//! Prices are decimal strings so they convert exactly into picodollars.

use super::{LongContext, ModelPrice, PriceTable, PricingError};
use crate::money::Usd;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::btree_map::Entry;

/// The whole file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireTable {
    web_search_per_1000: Option<String>,
    #[serde(default)]
    model: Vec<WireModel>,
}

/// One `[[model]]` row as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireModel {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    effective_from: toml::value::Datetime,
    input: String,
    output: String,
    cache_write_5m: String,
    cache_write_1h: String,
    cache_read: String,
    fast_multiplier: Option<u32>,
    us_only_multiplier: Option<String>,
    long_context: Option<WireLongContext>,
}

/// A `[model.long_context]` table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireLongContext {
    threshold: u64,
    input: String,
    output: String,
    cache_write_5m: String,
    cache_write_1h: String,
    cache_read: String,
}

pub(super) const PRICE: &str =
    "a non-negative decimal string of USD per million tokens, like \"0.30\"";

/// Parses and checks a whole table; see [`PriceTable::from_toml`].
pub(super) fn parse(text: &str, origin: &str) -> Result<PriceTable, PricingError> {
    let wire: WireTable =
        toml::from_str(text).map_err(|err| PricingError::parse(origin, text, &err))?;
    let mut table = PriceTable::default();
    if let Some(value) = wire.web_search_per_1000 {
        let price = Usd::parse(&value).ok_or_else(|| PricingError::InvalidSetting {
            origin: origin.to_owned(),
            field: "web_search_per_1000".to_owned(),
            value: value.clone(),
            expected: "a non-negative decimal string of USD, like \"10\"",
        })?;
        table.web_search_per_1000 = Some(price);
    }
    for row in wire.model {
        let id = row.id.trim().to_owned();
        let price = Row { origin, model: &id }.convert(&row)?;
        for alias in &row.aliases {
            add_alias(&mut table, origin, alias.trim(), &price.id)?;
        }
        let list = table.rows.entry(price.id.clone()).or_default();
        if list
            .iter()
            .any(|r| r.effective_from == price.effective_from)
        {
            return Err(PricingError::DuplicateRow {
                origin: origin.to_owned(),
                model: price.id,
                effective_from: price.effective_from,
            });
        }
        list.push(price);
    }
    for list in table.rows.values_mut() {
        list.sort_by_key(|r| r.effective_from);
    }
    if let Some((alias, id)) = table
        .aliases
        .iter()
        .find(|(a, id)| table.rows.contains_key(*a) && a != id)
    {
        return Err(PricingError::AliasConflict {
            origin: origin.to_owned(),
            alias: alias.clone(),
            first: alias.clone(),
            second: id.clone(),
        });
    }
    Ok(table)
}

fn add_alias(
    table: &mut PriceTable,
    origin: &str,
    alias: &str,
    id: &str,
) -> Result<(), PricingError> {
    if alias.is_empty() || alias == id {
        return Ok(());
    }
    match table.aliases.entry(alias.to_owned()) {
        Entry::Vacant(slot) => {
            slot.insert(id.to_owned());
            Ok(())
        }
        Entry::Occupied(slot) if slot.get() == id => Ok(()),
        Entry::Occupied(slot) => Err(PricingError::AliasConflict {
            origin: origin.to_owned(),
            alias: alias.to_owned(),
            first: slot.get().clone(),
            second: id.to_owned(),
        }),
    }
}

/// Converts the values of one row, naming it in errors.
struct Row<'a> {
    origin: &'a str,
    model: &'a str,
}

impl Row<'_> {
    fn convert(&self, row: &WireModel) -> Result<ModelPrice, PricingError> {
        if self.model.is_empty() {
            return Err(self.invalid("id", &row.id, "a non-empty model id"));
        }
        let long_context = match &row.long_context {
            None => None,
            Some(lc) => Some(LongContext {
                threshold: lc.threshold,
                input: self.price("long_context.input", &lc.input)?,
                output: self.price("long_context.output", &lc.output)?,
                cache_write_5m: self.price("long_context.cache_write_5m", &lc.cache_write_5m)?,
                cache_write_1h: self.price("long_context.cache_write_1h", &lc.cache_write_1h)?,
                cache_read: self.price("long_context.cache_read", &lc.cache_read)?,
            }),
        };
        let fast_multiplier = match row.fast_multiplier {
            Some(0) => {
                return Err(self.invalid("fast_multiplier", "0", "a whole number of at least 1"));
            }
            other => other,
        };
        let us_only_multiplier = match &row.us_only_multiplier {
            None => None,
            Some(text) => Some(ratio(text).ok_or_else(|| {
                self.invalid(
                    "us_only_multiplier",
                    text,
                    "a positive decimal string, like \"1.1\"",
                )
            })?),
        };
        Ok(ModelPrice {
            id: self.model.to_owned(),
            effective_from: self.date(&row.effective_from)?,
            input: self.price("input", &row.input)?,
            output: self.price("output", &row.output)?,
            cache_write_5m: self.price("cache_write_5m", &row.cache_write_5m)?,
            cache_write_1h: self.price("cache_write_1h", &row.cache_write_1h)?,
            cache_read: self.price("cache_read", &row.cache_read)?,
            long_context,
            fast_multiplier,
            us_only_multiplier,
        })
    }

    fn price(&self, field: &str, value: &str) -> Result<Usd, PricingError> {
        Usd::parse(value).ok_or_else(|| self.invalid(field, value, PRICE))
    }

    fn date(&self, value: &toml::value::Datetime) -> Result<NaiveDate, PricingError> {
        let date = match (value.date, value.time, value.offset) {
            (Some(d), None, None) => {
                NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())
            }
            _ => None,
        };
        date.ok_or_else(|| {
            self.invalid(
                "effective_from",
                &value.to_string(),
                "a date such as 2025-09-29",
            )
        })
    }

    fn invalid(&self, field: &str, value: &str, expected: &'static str) -> PricingError {
        PricingError::InvalidValue {
            origin: self.origin.to_owned(),
            model: self.model.to_owned(),
            field: field.to_owned(),
            value: value.to_owned(),
            expected,
        }
    }
}

/// A positive decimal such as `"1.1"` as `(numerator, denominator)` = `(11, 10)`; at most six
/// decimals so the cost arithmetic stays small.
fn ratio(text: &str) -> Option<(u128, u128)> {
    let text = text.trim();
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.len() + frac.len() == 0
        || frac.len() > 6
        || whole.len() > 12
        || !digits(whole)
        || !digits(frac)
    {
        return None;
    }
    let num: u128 = format!("{whole}{frac}").parse().ok()?;
    let den = 10u128.pow(frac.len() as u32);
    (num > 0).then_some((num, den))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipliers_are_exact_ratios() {
        assert_eq!(ratio("1.1"), Some((11, 10)));
        assert_eq!(ratio("2"), Some((2, 1)));
        assert_eq!(ratio("0.5"), Some((5, 10)));
        for bad in ["0", "0.0", "", ".", "-1.1", "1.1234567", "x"] {
            assert_eq!(ratio(bad), None, "{bad}");
        }
    }
}
