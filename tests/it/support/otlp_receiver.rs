//! An OTLP/HTTP receiver in the test process (std only, nothing installed): it keeps every
//! request it gets and answers each as its script says (200 by default), on kept-alive
//! connections as a collector does.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request as received.
#[derive(Debug, Clone)]
pub struct Request {
    pub path: String,
    pub content_type: String,
    pub body: Vec<u8>,
}

/// How to answer one request.
#[derive(Debug, Clone)]
pub enum Answer {
    /// A status with this body (200 with an empty body is "all taken").
    Status(u16, Vec<u8>),
    /// 503 with `Retry-After: 0`.
    Busy,
    /// Answer 200 after this long.
    Slow(Duration),
}

pub struct Receiver {
    pub port: u16,
    requests: Arc<Mutex<Vec<Request>>>,
    script: Arc<Mutex<VecDeque<Answer>>>,
}

impl Receiver {
    pub fn start() -> Self {
        Self::on(TcpListener::bind("127.0.0.1:0").unwrap())
    }

    /// A receiver on a port that was free a moment ago (to bring a "down" collector up).
    pub fn start_on(port: u16) -> Self {
        Self::on(TcpListener::bind(("127.0.0.1", port)).unwrap())
    }

    fn on(listener: TcpListener) -> Self {
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(VecDeque::new()));
        let (r, s) = (requests.clone(), script.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (r, s) = (r.clone(), s.clone());
                std::thread::spawn(move || serve(conn, &r, &s));
            }
        });
        Self {
            port,
            requests,
            script,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Answers the next requests so, in order.
    pub fn then(&self, answers: impl IntoIterator<Item = Answer>) {
        self.script.lock().unwrap().extend(answers);
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// Waits (at most `secs`) until `n` requests came.
    pub fn wait_for(&self, n: usize, secs: u64) -> Vec<Request> {
        let start = Instant::now();
        while self.requests.lock().unwrap().len() < n && start.elapsed().as_secs() < secs {
            std::thread::sleep(Duration::from_millis(50));
        }
        self.requests()
    }
}

/// A port nothing listens on.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn serve(conn: TcpStream, requests: &Mutex<Vec<Request>>, script: &Mutex<VecDeque<Answer>>) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut conn = conn;
    loop {
        let mut start = String::new();
        if reader.read_line(&mut start).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0;
        let mut content_type = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (k, v) = line.split_once(':').unwrap();
            match k.to_ascii_lowercase().as_str() {
                "content-length" => length = v.trim().parse().unwrap(),
                "content-type" => v.trim().clone_into(&mut content_type),
                _ => {}
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let path = start.split(' ').nth(1).unwrap_or_default().to_owned();
        requests.lock().unwrap().push(Request {
            path,
            content_type,
            body,
        });
        let answer = script.lock().unwrap().pop_front();
        let (status, extra, body) = match answer {
            None => (200, "", Vec::new()),
            Some(Answer::Status(status, body)) => (status, "", body),
            Some(Answer::Busy) => (503, "Retry-After: 0\r\n", b"busy".to_vec()),
            Some(Answer::Slow(pause)) => {
                std::thread::sleep(pause);
                (200, "", Vec::new())
            }
        };
        let head = format!(
            "HTTP/1.1 {status} X\r\nContent-Length: {}\r\n{extra}\r\n",
            body.len()
        );
        if conn.write_all(head.as_bytes()).is_err() || conn.write_all(&body).is_err() {
            return;
        }
    }
}
