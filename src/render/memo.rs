//! Stage 4, render: the build cache's memo of catalogue-wide files (see `Memo`). Invariant: a
//! key covers everything its file is made from, so an unchanged key means unchanged bytes.

use std::collections::BTreeMap;

/// What the build cache knows for the catalogue-wide files whose inputs are a list of datasets
/// (the DCAT catalogues' pages): each dataset's fingerprint, and which of the last build's files
/// are still there as made from which key. A file whose key is unchanged is the previous one.
pub struct Memo<'m> {
    /// The setting's digests (`cache::Digests`): a page is keyed by its template's.
    pub setting: &'m crate::cache::Digests,
    /// Every dataset's fingerprint over everything (`cache::reuse::Fingerprints::whole`).
    pub fingerprints: &'m BTreeMap<crate::catalog::DatasetId, String>,
    /// Every dataset's fingerprint over its metadata (`cache::reuse::Fingerprints::metadata`).
    pub metadata: &'m BTreeMap<crate::catalog::DatasetId, String>,
    /// True when the previous site's file at `path` was made from `key` and is as it was left.
    pub unchanged: &'m (dyn Fn(&str, &str) -> bool + Sync),
    /// The last build's files under a path prefix, with their keys (path order).
    pub recorded: &'m (dyn Fn(&str) -> Vec<(String, String)> + Sync),
    /// The last build's spliced file at a path (`super::splice`), when it is as it was left.
    pub spliced: &'m (dyn Fn(&str) -> Option<super::splice::Previous> + Sync),
    /// This build's keys (path → key), for the next build.
    pub keys: std::sync::Mutex<BTreeMap<String, String>>,
    /// This build's spliced files (path → where each dataset's part lies), for the next build.
    pub spans: std::sync::Mutex<BTreeMap<String, std::sync::Arc<crate::cache::reuse::Spans>>>,
}

/// What of its datasets a catalogue-wide file is made from: which of their fingerprints key it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Made {
    /// Anything, their data files' contents and validation included (sizes, hashes, rows).
    FromAll,
    /// Their metadata alone (the catalogue as loaded: descriptors, publishers, settings), not
    /// what their data files hold: such a file stands when only a CSV changed.
    FromMetadata,
}

impl Memo<'_> {
    /// The key of a file made from `parts` and the datasets `ids` (what of them: `made`);
    /// `None` (not memoised) when a dataset has no fingerprint or there is none (the key would
    /// not cover the setting).
    pub fn key<'i>(
        &self,
        parts: &[&str],
        ids: impl IntoIterator<Item = &'i crate::catalog::DatasetId>,
        made: Made,
    ) -> Option<String> {
        use sha2::Digest as _;
        let mut h = sha2::Sha256::new();
        let parts: Vec<&[u8]> = parts.iter().map(|p| p.as_bytes()).collect();
        crate::checksum::feed_parts(&mut h, &parts);
        let fingerprints = match made {
            Made::FromAll => self.fingerprints,
            Made::FromMetadata => self.metadata,
        };
        let mut any = false;
        for id in ids {
            let fp = fingerprints.get(id)?;
            h.update(fp.as_bytes());
            any = true;
        }
        any.then(|| crate::checksum::hex(&h.finalize()))
    }

    /// The key of a page rendered from `template` with `page` (its own context) and `common`
    /// (what every page is given): the template's digest covers the tool, the options, the
    /// messages and every template it reaches, so equal keys mean equal bytes. `None` when a
    /// context cannot be serialised. Files made by code rather than a template (the search
    /// index) name what makes them in `template`, and are keyed by the setting's data digest.
    pub fn page_key<S: serde::Serialize + ?Sized, C: serde::Serialize + ?Sized>(
        &self,
        template: &str,
        page: &S,
        common: &C,
    ) -> Option<String> {
        use sha2::Digest as _;
        let mut h = sha2::Sha256::new();
        let setting = self.setting.of_template(template);
        crate::checksum::feed_parts(&mut h, &[setting.as_bytes(), template.as_bytes()]);
        // Each context's encoding is self-delimiting, so one cannot run into the next.
        let fed = super::digest::feed(&mut h, page) && super::digest::feed(&mut h, common);
        fed.then(|| crate::checksum::hex(&h.finalize()))
    }

    /// True when every file of `paths`, made together from `parts` and the datasets `ids`
    /// (`key`), is the previous build's. Each path's key is recorded whatever the others say:
    /// the next build needs them all.
    pub fn files_kept<'i>(
        &self,
        parts: &[&str],
        ids: impl IntoIterator<Item = &'i crate::catalog::DatasetId>,
        made: Made,
        paths: &[&str],
    ) -> bool {
        let Some(key) = self.key(parts, ids, made) else {
            return false;
        };
        // Counted, not `all`: every path is looked at (and recorded), none skipped.
        (paths.iter()).filter(|path| !self.kept(path, &key)).count() == 0
    }

    /// Records that `path` is made from `key`; true when the previous file can stand.
    pub fn kept(&self, path: &str, key: &str) -> bool {
        self.record(path, key);
        (self.unchanged)(path, key)
    }

    /// Records that `path` is made from `key` (for the next build).
    pub fn record(&self, path: &str, key: &str) {
        if let Ok(mut keys) = self.keys.lock() {
            keys.insert(path.to_owned(), key.to_owned());
        }
    }

    /// Records where each dataset's part lies in the spliced file at `path`, and the file itself,
    /// so that the next build finds it as it is left (its stamp). The file needs no key of its
    /// own: each part carries its dataset's fingerprint.
    pub fn record_spans(&self, path: &str, spans: crate::cache::reuse::Spans) {
        if let Ok(mut all) = self.spans.lock() {
            self.record(path, "spliced");
            all.insert(path.to_owned(), std::sync::Arc::new(spans));
        }
    }

    /// The previous site's files under `prefix` when every one of them was made from `key` and
    /// is as it was left (all recorded again); `None` when they are to be made again. For a
    /// group of files made together whose names are known only once made (the search index).
    pub fn kept_files(&self, prefix: &str, key: &str) -> Option<Vec<String>> {
        let files = (self.recorded)(prefix);
        let all = !files.is_empty()
            && (files.iter()).all(|(path, k)| k == key && (self.unchanged)(path, key));
        if !all {
            return None;
        }
        let paths: Vec<String> = files.into_iter().map(|(path, _)| path).collect();
        for path in &paths {
            self.record(path, key);
        }
        Some(paths)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::{Made, Memo};
    use crate::catalog::DatasetId;
    use std::collections::BTreeMap;

    /// A setting whose data digest is `s` and whose one template's is `t`.
    pub(crate) fn digests() -> crate::cache::Digests {
        crate::cache::Digests {
            whole: "w".to_owned(),
            data: "s".to_owned(),
            templates: BTreeMap::from([("page.html".to_owned(), "t".to_owned())]),
        }
    }

    #[test]
    fn a_memo_key_covers_the_parts_and_every_dataset_and_records_each_path() {
        let id = |s: &str| DatasetId::parse(s).unwrap();
        let fingerprints = BTreeMap::from([(id("a"), "1".to_owned()), (id("b"), "2".to_owned())]);
        let unchanged = |path: &str, key: &str| path == "x.ttl" && key.len() == 64;
        let recorded = |prefix: &str| vec![(format!("{prefix}a"), "k".to_owned())];
        // The metadata fingerprints: `a`'s data changed since `fingerprints` was made, `b`'s not.
        let metadata = BTreeMap::from([(id("a"), "m1".to_owned()), (id("b"), "2".to_owned())]);
        let memo = Memo {
            setting: &digests(),
            fingerprints: &fingerprints,
            metadata: &metadata,
            unchanged: &unchanged,
            recorded: &recorded,
            spliced: &|_| None,
            keys: Default::default(),
            spans: Default::default(),
        };
        let (a, b, c) = (id("a"), id("b"), id("c"));
        let all = Made::FromAll;
        let key = memo.key(&["catalog", "1"], [&a, &b], all).unwrap();
        assert_ne!(
            Some(&key),
            memo.key(&["catalog", "2"], [&a, &b], all).as_ref()
        );
        assert_ne!(Some(&key), memo.key(&["catalog", "1"], [&a], all).as_ref());
        assert_ne!(
            Some(&key),
            memo.key(&["catalo", "g1"], [&a, &b], all).as_ref()
        );
        let meta = |ids: &[&DatasetId]| memo.key(&["f"], ids.iter().copied(), Made::FromMetadata);
        assert_ne!(
            meta(&[&a]),
            memo.key(&["f"], [&a], all),
            "a's fingerprints differ"
        );
        assert_eq!(meta(&[&b]), memo.key(&["f"], [&b], all), "b's are the same");
        assert_eq!(meta(&[&a, &c]), None, "no fingerprint");
        assert_eq!(
            memo.key(&["catalog", "1"], [&a, &c], all),
            None,
            "no fingerprint"
        );
        assert_eq!(memo.key(&["catalog", "1"], [], all), None, "no dataset");
        assert!(memo.kept("x.ttl", &key));
        assert!(!memo.kept("y.ttl", &key));
        // Files made together: kept only when all are, every path recorded either way.
        let kept = |ids: &[&DatasetId], paths: &[&str]| {
            memo.files_kept(&["catalog", "1"], ids.iter().copied(), all, paths)
        };
        assert!(!kept(&[&a, &b], &["y.ttl", "z.ttl"]));
        assert!(kept(&[&a, &b], &["x.ttl"]));
        assert!(!kept(&[&a, &c], &["x.ttl"]));
        let keys = memo.keys.into_inner().unwrap();
        assert_eq!(keys.keys().collect::<Vec<_>>(), ["x.ttl", "y.ttl", "z.ttl"]);
    }

    #[test]
    fn a_page_key_is_the_digest_of_the_setting_the_template_and_both_contexts() {
        use sha2::Digest as _;
        let none = BTreeMap::new();
        let (unchanged, recorded) = (|_: &str, _: &str| false, |_: &str| Vec::new());
        let memo = Memo {
            setting: &digests(),
            fingerprints: &none,
            metadata: &none,
            unchanged: &unchanged,
            recorded: &recorded,
            spliced: &|_| None,
            keys: Default::default(),
            spans: Default::default(),
        };
        // Longer than the hashing buffer, so that it reaches the hasher in several writes.
        let page: Vec<String> = (0..20_000).map(|i| format!("doc {i}")).collect();
        let common = minijinja::Value::from("uk");
        let want = |setting: &[u8], template: &str| {
            let mut h = sha2::Sha256::new();
            crate::checksum::feed_parts(&mut h, &[setting, template.as_bytes()]);
            assert!(crate::render::digest::feed(&mut h, &page));
            assert!(crate::render::digest::feed(&mut h, &common));
            Some(crate::checksum::hex(&h.finalize()))
        };
        let key = memo.page_key("search index", &page, &common);
        assert_eq!(key, want(b"s", "search index"));
        let other = minijinja::Value::from("en");
        assert_ne!(memo.page_key("search index", &page, &other), key);
        // A template's page is keyed by that template's digest, not the data digest.
        let key = memo.page_key("page.html", &page, &common);
        assert_eq!(key, want(b"t", "page.html"));
    }

    #[test]
    fn a_group_of_files_is_kept_only_when_every_one_is() {
        let fingerprints = BTreeMap::new();
        let unchanged = |path: &str, _: &str| path != "s/en/b.json";
        let recorded = |prefix: &str| -> Vec<(String, String)> {
            let files: &[(&str, &str)] = match prefix {
                "s/uk/" => &[("s/uk/a.json", "k"), ("s/uk/b.json", "k")],
                "s/en/" => &[("s/en/a.json", "k"), ("s/en/b.json", "k")],
                _ => &[],
            };
            (files.iter())
                .map(|(p, k)| ((*p).to_owned(), (*k).to_owned()))
                .collect()
        };
        let memo = Memo {
            setting: &digests(),
            fingerprints: &fingerprints,
            metadata: &fingerprints,
            unchanged: &unchanged,
            recorded: &recorded,
            spliced: &|_| None,
            keys: Default::default(),
            spans: Default::default(),
        };
        assert_eq!(memo.kept_files("s/uk/", "other"), None, "another key");
        assert_eq!(memo.kept_files("s/en/", "k"), None, "a file not as left");
        assert_eq!(memo.kept_files("s/xx/", "k"), None, "nothing recorded");
        assert_eq!(
            memo.kept_files("s/uk/", "k"),
            Some(vec!["s/uk/a.json".to_owned(), "s/uk/b.json".to_owned()])
        );
        let keys = memo.keys.into_inner().unwrap();
        assert_eq!(
            keys.keys().collect::<Vec<_>>(),
            ["s/uk/a.json", "s/uk/b.json"]
        );
    }
}
