//! Metrics, so a dashboard needs no trace queries: the convention's `gen_ai.client.token.usage`
//! histogram (tokens per request, input by the Anthropic rule), and sums of our own: tokens by
//! kind, cost in dollars, and sessions, each by model and agent (the repository is the
//! resource's).
//!
//! Every point is a DELTA. A session's figures are kept in the export ledger once a collector
//! has taken them, and only what grew since (a resumed session) is sent again, so no total
//! counts a session twice however often it is exported.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::names as n;
use super::proto::{self, Data, Histogram, HistogramDataPoint, Metric, NumberDataPoint, Sum};
use crate::session::SessionSummary;
use crate::session::detail::SessionDetail;

/// A session's figures, by series: what its metrics add up to so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures(pub BTreeMap<String, Figure>);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    Count(u64),
    /// Picodollars, summed exactly; sent as dollars rounded to the micro-dollar, as every
    /// document shows a cost.
    Cost(u128),
    Tokens(Buckets),
}

/// A histogram of tokens per request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Buckets {
    pub counts: Vec<u64>,
    pub sum: u64,
    pub min: Option<u64>,
    pub max: Option<u64>,
}

/// The key of a series: metric, then its attributes, `\x1f`-separated.
fn key(metric: &str, parts: &[&str]) -> String {
    std::iter::once(metric)
        .chain(parts.iter().copied())
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

/// What one session's metrics add up to.
pub fn figures(s: &SessionSummary, d: &SessionDetail) -> Figures {
    let agent = s.agent.id();
    let mut out = BTreeMap::new();
    out.insert(key(n::SESSIONS_METRIC, &[agent]), Figure::Count(1));
    for t in &d.turns {
        let m = t.model.as_str();
        let writes = t.tokens.cache_write_5m + t.tokens.cache_write_1h;
        let input = t.tokens.input + t.tokens.cache_read + writes;
        for (kind, value) in [("input", input), ("output", t.tokens.output)] {
            let k = key(n::TOKEN_USAGE_METRIC, &[m, agent, kind]);
            if let Figure::Tokens(b) = out
                .entry(k)
                .or_insert_with(|| Figure::Tokens(Buckets::default()))
            {
                b.add(value);
            }
        }
        let parts = [
            ("input", t.tokens.input),
            ("output", t.tokens.output),
            ("cache_read", t.tokens.cache_read),
            ("cache_creation", writes),
        ];
        for (kind, value) in parts {
            add_count(&mut out, key(n::TOKENS_METRIC, &[m, agent, kind]), value);
        }
        if let Some(cost) = t.cost {
            let k = key(n::COST_METRIC, &[m, agent]);
            if let Figure::Cost(c) = out.entry(k).or_insert(Figure::Cost(0)) {
                *c += cost.picos();
            }
        }
    }
    Figures(out)
}

fn add_count(out: &mut BTreeMap<String, Figure>, k: String, value: u64) {
    if value == 0 {
        return;
    }
    if let Figure::Count(c) = out.entry(k).or_insert(Figure::Count(0)) {
        *c += value;
    }
}

impl Buckets {
    fn add(&mut self, value: u64) {
        if self.counts.is_empty() {
            self.counts = vec![0; n::TOKEN_BUCKETS.len() + 1];
        }
        let i = n::TOKEN_BUCKETS.partition_point(|b| (value as f64) > *b);
        self.counts[i] += 1;
        self.sum += value;
        self.min = Some(self.min.map_or(value, |m| m.min(value)));
        self.max = Some(self.max.map_or(value, |m| m.max(value)));
    }

    fn count(&self) -> u64 {
        self.counts.iter().sum()
    }
}

impl Figures {
    /// What grew since `sent` (series that did not grow are left out). A figure that shrank
    /// (the session's files were rewritten) is sent whole, as a new start.
    #[must_use]
    pub fn since(&self, sent: &Self) -> Self {
        let mut out = BTreeMap::new();
        for (k, now) in &self.0 {
            let grown = match (now, sent.0.get(k)) {
                (Figure::Count(a), Some(Figure::Count(b))) => (a > b)
                    .then(|| Figure::Count(a - b))
                    .or_else(|| shrank(a < b, now)),
                (Figure::Cost(a), Some(Figure::Cost(b))) => (a > b)
                    .then(|| Figure::Cost(a - b))
                    .or_else(|| shrank(a < b, now)),
                (Figure::Tokens(a), Some(Figure::Tokens(b))) => a.since(b).map(Figure::Tokens),
                // New, or of another kind than before: sent whole.
                (f, _) => Some(f.clone()),
            };
            if let Some(g) = grown {
                out.insert(k.clone(), g);
            }
        }
        Self(out)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn shrank(shrank: bool, now: &Figure) -> Option<Figure> {
    shrank.then(|| now.clone())
}

impl Buckets {
    fn since(&self, sent: &Self) -> Option<Self> {
        if self.count() == sent.count() && self.sum == sent.sum {
            return None;
        }
        let grew = self.counts.len() == sent.counts.len()
            && self.counts.iter().zip(&sent.counts).all(|(a, b)| a >= b)
            && self.sum >= sent.sum;
        if !grew {
            return Some(self.clone());
        }
        Some(Self {
            counts: self
                .counts
                .iter()
                .zip(&sent.counts)
                .map(|(a, b)| a - b)
                .collect(),
            sum: self.sum - sent.sum,
            // Which requests are new is not kept: the extremes of the rest are unknown.
            min: None,
            max: None,
        })
    }
}

/// One point to be: its series' attribute values, its figure, and its start and end.
type Point<'a> = (Vec<&'a str>, &'a Figure, u64, u64);

/// The metrics of several sessions' grown figures, each stamped from `start` to `end` of its
/// session (nanoseconds).
pub fn metrics(grown: &[(Figures, u64, u64)]) -> Vec<Metric> {
    let mut by_metric: BTreeMap<&str, Vec<Point<'_>>> = BTreeMap::new();
    for (figures, start, end) in grown {
        for (k, f) in &figures.0 {
            let mut parts = k.split('\u{1f}');
            let Some(metric) = parts.next() else { continue };
            by_metric
                .entry(metric)
                .or_default()
                .push((parts.collect(), f, *start, *end));
        }
    }
    by_metric
        .into_iter()
        .filter_map(|(name, points)| metric(name, &points))
        .collect()
}

fn metric(name: &str, points: &[Point<'_>]) -> Option<Metric> {
    let (description, unit) = match name {
        n::TOKEN_USAGE_METRIC => (
            "Tokens per model request (input as the Anthropic rule sums it)",
            "{token}",
        ),
        n::TOKENS_METRIC => (
            "Tokens by kind: input (uncached), output, cache_read, cache_creation",
            "{token}",
        ),
        n::COST_METRIC => ("What the requests cost, at the price table's rates", "USD"),
        n::SESSIONS_METRIC => ("Agent sessions", "{session}"),
        _ => return None,
    };
    let data = if name == n::TOKEN_USAGE_METRIC {
        Data::Histogram(Histogram {
            data_points: points.iter().filter_map(histogram_point).collect(),
            aggregation_temporality: proto::TEMPORALITY_DELTA,
        })
    } else {
        Data::Sum(Sum {
            data_points: points
                .iter()
                .filter_map(|p| number_point(name, p))
                .collect(),
            aggregation_temporality: proto::TEMPORALITY_DELTA,
            is_monotonic: true,
        })
    };
    Some(Metric {
        name: name.to_owned(),
        description: description.to_owned(),
        unit: unit.to_owned(),
        data: Some(data),
    })
}

fn histogram_point(p: &Point<'_>) -> Option<HistogramDataPoint> {
    let (parts, Figure::Tokens(b), start, end) = p else {
        return None;
    };
    let [model, agent, kind] = parts.as_slice() else {
        return None;
    };
    Some(HistogramDataPoint {
        attributes: vec![
            proto::text(n::OPERATION, "chat"),
            proto::text(n::PROVIDER, "anthropic"),
            proto::text(n::REQUEST_MODEL, *model),
            proto::text(n::AGENT, *agent),
            proto::text(n::TOKEN_TYPE, *kind),
        ],
        start_time_unix_nano: *start,
        time_unix_nano: *end,
        count: b.count(),
        sum: Some(b.sum as f64),
        bucket_counts: b.counts.clone(),
        explicit_bounds: n::TOKEN_BUCKETS.to_vec(),
        min: b.min.map(|m| m as f64),
        max: b.max.map(|m| m as f64),
    })
}

fn number_point(name: &str, p: &Point<'_>) -> Option<NumberDataPoint> {
    let (parts, figure, start, end) = p;
    let attributes = match (name, parts.as_slice()) {
        (n::SESSIONS_METRIC, [agent]) => vec![proto::text(n::AGENT, *agent)],
        (n::COST_METRIC, [model, agent]) => vec![
            proto::text(n::REQUEST_MODEL, *model),
            proto::text(n::AGENT, *agent),
        ],
        (n::TOKENS_METRIC, [model, agent, kind]) => vec![
            proto::text(n::REQUEST_MODEL, *model),
            proto::text(n::AGENT, *agent),
            proto::text(n::TOKEN_TYPE, *kind),
        ],
        _ => return None,
    };
    let value = match figure {
        Figure::Count(c) => proto::Number::AsInt(i64::try_from(*c).unwrap_or(i64::MAX)),
        Figure::Cost(picos) => {
            proto::Number::AsDouble(super::spans::usd(crate::money::Usd::from_picos(*picos)))
        }
        Figure::Tokens(_) => return None,
    };
    Some(NumberDataPoint {
        attributes,
        start_time_unix_nano: *start,
        time_unix_nano: *end,
        value: Some(value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(pairs: &[(&str, Figure)]) -> Figures {
        Figures(
            pairs
                .iter()
                .map(|(k, f)| ((*k).to_owned(), f.clone()))
                .collect(),
        )
    }

    fn buckets(values: &[u64]) -> Buckets {
        let mut b = Buckets::default();
        for v in values {
            b.add(*v);
        }
        b
    }

    #[test]
    fn only_what_grew_is_sent_again() {
        let sent = figures(&[
            ("tokens", Figure::Count(100)),
            ("cost", Figure::Cost(5)),
            ("hist", Figure::Tokens(buckets(&[3, 300]))),
        ]);
        let now = figures(&[
            ("tokens", Figure::Count(150)),
            ("cost", Figure::Cost(5)),
            ("hist", Figure::Tokens(buckets(&[3, 300, 70_000]))),
            ("new", Figure::Count(1)),
        ]);
        let grown = now.since(&sent);
        assert_eq!(grown.0["tokens"], Figure::Count(50));
        assert!(!grown.0.contains_key("cost"), "unchanged: not sent");
        assert_eq!(grown.0["new"], Figure::Count(1));
        let Figure::Tokens(h) = &grown.0["hist"] else {
            panic!()
        };
        assert_eq!((h.count(), h.sum, h.min), (1, 70_000, None));
        assert_eq!(h.counts[9], 1, "70,000 falls in (65,536, 262,144]");
        assert!(now.since(&now).is_empty(), "exported twice: nothing");
        // A figure that shrank (the transcript was rewritten) starts over.
        let shrunk = figures(&[("tokens", Figure::Count(10))]);
        assert_eq!(shrunk.since(&sent).0["tokens"], Figure::Count(10));
    }

    #[test]
    fn bucket_bounds_are_inclusive_above() {
        let b = buckets(&[1, 2, 4, 5]);
        assert_eq!(&b.counts[..3], &[1, 2, 1]);
        assert_eq!((b.min, b.max, b.sum), (Some(1), Some(5), 12));
    }
}
