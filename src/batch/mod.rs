//! Batch evaluation: many fact documents, read as a stream, evaluated on every core, and
//! written in input order through a bounded window, so memory stays constant however long
//! the input is (issue 5).

pub mod input;
pub mod junit;
pub mod matrix_summary;
pub mod output;
pub mod rules;
pub mod sarif;
pub mod summary;
pub mod suppress;

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::mpsc::{sync_channel, RecvTimeoutError};
use std::sync::Mutex;
use std::time::Duration;

pub use input::{Record, Records};
pub use output::{writes_json_text, OutputFormat, Writer};
pub use summary::{BatchStatus, Outcome, Summary};
pub use suppress::{Suppressions, SuppressionsError, Target};

/// Records that one reader token stands for, and results that a worker hands over at
/// once when more work is already waiting: a thread hand-off (a wake-up, a context
/// switch) is paid about once per chunk, not once per record. An account matrix pair
/// takes tens of microseconds, about what a hand-off costs.
const CHUNK: usize = 16;

/// What [`run_ordered`] hands its sink: the next result in input order, or word that the
/// next one is slow in coming (a slow input, `tail -f | s3why batch -`): the time to flush
/// what was written, so that it shows before the next record arrives.
#[derive(Debug, PartialEq, Eq)]
pub enum Next<T> {
    Result(T),
    Waiting,
}

/// How long the writer waits for the next result before it says [`Next::Waiting`]: a
/// busy run never waits that long, so it is not flushed record by record.
const PATIENCE: Duration = Duration::from_millis(50);

/// Runs `work` over `records` on `jobs` threads and hands the results to `sink` in input
/// order. At most `window` records are in flight (read but not yet written). `sink`
/// returns `Break` to stop early (the output was closed): no more records are read.
///
/// A record is handed to the workers as soon as it is read (a slow stream is not held
/// back to fill a chunk); a worker hands its results over when no more work is waiting,
/// or after a chunk of them.
pub fn run_ordered<I, R, T, F, S>(records: I, jobs: usize, window: usize, work: F, mut sink: S)
where
    I: Iterator<Item = R> + Send,
    R: Send,
    T: Send,
    F: Fn(R) -> T + Sync,
    S: FnMut(Next<T>) -> ControlFlow<()>,
{
    let jobs = jobs.max(1);
    let window = window.max(jobs);
    let chunk = CHUNK.min(window / jobs).max(1);
    let (job_tx, job_rx) = sync_channel::<(usize, R)>(window);
    let job_rx = Mutex::new(job_rx);
    let (res_tx, res_rx) = sync_channel::<Vec<(usize, T)>>(window);
    // Tokens bound the records in flight: the reader takes one before each `chunk`
    // records, the writer gives one back after writing each `chunk` of them.
    let tokens = (window / chunk).max(1);
    let (tok_tx, tok_rx) = sync_channel::<()>(tokens);
    for _ in 0..tokens {
        let _ = tok_tx.send(());
    }
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for (i, record) in records.enumerate() {
                if i % chunk == 0 && tok_rx.recv().is_err() {
                    break;
                }
                if job_tx.send((i, record)).is_err() {
                    break;
                }
            }
        });
        for _ in 0..jobs {
            let res_tx = res_tx.clone();
            let job_rx = &job_rx;
            let work = &work;
            scope.spawn(move || loop {
                let job = match job_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => break,
                };
                let Ok((i, record)) = job else { break };
                let mut done = vec![(i, work(record))];
                // More work already waiting: do it before handing the results over. Never
                // wait here, not even for the lock: another worker may hold it while it
                // waits for work, and these results may be the ones the writer needs.
                while done.len() < chunk {
                    let next = match job_rx.try_lock() {
                        Ok(rx) => rx.try_recv(),
                        Err(_) => break,
                    };
                    let Ok((i, record)) = next else { break };
                    done.push((i, work(record)));
                }
                if res_tx.send(done).is_err() {
                    break;
                }
            });
        }
        drop(res_tx);
        let mut next = 0usize;
        let mut pending: BTreeMap<usize, T> = BTreeMap::new();
        'results: loop {
            let done = match res_rx.recv_timeout(PATIENCE) {
                Ok(done) => done,
                Err(RecvTimeoutError::Timeout) => {
                    if sink(Next::Waiting).is_break() {
                        break;
                    }
                    match res_rx.recv() {
                        Ok(done) => done,
                        Err(_) => break,
                    }
                }
                Err(RecvTimeoutError::Disconnected) => break,
            };
            pending.extend(done);
            while let Some(result) = pending.remove(&next) {
                if sink(Next::Result(result)).is_break() {
                    // The results channel closes as the loop ends, and the tokens with
                    // it: the workers and the reader stop at their next send or receive.
                    break 'results;
                }
                next += 1;
                if next % chunk == 0 {
                    let _ = tok_tx.send(());
                }
            }
        }
        drop(tok_tx);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Format;

    fn records(n: usize) -> impl Iterator<Item = Record> + Send {
        (0..n).map(|i| Record {
            source: format!("r{i}"),
            text: Ok(i.to_string()),
            format: Format::Json,
        })
    }

    #[test]
    fn keeps_order_and_count_under_parallelism() {
        let mut out = Vec::new();
        run_ordered(
            records(1000),
            4,
            16,
            |r| {
                // Uneven work, so results finish out of order.
                let n: u64 = r.text.as_deref().unwrap_or("0").parse().unwrap_or(0);
                std::thread::sleep(std::time::Duration::from_micros((n * 7919) % 300));
                r.source
            },
            |next| {
                if let Next::Result(s) = next {
                    out.push(s);
                }
                ControlFlow::Continue(())
            },
        );
        let expected: Vec<String> = (0..1000).map(|i| format!("r{i}")).collect();
        assert_eq!(out, expected);
    }

    /// A slow input: the sink hears that the next result is slow in coming (and flushes)
    /// before it, and loses nothing; a quick one does not hear it between records.
    #[test]
    fn a_slow_input_is_announced_to_the_sink() {
        let slow = records(3).inspect(|r| {
            if r.source != "r0" {
                std::thread::sleep(PATIENCE * 4);
            }
        });
        let mut heard = Vec::new();
        run_ordered(
            slow,
            2,
            8,
            |r| r.source,
            |next| {
                heard.push(next);
                ControlFlow::Continue(())
            },
        );
        let results: Vec<&Next<String>> = heard.iter().filter(|n| **n != Next::Waiting).collect();
        assert_eq!(
            results,
            [
                &Next::Result("r0".into()),
                &Next::Result("r1".into()),
                &Next::Result("r2".into())
            ]
        );
        let r1 = heard.iter().position(|n| *n == Next::Result("r1".into()));
        assert_eq!(heard.get(1), Some(&Next::Waiting), "{heard:?}");
        assert!(r1.is_some_and(|i| i > 1), "{heard:?}");

        let mut heard = Vec::new();
        run_ordered(
            records(200),
            2,
            64,
            |r| r.source,
            |next| {
                heard.push(next);
                ControlFlow::Continue(())
            },
        );
        assert!(!heard.contains(&Next::Waiting), "{heard:?}");
        assert_eq!(heard.len(), 200);
    }

    #[test]
    fn a_sink_can_stop_the_run() {
        let read = std::sync::atomic::AtomicUsize::new(0);
        let mut out = Vec::new();
        let counted = records(100_000).inspect(|_| {
            read.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
        run_ordered(
            counted,
            2,
            8,
            |r| r.source,
            |next| {
                if let Next::Result(s) = next {
                    out.push(s);
                }
                match out.len() {
                    10 => ControlFlow::Break(()),
                    _ => ControlFlow::Continue(()),
                }
            },
        );
        assert_eq!(out.len(), 10);
        // The reader stopped within a window or so of the break, not at the end.
        assert!(
            read.load(std::sync::atomic::Ordering::Relaxed) < 100,
            "{read:?}"
        );
    }
}
