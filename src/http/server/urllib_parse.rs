//! The parts of Python's `urllib.parse` that `SimpleHTTPRequestHandler` uses:
//! `unquote`, `quote`, `urlsplit` and `urlunsplit`, with their exact rules.
//!
//! Python's strings may hold lone surrogates: the file system's undecodable bytes
//! (`surrogateescape`) and the `surrogatepass` error handler both produce them. The
//! port keeps text as the bytes Python would finally encode it to (UTF-8, with an
//! escaped byte `\udcXX` back to the byte `XX`), which is what reaches the file
//! system and the wire.

/// Python: `urllib.parse.unquote_to_bytes(string)`: `%XX` with two hex digits
/// becomes the byte; any other `%` stays as it is.
pub fn unquote_to_bytes(string: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(string.len());
    let mut i = 0;
    while i < string.len() {
        if string[i] == b'%' {
            if let (Some(h), Some(l)) = (
                string.get(i + 1).and_then(|&b| hex(b)),
                string.get(i + 2).and_then(|&b| hex(b)),
            ) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(string[i]);
        i += 1;
    }
    out
}

/// Decodes UTF-8 that may encode surrogates (`errors='surrogatepass'`), then encodes
/// the result with `surrogateescape`: `\udc80`-`\udcff` become the byte they escape.
/// `None` when the bytes are not UTF-8 even so (Python's `UnicodeDecodeError`).
fn decode_surrogatepass(bytes: &[u8]) -> Option<Vec<u8>> {
    // An encoded surrogate (U+D800-U+DFFF): ED A0..BF 80..BF.
    let surrogate_at = |i: usize| match bytes.get(i..i + 3) {
        Some(&[0xED, b1 @ 0xA0..=0xBF, b2 @ 0x80..=0xBF]) => {
            Some(0xD000 | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F))
        }
        _ => None,
    };
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let valid = match std::str::from_utf8(&bytes[i..]) {
            Ok(text) => text.len(),
            Err(e) => e.valid_up_to(),
        };
        out.extend_from_slice(&bytes[i..i + valid]);
        i += valid;
        if i == bytes.len() {
            break;
        }
        let code = surrogate_at(i)?;
        if (0xDC80..=0xDCFF).contains(&code) {
            out.push((code - 0xDC00) as u8);
        } else {
            // Not an escaped byte: Python could not encode it for the file system;
            // these bytes name no file.
            out.extend_from_slice(&bytes[i..i + 3]);
        }
        i += 3;
    }
    Some(out)
}

/// Python: `urllib.parse.unquote(string, errors=errors)`, over the runs of ASCII
/// between the other characters, which stay as they are.
fn unquote_with(string: &str, decode: impl Fn(&[u8]) -> Option<Vec<u8>>) -> Option<Vec<u8>> {
    if !string.contains('%') {
        return Some(string.as_bytes().to_vec());
    }
    let mut out = Vec::with_capacity(string.len());
    let mut rest = string;
    while !rest.is_empty() {
        let ascii_end = rest.find(|c: char| !c.is_ascii()).unwrap_or(rest.len());
        out.extend(decode(&unquote_to_bytes(&rest.as_bytes()[..ascii_end]))?);
        rest = &rest[ascii_end..];
        let other_end = rest.find(|c: char| c.is_ascii()).unwrap_or(rest.len());
        out.extend_from_slice(&rest.as_bytes()[..other_end]);
        rest = &rest[other_end..];
    }
    Some(out)
}

// ANCHOR: unquote
/// What `SimpleHTTPRequestHandler` does to a request path before it touches the file
/// system:
///
/// ```python
/// try:
///     path = urllib.parse.unquote(path, errors='surrogatepass')
/// except UnicodeDecodeError:
///     path = urllib.parse.unquote(path)
/// ```
///
/// The result is given as the bytes of the file name (Python's `os.fsencode`).
pub fn unquote(string: &str) -> Vec<u8> {
    unquote_with(string, decode_surrogatepass).unwrap_or_else(|| {
        unquote_with(string, |bytes| {
            Some(String::from_utf8_lossy(bytes).into_owned().into_bytes())
        })
        .unwrap_or_default()
    })
}
// ANCHOR_END: unquote

/// Python: `os.fsdecode(name).encode('utf-8', 'surrogatepass')`: a file name's
/// bytes as Python's `quote(name, errors='surrogatepass')` encodes them. An
/// undecodable byte `XX` is the surrogate `\udcXX`, encoded `ED B2|B3 ..`.
pub fn fs_name_surrogatepass(name: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(name.len());
    for chunk in name.utf8_chunks() {
        out.extend_from_slice(chunk.valid().as_bytes());
        for &byte in chunk.invalid() {
            let code = 0xDC00 | u32::from(byte);
            out.extend([
                0xED,
                0x80 | ((code >> 6) & 0x3F) as u8,
                0x80 | (code & 0x3F) as u8,
            ]);
        }
    }
    out
}

/// Python: `os.fsdecode(name).lower()` as a sort key: code points, an undecodable
/// byte as its surrogate.
pub fn fs_name_lower_key(name: &[u8]) -> Vec<u32> {
    let mut key = Vec::with_capacity(name.len());
    for chunk in name.utf8_chunks() {
        key.extend(
            chunk
                .valid()
                .chars()
                .flat_map(char::to_lowercase)
                .map(u32::from),
        );
        key.extend(chunk.invalid().iter().map(|&b| 0xDC00 | u32::from(b)));
    }
    key
}

// ANCHOR: quote
/// Python: `urllib.parse.quote_from_bytes(bytes, safe='/')`: letters, digits,
/// `_.-~` and `/` stay; every other byte becomes `%XX`.
pub fn quote(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"_.-~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
// ANCHOR_END: quote

/// Python: `urllib.parse.SplitResult`: `scheme://netloc/path?query#fragment`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SplitResult {
    /// Python: `scheme`.
    pub scheme: String,
    /// Python: `netloc`.
    pub netloc: String,
    /// Python: `path`.
    pub path: String,
    /// Python: `query`.
    pub query: String,
    /// Python: `fragment`.
    pub fragment: String,
}

/// Python: `urllib.parse.urlsplit(url)`. `Err` where Python raises `ValueError`
/// (an unbalanced or invalid bracketed host).
pub fn urlsplit(url: &str) -> Result<SplitResult, String> {
    // Only lstrip url as some applications rely on preserving trailing space.
    let url = url.trim_start_matches(|c: char| c <= ' ');
    let url: String = url
        .chars()
        .filter(|c| !matches!(c, '\t' | '\r' | '\n'))
        .collect();
    let mut result = SplitResult::default();
    let mut url = url.as_str();
    if let Some(i) = url.find(':') {
        let scheme_chars = |c: char| c.is_ascii_alphanumeric() || "+-.".contains(c);
        if i > 0
            && url.starts_with(|c: char| c.is_ascii_alphabetic())
            && url[..i].chars().all(scheme_chars)
        {
            result.scheme = url[..i].to_lowercase();
            url = &url[i + 1..];
        }
    }
    if let Some(after) = url.strip_prefix("//") {
        let end = after.find(['/', '?', '#']).unwrap_or(after.len());
        result.netloc = after[..end].to_string();
        url = &after[end..];
        let netloc = &result.netloc;
        if netloc.contains('[') != netloc.contains(']') {
            return Err("Invalid IPv6 URL".into());
        }
        if netloc.contains('[') {
            let host = netloc.split_once('[').unwrap().1;
            let host = host.split_once(']').map_or(host, |(h, _)| h);
            check_bracketed_host(host)?;
        }
    }
    let (rest, fragment) = url.split_once('#').unwrap_or((url, ""));
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    result.path = path.to_string();
    result.query = query.to_string();
    result.fragment = fragment.to_string();
    Ok(result)
}

/// Python: `urllib.parse._check_bracketed_host(hostname)`.
fn check_bracketed_host(host: &str) -> Result<(), String> {
    if let Some(future) = host.strip_prefix('v') {
        let (version, rest) = future.split_once('.').unwrap_or((future, ""));
        let valid = !version.is_empty()
            && version.chars().all(|c| c.is_ascii_hexdigit())
            && !rest.is_empty();
        return if valid {
            Ok(())
        } else {
            Err("IPvFuture address is invalid".into())
        };
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(_)) => Ok(()),
        Ok(std::net::IpAddr::V4(_)) => Err("An IPv4 address cannot be in brackets".into()),
        Err(_) => Err(format!(
            "{host:?} does not appear to be an IPv4 or IPv6 address"
        )),
    }
}

/// The schemes whose URLs have a `//netloc`. Python: `urllib.parse.uses_netloc`.
const USES_NETLOC: [&str; 26] = [
    "", "ftp", "http", "gopher", "nntp", "telnet", "imap", "wais", "file", "mms", "https", "shttp",
    "snews", "prospero", "rtsp", "rtsps", "rtspu", "rsync", "svn", "svn+ssh", "sftp", "nfs", "git",
    "git+ssh", "ws", "wss",
];

/// Python: `urllib.parse.urlunsplit(parts)`.
pub fn urlunsplit(parts: &SplitResult) -> String {
    let mut url = parts.path.clone();
    let scheme = parts.scheme.as_str();
    if !parts.netloc.is_empty()
        || (!scheme.is_empty() && USES_NETLOC.contains(&scheme) && !url.starts_with("//"))
    {
        if !url.is_empty() && !url.starts_with('/') {
            url.insert(0, '/');
        }
        url = format!("//{}{url}", parts.netloc);
    }
    if !scheme.is_empty() {
        url = format!("{scheme}:{url}");
    }
    if !parts.query.is_empty() {
        url = format!("{url}?{}", parts.query);
    }
    if !parts.fragment.is_empty() {
        url = format!("{url}#{}", parts.fragment);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquote_like_python() {
        assert_eq!(unquote("/a%20b"), b"/a b");
        assert_eq!(unquote("/%zz%4"), b"/%zz%4");
        assert_eq!(unquote("/%C3%A9"), "/é".as_bytes());
        assert_eq!(unquote("/\u{e9}%41"), "/éA".as_bytes());
        assert_eq!(unquote("/%ED%B3%BF"), b"/\xff"); // an escaped byte comes back
        assert_eq!(unquote("/%FF"), "/\u{fffd}".as_bytes()); // errors='replace'
    }

    #[test]
    fn quote_like_python() {
        assert_eq!(quote(b"we<ird>&.txt"), "we%3Cird%3E%26.txt");
        assert_eq!(quote(&fs_name_surrogatepass(b"\xff")), "%ED%B3%BF");
    }

    #[test]
    fn split_and_unsplit() {
        let parts = urlsplit("/dir?hi=1#top").unwrap();
        assert_eq!(
            (parts.path.as_str(), parts.query.as_str()),
            ("/dir", "hi=1")
        );
        let mut moved = parts.clone();
        moved.path.push('/');
        assert_eq!(urlunsplit(&moved), "/dir/?hi=1#top");
        let absolute = urlsplit("https://example.org/x").unwrap();
        assert_eq!(urlunsplit(&absolute), "https://example.org/x");
        assert!(urlsplit("http://[::1/").is_err());
    }
}
