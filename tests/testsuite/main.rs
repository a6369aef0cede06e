//! The integration test suite: one binary, one module per area, one small fixture project per
//! case (copied from `tests/fixtures/` into a temporary folder and altered by the case). What
//! users see — CLI output and the `<main>` of pages — is snapshot-tested with insta.

mod build;
mod check;
mod checklist;
mod ckan;
mod dcat;
mod embedded;
mod feeds;
mod freshness;
mod hostile;
mod incremental;
mod inject;
mod integrity;
mod interrupt;
mod jsonld;
mod look;
mod malformed;
mod output;
mod parity;
mod paths;
mod registers;
mod scaffold;
mod search;
mod serve;
mod support;
mod tables;
mod territories;
mod validate;
mod xml;
