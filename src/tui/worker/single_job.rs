//! A job kind that keeps one run going and one waiting (gitui's `AsyncSingleJob`): a request
//! while one runs replaces the waiting one, so a burst of requests (a resize storm asking for a
//! layout per width) runs at most the current job and the latest, and stale work is dropped
//! before it starts.

use std::sync::{Arc, Mutex, PoisonError};

/// One running job and one pending, per kind.
pub struct SingleJob<J: Send + 'static> {
    slot: Arc<Mutex<Slot<J>>>,
    work: Arc<dyn Fn(J) + Send + Sync>,
}

struct Slot<J> {
    running: bool,
    pending: Option<J>,
}

impl<J: Send + 'static> SingleJob<J> {
    /// Jobs of this kind are done by `work`, on a thread of their own.
    pub fn new(work: impl Fn(J) + Send + Sync + 'static) -> Self {
        Self {
            slot: Arc::new(Mutex::new(Slot {
                running: false,
                pending: None,
            })),
            work: Arc::new(work),
        }
    }

    /// Starts `job` when none runs; otherwise it waits, in place of any job waiting before it.
    pub fn request(&self, job: J) {
        {
            let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
            if slot.running {
                slot.pending = Some(job);
                return;
            }
            slot.running = true;
        }
        let (slot, work) = (self.slot.clone(), self.work.clone());
        std::thread::spawn(move || {
            let mut job = job;
            loop {
                work(job);
                let mut s = slot.lock().unwrap_or_else(PoisonError::into_inner);
                match s.pending.take() {
                    Some(next) => job = next,
                    None => {
                        s.running = false;
                        return;
                    }
                }
            }
        });
    }

    /// Whether a job of this kind runs or waits.
    #[cfg(test)]
    fn busy(&self) -> bool {
        let slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        slot.running || slot.pending.is_some()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::channel;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use super::SingleJob;

    #[test]
    fn a_burst_runs_the_current_job_and_the_latest_only() {
        let done = Arc::new(Mutex::new(Vec::new()));
        let (release, gate) = channel::<()>();
        let gate = Mutex::new(gate);
        let (answers, answered) = channel();
        let job = {
            let done = done.clone();
            SingleJob::new(move |n: u32| {
                if n == 0 {
                    // The first job holds the slot until the burst is over.
                    let _ = gate.lock().unwrap().recv();
                }
                done.lock().unwrap().push(n);
                answers.send(n).unwrap();
            })
        };
        for n in 0..100 {
            job.request(n);
        }
        release.send(()).unwrap();
        let last = answered.recv_timeout(Duration::from_secs(10)).unwrap();
        let latest = answered.recv_timeout(Duration::from_secs(10)).unwrap();
        let start = Instant::now();
        while job.busy() && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(!job.busy());
        assert_eq!(
            (last, latest),
            (0, 99),
            "the latest request's answer arrives"
        );
        assert_eq!(*done.lock().unwrap(), vec![0, 99], "at most two jobs ran");
        // A request once the slot is free runs at once.
        job.request(7);
        assert_eq!(answered.recv_timeout(Duration::from_secs(10)), Ok(7));
    }
}
