//! The export: sessions in, batches out. Each session's spans join the current batch (grouped
//! by repository), which goes to the collector once it holds [`BATCH_BYTES`] of spans; a huge
//! session is split over as many batches as it needs. Metrics follow the traces, for the
//! sessions whose traces the collector holds.
//!
//! The first batch that fails ends the export: every session not yet taken is written down as
//! pending with the reason, and the next export to that endpoint sends it again.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use prost::Message;
use sha2::{Digest, Sha256};

use super::ExportError;
use super::channel::{Channel, Taken};
use super::content::Content;
use super::ledger::Ledger;
use super::metrics::{self, Figures};
use super::proto::{
    ExportMetricsServiceRequest, InstrumentationScope, Resource, ResourceMetrics, ResourceSpans,
    ScopeMetrics, ScopeSpans, Span,
};
use super::resource::Resources;
use super::spans::{self, SessionInput};
use super::target::{Protocol, Signal, Target};
use crate::evidence::guard::GuardedCall;
use crate::insights::Insights;
use crate::session::detail::{Conversation, SessionDetail};

/// Encoded spans per request, at most (collectors take 4 MiB messages by default).
pub const BATCH_BYTES: usize = 2 * 1024 * 1024;
/// Sessions whose metrics go in one request.
const METRIC_SESSIONS: usize = 500;

/// One session, read in full (its summary is the detail's).
pub struct SessionData {
    pub detail: SessionDetail,
    pub insights: Option<Insights>,
    /// Every call the guard checked.
    pub guard: Vec<GuardedCall>,
    /// Each thread's conversation (`None`: the main thread), read only with `--content`.
    pub conversations: Vec<(Option<String>, Conversation)>,
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Prompts, answers and tool inputs, redacted.
    pub content: bool,
    /// Send traces the collector already holds unchanged.
    pub again: bool,
    pub now: DateTime<Utc>,
    /// Encoded spans per request, at most ([`BATCH_BYTES`]).
    pub batch_bytes: usize,
}

/// What an export did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Sessions whose traces the collector took now.
    pub traces_sent: usize,
    pub spans: u64,
    /// Sessions the collector already held unchanged.
    pub unchanged: usize,
    /// Sessions whose metrics grew and were sent.
    pub metrics_sent: usize,
    pub points: u64,
    pub requests: u32,
    /// Spans and points the collector said it rejected, with its words.
    pub rejected: i64,
    pub rejected_why: Vec<String>,
    /// Sessions left for the next export, and why.
    pub left: Vec<String>,
    pub left_why: Option<String>,
    /// Texts removed from `--content`, by rule.
    pub redactions: crate::redact::Counts,
}

/// Sends `sessions` to the collector `target` names, writing down in `ledger` what it took.
pub fn export(
    target: &Target,
    ledger: &mut Ledger,
    sessions: impl Iterator<Item = SessionData>,
    options: Options,
    sleep: &dyn Fn(Duration),
) -> Result<Summary, ExportError> {
    let mut run = Run {
        target,
        channel: Channel::open(target)?,
        ledger,
        sleep,
        resources: Resources::default(),
        batch: Batch::default(),
        held: Vec::new(),
        summary: Summary::default(),
        failed: None,
        now: options.now,
    };
    let endpoint = target.traces.clone();
    for data in sessions {
        if run.failed.is_some() {
            run.summary.left.push(data.detail.summary.id.clone());
            continue;
        }
        run.session(&endpoint, &data, options)?;
    }
    run.flush(&endpoint)?;
    if run.failed.is_none() {
        run.send_metrics()?;
    }
    run.finish(&endpoint)
}

/// The batch being filled: each part as the request carries it (see [`Run::body`]).
#[derive(Default)]
struct Batch {
    parts: Vec<Vec<u8>>,
    bytes: usize,
    spans_in: u64,
    /// Sessions whose last spans are in it, with their trace digests.
    completes: Vec<(String, String)>,
    /// Sessions some of whose spans are in it.
    touches: Vec<String>,
}

/// A session whose trace the collector holds, and its metrics to send.
struct Held {
    id: String,
    /// The key of its repository's resource.
    resource: String,
    figures: Figures,
    start: u64,
    end: u64,
}

struct Run<'a> {
    target: &'a Target,
    channel: Channel,
    ledger: &'a mut Ledger,
    sleep: &'a dyn Fn(Duration),
    resources: Resources,
    batch: Batch,
    held: Vec<Held>,
    summary: Summary,
    failed: Option<String>,
    now: DateTime<Utc>,
}

impl Run<'_> {
    fn session(
        &mut self,
        endpoint: &str,
        data: &SessionData,
        options: Options,
    ) -> Result<(), ExportError> {
        let summary = &data.detail.summary;
        let content = options.content.then(|| Content::new(&data.conversations));
        let input = SessionInput {
            summary,
            detail: &data.detail,
            insights: data.insights.as_ref(),
            guard: &data.guard,
            content: content.as_ref(),
        };
        let spans = spans::session_spans(&input);
        if let Some(c) = &content {
            for (rule, n) in c.redactions() {
                *self.summary.redactions.entry(rule).or_default() += n;
            }
        }
        let id = summary.id.clone();
        let start = spans::nanos(summary.start);
        let end = spans::nanos(summary.end.or(summary.start)).max(start);
        let (key, resource) = self.resources.of(summary.cwd.as_deref());
        self.held.push(Held {
            figures: metrics::figures(summary, &data.detail),
            id: id.clone(),
            resource: key,
            start,
            end,
        });
        let parts = parts(&resource, spans, options.batch_bytes);
        let digest = digest(&parts);
        let unchanged = self.ledger.trace_digest(endpoint, &id)?.as_deref() == Some(&digest);
        if unchanged && !options.again {
            self.summary.unchanged += 1;
            return Ok(());
        }
        for part in parts {
            let spans = part.encoded.spans;
            let body = self.body(part);
            if !self.batch.parts.is_empty() && self.batch.bytes + body.len() > options.batch_bytes {
                self.flush(endpoint)?;
                if self.failed.is_some() {
                    self.summary.left.push(id);
                    return Ok(());
                }
            }
            self.batch.spans_in += spans;
            self.batch.bytes += body.len();
            self.batch.parts.push(body);
            if !self.batch.touches.contains(&id) {
                self.batch.touches.push(id.clone());
            }
        }
        self.batch.completes.push((id, digest));
        Ok(())
    }

    /// A part as the request carries it: the protobuf field, or the JSON object.
    fn body(&self, part: Part) -> Vec<u8> {
        match self.target.protocol {
            // Serialising our own structs to JSON cannot fail (string keys, finite numbers).
            Protocol::HttpJson => serde_json::to_vec(&part.message).unwrap_or_default(),
            Protocol::HttpProtobuf | Protocol::Grpc => part.encoded.bytes,
        }
    }

    /// Sends the batch; a failure ends the export (see the module's comment).
    fn flush(&mut self, endpoint: &str) -> Result<(), ExportError> {
        let batch = std::mem::take(&mut self.batch);
        if batch.parts.is_empty() && batch.completes.is_empty() {
            return Ok(());
        }
        let body = match self.target.protocol {
            Protocol::HttpJson => {
                let mut out = b"{\"resourceSpans\":[".to_vec();
                out.extend(batch.parts.join(&b","[..]));
                out.extend(b"]}");
                out
            }
            Protocol::HttpProtobuf | Protocol::Grpc => batch.parts.concat(),
        };
        match self.send(Signal::Traces, &body) {
            Ok(()) => {
                self.summary.traces_sent += batch.completes.len();
                self.summary.spans += batch.spans_in;
                let done: Vec<String> = batch.completes.iter().map(|(id, _)| id.clone()).collect();
                self.ledger.traces_taken(endpoint, &batch.completes)?;
                self.ledger.set_pending(endpoint, &done, None)
            }
            Err(why) => {
                self.summary.left.extend(batch.touches);
                self.failed = Some(why);
                Ok(())
            }
        }
    }

    fn encode<T: Message>(
        &self,
        request: &T,
        json: impl Fn(&T) -> serde_json::Result<Vec<u8>>,
    ) -> Vec<u8> {
        match self.target.protocol {
            // Serialising our own structs to JSON cannot fail (string keys, finite numbers).
            Protocol::HttpJson => json(request).unwrap_or_default(),
            Protocol::HttpProtobuf | Protocol::Grpc => request.encode_to_vec(),
        }
    }

    /// One request; `Err` carries why it was not taken.
    fn send(&mut self, signal: Signal, body: &[u8]) -> Result<(), String> {
        self.summary.requests += 1;
        match self.channel.send(self.target, signal, body, self.sleep) {
            Ok(Taken { rejected, message }) => {
                if rejected > 0 || !message.is_empty() {
                    self.summary.rejected += rejected;
                    self.summary.rejected_why.push(message);
                }
                Ok(())
            }
            Err(e) => Err(e.to_string()),
        }
    }

    fn send_metrics(&mut self) -> Result<(), ExportError> {
        let endpoint = self.target.metrics.clone();
        let held = std::mem::take(&mut self.held);
        for chunk in held.chunks(METRIC_SESSIONS) {
            let mut grown: BTreeMap<&str, Vec<(Figures, u64, u64)>> = BTreeMap::new();
            let mut taken = Vec::new();
            for h in chunk {
                let (sent, until) = match self.ledger.sent_figures(&endpoint, &h.id)? {
                    Some((figures, until)) => (figures, Some(until)),
                    None => (Figures::default(), None),
                };
                let delta = h.figures.since(&sent);
                if delta.is_empty() {
                    continue;
                }
                let start = until.map_or(h.start, |u| u.min(h.end));
                let end = h.end.max(start);
                grown
                    .entry(&h.resource)
                    .or_default()
                    .push((delta, start, end));
                taken.push((h.id.clone(), h.figures.clone(), end));
            }
            if grown.is_empty() {
                continue;
            }
            let mut resource_metrics = Vec::new();
            for (key, figures) in grown {
                let points = metrics::metrics(&figures);
                self.summary.points += points.iter().map(point_count).sum::<u64>();
                resource_metrics.push(ResourceMetrics {
                    resource: self.resources.by_key(key),
                    scope_metrics: vec![ScopeMetrics {
                        scope: Some(scope()),
                        metrics: points,
                    }],
                });
            }
            let request = ExportMetricsServiceRequest { resource_metrics };
            let body = self.encode(&request, serde_json::to_vec);
            if let Err(why) = self.send(Signal::Metrics, &body) {
                self.failed = Some(why);
                self.summary
                    .left
                    .extend(taken.into_iter().map(|(id, ..)| id));
                return Ok(());
            }
            self.summary.metrics_sent += taken.len();
            self.ledger.figures_taken(&endpoint, &taken)?;
        }
        Ok(())
    }

    fn finish(mut self, endpoint: &str) -> Result<Summary, ExportError> {
        if let Some(why) = self.failed.take() {
            self.summary.left.sort();
            self.summary.left.dedup();
            let at = self.now.to_rfc3339();
            self.ledger
                .set_pending(endpoint, &self.summary.left, Some((&at, &why)))?;
            self.summary.left_why = Some(why);
        }
        Ok(self.summary)
    }
}

fn point_count(m: &super::proto::Metric) -> u64 {
    match &m.data {
        Some(super::proto::Data::Sum(s)) => s.data_points.len() as u64,
        Some(super::proto::Data::Histogram(h)) => h.data_points.len() as u64,
        None => 0,
    }
}

fn scope() -> InstrumentationScope {
    InstrumentationScope {
        name: "git-vouch".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    }
}

/// One `ResourceSpans` of a session: its spans, or as many of them as fit in a request.
struct Part {
    message: ResourceSpans,
    encoded: Encoded,
}

/// A `ResourceSpans` encoded once, as field 1 of the export request (requests are these
/// fields one after the other), and how many spans it holds.
struct Encoded {
    bytes: Vec<u8>,
    spans: u64,
}

/// The session's spans in parts of at most `max` encoded bytes (a span larger than that goes
/// alone).
fn parts(resource: &Resource, spans: Vec<Span>, max: usize) -> Vec<Part> {
    let mut groups: Vec<Vec<Span>> = vec![Vec::new()];
    let mut size = 0;
    for span in spans {
        let len = span.encoded_len();
        let last = groups.last().map_or(0, Vec::len);
        if last > 0 && size + len > max {
            groups.push(Vec::new());
            size = 0;
        }
        size += len;
        if let Some(g) = groups.last_mut() {
            g.push(span);
        }
    }
    groups
        .into_iter()
        .filter(|g| !g.is_empty())
        .map(|spans| {
            let count = spans.len() as u64;
            let message = ResourceSpans {
                resource: Some(resource.clone()),
                scope_spans: vec![ScopeSpans {
                    scope: Some(scope()),
                    spans,
                    schema_url: String::new(),
                }],
                schema_url: String::new(),
            };
            let mut bytes = Vec::with_capacity(message.encoded_len() + 8);
            prost::encoding::message::encode(1, &message, &mut bytes);
            Part {
                message,
                encoded: Encoded {
                    bytes,
                    spans: count,
                },
            }
        })
        .collect()
}

/// The sha256 of the session's parts as protobuf (the same structs encode the same bytes).
fn digest(parts: &[Part]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(&p.encoded.bytes);
    }
    crate::fingerprint::hex(&h.finalize())
}
