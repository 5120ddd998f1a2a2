//! OTLP over gRPC: the `Export` calls of the trace and metrics services, as unary calls on one
//! HTTP/2 connection (h2, cleartext with prior knowledge for `http`, TLS with ALPN `h2` for
//! `https`), driven by a current-thread runtime that lives only as long as the export.
//!
//! A message is framed as gRPC frames it (a compressed flag, a 4-byte length, the protobuf);
//! the answer's `grpc-status` and `grpc-message` come from the trailers, or from the headers
//! of a trailers-only answer.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use h2::client::SendRequest;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::runtime::Runtime;

use super::ExportError;
use super::channel::{Reply, Trouble};
use super::target::{Signal, Target};
use crate::recorder::upstream::{TlsConfig, Upstream};

/// The largest answer kept.
const MAX_REPLY: usize = 64 * 1024;

pub struct GrpcChannel {
    runtime: Runtime,
    upstream: Upstream,
    tls: Option<Arc<rustls::ClientConfig>>,
    timeout: Duration,
    headers: Vec<(String, String)>,
    gzip: bool,
    open: Option<SendRequest<Bytes>>,
}

impl GrpcChannel {
    pub fn new(target: &Target, tls: &TlsConfig) -> Result<Self, ExportError> {
        let upstream = Upstream::parse(&target.traces).map_err(|e| ExportError::Setting {
            name: "endpoint".into(),
            why: e.to_string(),
        })?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| ExportError::Setting {
                name: "gRPC".into(),
                why: format!("cannot start its runtime: {e}"),
            })?;
        let tls = upstream.is_tls().then(|| {
            let mut config = (*tls.client_config()).clone();
            config.alpn_protocols = vec![b"h2".to_vec()];
            Arc::new(config)
        });
        Ok(Self {
            runtime,
            upstream,
            tls,
            timeout: target.timeout,
            headers: target.headers.clone(),
            gzip: target.gzip,
            open: None,
        })
    }

    /// One `Export` call.
    pub fn call(&mut self, signal: Signal, message: &[u8]) -> Result<Reply, Trouble> {
        let frame = self.frame(message)?;
        let request = self.request(signal)?;
        let send = match self.open.take() {
            Some(s) => s,
            None => self.connect()?,
        };
        let timeout = self.timeout;
        let answer = self.runtime.block_on(async move {
            tokio::time::timeout(timeout, unary(send, request, frame)).await
        });
        match answer {
            Ok(Ok((reply, send))) => {
                self.open = Some(send);
                Ok(reply)
            }
            Ok(Err(trouble)) => Err(trouble),
            Err(_) => Err(Trouble::Transient("no answer within the timeout".into())),
        }
    }

    fn frame(&self, message: &[u8]) -> Result<Bytes, Trouble> {
        let (flag, body) = if self.gzip {
            let zipped =
                super::channel::gzip(message).map_err(|e| Trouble::Fatal(e.to_string()))?;
            (1u8, zipped)
        } else {
            (0u8, message.to_vec())
        };
        let length =
            u32::try_from(body.len()).map_err(|_| Trouble::Fatal("a message over 4 GiB".into()))?;
        let mut out = BytesMut::with_capacity(body.len() + 5);
        out.put_u8(flag);
        out.put_u32(length);
        out.put_slice(&body);
        Ok(out.freeze())
    }

    fn request(&self, signal: Signal) -> Result<http::Request<()>, Trouble> {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        let uri = format!(
            "{scheme}://{}{}{}",
            self.upstream.host_header(),
            self.upstream.target(""),
            signal.grpc_path()
        );
        let mut builder = http::Request::post(uri)
            .header("content-type", "application/grpc")
            .header("te", "trailers")
            .header(
                "user-agent",
                concat!("git-vouch/", env!("CARGO_PKG_VERSION")),
            );
        if self.gzip {
            builder = builder.header("grpc-encoding", "gzip");
        }
        for (k, v) in &self.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        builder
            .body(())
            .map_err(|e| Trouble::Fatal(format!("a header cannot be sent: {e}")))
    }

    fn connect(&self) -> Result<SendRequest<Bytes>, Trouble> {
        let (host, port) = self.upstream.address();
        let host = host.to_owned();
        let tls = self.tls.clone();
        let timeout = self.timeout;
        let connected = self.runtime.block_on(async move {
            tokio::time::timeout(timeout, handshake(host, port, tls)).await
        });
        match connected {
            Ok(result) => result,
            Err(_) => Err(Trouble::Transient(
                "no connection within the timeout".into(),
            )),
        }
    }
}

async fn handshake(
    host: String,
    port: u16,
    tls: Option<Arc<rustls::ClientConfig>>,
) -> Result<SendRequest<Bytes>, Trouble> {
    let tcp = TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| Trouble::from_io(&e))?;
    tcp.set_nodelay(true).map_err(|e| Trouble::from_io(&e))?;
    let tcp = QuickAck(tcp);
    let transient = |e: h2::Error| Trouble::Transient(format!("HTTP/2: {e}"));
    let Some(config) = tls else {
        let (send, connection) = h2::client::handshake(tcp).await.map_err(transient)?;
        tokio::spawn(connection);
        return Ok(send);
    };
    let name =
        rustls::pki_types::ServerName::try_from(host).map_err(|e| Trouble::Fatal(e.to_string()))?;
    let stream = tokio_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(|e| Trouble::from_io(&e))?;
    let (send, connection) = h2::client::handshake(stream).await.map_err(transient)?;
    tokio::spawn(connection);
    Ok(send)
}

/// Sends the request and reads the whole answer.
async fn unary(
    send: SendRequest<Bytes>,
    request: http::Request<()>,
    frame: Bytes,
) -> Result<(Reply, SendRequest<Bytes>), Trouble> {
    let transient = |e: h2::Error| Trouble::Transient(format!("HTTP/2: {e}"));
    let mut send = send.ready().await.map_err(transient)?;
    let (response, mut stream) = send.send_request(request, false).map_err(transient)?;
    stream.send_data(frame, true).map_err(transient)?;
    let response = response.await.map_err(transient)?;
    let (parts, mut body) = response.into_parts();
    let mut data = Vec::new();
    while let Some(piece) = body.data().await {
        let piece = piece.map_err(transient)?;
        let _ = body.flow_control().release_capacity(piece.len());
        let room = MAX_REPLY.saturating_sub(data.len());
        data.extend_from_slice(&piece[..piece.len().min(room)]);
    }
    let trailers = body.trailers().await.map_err(transient)?;
    let status_of = |h: &http::HeaderMap| -> Option<(u32, String)> {
        let code = h.get("grpc-status")?.to_str().ok()?.trim().parse().ok()?;
        let message = h
            .get("grpc-message")
            .and_then(|m| m.to_str().ok())
            .map(super::target::percent_decode)
            .unwrap_or_default();
        Some((code, message))
    };
    let grpc = trailers
        .as_ref()
        .and_then(status_of)
        .or_else(|| status_of(&parts.headers));
    if parts.status != http::StatusCode::OK {
        return Ok((
            Reply {
                status: parts.status.as_u16(),
                retry_after: None,
                body: data,
                grpc: None,
            },
            send,
        ));
    }
    let grpc = grpc.unwrap_or((2, "the answer carried no grpc-status".into()));
    // The answer's one message, its 5-byte prefix removed (uncompressed: we asked for none).
    let message = data.get(5..).map(<[u8]>::to_vec).unwrap_or_default();
    Ok((
        Reply {
            status: 200,
            retry_after: None,
            body: message,
            grpc: Some(grpc),
        },
        send,
    ))
}

/// A TCP stream that asks for an immediate ACK before each read (TCP_QUICKACK, Linux). A
/// collector whose gRPC server leaves Nagle's algorithm on (tonic's default, as in rotel) holds
/// the last frame of each answer until the client's delayed ACK: 40 ms a request, which was
/// most of a large export's time.
struct QuickAck(TcpStream);

impl QuickAck {
    fn ack_now(&self) {
        #[cfg(target_os = "linux")]
        let _ = socket2::SockRef::from(&self.0).set_tcp_quickack(true);
    }
}

impl AsyncRead for QuickAck {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        this.ack_now();
        Pin::new(&mut this.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for QuickAck {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}
