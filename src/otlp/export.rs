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
    ExportMetricsServiceRequest, ExportTraceServiceRequest, InstrumentationScope, Resource,
    ResourceMetrics, ResourceSpans, ScopeMetrics, ScopeSpans, Span,
};
use super::resource::Resources;
use super::spans::{self, SessionInput};
use super::target::{Protocol, Signal, Target};
use crate::evidence::guard::GuardedCall;
use crate::insights::Insights;
use crate::session::SessionSummary;
use crate::session::detail::{Conversation, SessionDetail};

/// Encoded spans per request, at most (collectors take 4 MiB messages by default).
pub const BATCH_BYTES: usize = 2 * 1024 * 1024;
/// Sessions whose metrics go in one request.
const METRIC_SESSIONS: usize = 500;

/// One session, read in full.
pub struct SessionData {
    pub summary: SessionSummary,
    pub detail: SessionDetail,
    pub insights: Option<Insights>,
    /// Every call the guard checked.
    pub guard: Vec<GuardedCall>,
    /// The main thread, read only with `--content`.
    pub conversation: Option<Conversation>,
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
            run.summary.left.push(data.summary.id.clone());
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

/// The batch being filled.
#[derive(Default)]
struct Batch {
    /// Spans by resource.
    spans: BTreeMap<String, (Resource, Vec<Span>)>,
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
        let content = options
            .content
            .then(|| data.conversation.as_ref().map(Content::new))
            .flatten();
        let input = SessionInput {
            summary: &data.summary,
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
        let digest = digest(&spans);
        let id = data.summary.id.clone();
        let start = spans::nanos(data.summary.start);
        let end = spans::nanos(data.summary.end.or(data.summary.start)).max(start);
        let (key, resource) = self.resources.of(data.summary.cwd.as_deref());
        self.held.push(Held {
            figures: metrics::figures(&data.summary, &data.detail),
            id: id.clone(),
            resource: key.clone(),
            start,
            end,
        });
        let unchanged = self.ledger.trace_digest(endpoint, &id)?.as_deref() == Some(&digest);
        if unchanged && !options.again {
            self.summary.unchanged += 1;
            return Ok(());
        }
        for span in spans {
            self.batch.spans_in += 1;
            self.batch.bytes += span.encoded_len();
            self.batch
                .spans
                .entry(key.clone())
                .or_insert_with(|| (resource.clone(), Vec::new()))
                .1
                .push(span);
            if !self.batch.touches.contains(&id) {
                self.batch.touches.push(id.clone());
            }
            if self.batch.bytes >= options.batch_bytes {
                self.flush(endpoint)?;
                if self.failed.is_some() {
                    return Ok(());
                }
            }
        }
        self.batch.completes.push((id, digest));
        Ok(())
    }

    /// Sends the batch; a failure ends the export (see the module's comment).
    fn flush(&mut self, endpoint: &str) -> Result<(), ExportError> {
        let batch = std::mem::take(&mut self.batch);
        if batch.spans.is_empty() && batch.completes.is_empty() {
            return Ok(());
        }
        let request = ExportTraceServiceRequest {
            resource_spans: batch
                .spans
                .into_values()
                .map(|(resource, spans)| ResourceSpans {
                    resource: Some(resource),
                    scope_spans: vec![ScopeSpans {
                        scope: Some(scope()),
                        spans,
                        schema_url: String::new(),
                    }],
                    schema_url: String::new(),
                })
                .collect(),
        };
        let body = self.encode(&request, serde_json::to_vec);
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

/// The sha256 of the spans as sent (protobuf is deterministic for the same structs).
fn digest(spans: &[Span]) -> String {
    let mut h = Sha256::new();
    for s in spans {
        h.update(s.encode_to_vec());
    }
    crate::fingerprint::hex(&h.finalize())
}
