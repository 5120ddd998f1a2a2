//! Worker threads for the index: a fixed number of them take jobs from one shared list in its
//! order (callers put the largest first, so the threads finish together).

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The number of workers: `threads`, or one per core when it is 0.
pub fn count(threads: usize) -> usize {
    if threads == 0 {
        std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
    } else {
        threads
    }
}

/// Runs `work` on every job on `threads` workers (see [`count`]); the results come in no
/// particular order.
pub fn run<T: Send, R: Send>(jobs: Vec<T>, threads: usize, work: impl Fn(T) -> R + Sync) -> Vec<R> {
    let threads = count(threads).min(jobs.len()).max(1);
    let next = AtomicUsize::new(0);
    let jobs: Vec<Mutex<Option<T>>> = jobs.into_iter().map(|j| Mutex::new(Some(j))).collect();
    let results: Mutex<Vec<R>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut local = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(slot) = jobs.get(i) else { break };
                    if let Some(job) = slot.lock().ok().and_then(|mut s| s.take()) {
                        local.push(work(job));
                    }
                }
                if let Ok(mut r) = results.lock() {
                    r.extend(local);
                }
            });
        }
    });
    results.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_job_is_done_once() {
        let mut out = run((0..100).collect(), 3, |n: u64| n * 2);
        out.sort_unstable();
        assert_eq!(out, (0..100).map(|n| n * 2).collect::<Vec<_>>());
        assert!(run(Vec::<u8>::new(), 0, |n| n).is_empty());
    }
}
