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

/// Runs `work` on every job on `threads` workers (see [`count`]), handing each result to `take`
/// on the calling thread as it comes, in no particular order: what `take` keeps is allocated
/// there, not in the memory each worker reuses for its next job.
pub fn run_into<T: Send, R: Send>(
    jobs: Vec<T>,
    threads: usize,
    work: impl Fn(T) -> R + Sync,
    mut take: impl FnMut(R),
) {
    let threads = count(threads).min(jobs.len()).max(1);
    let next = AtomicUsize::new(0);
    let jobs: Vec<Mutex<Option<T>>> = jobs.into_iter().map(|j| Mutex::new(Some(j))).collect();
    let (tx, rx) = std::sync::mpsc::sync_channel::<R>(threads * 4);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, jobs, work) = (&next, &jobs, &work);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(slot) = jobs.get(i) else { break };
                    if let Some(job) = slot.lock().ok().and_then(|mut s| s.take())
                        && tx.send(work(job)).is_err()
                    {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for r in rx {
            take(r);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_result_reaches_the_calling_thread_once() {
        let caller = std::thread::current().id();
        let mut out = Vec::new();
        run_into(
            (0..100).collect(),
            3,
            |n: u64| n * 2,
            |r| {
                assert_eq!(std::thread::current().id(), caller);
                out.push(r);
            },
        );
        out.sort_unstable();
        assert_eq!(out, (0..100).map(|n| n * 2).collect::<Vec<_>>());
        run_into(Vec::<u8>::new(), 0, |n| n, |_| panic!("no job, no result"));
    }
}
