//! The headers of a request: Python's `http.client.HTTPMessage`, read by
//! `http.client.parse_headers`.
//!
//! Python reads the header lines with two limits (65536 bytes a line, 100 lines), then
//! hands the text, decoded as latin-1, to the `email` package's parser. This module
//! ports both steps, quirks included: a line without a colon ends the headers (it and
//! what follows are dropped), folded lines are kept in the value, and the blank line
//! that ends the headers counts towards the 100.

use std::io::{self, BufRead, Read};

/// Python: `http.client._MAXLINE`, the longest line read, in bytes.
pub const _MAXLINE: usize = 65536;
/// Python: `http.client._MAXHEADERS`, the most header lines (the blank line included).
pub const _MAXHEADERS: usize = 100;

/// Why the headers could not be read.
#[derive(Debug)]
pub enum HeaderError {
    /// A line longer than [`_MAXLINE`]. Python: `http.client.LineTooLong("header line")`,
    /// whose text is `got more than 65536 bytes when reading header line`.
    LineTooLong,
    /// More than [`_MAXHEADERS`] lines. Python: `HTTPException("got more than 100 headers")`.
    TooManyHeaders,
    /// The connection failed while reading.
    Io(io::Error),
}

impl std::fmt::Display for HeaderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HeaderError::LineTooLong => {
                write!(f, "got more than {_MAXLINE} bytes when reading header line")
            }
            HeaderError::TooManyHeaders => write!(f, "got more than {_MAXHEADERS} headers"),
            HeaderError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl From<io::Error> for HeaderError {
    fn from(error: io::Error) -> Self {
        HeaderError::Io(error)
    }
}

/// Reads one line of at most `limit` bytes, ending after `\n` if one comes first.
///
/// Python: `file.readline(limit)`. An empty result means the end of the stream.
pub fn readline(reader: &mut impl BufRead, limit: usize) -> io::Result<Vec<u8>> {
    let mut line = Vec::new();
    reader
        .by_ref()
        .take(limit as u64)
        .read_until(b'\n', &mut line)?;
    Ok(line)
}

/// Reads `n` bytes, or fewer if the stream ends first; `-1` reads to the end of the
/// stream, and a length below `-1` is an `InvalidInput` error (Python's
/// `ValueError: read length must be non-negative or -1`).
///
/// Python: `file.read(n)` of a buffered binary file, as a handler reads a request's
/// body: `self.rfile.read(length)` is `read(&mut self.rfile, length)?`, after
/// [`int`](super::builtins::int) has read `length` from `Content-Length`. A client
/// that sends `Content-Length: -1` makes both wait until it closes its side.
pub fn read(reader: &mut impl Read, n: i64) -> io::Result<Vec<u8>> {
    let mut data = Vec::new();
    match n {
        -1 => reader.read_to_end(&mut data)?,
        n => {
            let n = u64::try_from(n).map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "read length must be non-negative or -1",
                )
            })?;
            reader.take(n).read_to_end(&mut data)?
        }
    };
    Ok(data)
}

/// Decodes bytes as latin-1: each byte is the code point of the same value, so it
/// never fails. Python: `bytes.decode('iso-8859-1')`.
pub fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// The headers of a message, in the order they came, with the case they came in.
///
/// Lookup ignores case; [`get`](Self::get) gives the first of several, as Python's
/// `message.get(name)` and `message[name]` do, and [`get_all`](Self::get_all) all
/// of them.
///
/// Python: `http.client.HTTPMessage` (an `email.message.Message`, compat32 policy).
#[doc(alias = "HTTPMessage")]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpMessage {
    headers: Vec<(String, String)>,
}

impl HttpMessage {
    /// The value of the first header called `name` (any case). Python: `get(name)`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The values of every header called `name`, in order. Python: `get_all(name)`
    /// (which returns `None` rather than an empty list).
    pub fn get_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Every `(name, value)` in order. Python: `items()`.
    pub fn items(&self) -> &[(String, String)] {
        &self.headers
    }

    /// How many headers. Python: `len(message)`.
    pub fn len(&self) -> usize {
        self.headers.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.headers.is_empty()
    }

    /// Adds a header at the end. Python: `message[name] = value`.
    pub fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.headers.push((name.into(), value.into()));
    }
}

// ANCHOR: parse_headers
/// Reads header lines up to the blank line (or the end of the stream) and parses
/// them.
///
/// Python: `http.client.parse_headers(fp, _class=HTTPMessage)`, that is
/// `_read_headers(fp)`, then `email.parser.Parser(_class=_class).parsestr(hstring)`.
pub fn parse_headers(fp: &mut impl BufRead) -> Result<HttpMessage, HeaderError> {
    let mut headers = Vec::new();
    loop {
        let line = readline(fp, _MAXLINE + 1)?;
        if line.len() > _MAXLINE {
            return Err(HeaderError::LineTooLong);
        }
        let end = line.is_empty() || line == b"\r\n" || line == b"\n";
        headers.push(line);
        // The blank line is counted too: 100 header lines are already too many.
        if headers.len() > _MAXHEADERS {
            return Err(HeaderError::TooManyHeaders);
        }
        if end {
            break;
        }
    }
    Ok(parse_header_text(&latin1(&headers.concat())))
}
// ANCHOR_END: parse_headers

/// Splits text into lines after `\r\n`, `\r` or `\n`, keeping the ends, as the
/// `email` package's feed parser does.
fn split_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                lines.push(&text[start..i + 2]);
                i += 2;
                start = i;
            }
            b'\r' | b'\n' => {
                lines.push(&text[start..i + 1]);
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// Python's `email.feedparser.headerRE`: `^(From |[\041-\071\073-\176]*:|[\t ])`.
fn is_header_line(line: &str) -> bool {
    if line.starts_with("From ") || line.starts_with([' ', '\t']) {
        return true;
    }
    let name_end = line
        .find(|c: char| !matches!(c, '\x21'..='\x39' | '\x3b'..='\x7e'))
        .unwrap_or(line.len());
    line[name_end..].starts_with(':')
}

/// Python: `email.feedparser.FeedParser._parsegen`'s header part and `_parse_headers`,
/// with the compat32 policy's `header_source_parse`.
fn parse_header_text(text: &str) -> HttpMessage {
    // Header lines run up to the first line that is not one (the blank line, or a
    // line without a colon, which starts the "body" and is dropped with it).
    let lines: Vec<&str> = split_lines(text)
        .into_iter()
        .take_while(|l| is_header_line(l))
        .collect();
    let mut message = HttpMessage::default();
    let mut last: Vec<&str> = Vec::new();
    for line in &lines {
        if line.starts_with([' ', '\t']) {
            if !last.is_empty() {
                last.push(line); // a continuation line (the first one is a defect: dropped)
            }
            continue;
        }
        if !last.is_empty() {
            message.headers.push(header_source_parse(&last));
            last.clear();
        }
        if line.starts_with("From ") {
            continue; // the Unix "From " line, or a defect: not a header either way
        }
        match line.find(':') {
            Some(0) | None => continue, // InvalidHeaderDefect: dropped
            Some(_) => last.push(line),
        }
    }
    if !last.is_empty() {
        message.headers.push(header_source_parse(&last));
    }
    message
}

/// Python: `email._policybase.Compat32.header_source_parse(sourcelines)`:
/// the name before the first colon; the value after it, spaces and tabs stripped on
/// the left, continuation lines kept, line ends stripped on the right.
fn header_source_parse(source_lines: &[&str]) -> (String, String) {
    let (name, value) = source_lines[0]
        .split_once(':')
        .expect("a header line has a colon");
    let mut value = value.trim_start_matches([' ', '\t']).to_string();
    for line in &source_lines[1..] {
        value.push_str(line);
    }
    let value = value.trim_end_matches(['\r', '\n']).to_string();
    (name.to_string(), value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(bytes: &[u8]) -> Result<HttpMessage, HeaderError> {
        parse_headers(&mut io::Cursor::new(bytes))
    }

    #[test]
    fn first_wins_all_kept_case_kept() {
        let m = parse(b"Host: a\r\nX-Dup: 1\r\nx-dup: 2\r\n\r\nbody").unwrap();
        assert_eq!(m.get("HOST"), Some("a"));
        assert_eq!(m.get("x-dup"), Some("1"));
        assert_eq!(m.get_all("X-DUP"), ["1", "2"]);
        assert_eq!(m.items()[2].0, "x-dup");
    }

    #[test]
    fn folded_lines_are_kept_and_a_colonless_line_ends_the_headers() {
        let m = parse(b"A: 1\r\n  folded\r\nNoColon\r\nB: 2\r\n\r\n").unwrap();
        assert_eq!(m.get("A"), Some("1\r\n  folded"));
        assert_eq!(m.get("B"), None);
    }

    #[test]
    fn read_is_pythons_file_read() {
        let mut body = io::Cursor::new(b"0123456789".to_vec());
        assert_eq!(read(&mut body, 4).unwrap(), b"0123");
        assert_eq!(read(&mut body, 0).unwrap(), b"");
        assert_eq!(read(&mut body, 100).unwrap(), b"456789"); // the stream ended first
        let mut body = io::Cursor::new(b"to the end".to_vec());
        assert_eq!(read(&mut body, -1).unwrap(), b"to the end");
        let error = read(&mut body, -2).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn limits() {
        let mut many = Vec::new();
        for i in 0..99 {
            many.extend_from_slice(format!("H{i}: v\r\n").as_bytes());
        }
        let mut ok = many.clone();
        ok.extend_from_slice(b"\r\n");
        assert_eq!(parse(&ok).unwrap().len(), 99);
        many.extend_from_slice(b"H99: v\r\n\r\n");
        assert!(matches!(parse(&many), Err(HeaderError::TooManyHeaders)));
        let long = [b"X: ".as_slice(), &vec![b'a'; _MAXLINE], b"\r\n\r\n"].concat();
        assert!(matches!(parse(&long), Err(HeaderError::LineTooLong)));
    }
}
