//! The pipeline: the output stage's writing of rendered batches, on a thread of its own, so that
//! rendering goes on while a batch is written (a rebuild at national scale hands over half a
//! million kept files, whose placing, and the builder's checking of their paths, took turns on
//! one core).
//!
//! Invariants: batches are written one at a time, in the order they were handed over, by `step`
//! alone; a batch is handed over only when the thread takes it (no queue), so at most the batch
//! being written and the one being rendered are held. The first error stops the writing and is
//! the one the next hand-over (or `finish`) returns. Without a thread (a build on one thread, or
//! none could be started) every batch is written where it is handed over, as before.

use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

use crate::cache;
use crate::error::Error;
use crate::render::{self, Site};

/// Writes batches with `step` into a state `S` (the publication and the build cache's journal).
pub struct Background<S: Send + 'static> {
    step: fn(&mut S, Site) -> Result<(), Error>,
    mode: Mode<S>,
}

enum Mode<S> {
    /// Written on the writer thread.
    Thread {
        tx: SyncSender<Site>,
        handle: JoinHandle<Result<S, Error>>,
    },
    /// Written here (`None` once the state was taken back: at the end, or at the writing's error).
    Here(Option<S>),
}

impl<S: Send + 'static> Background<S> {
    /// Starts the writer thread with `state` — unless the build runs on one thread
    /// (`RAYON_NUM_THREADS=1`), which then writes every batch itself.
    pub fn start(state: S, step: fn(&mut S, Site) -> Result<(), Error>) -> Background<S> {
        if rayon::current_num_threads() < 2 {
            return Background {
                step,
                mode: Mode::Here(Some(state)),
            };
        }
        let (tx, rx) = sync_channel::<Site>(0);
        // Passed through a slot, so that it is still here should no thread start.
        let slot = std::sync::Arc::new(std::sync::Mutex::new(Some(state)));
        let theirs = std::sync::Arc::clone(&slot);
        let spawned = std::thread::Builder::new()
            .name("hromadata-writer".into())
            .spawn(move || {
                let taken = theirs.lock().ok().and_then(|mut s| s.take());
                let Some(mut state) = taken else {
                    return Err(Error::Interrupted);
                };
                for batch in rx {
                    step(&mut state, batch)?;
                }
                Ok(state)
            });
        let mode = match spawned {
            Ok(handle) => Mode::Thread { tx, handle },
            Err(_) => Mode::Here(slot.lock().ok().and_then(|mut s| s.take())),
        };
        Background { step, mode }
    }

    /// Hands `batch` over, waiting while the one before is being written; the writing's error
    /// if it stopped (after which the build stops: a later hand-over says it was interrupted).
    pub fn send(&mut self, batch: Site) -> Result<(), Error> {
        let step = self.step;
        match &mut self.mode {
            Mode::Here(Some(state)) => step(state, batch),
            Mode::Here(None) => Err(Error::Interrupted),
            Mode::Thread { tx, .. } => match tx.send(batch) {
                Ok(()) => Ok(()),
                // The thread stopped, at its error; had it ended well, the batch is written here.
                Err(returned) => {
                    let mut state = self.join()?;
                    let written = step(&mut state, returned.0);
                    self.mode = Mode::Here(Some(state));
                    written
                }
            },
        }
    }

    /// Waits for the last batch to be written; the state, or the writing's error.
    pub fn finish(mut self) -> Result<S, Error> {
        self.join()
    }

    /// Ends the thread (if there is one) and takes the state back.
    fn join(&mut self) -> Result<S, Error> {
        match std::mem::replace(&mut self.mode, Mode::Here(None)) {
            Mode::Thread { tx, handle } => {
                drop(tx);
                match handle.join() {
                    Ok(result) => result,
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            Mode::Here(state) => state.ok_or(Error::Interrupted),
        }
    }
}

/// Writes a rendered batch into the staging folder, and its files' stamps into the journal.
pub fn write_batch(
    (publication, journal): &mut (crate::output::Publication, Option<cache::Journal>),
    batch: render::Site,
) -> Result<(), Error> {
    let stamps = publication.write(&batch)?;
    if let Some(j) = journal {
        j.add(batch.keys().zip(stamps));
    }
    Ok(())
}

impl<S: Send + 'static> Drop for Background<S> {
    /// Stopped early (a finding, an error): the thread ends once the batch it holds is written,
    /// and the state (the staging folder) is let go of here, in order.
    fn drop(&mut self) {
        let _ = self.join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Content;

    fn batch(path: &str) -> Site {
        [(path.to_owned(), Content::Bytes(Vec::new()))].into()
    }

    #[test]
    fn batches_are_written_in_order_and_the_first_error_stops_the_writing() {
        let step = |seen: &mut Vec<String>, batch: Site| {
            let path = batch.into_keys().next().unwrap_or_default();
            if path == "bad" {
                return Err(Error::Interrupted);
            }
            seen.push(path);
            Ok(())
        };
        let mut writer = Background::start(Vec::new(), step);
        for path in ["a", "b", "c"] {
            writer.send(batch(path)).unwrap();
        }
        assert_eq!(writer.finish().unwrap(), ["a", "b", "c"]);

        // On one thread (a pool of one), the same.
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let mut here = one.install(|| Background::start(Vec::new(), step));
        assert!(matches!(here.mode, Mode::Here(Some(_))));
        here.send(batch("a")).unwrap();
        assert_eq!(here.finish().unwrap(), ["a"]);

        let mut writer = Background::start(Vec::new(), step);
        writer.send(batch("a")).unwrap();
        // The failing batch is taken; its error comes with a later hand-over, or at the end.
        let sent = (writer.send(batch("bad"))).and_then(|()| writer.send(batch("c")));
        let sent = sent.and_then(|()| writer.send(batch("d")));
        assert!(matches!(sent, Err(Error::Interrupted)), "{sent:?}");
        assert!(matches!(writer.finish(), Err(Error::Interrupted)));
    }
}
