//! Stage 2, validate: turns a file into a stream of UTF-8 text for the CSV parser, in one read.
//! The first 64 KiB are read ahead to detect the encoding (when not declared) and to sniff the
//! dialect; everything passes through the `HashingReader` exactly once. Non-UTF-8 files are
//! decoded on the fly with `encoding_rs`; UTF-8 files are passed through untouched (bad bytes are
//! then reported at their row by the parser).

use std::io::{self, Read};

use encoding_rs::{Decoder, Encoding, UTF_16BE, UTF_16LE, UTF_8};

/// Bytes read ahead for detection and sniffing.
pub const HEAD: usize = 64 * 1024;

/// Reads up to `HEAD` bytes (fewer only at the end of the input).
pub fn read_head<R: Read>(reader: &mut R) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(HEAD);
    reader.take(HEAD as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Decodes a byte stream into UTF-8 as it is read.
pub struct DecodeReader<R> {
    inner: R,
    decoder: Decoder,
    input: Vec<u8>,
    in_start: usize,
    in_end: usize,
    output: Vec<u8>,
    out_start: usize,
    out_end: usize,
    eof: bool,
}

impl<R: Read> DecodeReader<R> {
    /// Decodes `inner` from `encoding` (a byte-order mark of the same encoding is dropped).
    pub fn new(inner: R, encoding: &'static Encoding) -> Self {
        DecodeReader {
            inner,
            decoder: encoding.new_decoder_with_bom_removal(),
            input: vec![0; 32 * 1024],
            in_start: 0,
            in_end: 0,
            // Room for the input decoded: at most 3 UTF-8 bytes per input byte, plus slack.
            output: vec![0; 96 * 1024 + 16],
            out_start: 0,
            out_end: 0,
            eof: false,
        }
    }

    /// Decodes the next chunk into `output`; false at the end of the input.
    fn fill(&mut self) -> io::Result<bool> {
        while self.out_start == self.out_end {
            if self.eof && self.in_start == self.in_end {
                return Ok(false);
            }
            if self.in_start == self.in_end {
                self.in_start = 0;
                self.in_end = self.inner.read(&mut self.input)?;
                self.eof = self.in_end == 0;
            }
            let (_, read, written, _) = self.decoder.decode_to_utf8(
                &self.input[self.in_start..self.in_end],
                &mut self.output,
                self.eof,
            );
            self.in_start += read;
            self.out_start = 0;
            self.out_end = written;
            if self.eof && written == 0 && self.in_start == self.in_end {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

impl<R: Read> Read for DecodeReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.fill()? {
            return Ok(0);
        }
        let n = buf.len().min(self.out_end - self.out_start);
        buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
        self.out_start += n;
        Ok(n)
    }
}

/// Why a file cannot be read as text: what was expected, what was found, and the row it shows
/// at (when it shows at one).
pub type Refusal = (String, String, Option<u64>);

/// The encoding to read with: declared (by label), else detected from the head. UTF-16 that is
/// not declared as such is refused at once: read byte by byte it would give a finding for every
/// cell, none of which says what is wrong.
pub fn choose_encoding(declared: Option<&str>, head: &[u8]) -> Result<&'static Encoding, Refusal> {
    let label = declared.map(|l| {
        super::sniff::encoding_for_label(l).ok_or_else(|| {
            let expected = "a known text encoding such as utf-8 or windows-1251";
            (expected.to_owned(), l.to_owned(), None)
        })
    });
    let label = label.transpose()?;
    if label.is_none_or(|e| e != UTF_16LE && e != UTF_16BE) {
        if let Some(found) = undeclared_utf16(head, label.is_some()) {
            let expected = match declared {
                Some(l) => format!("text in `{l}`, the declared encoding"),
                None => "text in UTF-8 or a single-byte encoding such as windows-1251".to_owned(),
            };
            return Err((expected, found.to_owned(), Some(1)));
        }
    }
    Ok(label.unwrap_or_else(|| super::sniff::detect_encoding(head)))
}

/// What shows a head to be UTF-16 the reader was not told of: a UTF-16 byte-order mark under a
/// declared encoding (without one, detection reads the mark), or, with no mark, a NUL in nearly
/// every other byte (the way text in Latin or Cyrillic letters is stored in UTF-16).
fn undeclared_utf16(head: &[u8], declared: bool) -> Option<&'static str> {
    let marked = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    if marked {
        return declared.then_some("UTF-16 text (the file begins with a UTF-16 byte-order mark)");
    }
    let sample = &head[..head.len().min(4096) & !1];
    let pairs = sample.len() / 2;
    let nul_at = |start: usize| {
        sample
            .iter()
            .skip(start)
            .step_by(2)
            .filter(|b| **b == 0)
            .count()
    };
    let nuls = nul_at(0).max(nul_at(1));
    (pairs >= 4 && nuls * 10 >= pairs * 9)
        .then_some("UTF-16 text without a byte-order mark (a NUL byte in every other byte)")
}

/// UTF-8 with a few broken bytes (a damaged file, a line pasted from elsewhere) rather than a
/// code page: at least four valid non-ASCII characters for each invalid byte. Read as
/// Windows-1251 instead, every letter would be garbled without a word; read as UTF-8, the
/// broken bytes are an encoding error at their row. Text in Windows-1251 makes an invalid
/// sequence of nearly every letter, so it is never taken for this.
pub(super) fn mostly_utf8(sample: &[u8]) -> bool {
    let (mut letters, mut broken) = (0usize, 0usize);
    let mut rest = sample;
    loop {
        let (good, error) = match std::str::from_utf8(rest) {
            Ok(text) => (text, None),
            Err(e) => {
                let text = std::str::from_utf8(&rest[..e.valid_up_to()]).unwrap_or_default();
                (text, Some((e.valid_up_to(), e.error_len())))
            }
        };
        letters += good.chars().filter(|c| !c.is_ascii()).count();
        match error {
            Some((at, Some(len))) => {
                broken += 1;
                rest = &rest[at + len..];
            }
            _ => break,
        }
    }
    letters >= 4 * broken.max(1)
}

/// A text stream: the head (BOM removed for UTF-8) followed by the rest, decoded when needed.
pub fn text_stream<'a, R: Read + Send + 'a>(
    head: Vec<u8>,
    rest: R,
    encoding: &'static Encoding,
) -> Box<dyn Read + Send + 'a> {
    if encoding == UTF_8 {
        let skip = if head.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        let mut head = head;
        head.drain(..skip);
        Box::new(io::Cursor::new(head).chain(rest))
    } else {
        Box::new(DecodeReader::new(
            io::Cursor::new(head).chain(rest),
            encoding,
        ))
    }
}

/// Head text for sniffing: decoded, with a character cut at the end dropped.
pub fn head_text(head: &[u8], encoding: &'static Encoding) -> String {
    let (text, _, _) = encoding.decode(head);
    let text = text.trim_start_matches('\u{feff}');
    text.trim_end_matches('\u{fffd}').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_a_broken_byte_is_still_utf8_and_windows_1251_is_not() {
        let mut damaged = "id,name\n1,Київ\n2,".as_bytes().to_vec();
        damaged.extend_from_slice(b"ab\xffcd\n");
        assert!(mostly_utf8(&damaged));
        assert_eq!(crate::validate::sniff::detect_encoding(&damaged), UTF_8);
        let cp1251 = encoding_rs::WINDOWS_1251
            .encode("Ніжин;Київ;Ізюм;Ірпінь\n")
            .0;
        assert!(!mostly_utf8(&cp1251));
        assert!(
            !mostly_utf8(b"id\n1,\xff\n"),
            "no letters: nothing says UTF-8"
        );
    }

    #[test]
    fn utf16_is_read_when_marked_or_declared_and_refused_in_disguise() {
        let text: Vec<u8> = "id,name\n1,a\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let marked = [&[0xFF, 0xFE][..], &text].concat();
        assert_eq!(choose_encoding(None, &marked), Ok(UTF_16LE));
        assert_eq!(choose_encoding(Some("utf-16"), &text), Ok(UTF_16LE));
        let refused = |declared, head| choose_encoding(declared, head).unwrap_err().2;
        assert_eq!(refused(Some("utf-8"), &marked[..]), Some(1));
        assert_eq!(refused(None, &text[..]), Some(1));
        assert_eq!(refused(Some("klingon"), b"id\n"), None);
        assert_eq!(
            choose_encoding(None, b"id,name\n1,\0\n"),
            Ok(UTF_8),
            "a NUL is not UTF-16"
        );
    }

    #[test]
    fn decodes_windows_1251_across_small_reads() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode("Назва;Сума\r\nКиїв;12,5\r\n");
        let mut r = DecodeReader::new(&bytes[..], encoding_rs::WINDOWS_1251);
        let mut out = String::new();
        r.read_to_string(&mut out).unwrap();
        assert_eq!(out, "Назва;Сума\r\nКиїв;12,5\r\n");
        let mut r = DecodeReader::new(&bytes[..], encoding_rs::WINDOWS_1251);
        let mut one = [0u8; 3];
        let mut collected = Vec::new();
        loop {
            let n = r.read(&mut one).unwrap();
            if n == 0 {
                break;
            }
            collected.extend_from_slice(&one[..n]);
        }
        assert_eq!(
            String::from_utf8(collected).unwrap(),
            "Назва;Сума\r\nКиїв;12,5\r\n"
        );
    }

    #[test]
    fn utf8_bom_is_dropped() {
        let mut s = String::new();
        text_stream(b"\xEF\xBB\xBFa,b\n".to_vec(), io::empty(), UTF_8)
            .read_to_string(&mut s)
            .unwrap();
        assert_eq!(s, "a,b\n");
    }
}
