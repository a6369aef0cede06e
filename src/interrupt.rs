//! Ctrl-C and SIGTERM: a flag that long loops poll, so an interrupted run unwinds through the
//! normal error path — the staging folder's guard removes it and the published site stays as it
//! was — instead of dying mid-write.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::Error;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs the handler once per process; later calls do nothing.
pub fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // If a handler cannot be installed the run goes on; stale staging folders are then
        // removed by the next build.
        let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
    });
}

/// `Err(Error::Interrupted)` once an interrupt has arrived.
pub fn check() -> Result<(), Error> {
    if INTERRUPTED.load(Ordering::SeqCst) {
        Err(Error::Interrupted)
    } else {
        Ok(())
    }
}
