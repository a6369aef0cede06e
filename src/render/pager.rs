//! Stage 4, render: the catalogue's list of datasets a page at a time — `datasets/`, then
//! `datasets/page/<n>/` — and the pager that links them. On one page, a national catalogue's
//! list (35,000 datasets) was 14 MB of HTML in Ukrainian and 20 MB in English: more than a phone
//! on a mobile network can load. Invariants: every dataset is on exactly one page, in the list's
//! order; page 1 is `datasets/`, the address the rest of the site links; a list that fits on
//! one page has no pager.

use serde::Serialize;

/// Datasets per page of the list unless `[list] page_size` says otherwise: the pages of
/// data.gov.ua and of CKAN's default theme show fewer, and a hundred stays a page that loads fast.
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// The pages of a list of `total` datasets, `size` to a page: at least one (an empty list says so
/// on page 1).
pub fn count(total: usize, size: usize) -> usize {
    total.div_ceil(size.max(1)).max(1)
}

/// Where page `n` (from 1) of the list is, from the language's root.
pub fn href(n: usize) -> String {
    if n <= 1 {
        "datasets/".to_owned()
    } else {
        format!("datasets/page/{n}/")
    }
}

/// What a template gets to link the pages: the current one, their number, the previous and
/// next pages' addresses, and the numbered links shown (`None`: a gap, written as an ellipsis).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pager {
    pub current: usize,
    pub pages: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub links: Vec<Option<PageLink>>,
}

/// A numbered link of the pager.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageLink {
    pub number: usize,
    pub href: String,
    pub current: bool,
}

/// The pager of page `current` of `pages`; `None` for a list of one page.
pub fn pager(current: usize, pages: usize) -> Option<Pager> {
    (pages > 1).then(|| Pager {
        current,
        pages,
        prev: (current > 1).then(|| href(current - 1)),
        next: (current < pages).then(|| href(current + 1)),
        links: (window(current, pages).into_iter())
            .map(|n| {
                n.map(|number| PageLink {
                    number,
                    href: href(number),
                    current: number == current,
                })
            })
            .collect(),
    })
}

/// The page numbers a pager shows: the first, the last, and two either side of the current one;
/// a gap of one page shows that page rather than an ellipsis, which would take as much room.
fn window(current: usize, pages: usize) -> Vec<Option<usize>> {
    let near = current.saturating_sub(2).max(1)..=(current + 2).min(pages);
    let mut shown: Vec<usize> = [1, pages].into_iter().chain(near).collect();
    shown.sort_unstable();
    shown.dedup();
    let mut out = Vec::with_capacity(shown.len() + 2);
    let mut last = 0;
    for n in shown {
        match n - last {
            1 => {}
            2 => out.push(Some(n - 1)),
            _ => out.push(None),
        }
        out.push(Some(n));
        last = n;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows() {
        let cases: &[(usize, usize, &str)] = &[
            (1, 2, "1* 2"),
            (2, 2, "1 2*"),
            (1, 7, "1* 2 3 … 7"),
            (4, 7, "1 2 3 4* 5 6 7"),
            (5, 9, "1 2 3 4 5* 6 7 8 9"),
            (5, 10, "1 2 3 4 5* 6 7 … 10"),
            (6, 9, "1 … 4 5 6* 7 8 9"),
            (175, 350, "1 … 173 174 175* 176 177 … 350"),
            (350, 350, "1 … 348 349 350*"),
            (3, 3, "1 2 3*"),
        ];
        for &(current, pages, want) in cases {
            let pager = pager(current, pages).unwrap();
            let got: Vec<String> = (pager.links.iter())
                .map(|l| match l {
                    None => "…".to_owned(),
                    Some(l) if l.current => format!("{}*", l.number),
                    Some(l) => l.number.to_string(),
                })
                .collect();
            assert_eq!(got.join(" "), want, "page {current} of {pages}");
        }
    }

    #[test]
    fn pages_and_addresses() {
        assert_eq!(pager(1, 1), None, "one page: no pager");
        for (total, size, pages) in [
            (0, 100, 1),
            (100, 100, 1),
            (101, 100, 2),
            (35_000, 100, 350),
        ] {
            assert_eq!(count(total, size), pages, "{total} by {size}");
        }
        let p = pager(2, 3).unwrap();
        assert_eq!(p.prev.as_deref(), Some("datasets/"));
        assert_eq!(p.next.as_deref(), Some("datasets/page/3/"));
        let last = pager(3, 3).unwrap();
        assert_eq!(
            (last.next, last.links[2].as_ref().unwrap().href.as_str()),
            (None, "datasets/page/3/")
        );
    }
}
