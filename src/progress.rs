//! Progress on stderr: a redrawn bar when stderr is a terminal, plain lines otherwise (CI logs).
//! Progress never goes to stdout, which carries only the report.

use std::io::{IsTerminal, Write};

/// Reports the steps of a run.
pub struct Progress {
    terminal: bool,
    label: &'static str,
    total: usize,
    done: usize,
}

impl Progress {
    /// Starts a stage of `total` steps.
    pub fn start(label: &'static str, total: usize) -> Self {
        let terminal = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        if !terminal {
            eprintln!("{label}: {total} to do");
        }
        Progress {
            terminal,
            label,
            total,
            done: 0,
        }
    }

    /// One step done.
    pub fn step(&mut self, what: &str) {
        self.done += 1;
        if !self.terminal {
            return;
        }
        let width = 30;
        let filled = (self.done * width)
            .checked_div(self.total)
            .unwrap_or(width)
            .min(width);
        let what: String = what.chars().take(40).collect();
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2K{:<10} [{}{}] {}/{} {}",
            self.label,
            "#".repeat(filled),
            "-".repeat(width - filled),
            self.done,
            self.total,
            what
        );
        let _ = err.flush();
    }

    /// The stage is over.
    pub fn finish(self) {
        if self.terminal {
            eprint!("\r\x1b[2K");
        }
        eprintln!("{}: {} done", self.label, self.done);
    }
}
