//! The build with its cache (`crate::cache`) around the pipeline: "up to date" when nothing
//! changed, datasets kept when theirs did not, catalogue-wide files memoised by their inputs,
//! and the record of what was built for the next build. A missing or damaged cache only means
//! more is built; the cache never changes what is built.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;

use super::{inputs, report_text, run, BuildOptions, Built, Outcome, Timings};
use crate::cache;
use crate::catalog::{self, Catalog};
use crate::error::Error;
use crate::render;
use crate::validate::Validated;

/// What a build with the cache brings to `run`: the setting's digests, the source tree's stamps
/// at the start with the hashes recorded for them, and what the last build left to reuse.
pub(super) struct CacheRun {
    setting: cache::Digests,
    now: BTreeMap<String, cache::Stamp>,
    /// Those of the source files that are not regular files (`cache::Tree::special`).
    special: Vec<String>,
    /// The last build's record of the source files' hashes and its manifest.
    records: Pending<(Known, cache::reuse::Manifest)>,
    /// The source files' hashes and the datasets' fingerprints, once `keep` has made them.
    fingerprinted: Option<(BTreeMap<String, String>, Fingerprints)>,
}

/// The recorded stamp and hash of each source file.
type Known = BTreeMap<String, (cache::Stamp, String)>;

/// A value made on a thread of its own, waited for when first needed: the last build's records
/// are read beside the catalogue's loading (at national scale, tens of megabytes of JSON read on
/// one core while the other waited).
pub(super) struct Pending<T> {
    making: Option<std::thread::JoinHandle<T>>,
    made: Option<T>,
}

impl CacheRun {
    /// The source folder as the cache's walk found it, for loading (`catalog::Listing`).
    pub(super) fn listing(&self) -> catalog::Listing<'_> {
        let paths = self.now.keys().map(String::as_str);
        catalog::Listing::new(paths, self.special.iter().map(String::as_str))
    }
}

impl<T: Send + 'static> Pending<T> {
    fn spawn(make: impl FnOnce() -> T + Send + 'static) -> Pending<T> {
        Pending {
            making: Some(std::thread::spawn(make)),
            made: None,
        }
    }

    fn get(&mut self) -> &mut T {
        if let Some(making) = self.making.take() {
            // The thread only reads files, turning failures into empty records; a panic there
            // is a bug, carried on to this thread.
            let made = making
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            return self.made.insert(made);
        }
        (self.made.as_mut()).expect("made when the thread was joined")
    }
}

/// Every dataset's fingerprints (`cache::reuse::fingerprints`).
type Fingerprints = cache::reuse::Fingerprints;

/// `hromadata build`: validate, render and publish — or, when the cache shows that nothing
/// changed since the last build and the site is as that build left it, only say so.
pub fn build(options: &BuildOptions) -> Result<Outcome, Error> {
    let inputs = inputs(options)?;
    let mut timings = Timings::new(options.timings);
    let Some(dir) = &options.cache else {
        let built = run(options, &inputs, &mut timings, None)?;
        timings.print(built.files);
        return Ok(built.outcome);
    };
    let setting = cache::Digests::of(&cache::Setting {
        theme: &inputs.theme,
        options: inputs.describe(options),
    });
    let tree = cache::tree(&options.source);
    let now = tree.as_ref().map(|tree| &tree.stamps);
    let state = cache::load_state(dir);
    // The check may have read the record of the source files and hashed the touched ones: the
    // build takes them as they are instead of reading and hashing them again.
    let known = match up_to_date(options, dir, &setting.whole, state, now) {
        Ok(outcome) => {
            timings.stage("check");
            timings.print(0);
            return Ok(outcome);
        }
        Err(known) => known,
    };
    let mut cached = tree.map(|tree| CacheRun {
        setting: setting.clone(),
        now: tree.stamps,
        special: tree.special,
        records: Pending::spawn({
            let dir = dir.clone();
            move || {
                let known = known.unwrap_or_else(|| cache::load(&dir).sources);
                (known, cache::reuse::load(&dir))
            }
        }),
        fingerprinted: None,
    });
    timings.stage("check");
    let mut built = run(options, &inputs, &mut timings, cached.as_mut())?;
    // The last build's records are let go of before this one's are made.
    let now = cached.map(|c| c.now);
    if let (true, Some(now)) = (built.published, now) {
        if let Err(e) = remember(dir, options, &setting, now, &mut built) {
            eprintln!(
                "warning: could not write the build cache `{}`: {e}",
                dir.display()
            );
        }
        timings.stage("cache");
    }
    timings.print(built.files);
    let outcome = built.outcome;
    // Freed beside whatever comes next (at national scale, half a million paths).
    rayon::spawn(move || drop(built));
    Ok(outcome)
}

/// `Ok(outcome)` of the last build, with its report printed again, when its key still holds and
/// its site is intact. Untouched sources are seen from their stamps' digest alone; touched ones
/// are hashed, and when their content is what it was the record takes the new stamps. Otherwise
/// `Err` with every source file's stamp and hash when the check made them (`None` when not).
fn up_to_date(
    options: &BuildOptions,
    dir: &Path,
    setting: &str,
    mut record: cache::Record,
    now: Option<&BTreeMap<String, cache::Stamp>>,
) -> Result<Outcome, Option<Known>> {
    let Some(now) = now else {
        return Err(None);
    };
    if record.key.is_empty() || record.setting != setting {
        return Err(None);
    }
    let touched = cache::stamps_digest(now) != record.sources_stamps;
    if touched {
        record.sources = cache::load(dir).sources;
        let Some(hashes) = cache::hashes(&options.source, now, &record.sources) else {
            return Err(None);
        };
        let same = cache::key(setting, &hashes) == record.key;
        record.sources = sources(now, hashes);
        if !same {
            return Err(Some(record.sources));
        }
        record.sources_stamps = cache::stamps_digest(now);
    }
    if !cache::site_intact(&options.out, &record) {
        return Err(touched.then_some(record.sources));
    }
    if touched {
        let _ = cache::save(dir, &record);
    }
    print!("{}", record.report);
    eprintln!(
        "up to date: nothing changed since the last build of `{}` ({} files)",
        options.out.display(),
        record.files
    );
    Ok(if record.findings {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// Source files with their stamps and hashes, for the record.
fn sources(
    now: &BTreeMap<String, cache::Stamp>,
    hashes: BTreeMap<String, String>,
) -> BTreeMap<String, (cache::Stamp, String)> {
    // Both in path order: walked side by side rather than looked up (a national tree's
    // 140,000 paths share long prefixes), and the hashes' strings taken, not copied — on the
    // pipeline's thread.
    let mut now = now.iter().peekable();
    (hashes.into_iter())
        .filter_map(|(path, sha)| {
            while now.next_if(|(p, _)| **p < path).is_some() {}
            let (_, stamp) = now.next_if(|(p, _)| **p == path)?;
            Some((path, (*stamp, sha)))
        })
        .collect()
}

/// Records the build just made: the sources' hashes (data files' from validation, the others
/// read now unless unchanged since the last record), the key and the site's stamps (as the
/// output stage left the files, else from a walk of the site).
fn remember(
    dir: &Path,
    options: &BuildOptions,
    setting: &cache::Digests,
    now: BTreeMap<String, cache::Stamp>,
    built: &mut Built,
) -> std::io::Result<()> {
    let not_read = || std::io::Error::other("a source file could not be read");
    let hashes = built.memoised.hashes.take().ok_or_else(not_read)?;
    let journal = built.site_stamps.take();
    let site = (journal.and_then(|(j, marker)| j.read(built.files, marker)))
        .or_else(|| cache::stamp_list(&options.out))
        .ok_or_else(not_read)?;
    // Looked up by hash: a binary search of half a million paths that share long prefixes was
    // a few tenths of a second at national scale.
    let by_path: std::collections::HashMap<&str, &cache::Stamp, foldhash::fast::FixedState> =
        (site.iter()).map(|(p, s)| (p.as_str(), s)).collect();
    let stamped = |p: &String| Some((p.clone(), **by_path.get(p.as_str())?));
    let fresh = (built.datasets.par_iter()).filter_map(|(id, (result, paths))| {
        let outputs = paths.iter().map(stamped).collect::<Option<Vec<_>>>()?;
        let fingerprint = built.memoised.fingerprints.whole.get(id)?;
        let entry = cache::reuse::Entry::of(fingerprint, result, outputs)?;
        Some((id.as_str().to_owned(), entry))
    });
    // A kept dataset's entry stands with its files' stamps as they are now (a file linked
    // again from the previous site has a new one).
    let kept = std::mem::take(&mut built.kept);
    let kept = (kept.into_par_iter()).filter_map(|(id, mut entry)| {
        for (path, stamp) in &mut entry.outputs {
            *stamp = **by_path.get(path.as_str())?;
        }
        Some((id.as_str().to_owned(), entry))
    });
    let datasets = fresh.chain(kept).collect();
    let pages = (built.memoised.page_keys.iter())
        .filter_map(|(p, key)| stamped(p).map(|(p, stamp)| (p, (key.clone(), stamp))))
        .collect();
    // Written while the site's stamps are digested: at national scale each is a few tenths of a
    // second of one core.
    let spans = std::mem::take(&mut built.memoised.spans);
    let manifest = cache::reuse::Manifest {
        datasets,
        dataset_templates: setting.of_templates(&render::DATASET_TEMPLATES),
        pages,
        spans,
    };
    let (saved, site_stamps) = rayon::join(
        || cache::reuse::save(dir, &manifest),
        || cache::stamps_digest(cache::pairs(&site)),
    );
    saved?;
    let record = cache::Record {
        key: cache::key(&setting.whole, &hashes),
        setting: setting.whole.clone(),
        sources_stamps: cache::stamps_digest(&now),
        site_stamps,
        files: site.len(),
        findings: built.outcome == Outcome::Findings,
        report: report_text(&built.report),
        sources: sources(&now, hashes),
    };
    cache::save(dir, &record)
}

/// The datasets the build cache keeps (see `cache::reuse`): reading every source file's hash
/// costs a walk of the tree (recorded hashes of unchanged files are reused), so only when the
/// last build left datasets to keep, into the site at `out` that it made.
pub(super) fn keep(
    c: &mut CacheRun,
    folders: &cache::reuse::Folders,
    source: &Path,
    out: &Path,
) -> BTreeMap<catalog::DatasetId, cache::reuse::Entry> {
    let (known, manifest) = c.records.get();
    let hashes = (!manifest.datasets.is_empty() && crate::output::is_ours(out))
        .then(|| cache::hashes(source, &c.now, known))
        .flatten();
    let Some(hashes) = hashes else {
        // Nothing to keep: the last build's entries are of no more use.
        drop(std::mem::take(&mut manifest.datasets));
        return BTreeMap::new();
    };
    let fingerprints = cache::reuse::fingerprints(folders, &c.setting.data, &hashes);
    let templates = c.setting.of_templates(&render::DATASET_TEMPLATES);
    let kept = cache::reuse::reusable(manifest, (&fingerprints.whole, &templates), out);
    // The same files in the same state after validation: `finish` takes these as they are.
    c.fingerprinted = Some((hashes, fingerprints));
    kept
}

/// Every source file's hash once validation hashed the data files (`digests`): the others are
/// the recorded ones while their stamps hold, else read. `None` when a file cannot be read.
fn hashes_after(
    c: &mut CacheRun,
    source: &Path,
    digests: &BTreeMap<String, String>,
) -> Option<BTreeMap<String, String>> {
    let (known, _) = c.records.get();
    for (path, sha) in digests {
        if let Some(stamp) = c.now.get(path) {
            known.insert(path.clone(), (*stamp, sha.clone()));
        }
    }
    cache::hashes(source, &c.now, known)
}

/// The SHA-256 of every data file validation read, by source-relative path.
fn digests(catalog: &Catalog, validated: &Validated) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for d in catalog.datasets.values() {
        let Some(result) = validated.datasets.get(&d.id) else {
            continue;
        };
        for (r, res) in d.resources.iter().zip(&result.resources) {
            let path = cache::source_path(&d.folder.join(&r.path));
            out.insert(path, res.digest.sha256.clone());
        }
    }
    out
}

/// What the build cache records of the catalogue-wide files: every source file's hash after
/// validation (`None`: one could not be read), every dataset's fingerprint, the memo's keys.
#[derive(Debug, Default)]
pub(super) struct Memoised {
    hashes: Option<BTreeMap<String, String>>,
    fingerprints: Fingerprints,
    page_keys: BTreeMap<String, String>,
    spans: BTreeMap<String, std::sync::Arc<cache::reuse::Spans>>,
}

/// Renders the catalogue-wide files — with the cache, through its memo (`render::Memo`), so
/// that a file whose inputs did not change is the previous site's — and returns the number of
/// files of the site and what the cache is to record.
pub(super) fn finish(
    site: render::SiteRender,
    validated: &Validated,
    cached: Option<&mut CacheRun>,
    (catalog, folders, source, out): (&Catalog, &cache::reuse::Folders, &Path, &Path),
) -> Result<(usize, Memoised), Error> {
    let Some(c) = cached else {
        return Ok((site.finish(validated, None)?, Memoised::default()));
    };
    let fingerprinted = c.fingerprinted.take().or_else(|| {
        let hashes = hashes_after(c, source, &digests(catalog, validated))?;
        let fingerprints = cache::reuse::fingerprints(folders, &c.setting.data, &hashes);
        Some((hashes, fingerprints))
    });
    let Some((hashes, fingerprints)) = fingerprinted else {
        return Ok((site.finish(validated, None)?, Memoised::default()));
    };
    let ours = crate::output::is_ours(out);
    let (_, manifest) = c.records.get();
    let manifest = &*manifest;
    let unchanged = |path: &str, key: &str| ours && manifest.page_unchanged(out, path, key);
    let recorded = |prefix: &str| manifest.recorded(prefix);
    let spliced = |path: &str| ours.then(|| manifest.spliced(out, path)).flatten();
    let memo = render::Memo {
        setting: &c.setting,
        fingerprints: &fingerprints.whole,
        metadata: &fingerprints.metadata,
        unchanged: &unchanged,
        recorded: &recorded,
        spliced: &spliced,
        keys: Default::default(),
        spans: Default::default(),
    };
    let files = site.finish(validated, Some(&memo))?;
    let page_keys = memo.keys.into_inner().unwrap_or_default();
    let spans = memo.spans.into_inner().unwrap_or_default();
    Ok((
        files,
        Memoised {
            hashes: Some(hashes),
            fingerprints,
            page_keys,
            spans,
        },
    ))
}
