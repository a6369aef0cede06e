//! Stage 4, render: collecting the site's files. Every path comes once over the whole site (a
//! second is a located error naming both origins); the bytes go to the sink in batches, so that a
//! national catalogue is never in memory whole while the paths stay checked across batches.

use std::collections::BTreeMap;

use super::{Content, Sink, Site};
use crate::error::Error;

/// Bytes of rendered content held before a batch goes to the sink.
const BATCH_BYTES: usize = 64 << 20;

/// Collects outputs, refuses two for the same path (over all batches) and hands them to the sink
/// in batches.
pub(super) struct Builder<'s, 'k> {
    site: Site,
    /// Every path added so far, with where it came from (for the collision message).
    pub(super) origins: BTreeMap<String, String>,
    held: usize,
    sink: &'s mut Sink<'k>,
}

impl<'s, 'k> Builder<'s, 'k> {
    pub(super) fn new(sink: &'s mut Sink<'k>) -> Self {
        Builder {
            site: Site::new(),
            origins: BTreeMap::new(),
            held: 0,
            sink,
        }
    }

    pub(super) fn add(
        &mut self,
        path: String,
        content: Content,
        origin: impl Into<String>,
    ) -> Result<(), Error> {
        let origin = origin.into();
        if let Some(first) = self.origins.get(&path) {
            return Err(Error::PathCollision {
                path,
                first: first.clone(),
                second: origin,
            });
        }
        self.origins.insert(path.clone(), origin);
        if let Content::Bytes(bytes) = &content {
            self.held += bytes.len();
        }
        self.site.insert(path, content);
        if self.held > BATCH_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    /// Hands what is held to the sink.
    pub(super) fn flush(&mut self) -> Result<(), Error> {
        self.held = 0;
        (self.sink)(std::mem::take(&mut self.site))
    }
}

/// Adds rendered pages (path, content, origin) in their order.
pub(super) fn add_all(
    out: &mut Builder,
    pages: Vec<(String, Content, String)>,
) -> Result<(), Error> {
    for (path, content, origin) in pages {
        out.add(path, content, origin)?;
    }
    Ok(())
}
