//! Descriptor parsing and checking over arbitrary text: `catalog::package::parse` (a dataset's
//! `datapackage.json`, as `build` loads it; schema paths resolve inside an empty scratch source
//! folder), and, for JSON that parses, `validate::descriptor::check` under the detected kind and
//! every other kind, `Schema::parse` and `Dialect::parse`. Every finding must name its file.
#![no_main]

use std::path::Path;

use hromadata::catalog::dialect::Dialect;
use hromadata::catalog::package::{self, Location};
use hromadata::catalog::schema::Schema;
use hromadata::catalog::PublisherSlug;
use hromadata::validate::descriptor::{self, DescriptorKind};
use hromadata_fuzz::scratch_dir;
use libfuzzer_sys::fuzz_target;

const KINDS: [DescriptorKind; 4] = [
    DescriptorKind::Package,
    DescriptorKind::Resource,
    DescriptorKind::Schema,
    DescriptorKind::Dialect,
];

fuzz_target!(|text: &str| {
    let publisher = PublisherSlug::from_folder("publisher").expect("a valid slug");
    let schemas = hromadata::catalog::schema::Interner::default();
    let at = Location {
        source: scratch_dir(),
        folder: Path::new("publishers/publisher/dataset"),
        publisher: &publisher,
        schemas: &schemas,
        listing: None,
    };
    let (dataset, findings) = package::parse(text, &at);
    if dataset.is_none() {
        assert!(!findings.is_empty(), "an unusable descriptor is explained");
    }
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    if let Some(kind) = descriptor::detect_kind(&value) {
        let _ = descriptor::check(&value, kind);
    }
    for kind in KINDS {
        for e in descriptor::check(&value, kind) {
            assert!(!e.note.is_empty());
            assert!(
                e.pointer.is_empty() || e.pointer.starts_with('/'),
                "{:?}",
                e.pointer
            );
        }
    }
    let _ = Schema::parse(&value);
    let _ = Dialect::parse(&value);
});
