//! Reading JSONL without trusting it: lines are yielded one at a time from a reused buffer, a line
//! longer than the cap is not held in memory (its bytes are streamed past, or handed to a streaming
//! decoder), and a torn last line is reported instead of silently parsed or dropped.

use std::io::{self, BufRead, Read};

/// Lines longer than this are streamed rather than buffered (a single tool result can be hundreds
/// of megabytes).
pub const DEFAULT_LINE_CAP: usize = 8 * 1024 * 1024;

/// One line as read from the file.
pub enum Line<'a> {
    /// A line that fits under the cap, without its newline.
    Whole(&'a [u8]),
    /// A line longer than the cap. `prefix` holds its first bytes; the rest is still unread and
    /// must be consumed with [`LineReader::rest_of_line`] or [`LineReader::skip_rest`].
    Long { prefix: &'a [u8] },
}

/// Where a line sits in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinePos {
    /// 1-based line number.
    pub number: u64,
    /// Byte offset of the line's first byte.
    pub offset: u64,
    /// Whether the line ended with a newline (false only for the last line of a file).
    pub terminated: bool,
}

/// Splits a reader into lines with a bounded buffer.
pub struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    cap: usize,
    number: u64,
    offset: u64,
    /// Offset just past the last newline seen: where an incremental re-read resumes.
    complete: u64,
    pending_long: bool,
    /// Bytes of the line last handed out straight from `inner`'s buffer, consumed on the next
    /// read.
    pending_consume: usize,
}

impl<R: BufRead> LineReader<R> {
    /// Reads from `inner`, whose first byte sits at `offset` in the file and is line `number + 1`.
    pub fn new(inner: R, cap: usize, offset: u64, number: u64) -> Self {
        Self {
            inner,
            buf: Vec::new(),
            cap,
            number,
            offset,
            complete: offset,
            pending_long: false,
            pending_consume: 0,
        }
    }

    /// The offset after the last newline-terminated line read so far.
    pub const fn complete_offset(&self) -> u64 {
        self.complete
    }

    /// Offset of the next unread byte.
    pub const fn position(&self) -> u64 {
        self.offset
    }

    /// Line number of the last line returned.
    pub const fn line_number(&self) -> u64 {
        self.number
    }

    /// The next line, or `None` at the end of the input.
    pub fn next_line(&mut self) -> io::Result<Option<(LinePos, Line<'_>)>> {
        if self.pending_long {
            self.skip_rest()?;
        }
        self.inner
            .consume(std::mem::take(&mut self.pending_consume));
        self.buf.clear();
        let start = self.offset;
        // Most lines lie whole in the reader's buffer: they are handed out from there, uncopied.
        let newline_at = {
            let available = loop {
                match self.inner.fill_buf() {
                    Ok(b) => break b,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            };
            memchr::memchr(b'\n', &available[..available.len().min(self.cap + 1)])
        };
        if let Some(i) = newline_at {
            self.number += 1;
            self.offset += i as u64 + 1;
            self.complete = self.offset;
            self.pending_consume = i + 1;
            let pos = LinePos {
                number: self.number,
                offset: start,
                terminated: true,
            };
            let mut line = &self.inner.fill_buf()?[..i];
            if line.last() == Some(&b'\r') {
                line = &line[..line.len() - 1];
            }
            return Ok(Some((pos, Line::Whole(line))));
        }
        let (read, newline) = self.read_capped()?;
        if read == 0 {
            return Ok(None);
        }
        self.number += 1;
        let pos = LinePos {
            number: self.number,
            offset: start,
            terminated: newline,
        };
        if !newline && read > self.cap {
            // Over the cap: the caller streams the rest of the line.
            self.pending_long = true;
            return Ok(Some((pos, Line::Long { prefix: &self.buf })));
        }
        if newline {
            self.complete = self.offset;
        }
        let mut line = &self.buf[..];
        if line.last() == Some(&b'\n') {
            line = &line[..line.len() - 1];
        }
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        Ok(Some((pos, Line::Whole(line))))
    }

    /// Reads up to the next newline or until more than `cap` bytes are buffered.
    fn read_capped(&mut self) -> io::Result<(usize, bool)> {
        let mut total = 0;
        loop {
            let available = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                return Ok((total, false));
            }
            let window = available.len().min(self.cap + 1 - total.min(self.cap));
            let (used, done) = match memchr::memchr(b'\n', &available[..window]) {
                Some(i) => (i + 1, true),
                None => (window, false),
            };
            self.buf.extend_from_slice(&available[..used]);
            self.inner.consume(used);
            self.offset += used as u64;
            total += used;
            if done {
                return Ok((total, true));
            }
            if total > self.cap {
                return Ok((total, false));
            }
        }
    }

    /// Discards the unread rest of a long line. Returns whether it ended with a newline.
    pub fn skip_rest(&mut self) -> io::Result<bool> {
        let mut rest = self.rest_of_line();
        io::copy(&mut rest, &mut io::sink())?;
        Ok(rest.finish())
    }

    /// A reader over the unread rest of the current long line (up to, not including, its newline).
    pub fn rest_of_line(&mut self) -> RestOfLine<'_, R> {
        RestOfLine {
            reader: self,
            done: false,
            newline: false,
        }
    }
}

/// Streams the rest of a long line without buffering it.
pub struct RestOfLine<'r, R> {
    reader: &'r mut LineReader<R>,
    done: bool,
    newline: bool,
}

impl<R: BufRead> RestOfLine<'_, R> {
    /// Consumes what is left of the line; returns whether it ended with a newline.
    pub fn finish(mut self) -> bool {
        let _ = io::copy(&mut self, &mut io::sink());
        self.newline
    }
}

impl<R: BufRead> Read for RestOfLine<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.done || !self.reader.pending_long {
            return Ok(0);
        }
        let available = self.reader.inner.fill_buf()?;
        if available.is_empty() {
            self.done = true;
            self.reader.pending_long = false;
            return Ok(0);
        }
        let window = &available[..available.len().min(out.len())];
        let (take, newline) = match memchr::memchr(b'\n', window) {
            Some(i) => (i, true),
            None => (window.len(), false),
        };
        let n = take;
        out[..n].copy_from_slice(&available[..n]);
        let consumed = if newline && n == take { n + 1 } else { n };
        self.reader.inner.consume(consumed);
        self.reader.offset += consumed as u64;
        if newline && n == take {
            self.done = true;
            self.newline = true;
            self.reader.pending_long = false;
            self.reader.complete = self.reader.offset;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(input: &[u8], cap: usize) -> Vec<(u64, bool, String)> {
        let mut r = LineReader::new(input, cap, 0, 0);
        let mut out = Vec::new();
        while let Some((pos, line)) = r.next_line().unwrap() {
            let text = match line {
                Line::Whole(b) => String::from_utf8_lossy(b).into_owned(),
                Line::Long { prefix } => format!("LONG:{}", String::from_utf8_lossy(prefix)),
            };
            out.push((pos.number, pos.terminated, text));
        }
        out
    }

    /// A reader handing out `n` bytes at a time, so lines cross the read buffer's edges.
    struct Chunked<'a>(&'a [u8], usize);

    impl Read for Chunked<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.0.len().min(self.1).min(out.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn lines_across_buffer_edges_read_the_same_as_whole() {
        let input = b"{\"a\":1}\r\nsecond line\n\nxyz\nlonger than the cap!\ntail";
        for chunk in [1, 2, 3, 7, 64] {
            let buffered = io::BufReader::with_capacity(chunk, Chunked(input, chunk));
            let mut r = LineReader::new(buffered, 12, 0, 0);
            let mut got = Vec::new();
            while let Some((pos, line)) = r.next_line().unwrap() {
                let text = match line {
                    Line::Whole(b) => String::from_utf8_lossy(b).into_owned(),
                    Line::Long { prefix } => format!("LONG:{}", prefix.len()),
                };
                got.push((pos.number, pos.offset, pos.terminated, text));
            }
            assert_eq!(r.position(), input.len() as u64, "chunk {chunk}");
            assert_eq!(
                got,
                vec![
                    (1, 0, true, "{\"a\":1}".into()),
                    (2, 9, true, "second line".into()),
                    (3, 21, true, String::new()),
                    (4, 22, true, "xyz".into()),
                    // A long line's end is known once its rest is read.
                    (5, 26, false, "LONG:13".into()),
                    (6, 47, false, "tail".into()),
                ],
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn splits_lines_and_flags_torn_tail() {
        let lines = collect(b"a\r\nbb\n\nccc", 100);
        assert_eq!(
            lines,
            vec![
                (1, true, "a".into()),
                (2, true, "bb".into()),
                (3, true, String::new()),
                (4, false, "ccc".into())
            ]
        );
    }

    #[test]
    fn long_lines_are_capped_and_skipped() {
        let lines = collect(b"0123456789abcdef\nok\n", 4);
        assert_eq!(lines[0], (1, false, "LONG:01234".into()));
        assert_eq!(lines[1], (2, true, "ok".into()));
    }

    #[test]
    fn long_line_can_be_streamed_and_offsets_track() {
        let data = b"{\"k\":\"0123456789\"}\nnext\n";
        let mut r = LineReader::new(&data[..], 4, 0, 0);
        let (_, line) = r.next_line().unwrap().unwrap();
        let prefix = match line {
            Line::Long { prefix } => prefix.to_vec(),
            Line::Whole(_) => panic!("expected long"),
        };
        let mut rest = Vec::new();
        let mut stream = r.rest_of_line();
        stream.read_to_end(&mut rest).unwrap();
        assert!(stream.finish());
        assert_eq!([prefix, rest].concat(), b"{\"k\":\"0123456789\"}");
        assert_eq!(r.complete_offset(), 19);
        let (pos, _) = r.next_line().unwrap().unwrap();
        assert_eq!(pos.offset, 19);
        assert_eq!(r.complete_offset(), 24);
    }

    #[test]
    fn torn_tail_does_not_advance_complete_offset() {
        let mut r = LineReader::new(&b"ab\ncd"[..], 100, 10, 5);
        while r.next_line().unwrap().is_some() {}
        assert_eq!(r.complete_offset(), 13);
        assert_eq!(r.line_number(), 7);
    }
}
