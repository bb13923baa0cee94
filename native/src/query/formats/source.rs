// SPDX-License-Identifier: Apache-2.0
//! The bytes a streamed format reads: one or more files as one stream (a raw series'
//! versions, in order, so a line split across two versions parses), decompressed member by
//! member (every gzip member, zstd frame and bzip2 stream, not only the first), then cut
//! into cleaned lines or text chunks. Lines with invalid UTF-8 are read with U+FFFD in its
//! place; bad lines are counted per reason in [`Problems`], which become the warnings of
//! the read, or, with `strict`, fail it at the first one with INVALID_DATA.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind, Read};
use std::path::PathBuf;

use crate::error::{Code, Error, Result};

const BUFFER: usize = 256 * 1024;

/// Compression of a stream, from the URL's `+gzip`, `+zstd`, `+bzip2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
    Bzip2,
}

impl Compression {
    pub fn parse(name: Option<&str>) -> Result<Compression> {
        Ok(match name {
            None => Compression::None,
            Some("gzip") => Compression::Gzip,
            Some("zstd") => Compression::Zstd,
            Some("bzip2") => Compression::Bzip2,
            Some(other) => {
                return Err(Error::new(
                    Code::InvalidArgument,
                    format!("unknown compression {other:?} (gzip, zstd, bzip2)"),
                ))
            }
        })
    }

    fn name(self) -> &'static str {
        match self {
            Compression::None => "uncompressed",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
            Compression::Bzip2 => "bzip2",
        }
    }
}

/// Files read one after another as one byte stream, each opened only when reached.
struct Concat {
    paths: VecDeque<PathBuf>,
    current: Option<File>,
}

impl Read for Concat {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.current.is_none() {
                let Some(path) = self.paths.pop_front() else {
                    return Ok(0);
                };
                self.current = Some(File::open(&path).map_err(|e| {
                    std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
                })?);
            }
            let n = self.current.as_mut().map_or(Ok(0), |f| f.read(buf))?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            self.current = None;
        }
    }
}

/// One stream to read: its files (concatenated), compression, and how to report.
#[derive(Clone, Debug)]
pub struct StreamInput {
    /// What warnings and errors call it (a pond path and version, or a host path).
    pub label: String,
    pub files: Vec<PathBuf>,
    pub compression: Compression,
    pub strict: bool,
}

impl StreamInput {
    /// The decompressed bytes of the stream.
    pub fn open(&self) -> Result<Decoded> {
        let concat = Concat {
            paths: self.files.iter().cloned().collect(),
            current: None,
        };
        let raw = BufReader::with_capacity(BUFFER, concat);
        let inner: Box<dyn BufRead + Send> = match self.compression {
            Compression::None => Box::new(raw),
            Compression::Gzip => Box::new(BufReader::with_capacity(
                BUFFER,
                flate2::bufread::MultiGzDecoder::new(raw),
            )),
            Compression::Zstd => Box::new(BufReader::with_capacity(
                BUFFER,
                zstd::stream::read::Decoder::with_buffer(raw).map_err(|e| self.io_error(e))?,
            )),
            Compression::Bzip2 => Box::new(BufReader::with_capacity(
                BUFFER,
                bzip2::bufread::MultiBzDecoder::new(raw),
            )),
        };
        Ok(Decoded {
            inner,
            input: self.clone(),
        })
    }

    fn io_error(&self, e: std::io::Error) -> Error {
        let code = match e.kind() {
            ErrorKind::NotFound => Code::NotFound,
            ErrorKind::InvalidData | ErrorKind::InvalidInput | ErrorKind::UnexpectedEof => {
                Code::InvalidData
            }
            _ => Code::Io,
        };
        let what = if code == Code::InvalidData && self.compression != Compression::None {
            format!("not valid {} data", self.compression.name())
        } else {
            "cannot read".to_string()
        };
        Error::new(code, format!("{}: {what}: {e}", self.label)).with_path(self.label.clone())
    }
}

/// A stream's decompressed bytes.
pub struct Decoded {
    inner: Box<dyn BufRead + Send>,
    input: StreamInput,
}

impl Decoded {
    /// Cut into lines; `strip_nul` also removes NUL bytes from each (as oteljson and
    /// jsonlogs clean lines; weblog keeps them, so such a line does not match).
    pub fn lines(self, strip_nul: bool) -> Lines {
        Lines {
            decoded: self,
            buf: Vec::new(),
            text: String::new(),
            number: 0,
            strip_nul,
        }
    }

    /// Cut into text chunks of about the buffer's size, never splitting a character.
    pub fn chunks(self) -> Chunks {
        Chunks {
            decoded: self,
            carry: Vec::new(),
        }
    }
}

/// Trimmed, non-blank lines of a stream, numbered from 1.
pub struct Lines {
    decoded: Decoded,
    buf: Vec<u8>,
    text: String,
    number: u64,
    strip_nul: bool,
}

impl Lines {
    /// The next non-blank line (trimmed) and its number, or None at the end.
    pub fn next_line(&mut self, problems: &mut Problems) -> Result<Option<(u64, &str)>> {
        let lossy = loop {
            self.buf.clear();
            let n = self
                .decoded
                .inner
                .read_until(b'\n', &mut self.buf)
                .map_err(|e| self.decoded.input.io_error(e))?;
            if n == 0 {
                return Ok(None);
            }
            self.number += 1;
            if self.strip_nul && self.buf.contains(&0) {
                self.buf.retain(|b| *b != 0);
            }
            match std::str::from_utf8(&self.buf) {
                Ok(text) if text.trim().is_empty() => continue,
                Ok(_) => break false,
                Err(_) => {
                    problems.invalid_utf8(self.number)?;
                    self.text = String::from_utf8_lossy(&self.buf).into_owned();
                    if self.text.trim().is_empty() {
                        continue;
                    }
                    break true;
                }
            }
        };
        let line = if lossy {
            self.text.as_str()
        } else {
            // Checked in the loop.
            std::str::from_utf8(&self.buf).unwrap_or_default()
        };
        Ok(Some((self.number, line.trim())))
    }
}

/// Decoded text of a stream in chunks; invalid UTF-8 is replaced (and reported).
pub struct Chunks {
    decoded: Decoded,
    carry: Vec<u8>,
}

impl Chunks {
    pub fn next_chunk(&mut self, problems: &mut Problems) -> Result<Option<String>> {
        let input = &self.decoded.input;
        let available = self
            .decoded
            .inner
            .fill_buf()
            .map_err(|e| input.io_error(e))?;
        if available.is_empty() {
            if self.carry.is_empty() {
                return Ok(None);
            }
            problems.invalid_utf8(0)?;
            let rest = String::from_utf8_lossy(&self.carry).into_owned();
            self.carry.clear();
            return Ok(Some(rest));
        }
        let mut bytes = std::mem::take(&mut self.carry);
        bytes.extend_from_slice(available);
        let used = available.len();
        self.decoded.inner.consume(used);
        // An incomplete character at the end waits for the next chunk.
        let keep = incomplete_tail(&bytes);
        self.carry = bytes.split_off(bytes.len() - keep);
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Some(text)),
            Err(e) => {
                problems.invalid_utf8(0)?;
                Ok(Some(String::from_utf8_lossy(e.as_bytes()).into_owned()))
            }
        }
    }
}

/// How many bytes at the end of `bytes` begin a UTF-8 character not yet complete.
fn incomplete_tail(bytes: &[u8]) -> usize {
    for back in 1..=3.min(bytes.len()) {
        let b = bytes[bytes.len() - back];
        if b & 0xC0 == 0x80 {
            continue;
        }
        let width = match b {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => 1,
        };
        return if width > back { back } else { 0 };
    }
    0
}

/// Bad lines of one stream, counted per reason (first line kept), and lines whose invalid
/// UTF-8 was replaced. With `strict`, the first problem is an INVALID_DATA error instead.
#[derive(Debug)]
pub struct Problems {
    format: &'static str,
    label: String,
    strict: bool,
    skipped: Vec<(&'static str, u64, u64)>,
    utf8: (u64, u64),
}

impl Problems {
    pub fn new(format: &'static str, input: &StreamInput) -> Problems {
        Problems {
            format,
            label: input.label.clone(),
            strict: input.strict,
            skipped: Vec::new(),
            utf8: (0, 0),
        }
    }

    fn fail(&self, line: u64, what: &str) -> Error {
        let at = if line > 0 {
            format!("line {line}: ")
        } else {
            String::new()
        };
        Error::new(
            Code::InvalidData,
            format!(
                "{}: {at}{what} (strict=true fails on the first bad line; without it such lines are skipped with a warning)",
                self.label
            ),
        )
        .with_path(self.label.clone())
    }

    /// Line `line` is skipped because of `reason`.
    pub fn bad_line(&mut self, line: u64, reason: &'static str) -> Result<()> {
        if self.strict {
            return Err(self.fail(line, reason));
        }
        match self.skipped.iter_mut().find(|(r, _, _)| *r == reason) {
            Some((_, count, _)) => *count += 1,
            None => self.skipped.push((reason, 1, line)),
        }
        Ok(())
    }

    /// Line `line` (0 when lines are not counted) held bytes that are not UTF-8.
    pub fn invalid_utf8(&mut self, line: u64) -> Result<()> {
        if self.strict {
            return Err(self.fail(line, "invalid UTF-8"));
        }
        if self.utf8.0 == 0 {
            self.utf8.1 = line;
        }
        self.utf8.0 += 1;
        Ok(())
    }

    /// The warnings of the read, one per reason, e.g. `weblog: /logs/a.log: 3 lines
    /// skipped (not in combined or common log format; first at line 2)`.
    pub fn warnings(&self) -> Vec<String> {
        let lines = |n: u64| if n == 1 { "line" } else { "lines" };
        let mut out: Vec<String> = self
            .skipped
            .iter()
            .map(|(reason, count, first)| {
                format!(
                    "{}: {}: {count} {} skipped ({reason}; first at line {first})",
                    self.format,
                    self.label,
                    lines(*count)
                )
            })
            .collect();
        let (count, first) = self.utf8;
        if count > 0 {
            let at = if first > 0 {
                format!("; first at line {first}")
            } else {
                String::new()
            };
            let what = if first > 0 { lines(count) } else { "places" };
            out.push(format!(
                "{}: {}: invalid UTF-8 in {count} {what}, read as U+FFFD{at}",
                self.format, self.label
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn input(files: Vec<PathBuf>, compression: Compression) -> StreamInput {
        StreamInput {
            label: "t".into(),
            files,
            compression,
            strict: false,
        }
    }

    fn all_lines(input: &StreamInput) -> Vec<String> {
        let mut problems = Problems::new("t", input);
        let mut lines = input.open().unwrap().lines(true);
        let mut out = Vec::new();
        while let Some((_, l)) = lines.next_line(&mut problems).unwrap() {
            out.push(l.to_string());
        }
        out
    }

    #[test]
    fn a_line_split_across_files_reads_whole() {
        let dir = std::env::temp_dir().join(format!("pond-src-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let a = dir.join("a");
        let b = dir.join("b");
        std::fs::write(&a, "one\ntw").unwrap();
        std::fs::write(&b, "o\n\n three \n").unwrap();
        let got = all_lines(&input(vec![a, b], Compression::None));
        assert_eq!(got, ["one", "two", "three"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn every_gzip_member_is_decoded() {
        let dir = std::env::temp_dir().join(format!("pond-gz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("m.gz");
        let mut bytes = Vec::new();
        for part in ["a\n", "b\n"] {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(part.as_bytes()).unwrap();
            bytes.extend(gz.finish().unwrap());
        }
        std::fs::write(&path, bytes).unwrap();
        assert_eq!(all_lines(&input(vec![path], Compression::Gzip)), ["a", "b"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn incomplete_characters_wait_for_the_next_chunk() {
        let e = "é".as_bytes();
        assert_eq!(incomplete_tail(&[b'a', e[0]]), 1);
        assert_eq!(incomplete_tail(&[b'a', e[0], e[1]]), 0);
        assert_eq!(incomplete_tail(b"abc"), 0);
    }
}
