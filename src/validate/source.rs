//! Stage 2, validate: turns a file into a stream of UTF-8 text for the CSV parser, in one read.
//! The first 64 KiB are read ahead to detect the encoding (when not declared) and to sniff the
//! dialect; everything passes through the `HashingReader` exactly once. Non-UTF-8 files are
//! decoded on the fly with `encoding_rs`; UTF-8 files are passed through untouched (bad bytes are
//! then reported at their row by the parser).

use std::io::{self, Read};

use encoding_rs::{Decoder, Encoding, UTF_8};

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

/// The encoding to read with: declared (by label), else detected from the head.
pub fn choose_encoding(declared: Option<&str>, head: &[u8]) -> Result<&'static Encoding, String> {
    match declared {
        Some(label) => super::sniff::encoding_for_label(label).ok_or_else(|| {
            format!("a known text encoding such as utf-8 or windows-1251, not `{label}`")
        }),
        None => Ok(super::sniff::detect_encoding(head)),
    }
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
