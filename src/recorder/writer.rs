//! The store's writer: one thread takes each exchange apart, redacts, hashes and stores it once
//! its response has ended, in the order the responses ended, so a connection never waits on it
//! and never shares the machine with it while a response streams (a 200k-token request is
//! forwarded at once, not after its 800 KB were redacted and hashed).

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

/// An exchange whose response has ended.
struct Job {
    started: DateTime<Utc>,
    method: String,
    path: String,
    head: Head,
    body: Arc<[u8]>,
    done: Done,
}

pub struct Writer {
    jobs: Mutex<Option<Sender<Job>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
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
            errors,
        }
    }

    /// Queues an exchange whose response has ended (the connection has relayed it all: the
    /// writer's work never delays a byte).
    pub fn exchange(
        &self,
        started: DateTime<Utc>,
        request: (&str, &str, Head),
        body: Arc<[u8]>,
        done: Done,
    ) {
        let (method, path, head) = request;
        self.send(Job {
            started,
            method: method.to_owned(),
            path: path.to_owned(),
            head,
            body,
            done,
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
    for job in jobs {
        let stored = store.in_transaction(|store| write_one(store, job, &mut threads, &redactor));
        if let Err(e) = stored
            && let Ok(mut errs) = errors.lock()
        {
            errs.push(e.to_string());
        }
    }
    if let Err(e) = store.checkpoint()
        && let Ok(mut errs) = errors.lock()
    {
        errs.push(e.to_string());
    }
}

fn write_one(
    store: &Store,
    job: Job,
    threads: &mut Threads,
    redactor: &Redactor,
) -> Result<(), crate::recorder::RecorderError> {
    let req = Request {
        started: job.started,
        method: &job.method,
        path: &job.path,
        headers: &job.head,
        body: &job.body,
    };
    let mut s = Stored::request(&req, store, threads, redactor)?;
    let (ex, done) = (&mut s.exchange, job.done);
    ex.status = done.status;
    ex.request_id = done.request_id;
    ex.ttfb_ms = done.ttfb_ms;
    ex.duration_ms = done.duration_ms;
    ex.response = done.response;
    ex.response_bytes = done.bytes;
    ex.outcome = done.state;
    s.finish(store, threads, redactor).map(|_| ())
}
