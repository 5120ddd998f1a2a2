//! Sending one batch, whatever the protocol, with the OTLP exporter's retry rules: a
//! connection that fails, an HTTP 429, 502, 503 or 504, and a gRPC UNAVAILABLE,
//! RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, ABORTED, CANCELLED, OUT_OF_RANGE or DATA_LOSS are
//! tried again, at most [`ATTEMPTS`] times in all, waiting `Retry-After` (at most
//! [`MAX_WAIT`]) or a doubling delay; anything else fails at once, with what the collector
//! said.

use std::io::Write;
use std::time::Duration;

use prost::Message;

use super::ExportError;
use super::grpc::GrpcChannel;
use super::http::HttpChannel;
use super::proto::{ExportMetricsServiceResponse, ExportTraceServiceResponse, PartialSuccess};
use super::target::{Protocol, Signal, Target};
use crate::recorder::upstream::TlsConfig;

/// Tries per batch.
pub const ATTEMPTS: u32 = 3;
/// The first wait before trying again; each later one doubles.
pub const FIRST_WAIT: Duration = Duration::from_millis(500);
/// The longest wait a `Retry-After` is granted.
pub const MAX_WAIT: Duration = Duration::from_secs(5);

/// What the collector answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status (200 for a gRPC answer that arrived).
    pub status: u16,
    pub retry_after: Option<Duration>,
    pub body: Vec<u8>,
    /// gRPC's status code and message, when the call was gRPC.
    pub grpc: Option<(u32, String)>,
}

/// Why a try failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trouble {
    /// Worth another try (the collector is down, busy or slow).
    Transient(String),
    Fatal(String),
}

impl Trouble {
    pub fn from_io(e: &std::io::Error) -> Self {
        use std::io::ErrorKind as K;
        let why = match e.kind() {
            K::WouldBlock | K::TimedOut => "no answer within the timeout".to_owned(),
            _ => e.to_string(),
        };
        Self::Transient(why)
    }
}

/// What became of a batch the collector took.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Taken {
    /// Spans or data points the collector said it rejected, and why.
    pub rejected: i64,
    pub message: String,
}

/// A connection to the collector for the whole export.
pub enum Channel {
    Http(HttpChannel),
    Grpc(GrpcChannel),
}

impl Channel {
    pub fn open(target: &Target) -> Result<Self, ExportError> {
        let tls = TlsConfig::new(target.ca_file.as_deref()).map_err(|e| ExportError::Setting {
            name: "OTEL_EXPORTER_OTLP_CERTIFICATE".into(),
            why: e.to_string(),
        })?;
        Ok(match target.protocol {
            Protocol::Grpc => Self::Grpc(GrpcChannel::new(target, &tls)?),
            _ => Self::Http(HttpChannel::new(target, tls)),
        })
    }

    /// Sends one encoded request, trying again as the rules allow; `sleep` waits between
    /// tries (tests pass one that does not).
    pub fn send(
        &mut self,
        target: &Target,
        signal: Signal,
        body: &[u8],
        sleep: &dyn Fn(Duration),
    ) -> Result<Taken, ExportError> {
        let url = target.url(signal);
        let mut wait = FIRST_WAIT;
        let mut attempt = 1;
        loop {
            let reply = match self {
                Self::Http(h) => h.post(url, body),
                Self::Grpc(g) => g.call(signal, body),
            };
            let outcome = reply
                .map_err(|t| (t, None))
                .and_then(|r| judge(&r, signal, target.protocol));
            match outcome {
                Ok(taken) => return Ok(taken),
                Err((Trouble::Transient(_), after)) if attempt < ATTEMPTS => {
                    sleep(after.map_or(wait, |a| a.min(MAX_WAIT)));
                    wait *= 2;
                    attempt += 1;
                }
                Err((Trouble::Transient(why) | Trouble::Fatal(why), _)) => {
                    return Err(ExportError::Send {
                        url: url.to_owned(),
                        signal: signal.word(),
                        attempts: attempt,
                        why,
                    });
                }
            }
        }
    }
}

type Judged = Result<Taken, (Trouble, Option<Duration>)>;

/// Success (with what the collector rejected), or why not and whether to try again.
fn judge(reply: &Reply, signal: Signal, protocol: Protocol) -> Judged {
    if let Some((code, message)) = &reply.grpc {
        return match code {
            0 => Ok(partial(&reply.body, signal, false)),
            1 | 4 | 8 | 10 | 11 | 14 | 15 => Err((
                Trouble::Transient(format!("gRPC status {code}: {message}")),
                reply.retry_after,
            )),
            _ => Err((
                Trouble::Fatal(format!("gRPC status {code}: {message}")),
                None,
            )),
        };
    }
    match reply.status {
        200..=299 => Ok(partial(&reply.body, signal, protocol == Protocol::HttpJson)),
        429 | 502 | 503 | 504 => Err((
            Trouble::Transient(format!("HTTP {}{}", reply.status, said(&reply.body))),
            reply.retry_after,
        )),
        status => Err((
            Trouble::Fatal(format!("HTTP {status}{}", said(&reply.body))),
            None,
        )),
    }
}

fn partial(body: &[u8], signal: Signal, json: bool) -> Taken {
    let found: Option<PartialSuccess> = if json {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Response {
            partial_success: Option<PartialSuccess>,
        }
        serde_json::from_slice::<Response>(body)
            .ok()
            .and_then(|r| r.partial_success)
    } else {
        match signal {
            Signal::Traces => ExportTraceServiceResponse::decode(body)
                .ok()
                .and_then(|r| r.partial_success),
            Signal::Metrics => ExportMetricsServiceResponse::decode(body)
                .ok()
                .and_then(|r| r.partial_success),
        }
    };
    found.map_or_else(Taken::default, |p| Taken {
        rejected: p.rejected,
        message: p.error_message,
    })
}

/// `: what the collector said` from a response body that is text, clipped.
fn said(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() || text.contains('\u{fffd}') {
        return String::new();
    }
    let clipped: String = text.chars().take(300).collect();
    format!(": {clipped}")
}

pub fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes)?;
    e.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16, body: &str) -> Reply {
        Reply {
            status,
            retry_after: None,
            body: body.as_bytes().to_vec(),
            grpc: None,
        }
    }

    #[test]
    fn only_what_the_specification_names_is_tried_again() {
        for status in [429, 502, 503, 504] {
            let judged = judge(&http(status, ""), Signal::Traces, Protocol::HttpProtobuf);
            assert!(
                matches!(judged, Err((Trouble::Transient(_), _))),
                "{status}"
            );
        }
        for status in [400, 401, 404, 413, 500] {
            let judged = judge(&http(status, "no"), Signal::Traces, Protocol::HttpProtobuf);
            assert!(matches!(judged, Err((Trouble::Fatal(ref w), _)) if w.ends_with(": no")));
        }
        let grpc = |code| Reply {
            grpc: Some((code, "x".into())),
            ..http(200, "")
        };
        assert!(matches!(
            judge(&grpc(14), Signal::Metrics, Protocol::Grpc),
            Err((Trouble::Transient(_), _))
        ));
        assert!(matches!(
            judge(&grpc(3), Signal::Metrics, Protocol::Grpc),
            Err((Trouble::Fatal(_), _))
        ));
        assert_eq!(
            judge(&grpc(0), Signal::Metrics, Protocol::Grpc),
            Ok(Taken::default())
        );
    }

    #[test]
    fn a_partial_success_is_read_in_both_encodings() {
        let json = r#"{"partialSuccess":{"rejectedSpans":"2","errorMessage":"too old"}}"#;
        let taken = judge(&http(200, json), Signal::Traces, Protocol::HttpJson).unwrap();
        assert_eq!((taken.rejected, taken.message.as_str()), (2, "too old"));
        let proto = ExportMetricsServiceResponse {
            partial_success: Some(PartialSuccess {
                rejected: 3,
                error_message: "bad".into(),
            }),
        }
        .encode_to_vec();
        let reply = Reply {
            body: proto,
            ..http(200, "")
        };
        let taken = judge(&reply, Signal::Metrics, Protocol::HttpProtobuf).unwrap();
        assert_eq!((taken.rejected, taken.message.as_str()), (3, "bad"));
    }
}
