//! Stage 2, validate: checking the batches of one table. The cells of a batch are checked on any
//! thread (`Context::check`: types, constraints, key fingerprints); keys, findings and the preview
//! are then taken in row order on one (`Sequencer::absorb`), so the report is the same whatever the
//! number of threads. Large tables run three kinds of thread at once: one parses, several check,
//! the caller's takes the results in order (`check_beside`).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{mpsc, Mutex};

use super::batch::Batch;
use super::profile::TableProfile;
use super::reader::RowReader;
use super::report::{Finding, Kind};
use super::rowkeys::{KeyTables, Lookup};
use super::rows::RowChecker;
use super::table::{TableScan, BATCH_BYTES, BATCH_ROWS, MAX_FINDINGS};
use super::table::{SHARED_BATCH_BYTES, SHARED_BATCH_ROWS};

/// What checking a batch needs; shared by the checking threads.
#[derive(Clone, Copy)]
pub(super) struct Context<'c, 's> {
    pub checker: &'c RowChecker<'s>,
    /// Field names, to name the field of an encoding error.
    pub names: &'c [String],
    pub shown: &'c Path,
    pub skip_space: bool,
    /// Also profile the columns (`profile`).
    pub profile: bool,
}

/// A batch with what checking its cells found, before its keys are looked up.
pub(super) struct Checked {
    batch: Batch,
    findings: Vec<Finding>,
    /// Findings past `MAX_FINDINGS` in this batch: counted, not kept (none of them would be).
    dropped: u64,
    lookups: Vec<Lookup>,
    profile: Option<TableProfile>,
}

impl Context<'_, '_> {
    /// Checks the cells of every row of `batch`.
    pub(super) fn check(&self, batch: Batch) -> Checked {
        let mut findings = Vec::new();
        let mut dropped = 0;
        let mut lookups =
            Vec::with_capacity(batch.rows.len() * self.checker.keys().lookups_per_row());
        let mut profile = self.profile.then(|| TableProfile::new(self.names.len()));
        {
            let mut cells = Vec::new();
            let mut values = Vec::new();
            for k in 0..batch.rows.len() {
                let row = batch.rows[k].number;
                if let Err(index) = batch.cells_into(k, self.skip_space, &mut cells) {
                    findings.push(bad_utf8(row, index, &batch, k, self.names, self.shown));
                    continue;
                }
                let out = (&mut findings, &mut lookups);
                self.checker.check(&cells, (row, k), out, &mut values);
                // A batch of a million blank or broken rows (empty lines at the end are one
                // batch) would otherwise hold a million findings at once.
                if findings.len() > MAX_FINDINGS {
                    dropped += (findings.len() - MAX_FINDINGS) as u64;
                    findings.truncate(MAX_FINDINGS);
                }
                if let Some(p) = &mut profile {
                    p.add(&cells, &values, |i, text| self.checker.is_missing(i, text));
                }
            }
        }
        Checked {
            batch,
            findings,
            dropped,
            lookups,
            profile,
        }
    }
}

/// What is taken in row order: the key tables, the rows kept, the findings kept, the profile.
pub(super) struct Sequencer {
    pub tables: KeyTables,
    /// The first `keep` rows with cells (the preview, or every row for a full-table view).
    pub preview: Vec<Vec<String>>,
    pub keep: usize,
    pub profile: Option<TableProfile>,
}

impl Sequencer {
    /// Takes a checked batch (the next in row order): looks up its keys, keeps its findings in
    /// row order and the first rows for the preview; gives the batch back for reuse.
    pub(super) fn absorb(
        &mut self,
        ctx: &Context,
        checked: Checked,
        scan: &mut TableScan,
    ) -> Batch {
        let Checked {
            batch,
            mut findings,
            dropped,
            lookups,
            profile,
        } = checked;
        scan.rows += batch.rows.len() as u64;
        scan.omitted += dropped;
        if let (Some(mine), Some(theirs)) = (&mut self.profile, profile) {
            mine.merge(theirs);
        }
        let skip_space = ctx.skip_space;
        for k in 0..batch.rows.len() {
            if self.preview.len() >= self.keep {
                break;
            }
            if let Ok(cells) = batch.cells(k, skip_space) {
                if !cells.is_empty() {
                    self.preview
                        .push(cells.into_iter().map(str::to_owned).collect());
                }
            }
        }
        let cells_of = |at: usize| {
            let cells = batch.cells(at, skip_space).unwrap_or_default();
            cells.into_iter().map(str::to_owned).collect()
        };
        let keys = ctx.checker.keys();
        let dropped = (self.tables).flush(keys, &lookups, &cells_of, ctx.shown, &mut findings);
        // Key findings were made after the batch's cell findings: back into row order.
        findings.sort_by_key(|f| f.row);
        scan.omitted += dropped;
        scan.push_all(findings);
        batch
    }
}

/// Batch sizes for `workers` checking threads: small batches stay in the cache between the
/// parser and the checks (one thread); with several, larger ones keep the threads from waking
/// each other too often (both measured on the benchmark).
pub(super) fn batch_size(workers: usize) -> (usize, usize) {
    if workers <= 1 {
        (BATCH_ROWS, BATCH_BYTES)
    } else {
        (SHARED_BATCH_ROWS, SHARED_BATCH_BYTES)
    }
}

/// Reads and checks the rest of the table: one thread parses, `workers` threads check cells,
/// this one takes their results in row order. Batches of `(rows, bytes)` travel back to the
/// parser to be reused.
pub(super) fn check_beside(
    rows: &mut RowReader,
    (ctx, seq): (&Context, &mut Sequencer),
    scan: &mut TableScan,
    workers: usize,
    (batch_rows, batch_bytes): (usize, usize),
) {
    let workers = workers.max(1);
    let (jobs, waiting_jobs) = mpsc::sync_channel::<(u64, Batch)>(workers.max(4));
    let waiting_jobs = Mutex::new(waiting_jobs);
    let (done, results) = mpsc::channel::<(u64, Checked)>();
    let (give_back, spare) = mpsc::channel::<Batch>();
    let parser_findings = std::thread::scope(|s| {
        let parser = s.spawn(move || {
            let mut found = TableScan::default();
            for index in 0.. {
                let mut batch = spare.try_recv().unwrap_or_default();
                batch.clear();
                rows.fill(&mut batch, batch_rows, batch_bytes, &mut found);
                if batch.rows.is_empty() {
                    break;
                }
                batch.seal();
                if jobs.send((index, batch)).is_err() {
                    break;
                }
            }
            found.findings
        });
        if workers == 1 {
            // One checking thread: this one, with no hand-over of results.
            drop(done);
            if let Ok(receiver) = waiting_jobs.lock() {
                for (_, batch) in receiver.iter() {
                    let _ = give_back.send(seq.absorb(ctx, ctx.check(batch), scan));
                }
            }
            return parser.join().unwrap_or_default();
        }
        for _ in 0..workers {
            let done = done.clone();
            let waiting_jobs = &waiting_jobs;
            s.spawn(move || {
                let own = ctx.checker.clone();
                let ctx = Context {
                    checker: &own,
                    ..*ctx
                };
                loop {
                    // The lock is held while waiting: one worker waits for the parser at a time.
                    let job = match waiting_jobs.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => break,
                    };
                    let Ok((index, batch)) = job else { break };
                    if done.send((index, ctx.check(batch))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done);
        let mut early: BTreeMap<u64, Checked> = BTreeMap::new();
        let mut next = 0;
        for (index, checked) in results {
            early.insert(index, checked);
            while let Some(checked) = early.remove(&next) {
                // The parser may have finished; then the batch is simply dropped.
                let _ = give_back.send(seq.absorb(ctx, checked, scan));
                next += 1;
            }
        }
        parser.join().unwrap_or_default()
    });
    scan.push_all(parser_findings);
}

/// An encoding error at `row`, naming the field and showing the value as far as it can be read.
fn bad_utf8(
    row: u64,
    index: usize,
    batch: &Batch,
    k: usize,
    names: &[String],
    shown: &Path,
) -> Finding {
    let field = index + 1;
    let name = names
        .get(index)
        .cloned()
        .unwrap_or_else(|| format!("column {field}"));
    let value = batch
        .raw(k)
        .nth(index)
        .map(String::from_utf8_lossy)
        .unwrap_or_default()
        .into_owned();
    Finding::new(Kind::EncodingError, shown, "text in the file's encoding (UTF-8)")
        .row(row)
        .field(name, Some(field))
        .found(value)
        .hint("the file is probably Windows-1251 (an Excel export): save it as “CSV UTF-8”, or declare \"encoding\": \"windows-1251\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::dialect::Dialect;
    use crate::catalog::schema::Schema;
    use crate::validate::parse::Parser;
    use crate::validate::reader::Records;
    use crate::validate::table::PREVIEW_ROWS;

    type Seen = (
        u64,
        Vec<(Option<u64>, Option<usize>, Kind)>,
        Vec<Vec<String>>,
        String,
    );

    /// Checks `text` on this thread (`workers: None`) or beside a parser with tiny batches, so
    /// that results arrive out of order.
    fn run(text: &[u8], workers: Option<usize>) -> Seen {
        let schema = Schema::parse(&serde_json::json!({
            "fields": [
                {"name": "id", "type": "integer", "constraints": {"unique": true}},
                {"name": "name", "type": "string", "constraints": {"required": true}},
                {"name": "parent", "type": "integer"}
            ],
            "primaryKey": ["id"],
            "foreignKeys": [{"fields": ["parent"], "reference": {"resource": "", "fields": ["id"]}}]
        }))
        .unwrap();
        let dialect = Dialect::default();
        let shown = Path::new("t.csv");
        let parser = Parser::new(b',', b'"', true, None, None);
        let records = Records::new(parser, Box::new(text));
        let mut rows = RowReader::new(records, &dialect, shown);
        let mut scan = TableScan::default();
        let mut batch = Batch::default();
        rows.read_header(&mut batch, &mut scan);
        let mut findings = Vec::new();
        let checker = RowChecker::new(&schema, None, true, shown, &mut findings);
        let names = vec!["id".to_owned(), "name".to_owned(), "parent".to_owned()];
        let ctx = Context {
            checker: &checker,
            names: &names,
            shown,
            skip_space: false,
            profile: true,
        };
        let mut seq = Sequencer {
            tables: checker.keys().tables(),
            preview: Vec::new(),
            keep: PREVIEW_ROWS,
            profile: Some(TableProfile::new(names.len())),
        };
        match workers {
            Some(n) => check_beside(&mut rows, (&ctx, &mut seq), &mut scan, n, (3, 64)),
            None => loop {
                rows.fill(&mut batch, 3, 64, &mut scan);
                if batch.rows.is_empty() {
                    break;
                }
                batch.seal();
                batch = seq.absorb(&ctx, ctx.check(batch), &mut scan);
                batch.clear();
            },
        }
        seq.tables.finish(checker.keys(), shown, &mut scan.findings);
        let found = scan
            .findings
            .iter()
            .map(|f| (f.row, f.field_number, f.kind))
            .collect();
        let profile = format!("{:?}", seq.profile.map(|p| p.finish(&schema)));
        (scan.rows, found, seq.preview, profile)
    }

    #[test]
    fn same_findings_whatever_the_threads() {
        let mut text = b"id,name,parent\n".to_vec();
        for i in 0..400 {
            let line = match i % 9 {
                0 => format!("{},dup,{}\n", i / 2, i / 3),
                1 => "\n".to_owned(),
                2 => format!("x{i},,\n"),
                3 => format!("{i},\"q,\"\"{i}\"\"\",9999\n"),
                4 => format!("{i},bad\u{1}\n"),
                5 => format!("{i},extra,1,2\n"),
                6 => "7,same,7\n".to_owned(),
                _ => format!("{i},n{i},{}\n", i - 1),
            };
            // A byte that is not UTF-8, in its own row.
            text.extend(line.bytes().map(|b| if b == 1 { 0xFF } else { b }));
        }
        let alone = run(&text, None);
        assert!(alone.1.len() > 150, "the table has findings of every kind");
        assert_eq!(alone.2.len(), PREVIEW_ROWS);
        for workers in [1, 3] {
            assert_eq!(
                run(&text, Some(workers)),
                alone,
                "{workers} checking threads"
            );
        }
    }
}
