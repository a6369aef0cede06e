//! Stage 2, validate: `pattern` constraints. A pattern must match the whole cell (as in
//! frictionless). Patterns made only of literal text and ASCII character classes repeated a fixed
//! number of times — the usual shape of codes: `UA[0-9]{17}`, `[0-9]{8}`, `[A-Z]{2}-[0-9]{4}` — are
//! matched by walking the bytes once; any other pattern goes to the regex engine. The fast path
//! gives the same answer as the engine (tested on random texts).

use regex::Regex;
use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// One piece of a simple pattern.
#[derive(Debug, Clone)]
enum Piece {
    /// Exactly these bytes.
    Literal(Vec<u8>),
    /// `count` bytes from this set of ASCII bytes.
    Class(Box<[bool; 128]>, usize),
}

/// A compiled pattern constraint.
#[derive(Debug, Clone)]
pub struct Pattern(Inner);

/// The bytes allowed at one position of a fixed-length pattern: bit `b` of the 256.
type Allowed = [u64; 4];

#[derive(Debug, Clone)]
enum Inner {
    /// A simple pattern flattened: one set of allowed bytes per byte of a matching text (every
    /// simple pattern matches texts of one length only).
    Simple(Box<[Allowed]>),
    Regex(Regex),
}

impl Pattern {
    /// Compiles `pattern` (a regular expression in Rust's `regex` syntax), anchored at both ends;
    /// `None` when it does not compile.
    pub fn new(pattern: &str) -> Option<Pattern> {
        let anchored = format!("^(?:{pattern})$");
        let regex = Regex::new(&anchored).ok()?;
        let simple = regex_syntax::parse(&anchored)
            .ok()
            .and_then(|hir| simple(&hir));
        Some(Pattern(match simple {
            Some(pieces) => Inner::Simple(flatten(&pieces)),
            None => Inner::Regex(regex),
        }))
    }

    /// `Pattern::new`, remembered for the rest of the process by the pattern's text: a
    /// catalogue's tables share a few schemas, and compiling the same pattern again for each of
    /// a national catalogue's 66,000 files was over a second of CPU time. Up to `REMEMBERED`
    /// patterns are kept; others are compiled each time.
    pub fn compiled(pattern: &str) -> Option<Pattern> {
        use std::collections::HashMap;
        use std::sync::{Mutex, OnceLock};
        type Compiled = Mutex<HashMap<Box<str>, Option<Pattern>>>;
        static COMPILED: OnceLock<Compiled> = OnceLock::new();
        const REMEMBERED: usize = 4096;
        let compiled = COMPILED.get_or_init(Compiled::default);
        // A lock poisoned by a panic elsewhere only means compiling again.
        if let Some(known) = (compiled.lock().ok()).and_then(|c| c.get(pattern).cloned()) {
            return known;
        }
        let made = Pattern::new(pattern);
        if let Ok(mut c) = compiled.lock() {
            if c.len() < REMEMBERED {
                c.insert(pattern.into(), made.clone());
            }
        }
        made
    }

    /// True when `text` matches the whole pattern.
    #[inline]
    pub fn is_match(&self, text: &str) -> bool {
        match &self.0 {
            Inner::Regex(r) => r.is_match(text),
            Inner::Simple(positions) => {
                let bytes = text.as_bytes();
                bytes.len() == positions.len()
                    && bytes
                        .iter()
                        .zip(positions.iter())
                        .all(|(&b, allowed)| (allowed[usize::from(b >> 6)] >> (b & 63)) & 1 == 1)
            }
        }
    }
}

/// The allowed bytes at each position of the texts that `pieces` match.
fn flatten(pieces: &[Piece]) -> Box<[Allowed]> {
    let mut positions = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Literal(bytes) => positions.extend(bytes.iter().map(|&b| {
                let mut allowed = [0u64; 4];
                allowed[usize::from(b >> 6)] |= 1 << (b & 63);
                allowed
            })),
            Piece::Class(set, count) => {
                let mut allowed = [0u64; 4];
                for (b, _) in set.iter().enumerate().filter(|(_, on)| **on) {
                    allowed[b >> 6] |= 1 << (b & 63);
                }
                positions.extend(std::iter::repeat_n(allowed, *count));
            }
        }
    }
    positions.into_boxed_slice()
}

/// The pieces of a simple pattern, or `None` for any other.
fn simple(hir: &Hir) -> Option<Vec<Piece>> {
    let mut pieces = Vec::new();
    let parts: &[Hir] = match hir.kind() {
        HirKind::Concat(parts) => parts,
        _ => std::slice::from_ref(hir),
    };
    for part in parts {
        match part.kind() {
            HirKind::Look(Look::Start | Look::End) => {}
            HirKind::Capture(c) => pieces.extend(simple(&c.sub)?),
            HirKind::Literal(lit) => pieces.push(Piece::Literal(lit.0.to_vec())),
            HirKind::Class(class) => pieces.push(Piece::Class(ascii_set(class)?, 1)),
            HirKind::Repetition(rep) if Some(rep.min) == rep.max => match rep.sub.kind() {
                HirKind::Class(class) => {
                    pieces.push(Piece::Class(ascii_set(class)?, rep.min as usize))
                }
                HirKind::Literal(lit) => {
                    pieces.push(Piece::Literal(lit.0.repeat(rep.min as usize)));
                }
                _ => return None,
            },
            HirKind::Concat(_) => pieces.extend(simple(part)?),
            _ => return None,
        }
    }
    Some(pieces)
}

/// The class as a set of ASCII bytes, or `None` when it holds anything beyond ASCII.
fn ascii_set(class: &Class) -> Option<Box<[bool; 128]>> {
    let mut set = Box::new([false; 128]);
    let mut add = |lo: u32, hi: u32| -> Option<()> {
        if hi >= 128 {
            return None;
        }
        for b in lo..=hi {
            set[b as usize] = true;
        }
        Some(())
    };
    match class {
        Class::Unicode(c) => {
            for r in c.iter() {
                add(r.start() as u32, r.end() as u32)?;
            }
        }
        Class::Bytes(c) => {
            for r in c.iter() {
                add(u32::from(r.start()), u32::from(r.end()))?;
            }
        }
    }
    Some(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_pattern_matches_as_a_new_one() {
        for (pattern, text, matches) in [
            ("UA[0-9]{2}", "UA12", true),
            ("UA[0-9]{2}", "UA1", false),
            ("ab|cd", "cd", true),
            ("ab|cd", "abcd", false),
        ] {
            for _ in 0..2 {
                let p = Pattern::compiled(pattern).unwrap();
                assert_eq!(p.is_match(text), matches, "{pattern} {text}");
            }
        }
        assert!(Pattern::compiled("(unclosed").is_none());
        assert!(Pattern::compiled("(unclosed").is_none());
    }

    #[test]
    fn simple_patterns_match_as_the_regex_engine_does() {
        let patterns = [
            ("^UA[0-9]{17}$", true),
            ("UA[0-9]{17}", true),
            ("[0-9]{8}", true),
            ("[A-Z]{2}-[0-9]{4}", true),
            ("(?i)ua[0-9]{2}", true),
            ("DOC-[0-9]{7}", true),
            ("Київ[0-9]{2}", true),
            ("\\d{8}", false),
            ("[0-9]{2,4}", false),
            ("a|b", true),
            ("ab|cd", false),
            ("[а-я]{2}", false),
        ];
        let alphabet = [
            "U", "A", "u", "a", "0", "7", "9", "-", "D", "O", "C", "Z", "Київ", "٣", " ", "x",
        ];
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for (pattern, is_simple) in patterns {
            let p = Pattern::new(pattern).unwrap();
            assert_eq!(matches!(p.0, Inner::Simple(_)), is_simple, "{pattern}");
            let regex = Regex::new(&format!("^(?:{pattern})$")).unwrap();
            for _ in 0..3000 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let len = (x % 22) as usize;
                let text: String = (0..len)
                    .map(|i| alphabet[((x >> (i % 50)) as usize + i * 7) % alphabet.len()])
                    .collect();
                assert_eq!(
                    p.is_match(&text),
                    regex.is_match(&text),
                    "{pattern} on {text:?}"
                );
            }
            // And the texts that should match.
            for text in [
                "UA12345678901234567",
                "12345678",
                "AB-1234",
                "ua12",
                "DOC-0001234",
                "Київ12",
            ] {
                assert_eq!(
                    p.is_match(text),
                    regex.is_match(text),
                    "{pattern} on {text:?}"
                );
            }
        }
    }
}
