//! Where an export goes and how: the collector's URL for each signal, the protocol, headers,
//! timeout, compression and extra certificate authority, from the command line, the standard
//! `OTEL_EXPORTER_OTLP_*` variables and `git config vouch.otlp.*`, in that order.
//!
//! As the OTLP exporter specification says: the base endpoint gets `/v1/traces` and
//! `/v1/metrics` appended for HTTP, a signal's own endpoint (`…_TRACES_ENDPOINT`) is used as
//! it is, gRPC uses the base endpoint alone, and the default is `http://localhost:4318` for
//! HTTP and `http://localhost:4317` for gRPC.

use std::path::PathBuf;
use std::time::Duration;

use super::ExportError;

/// How the messages are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    HttpProtobuf,
    HttpJson,
    Grpc,
}

impl Protocol {
    pub fn parse(text: &str) -> Result<Self, ExportError> {
        match text.trim() {
            "http/protobuf" => Ok(Self::HttpProtobuf),
            "http/json" => Ok(Self::HttpJson),
            "grpc" => Ok(Self::Grpc),
            other => Err(ExportError::Setting {
                name: "protocol".into(),
                why: format!("{other:?} is not http/protobuf, http/json or grpc"),
            }),
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            Self::HttpProtobuf => "http/protobuf",
            Self::HttpJson => "http/json",
            Self::Grpc => "grpc",
        }
    }
}

/// One signal's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Traces,
    Metrics,
}

impl Signal {
    pub const fn http_path(self) -> &'static str {
        match self {
            Self::Traces => "/v1/traces",
            Self::Metrics => "/v1/metrics",
        }
    }

    pub const fn grpc_path(self) -> &'static str {
        match self {
            Self::Traces => "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
            Self::Metrics => "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
        }
    }

    pub const fn word(self) -> &'static str {
        match self {
            Self::Traces => "traces",
            Self::Metrics => "metrics",
        }
    }
}

/// Everything the export needs to reach the collector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub protocol: Protocol,
    pub traces: String,
    pub metrics: String,
    pub headers: Vec<(String, String)>,
    pub timeout: Duration,
    pub gzip: bool,
    pub ca_file: Option<PathBuf>,
}

/// What was asked for, each `None` when not given; see [`Target::resolve`].
#[derive(Debug, Clone, Default)]
pub struct Asked {
    pub endpoint: Option<String>,
    pub protocol: Option<String>,
    /// `OTEL_EXPORTER_OTLP_*` variables, by name without that prefix (`ENDPOINT`, `HEADERS`…).
    pub env: Vec<(String, String)>,
    /// `git config vouch.otlp.endpoint`, `.protocol` and `.headers`.
    pub config_endpoint: Option<String>,
    pub config_protocol: Option<String>,
    pub config_headers: Option<String>,
}

/// The OTLP exporter's default timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

impl Target {
    pub fn resolve(asked: &Asked) -> Result<Self, ExportError> {
        let env = |name: &str| {
            asked
                .env
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let protocol = asked
            .protocol
            .clone()
            .or_else(|| env("PROTOCOL"))
            .or_else(|| asked.config_protocol.clone());
        let protocol = protocol.map_or(Ok(Protocol::HttpProtobuf), |p| Protocol::parse(&p))?;
        let default = match protocol {
            Protocol::Grpc => "http://localhost:4317",
            _ => "http://localhost:4318",
        };
        let base = asked
            .endpoint
            .clone()
            .or_else(|| env("ENDPOINT"))
            .or_else(|| asked.config_endpoint.clone())
            .unwrap_or_else(|| default.to_owned());
        check_url(&base)?;
        let signal = |own: &str, signal: Signal| -> Result<String, ExportError> {
            // A signal's own variable only when no endpoint was given on the command line.
            if let Some(url) = env(own).filter(|_| asked.endpoint.is_none()) {
                check_url(&url)?;
                return Ok(url);
            }
            Ok(match protocol {
                Protocol::Grpc => base.trim_end_matches('/').to_owned(),
                _ => format!("{}{}", base.trim_end_matches('/'), signal.http_path()),
            })
        };
        let headers = env("HEADERS").or_else(|| asked.config_headers.clone());
        let timeout = match env("TIMEOUT") {
            Some(ms) => Duration::from_millis(ms.parse().map_err(|_| ExportError::Setting {
                name: "OTEL_EXPORTER_OTLP_TIMEOUT".into(),
                why: format!("{ms:?} is not a number of milliseconds"),
            })?),
            None => DEFAULT_TIMEOUT,
        };
        let gzip = match env("COMPRESSION").as_deref() {
            None | Some("none") => false,
            Some("gzip") => true,
            Some(other) => {
                return Err(ExportError::Setting {
                    name: "OTEL_EXPORTER_OTLP_COMPRESSION".into(),
                    why: format!("{other:?} is not gzip or none"),
                });
            }
        };
        Ok(Self {
            protocol,
            traces: signal("TRACES_ENDPOINT", Signal::Traces)?,
            metrics: signal("METRICS_ENDPOINT", Signal::Metrics)?,
            headers: headers
                .as_deref()
                .map(parse_headers)
                .transpose()?
                .unwrap_or_default(),
            timeout,
            gzip,
            ca_file: env("CERTIFICATE").map(PathBuf::from),
        })
    }

    pub fn url(&self, signal: Signal) -> &str {
        match signal {
            Signal::Traces => &self.traces,
            Signal::Metrics => &self.metrics,
        }
    }
}

fn check_url(url: &str) -> Result<(), ExportError> {
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(())
    } else {
        Err(ExportError::Setting {
            name: "endpoint".into(),
            why: format!("{url:?} is not an http:// or https:// URL"),
        })
    }
}

/// `key=value,key2=value2`, values percent-decoded (the W3C baggage format the variable uses).
pub fn parse_headers(text: &str) -> Result<Vec<(String, String)>, ExportError> {
    let mut out = Vec::new();
    for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((k, v)) = pair.split_once('=') else {
            return Err(ExportError::Setting {
                name: "OTEL_EXPORTER_OTLP_HEADERS".into(),
                why: format!("{pair:?} is not key=value"),
            });
        };
        out.push((k.trim().to_ascii_lowercase(), percent_decode(v.trim())));
    }
    Ok(out)
}

/// `%XX` escapes decoded (header values, gRPC messages).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
