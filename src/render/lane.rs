//! Stage 4, render: a second lane for catalogue-wide files (`alongside`). Files made on their own
//! thread while others are added are handed over in the order they were made, to be added after
//! those — the same order, so the same batches and the same site, as when made one after the
//! other.
//!
//! Invariants: what waits in the lane is bounded by its bytes; a lane given up by its reader (the
//! other side failed) makes its writer stop at its next file.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};

use super::builder::Builder;
use super::machine::Add;
use super::Rendered as Output;
use crate::error::Error;

/// Runs `first`, which adds files to `out`, while `then` makes files on a thread of its own;
/// then adds `then`'s files, in the order made: the files come in the order they would one step
/// after the other. At most about `limit` bytes of `then`'s files wait meanwhile.
pub fn alongside<T: Send>(
    out: &mut Builder,
    limit: usize,
    first: impl FnOnce(&mut Builder) -> Result<(), Error>,
    then: impl FnOnce(&mut Add) -> Result<T, Error> + Send,
) -> Result<T, Error> {
    let lane = Lane::new(limit);
    std::thread::scope(|s| {
        let writer = s.spawn(|| {
            // Closed however `then` ends, a panic included: the reader never waits for nothing.
            let _close = OnDrop(&lane, Lane::close);
            then(&mut |path, content, origin| lane.send((path, content, origin)))
        });
        let added = {
            // Given up however this side ends (done, failed or panicking): a writer waiting for
            // room stops, and the scope does not wait on it forever.
            let _give_up = OnDrop(&lane, Lane::give_up);
            first(out).and_then(|()| loop {
                let files = lane.take();
                if files.is_empty() {
                    break Ok(());
                }
                for (path, content, origin) in files {
                    out.add(path, content, origin)?;
                }
            })
        };
        let made = writer
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        added.and(made)
    })
}

/// Calls its function on the lane when dropped.
struct OnDrop<'l>(&'l Lane, fn(&Lane));

impl Drop for OnDrop<'_> {
    fn drop(&mut self) {
        (self.1)(self.0);
    }
}

/// Files made and not yet taken, with the bytes they hold, shared by one writer and one reader.
pub struct Lane {
    state: Mutex<State>,
    /// Signalled when a file comes or the writer is done (the reader waits on it).
    filled: Condvar,
    /// Signalled when files are taken or the reader gives up (the writer waits on it).
    emptied: Condvar,
    /// Bytes the waiting files may hold before the writer waits.
    limit: usize,
}

#[derive(Default)]
struct State {
    waiting: VecDeque<Output>,
    held: usize,
    done: bool,
    given_up: bool,
}

impl Lane {
    /// A lane whose waiting files hold at most about `limit` bytes (one file more than that
    /// always fits: a file larger than the limit still passes).
    pub fn new(limit: usize) -> Lane {
        Lane {
            state: Mutex::new(State::default()),
            filled: Condvar::new(),
            emptied: Condvar::new(),
            limit,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic on the other side poisons the lock; the state itself is still whole.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Hands on one file, waiting while the lane is full; `Error::Interrupted` once the reader
    /// gave up (its own error is the one reported).
    pub fn send(&self, made: Output) -> Result<(), Error> {
        let size = made.1.held();
        let mut state = self.lock();
        while state.held > 0 && state.held + size > self.limit && !state.given_up {
            state = self.emptied.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        if state.given_up {
            return Err(Error::Interrupted);
        }
        state.held += size;
        state.waiting.push_back(made);
        self.filled.notify_one();
        Ok(())
    }

    /// The writer made its last file (or failed: its result says which).
    pub fn close(&self) {
        self.lock().done = true;
        self.filled.notify_one();
    }

    /// The reader takes no more files: the writer stops at its next one.
    pub fn give_up(&self) {
        let mut state = self.lock();
        state.given_up = true;
        state.waiting.clear();
        self.emptied.notify_one();
    }

    /// The files waiting, in the order made, waiting for one when there is none; empty once the
    /// writer is done and all were taken.
    pub fn take(&self) -> Vec<Output> {
        let mut state = self.lock();
        while state.waiting.is_empty() && !state.done {
            state = self.filled.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        state.held = 0;
        let taken = state.waiting.drain(..).collect();
        self.emptied.notify_one();
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Content;

    fn file(n: usize, bytes: usize) -> Output {
        (
            format!("f{n}"),
            Content::Bytes(vec![0; bytes]),
            "test".into(),
        )
    }

    #[test]
    fn files_come_out_in_the_order_made_and_the_writer_waits_at_the_limit() {
        let lane = Lane::new(100);
        let taken = std::thread::scope(|s| {
            let writer = s.spawn(|| {
                for n in 0..50 {
                    lane.send(file(n, 30))?;
                    // Never more than the limit waiting (but one file more than it).
                    assert!(lane.lock().held <= 100 + 30);
                }
                lane.close();
                Ok::<(), Error>(())
            });
            let mut taken = Vec::new();
            loop {
                let files = lane.take();
                if files.is_empty() {
                    break;
                }
                taken.extend(files.into_iter().map(|(path, _, _)| path));
            }
            writer.join().unwrap().unwrap();
            taken
        });
        let want: Vec<String> = (0..50).map(|n| format!("f{n}")).collect();
        assert_eq!(taken, want);
    }

    #[test]
    fn files_held_elsewhere_never_fill_the_lane_and_a_large_file_passes_an_empty_one() {
        let lane = Lane::new(10);
        for n in 0..1000 {
            let kept = (format!("k{n}"), Content::Previous(None), "test".into());
            lane.send(kept).unwrap();
        }
        lane.send(file(0, 1000)).unwrap();
        lane.close();
        assert_eq!(lane.take().len(), 1001);
        assert!(lane.take().is_empty());
    }

    /// `alongside` into a builder whose batches are kept; the paths added, in order.
    fn run_alongside(
        first: impl FnOnce(&mut Builder) -> Result<(), Error>,
        then: impl FnOnce(&mut Add) -> Result<(), Error> + Send,
    ) -> (Result<(), Error>, Vec<String>) {
        let mut paths = Vec::new();
        let mut sink = |site: crate::render::Site| {
            paths.extend(site.into_keys());
            Ok(())
        };
        let mut out = Builder::new(&mut sink);
        let result = alongside(&mut out, 10, first, then).and_then(|()| out.flush());
        drop(out);
        (result, paths)
    }

    #[test]
    fn files_made_alongside_are_added_after_the_first_sides() {
        let (result, paths) = run_alongside(
            |out| out.add("a".into(), bytes(1), "first"),
            |add| (0..100).try_for_each(|n| add(format!("b{n:03}"), bytes(8), "then".into())),
        );
        result.unwrap();
        assert_eq!(paths.len(), 101);
        // A path both sides claim is the first side's first: the message names it first.
        let (result, _) = run_alongside(
            |out| out.add("same".into(), bytes(1), "the first side"),
            |add| add("same".into(), bytes(1), "the lane".into()),
        );
        let message = result.unwrap_err().to_string();
        assert!(
            message.ends_with("(from the first side and the lane)"),
            "{message}"
        );
    }

    #[test]
    fn a_failing_side_ends_the_other_and_a_panicking_writer_does_not_hang_the_reader() {
        // The first side fails while the writer waits for room: its error, no hang.
        let (result, _) = run_alongside(
            |_| Err(Error::Interrupted),
            |add| (0..100).try_for_each(|n| add(format!("b{n}"), bytes(8), "then".into())),
        );
        assert!(matches!(result, Err(Error::Interrupted)));
        // The writer panics: the panic comes through once the first side is done.
        let panicked = std::panic::catch_unwind(|| {
            run_alongside(
                |out| out.add("a".into(), bytes(1), "first"),
                |_| panic!("a writer's bug"),
            )
        });
        assert!(panicked.is_err());
    }

    fn bytes(n: usize) -> Content {
        Content::Bytes(vec![0; n])
    }

    #[test]
    fn a_writer_stops_once_the_reader_gave_up() {
        let lane = Lane::new(10);
        std::thread::scope(|s| {
            let writer = s.spawn(|| {
                let mut sent = 0;
                let result = (0..1000).try_for_each(|n| {
                    sent += 1;
                    lane.send(file(n, 8))
                });
                (result, sent)
            });
            assert_eq!(lane.take().len(), 1);
            lane.give_up();
            let (result, sent) = writer.join().unwrap();
            assert!(matches!(result, Err(Error::Interrupted)));
            assert!(sent < 1000, "stopped early, after {sent}");
        });
    }
}
