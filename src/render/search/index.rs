//! Stage 4, render (search): one language's documents encoded as a sharded static index, read by
//! `themes/default/static/search.js`. Files, relative to `search/<lang>/`:
//!
//! - `meta.json` — document count, chunk size, the first term of every term shard, the facets
//!   (key, label) and the labels of document kinds;
//! - `terms/<n>.json` — `{term: postings}` for a contiguous range of the sorted terms, cut so that
//!   no shard is much over [`Limits::shard_bytes`]; a query word loads only the shards its prefix
//!   range touches;
//! - `docs/<n>.json` — `[url, title, title language, excerpt, kind]` of [`Limits::chunk`]
//!   documents, loaded only for the results shown;
//! - `facets/<key>.json` — `{"values": [[key, label]…], "docs": [postings…]}`; a facet marked
//!   `lazy` in `meta.json` (its file is over [`Limits::eager_facet_bytes`]) is loaded only when
//!   the reader opens it or the URL selects one of its values.
//!
//! Postings are document numbers (positions in the sorted documents) as gaps in a base64 VLQ
//! string: each gap `g = id − previous − 1` (previous starts at −1), for terms as `2g + t` where
//! `t` is 1 when the term is in the document's title. Terms are sorted by UTF-16 code units, the
//! order JavaScript compares strings in. Invariants: the same documents give the same bytes;
//! every file named in `meta.json` exists; terms are at least two characters long.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::docs::{Doc, Facet, FacetValue, Kind};
use super::normalise::{sort_key, tokens};
use crate::render::view::Lang;

/// Size limits of the index files.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// A term shard is closed once it reaches this many bytes.
    pub shard_bytes: usize,
    /// Documents per `docs/<n>.json`.
    pub chunk: usize,
    /// A facet file bigger than this is marked `lazy` in `meta.json`: loaded on demand.
    pub eager_facet_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            shard_bytes: 64 * 1024,
            chunk: 100,
            eager_facet_bytes: 32 * 1024,
        }
    }
}

const VLQ: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Appends `n` as base64 VLQ: five bits a digit, low bits first, 32 set on all but the last.
fn vlq(out: &mut String, mut n: u64) {
    loop {
        let digit = (n & 31) as usize;
        n >>= 5;
        if n == 0 {
            out.push(VLQ[digit] as char);
            return;
        }
        out.push(VLQ[digit | 32] as char);
    }
}

/// Sorted document numbers (with a flag each) as a postings string.
fn postings(ids: impl IntoIterator<Item = (u32, Option<bool>)>) -> String {
    let mut out = String::new();
    let mut previous: i64 = -1;
    for (id, flag) in ids {
        let gap = (i64::from(id) - previous - 1) as u64;
        previous = i64::from(id);
        match flag {
            Some(title) => vlq(&mut out, gap * 2 + u64::from(title)),
            None => vlq(&mut out, gap),
        }
    }
    out
}

/// Every term of the documents with its postings (document and whether in its title, packed),
/// terms in UTF-16 order.
fn terms(docs: &[Doc]) -> Vec<(String, Vec<u32>)> {
    use rayon::prelude::*;
    // A posting is `id << 1 | in title`: half the memory of `(u32, bool)` (a national
    // catalogue's index holds millions).
    // Gathered by hash (the list is sorted at the end anyway): in a tree each of a document's
    // terms was found by string comparisons, on one core (for 600 datasets this function's own
    // instructions fell from 39.5 M to 12.9 M).
    let mut map: std::collections::HashMap<String, Vec<u32>, foldhash::fast::FixedState> =
        std::collections::HashMap::default();
    // Each document's terms are found in parallel a chunk at a time (all at once, a national
    // catalogue's would take hundreds of megabytes), and merged in document order, so that
    // every term's postings stay sorted.
    const CHUNK: usize = 2048;
    for (c, chunk) in docs.chunks(CHUNK).enumerate() {
        let found: Vec<BTreeMap<String, bool>> = chunk.par_iter().map(doc_terms).collect();
        for (i, mine) in found.into_iter().enumerate() {
            let id = (c * CHUNK + i) as u32;
            for (token, in_title) in mine {
                map.entry(token)
                    .or_default()
                    .push(id << 1 | u32::from(in_title));
            }
        }
    }
    let mut list: Vec<_> = map.into_iter().collect();
    list.par_sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
    list
}

/// One document's terms, each with whether it is in the title.
fn doc_terms(d: &Doc) -> BTreeMap<String, bool> {
    let mut mine: BTreeMap<String, bool> = BTreeMap::new();
    let title = d
        .title_text
        .iter()
        .flat_map(|t| tokens(t))
        .map(|t| (t, true));
    let body = d
        .body_text
        .iter()
        .flat_map(|t| tokens(t))
        .map(|t| (t, false));
    for (token, in_title) in title.chain(body) {
        // One-letter words ("і", "в") are left out: they would only make shards bigger.
        if token.chars().nth(1).is_some() {
            *mine.entry(token).or_default() |= in_title;
        }
    }
    mine
}

fn json_bytes(value: &impl serde::Serialize) -> Vec<u8> {
    let mut bytes = serde_json::to_vec(value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The term shards: (first term, file content).
fn shards(docs: &[Doc], limit: usize) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut current: Vec<(String, String)> = Vec::new();
    let mut size = 0;
    let close = |current: &mut Vec<(String, String)>, out: &mut Vec<(String, Vec<u8>)>| {
        if let Some((first, _)) = current.first() {
            let first = first.clone();
            let map: serde_json::Map<String, Value> = current
                .drain(..)
                .map(|(t, p)| (t, Value::String(p)))
                .collect();
            out.push((first, json_bytes(&map)));
        }
    };
    for (term, ids) in terms(docs) {
        let p = postings(ids.into_iter().map(|p| (p >> 1, Some(p & 1 == 1))));
        size += term.len() + p.len() + 6;
        current.push((term, p));
        if size >= limit {
            close(&mut current, &mut out);
            size = 0;
        }
    }
    close(&mut current, &mut out);
    out
}

/// The facet files: key → content.
fn facets(docs: &[Doc]) -> BTreeMap<Facet, Vec<u8>> {
    let mut by_facet: BTreeMap<Facet, BTreeMap<&FacetValue, Vec<u32>>> = BTreeMap::new();
    for (id, d) in docs.iter().enumerate() {
        for (facet, value) in &d.facets {
            let values = by_facet.entry(*facet).or_default();
            values.entry(value).or_default().push(id as u32);
        }
    }
    Facet::ALL
        .iter()
        .map(|facet| {
            let mut values: Vec<(&FacetValue, Vec<u32>)> =
                by_facet.remove(facet).unwrap_or_default().into_iter().collect();
            values.sort_by_cached_key(|(v, _)| (sort_key(&v.label), v.key.clone()));
            let content = json!({
                "values": values.iter().map(|(v, _)| [&v.key, &v.label]).collect::<Vec<_>>(),
                "docs": values.iter().map(|(_, ids)| postings(ids.iter().map(|id| (*id, None)))).collect::<Vec<_>>(),
            });
            (*facet, json_bytes(&content))
        })
        .collect()
}

/// The document files, `chunk` documents each.
fn doc_files(docs: &[Doc], chunk: usize) -> Vec<(String, Vec<u8>)> {
    let chunks = docs.chunks(chunk.max(1));
    (chunks.enumerate())
        .map(|(n, chunk)| {
            let rows: Vec<Value> = chunk
                .iter()
                .map(|d| json!([d.url, d.title.text, d.title.lang, d.excerpt, d.kind.key()]))
                .collect();
            (format!("docs/{n}.json"), json_bytes(&rows))
        })
        .collect()
}

/// The files of one language's index, paths relative to `search/<lang>/`.
pub fn files(docs: &[Doc], lang: &Lang, limits: Limits) -> Vec<(String, Vec<u8>)> {
    // One part after the other, each with its own parallel steps (the terms): made at once, their
    // working memory added up at the build's peak.
    let shards = shards(docs, limits.shard_bytes);
    let mut out = doc_files(docs, limits.chunk);
    let facet_files = facets(docs);
    let facet_list: Vec<Value> = Facet::ALL
        .iter()
        .map(|f| {
            let label = lang.msg(&format!("search.facet_{}", f.key()));
            // Big facets (every hromada, every publisher) are loaded only when asked for.
            let lazy = facet_files
                .get(f)
                .is_some_and(|b| b.len() > limits.eager_facet_bytes);
            json!({"key": f.key(), "label": label, "lazy": lazy})
        })
        .collect();
    let kinds: serde_json::Map<String, Value> = Kind::ALL
        .iter()
        .map(|k| {
            let label = lang.msg(&format!("search.kind_{}", k.key()));
            (k.key().to_owned(), Value::String(label))
        })
        .collect();
    let meta = json!({
        "version": 1,
        "lang": lang.code,
        "docs": docs.len(),
        "chunk": limits.chunk.max(1),
        "shards": shards.iter().map(|(first, _)| first).collect::<Vec<_>>(),
        "facets": facet_list,
        "kinds": kinds,
    });
    out.push(("meta.json".to_owned(), json_bytes(&meta)));
    for (n, (_, bytes)) in shards.into_iter().enumerate() {
        out.push((format!("terms/{n}.json"), bytes));
    }
    for (facet, bytes) in facet_files {
        out.push((format!("facets/{}.json", facet.key()), bytes));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The decoder search.js uses, for the round trip.
    fn decode(text: &str) -> Vec<u64> {
        let mut out = Vec::new();
        let (mut n, mut shift) = (0u64, 0);
        for b in text.bytes() {
            let digit = VLQ.iter().position(|c| *c == b).unwrap() as u64;
            n |= (digit & 31) << shift;
            shift += 5;
            if digit & 32 == 0 {
                out.push(n);
                (n, shift) = (0, 0);
            }
        }
        out
    }

    #[test]
    fn vlq_round_trips() {
        let cases: &[(u64, &str)] = &[
            (0, "A"),
            (1, "B"),
            (31, "f"),
            (32, "gB"),
            (1023, "_f"),
            (1024, "ggB"),
        ];
        for (n, text) in cases {
            let mut s = String::new();
            vlq(&mut s, *n);
            assert_eq!(&s, text, "{n}");
            assert_eq!(decode(&s), vec![*n]);
        }
    }

    #[test]
    fn postings_are_gaps_with_the_title_flag() {
        let p = postings([(0, Some(true)), (1, Some(false)), (40, Some(true))]);
        assert_eq!(decode(&p), vec![1, 0, 38 * 2 + 1]);
        let f = postings([(3, None), (4, None)]);
        assert_eq!(decode(&f), vec![3, 0]);
    }
}
