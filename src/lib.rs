//! hromadata: turns a folder of open datasets into a validated, checksummed static catalogue.
//!
//! The pipeline, one module per stage, each taking and returning plain data:
//! `catalog` (load) → `validate` (with `checksum` in the same read) → `render` → `output`.
//! Only `output` writes to the destination.

pub mod cache;
pub mod catalog;
pub mod checksum;
pub mod error;
pub mod interrupt;
pub mod output;
pub mod pipeline;
pub mod progress;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod territories;
pub mod validate;
pub mod verify;

pub use error::Error;
