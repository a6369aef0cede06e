//! Stage 4, render: the sizes pages are rendered into (`PageSizes`). Invariant: a size only
//! presizes a buffer; it never changes a byte of a page.

use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::Relaxed;

use super::theme::TEMPLATES;

/// How long each page template's pages came out lately: a page is rendered into a buffer that
/// size and a half, not one grown by doubling from nothing (a dataset page's 38 KB were
/// copied over and over as it grew: 6 % of its template's instructions; with an eighth more
/// than the mean, the larger pages of a template still grew once, 0.4 % of a build). A running
/// mean, so that one large page does not size every page after it.
#[derive(Default)]
pub(super) struct PageSizes([AtomicUsize; TEMPLATES.len()]);

impl PageSizes {
    fn slot(&self, template: &str) -> Option<&AtomicUsize> {
        let i = TEMPLATES.iter().position(|t| *t == template)?;
        Some(&self.0[i])
    }

    /// An empty buffer for a page of `template`.
    pub(super) fn buffer(&self, template: &str) -> Vec<u8> {
        let size = self.slot(template).map_or(0, |s| s.load(Relaxed));
        Vec::with_capacity(size + size / 2)
    }

    /// Takes in the length of a page of `template` just made.
    pub(super) fn made(&self, template: &str, len: usize) {
        if let Some(s) = self.slot(template) {
            let mean = s.load(Relaxed);
            s.store(if mean == 0 { len } else { (mean * 7 + len) / 8 }, Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PageSizes;

    #[test]
    fn a_buffer_follows_the_recent_pages_of_its_template() {
        let sizes = PageSizes::default();
        assert_eq!(
            sizes.buffer("dataset.html").capacity(),
            0,
            "nothing made yet"
        );
        sizes.made("dataset.html", 8000);
        assert!(sizes.buffer("dataset.html").capacity() >= 9000);
        // One large page moves the mean an eighth of the way.
        sizes.made("dataset.html", 80_000);
        let after = sizes.buffer("dataset.html").capacity();
        assert!((18_000..30_000).contains(&after), "{after}");
        assert_eq!(sizes.buffer("table.html").capacity(), 0, "per template");
        sizes.made("not-a-page.html", 5);
        assert_eq!(sizes.buffer("not-a-page.html").capacity(), 0);
    }
}
