//! The store's writer: one thread takes each exchange apart, redacts, hashes and stores it, in
//! the order the requests arrived, so a connection never waits on it (a 200k-token request is
//! forwarded at once, not after its 800 KB were redacted and hashed).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use chrono::{DateTime, Utc};

use super::exchange::{Outcome, Request, Stored, Threads};
use super::http::Head;
use super::sse::Response;
use super::store::Store;
use crate::redact::{RedactOptions, Redactor};

/// How a response ended, for its exchange's record.
#[derive(Debug, Clone)]
pub struct Done {
    pub status: u16,
    pub request_id: Option<String>,
    pub ttfb_ms: Option<u64>,
    pub duration_ms: u64,
    pub response: Option<Response>,
    pub bytes: u64,
    pub state: Outcome,
}

enum Job {
    Request {
        seq: u64,
        started: DateTime<Utc>,
        method: String,
        path: String,
        head: Head,
        body: Arc<[u8]>,
    },
    Response {
        seq: u64,
        done: Box<Done>,
    },
}

pub struct Writer {
    jobs: Mutex<Option<Sender<Job>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    next: AtomicU64,
    /// What could not be stored, and why.
    pub errors: Arc<Mutex<Vec<String>>>,
}

impl Writer {
    pub fn start(store: Store) -> Self {
        let (tx, rx) = channel();
        let errors = Arc::new(Mutex::new(Vec::new()));
        let errs = Arc::clone(&errors);
        let thread = std::thread::spawn(move || write_all(&store, &rx, &errs));
        Self {
            jobs: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
            next: AtomicU64::new(0),
            errors,
        }
    }

    /// Queues a request's record; returns the number its response is filed under.
    pub fn request(
        &self,
        started: DateTime<Utc>,
        method: &str,
        path: &str,
        head: Head,
        body: Arc<[u8]>,
    ) -> u64 {
        let seq = self.next.fetch_add(1, Ordering::SeqCst);
        self.send(Job::Request {
            seq,
            started,
            method: method.to_owned(),
            path: path.to_owned(),
            head,
            body,
        });
        seq
    }

    pub fn response(&self, seq: u64, done: Done) {
        self.send(Job::Response {
            seq,
            done: Box::new(done),
        });
    }

    fn send(&self, job: Job) {
        if let Ok(jobs) = self.jobs.lock()
            && let Some(tx) = jobs.as_ref()
        {
            let _ = tx.send(job);
        }
    }

    /// Writes what is queued and stops (later jobs are dropped).
    pub fn finish(&self) {
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.take();
        }
        let thread = self.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(t) = thread {
            let _ = t.join();
        }
    }
}

fn write_all(store: &Store, jobs: &Receiver<Job>, errors: &Mutex<Vec<String>>) {
    let redactor = Redactor::new(RedactOptions::default());
    let mut threads = Threads::default();
    let mut pending: HashMap<u64, Stored> = HashMap::new();
    let note = |e: &dyn std::fmt::Display| {
        if let Ok(mut errs) = errors.lock() {
            errs.push(e.to_string());
        }
    };
    for job in jobs {
        match job {
            Job::Request {
                seq,
                started,
                method,
                path,
                head,
                body,
            } => {
                let req = Request {
                    started,
                    method: &method,
                    path: &path,
                    headers: &head,
                    body: &body,
                };
                match Stored::request(&req, store, &mut threads, &redactor) {
                    Ok(s) => {
                        pending.insert(seq, s);
                    }
                    Err(e) => note(&e),
                }
            }
            Job::Response { seq, done } => {
                let Some(mut s) = pending.remove(&seq) else {
                    continue;
                };
                let (ex, done) = (&mut s.exchange, *done);
                ex.status = done.status;
                ex.request_id = done.request_id;
                ex.ttfb_ms = done.ttfb_ms;
                ex.duration_ms = done.duration_ms;
                ex.response = done.response;
                ex.response_bytes = done.bytes;
                ex.outcome = done.state;
                if let Err(e) = s.finish(store, &redactor) {
                    note(&e);
                }
            }
        }
    }
}
