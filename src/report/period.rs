//! Usage totals by day, month or session, like ccusage's reports.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Local, NaiveDate, Offset, TimeZone, Utc};
use serde::Serialize;

use crate::money::Usd;
use crate::session::SessionSummary;
use crate::usage::Tokens;

/// How usage is grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Daily,
    Monthly,
    Session,
}

/// The time zone that decides which day a response belongs to.
#[derive(Debug, Clone, Copy)]
pub enum Zone {
    Local,
    Fixed(FixedOffset),
}

impl Zone {
    fn date(self, secs: i64) -> NaiveDate {
        let utc = DateTime::<Utc>::from_timestamp(secs, 0).unwrap_or_default();
        match self {
            Self::Local => Local.from_utc_datetime(&utc.naive_utc()).date_naive(),
            Self::Fixed(off) => utc.with_timezone(&off).date_naive(),
        }
    }

    /// `UTC`, `Z`, `local` or an offset such as `+02:00`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "local" => Some(Self::Local),
            "UTC" | "utc" | "Z" => Some(Self::Fixed(Utc.fix())),
            _ => DateTime::parse_from_rfc3339(&format!("2000-01-01T00:00:00{text}"))
                .ok()
                .map(|d| Self::Fixed(*d.offset())),
        }
    }
}

/// One line of a usage report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UsageRow {
    /// `2026-03-01`, `2026-03`, or a session id.
    pub key: String,
    pub models: Vec<String>,
    pub tokens: Tokens,
    pub messages: u64,
    pub cost: Usd,
    pub unpriced_models: Vec<String>,
}

impl UsageRow {
    fn add(&mut self, model: &str, tokens: &Tokens, messages: u64, cost: Option<Usd>) {
        if !self.models.iter().any(|m| m == model) {
            self.models.push(model.to_owned());
        }
        self.tokens.add(tokens);
        self.messages += messages;
        match cost {
            Some(c) => self.cost += c,
            None if !self.unpriced_models.iter().any(|m| m == model) => {
                self.unpriced_models.push(model.to_owned());
            }
            None => {}
        }
    }

    /// Adds another row's totals (for the grand total).
    pub fn absorb(&mut self, other: &Self) {
        for m in &other.models {
            if !self.models.contains(m) {
                self.models.push(m.clone());
            }
        }
        for m in &other.unpriced_models {
            if !self.unpriced_models.contains(m) {
                self.unpriced_models.push(m.clone());
            }
        }
        self.tokens.add(&other.tokens);
        self.messages += other.messages;
        self.cost += other.cost;
    }
}

/// Usage rows in ascending order of their key (oldest period first; sessions by start).
pub fn usage_rows(sessions: &[SessionSummary], period: Period, zone: Zone) -> Vec<UsageRow> {
    if period == Period::Session {
        let mut ordered: Vec<&SessionSummary> = sessions.iter().collect();
        ordered.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.id.cmp(&b.id)));
        return ordered
            .into_iter()
            .map(|s| {
                let mut row = UsageRow {
                    key: s.id.clone(),
                    ..UsageRow::default()
                };
                for m in &s.models {
                    row.add(&m.model, &m.tokens, m.messages, m.cost);
                }
                row
            })
            .collect();
    }
    let mut rows: BTreeMap<String, UsageRow> = BTreeMap::new();
    for b in sessions.iter().flat_map(|s| &s.buckets) {
        let date = zone.date(b.start);
        let key = match period {
            Period::Monthly => date.format("%Y-%m").to_string(),
            _ => date.format("%Y-%m-%d").to_string(),
        };
        rows.entry(key.clone())
            .or_insert_with(|| UsageRow {
                key,
                ..UsageRow::default()
            })
            .add(&b.model, &b.tokens, b.messages, b.cost);
    }
    rows.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Bucket;

    #[test]
    fn groups_buckets_by_zone_day() {
        let bucket = |start: i64, input: u64| Bucket {
            start,
            model: "m".into(),
            tokens: Tokens {
                input,
                ..Tokens::default()
            },
            messages: 1,
            cost: Some(Usd::from_picos(10)),
        };
        // 2026-03-01T23:45Z and 2026-03-02T00:15Z.
        let s = SessionSummary {
            buckets: vec![bucket(1_772_408_700, 1), bucket(1_772_410_500, 2)],
            ..SessionSummary::default()
        };
        let utc = usage_rows(
            std::slice::from_ref(&s),
            Period::Daily,
            Zone::parse("UTC").unwrap(),
        );
        assert_eq!(
            utc.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(),
            ["2026-03-01", "2026-03-02"]
        );
        let plus1 = usage_rows(
            std::slice::from_ref(&s),
            Period::Daily,
            Zone::parse("+01:00").unwrap(),
        );
        assert_eq!(plus1.len(), 1);
        assert_eq!(plus1[0].tokens.input, 3);
        assert_eq!(plus1[0].cost, Usd::from_picos(20));
        let monthly = usage_rows(&[s], Period::Monthly, Zone::parse("UTC").unwrap());
        assert_eq!(monthly[0].key, "2026-03");
    }
}
