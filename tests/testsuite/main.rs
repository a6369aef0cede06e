//! The integration test suite: one binary, one module per area, one small fixture project per
//! case (copied from `tests/fixtures/` into a temporary folder and altered by the case). What
//! users see — CLI output and the `<main>` of pages — is snapshot-tested with insta.

mod build;
mod check;
mod checklist;
mod dcat;
mod embedded;
mod freshness;
mod integrity;
mod jsonld;
mod output;
mod parity;
mod support;
mod territories;
mod validate;
