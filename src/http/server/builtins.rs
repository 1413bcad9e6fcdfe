//! The pieces of Python's builtins and standard library that `http.server` leans on
//! for its exact bytes: `str.split()`, `repr()` of a `str`, `html.escape`, the log's
//! control-character table, and the two date formats; and `int()`, which a handler
//! of your own leans on to read `Content-Length`.
//!
//! Each is small, and each decides bytes on the wire or in the log, so each is
//! checked against the real `python3` in `tests/http_differential.rs`.

use std::time::{SystemTime, UNIX_EPOCH};

// ANCHOR: split
/// Python's `str.isspace()` for the characters of a latin-1 decoded line: what
/// `str.split()` splits on. Wider than ASCII whitespace: it includes the file, group,
/// record and unit separators `\x1c`-`\x1f`, NEL `\x85` and NBSP `\xa0`.
pub fn is_python_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\x0b' | '\x0c' | '\r' | '\x1c'..='\x1f' | ' ' | '\u{85}' | '\u{a0}'
    )
}

/// Python: `text.split()` with no argument: the words between runs of whitespace,
/// none empty. `parse_request` splits the request line with it.
pub fn split(text: &str) -> Vec<&str> {
    text.split(is_python_space)
        .filter(|w| !w.is_empty())
        .collect()
}
// ANCHOR_END: split

/// Python: `repr(text)` of a `str`: single quotes unless the text holds a single
/// quote and no double quote; `\\`, the quote, `\t`, `\n`, `\r` escaped; other
/// unprintable characters as `\xHH`, `\uHHHH` or `\UHHHHHHHH`.
///
/// `send_error` messages use it: `Bad request version ('HTTP/9')`.
pub fn repr(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if is_printable(c) => out.push(c),
            c if (c as u32) <= 0xff => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push(quote);
    out
}

/// Python's `str.isprintable()` for one character: exact for latin-1 text (all a
/// request line can hold: controls, NBSP and the soft hyphen are not printable), and
/// close beyond it (line and paragraph separators, odd spaces).
fn is_printable(c: char) -> bool {
    match c {
        ' ' => true,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{a0}' | '\u{ad}' => false,
        '\u{2028}'
        | '\u{2029}'
        | '\u{2000}'..='\u{200f}'
        | '\u{202f}'
        | '\u{205f}'
        | '\u{3000}' => false,
        '\u{fff9}'..='\u{fffb}' | '\u{feff}' => false,
        _ => true,
    }
}

/// Python: `html.escape(text, quote=False)`: `&`, `<`, `>` become entities, quotes
/// stay. `send_error` escapes its message and explanation with it (bug #1100201).
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

// ANCHOR: int
/// Python: `int(text)` of a `str`: a decimal integer, with whitespace around it, an
/// optional sign, and single underscores between digits allowed (`" +1_000 "` is
/// 1000); anything else is Python's `ValueError`, here an `InvalidData` error with
/// Python's message: `invalid literal for int() with base 10: 'ten'`.
///
/// It serves the idiom of a handler that reads a body,
/// `length = int(self.headers.get("Content-Length", 0))`, which is
/// `let length = int(self.headers.get("Content-Length").unwrap_or("0"))?;`, and
/// goes with [`read`](super::message::read), `self.rfile.read(length)`.
///
/// Differs from Python: a number outside `i64` is an error (Python's integers have
/// no bound), and only ASCII digits count (Python also takes other scripts' decimal
/// digits, `int("١٢")` is 12).
pub fn int(text: &str) -> std::io::Result<i64> {
    let invalid = || {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("invalid literal for int() with base 10: {}", repr(text)),
        )
    };
    let trimmed = text.trim_matches(is_python_space);
    let (negative, digits) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    let well_formed = !digits.is_empty()
        && digits
            .split('_')
            .all(|run| !run.is_empty() && run.bytes().all(|b| b.is_ascii_digit()));
    if !well_formed {
        return Err(invalid());
    }
    let magnitude: i64 = digits.replace('_', "").parse().map_err(|_| {
        std::io::Error::new(std::io::ErrorKind::InvalidData, "int too large for i64")
    })?;
    Ok(if negative { -magnitude } else { magnitude })
}
// ANCHOR_END: int

// ANCHOR: _control_char_table
/// Python: `message.translate(BaseHTTPRequestHandler._control_char_table)`, which
/// `log_message` applies since gh-100001: C0 and C1 controls (`\x00`-`\x1f`,
/// `\x7f`-`\x9f`) become `\xHH`, and a backslash becomes `\\`, so that a request
/// cannot write escape sequences to the server's terminal.
pub fn escape_control_chars(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for c in message.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\x00'..='\x1f' | '\x7f'..='\u{9f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}
// ANCHOR_END: _control_char_table

/// The broken-down time Python's `time.gmtime` / `time.localtime` give.
struct Tm {
    year: i64,
    month: u32,
    day: u32,
    weekday: u32, // 0 = Monday, as Python's tm_wday
    hour: u32,
    minute: u32,
    second: u32,
}

/// Python: `BaseHTTPRequestHandler.weekdayname`.
const WEEKDAYNAME: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
/// Python: `BaseHTTPRequestHandler.monthname` (without its leading `None`).
const MONTHNAME: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Seconds since the epoch (with an offset already added) as a calendar time: the
/// proleptic Gregorian calendar, as `time.gmtime` computes it.
fn civil(seconds: i64) -> Tm {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    // Howard Hinnant's days_from_civil, inverted.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    Tm {
        year,
        month,
        day,
        weekday: (days + 3).rem_euclid(7) as u32, // 1970-01-01 was a Thursday
        hour: (secs / 3600) as u32,
        minute: (secs / 60 % 60) as u32,
        second: (secs % 60) as u32,
    }
}

fn epoch_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs_f64().ceil() as i64),
    }
}

/// Python: `email.utils.formatdate(timestamp, usegmt=True)`, as
/// `BaseHTTPRequestHandler.date_time_string(timestamp)` uses it for `Date` and
/// `Last-Modified`: `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn date_time_string(time: SystemTime) -> String {
    // Every response asks for the current second: format it once a second per thread.
    thread_local! {
        static LAST: std::cell::RefCell<(i64, String)> = const { std::cell::RefCell::new((i64::MIN, String::new())) };
    }
    let seconds = epoch_seconds(time);
    LAST.with_borrow_mut(|(last, text)| {
        if *last != seconds {
            let t = civil(seconds);
            *text = format!(
                "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
                WEEKDAYNAME[t.weekday as usize],
                t.day,
                MONTHNAME[t.month as usize - 1],
                t.year,
                t.hour,
                t.minute,
                t.second
            );
            *last = seconds;
        }
        text.clone()
    })
}

/// The local time zone's offset from UTC at `time`, in seconds (what
/// `time.localtime` applies), from the C library.
fn local_offset(seconds: i64) -> i64 {
    let t = seconds as nix::libc::time_t;
    // SAFETY: localtime_r only writes the `tm` we give it; a zeroed tm is valid.
    let mut tm: nix::libc::tm = unsafe { std::mem::zeroed() };
    let ok = unsafe { !nix::libc::localtime_r(&t, &mut tm).is_null() };
    if ok { tm.tm_gmtoff } else { 0 }
}

/// Python: `BaseHTTPRequestHandler.log_date_time_string()`: the current **local**
/// time as `26/Nov/2026 19:02:36`, for the log.
pub fn log_date_time_string(time: SystemTime) -> String {
    let seconds = epoch_seconds(time);
    let t = civil(seconds + local_offset(seconds));
    format!(
        "{:02}/{}/{:04} {:02}:{:02}:{:02}",
        t.day,
        MONTHNAME[t.month as usize - 1],
        t.year,
        t.hour,
        t.minute,
        t.second
    )
}

/// Python: `socket.getfqdn(name)`: the first name with a dot among the host name and
/// aliases that a reverse lookup of `name` gives, else that host name; `name` itself
/// when the lookup fails. An empty name, `0.0.0.0` and `::` stand for this host.
/// `HTTPServer.server_bind` records it as `server_name`.
pub fn getfqdn(name: &str) -> String {
    let mut name = name.trim().to_string();
    if name.is_empty() || name == "0.0.0.0" || name == "::" {
        name = nix::unistd::gethostname()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
    }
    match gethostbyaddr(&name) {
        Some((hostname, aliases)) => std::iter::once(&hostname)
            .chain(&aliases)
            .find(|n| n.contains('.'))
            .unwrap_or(&hostname)
            .clone(),
        None => name,
    }
}

/// Python: `socket.gethostbyaddr(name)` without the addresses: `(hostname, aliases)`.
fn gethostbyaddr(name: &str) -> Option<(String, Vec<String>)> {
    use nix::libc;
    use std::ffi::CStr;
    use std::net::{IpAddr, ToSocketAddrs};

    // glibc's reentrant gethostbyaddr, which the libc crate does not declare.
    unsafe extern "C" {
        fn gethostbyaddr_r(
            addr: *const libc::c_void,
            len: libc::socklen_t,
            family: libc::c_int,
            ret: *mut libc::hostent,
            buf: *mut libc::c_char,
            buflen: libc::size_t,
            result: *mut *mut libc::hostent,
            h_errnop: *mut libc::c_int,
        ) -> libc::c_int;
    }
    let ip = (name, 0).to_socket_addrs().ok()?.next()?.ip();
    let (octets, family): (Vec<u8>, i32) = match ip {
        IpAddr::V4(ip) => (ip.octets().to_vec(), libc::AF_INET),
        IpAddr::V6(ip) => (ip.octets().to_vec(), libc::AF_INET6),
    };
    // SAFETY: gethostbyaddr_r writes only into `host`, `buffer`, `result` and `errno`,
    // all ours; the strings it points to live in `buffer`, read before it goes.
    unsafe {
        let mut host: libc::hostent = std::mem::zeroed();
        let mut buffer = vec![0 as libc::c_char; 16 * 1024];
        let mut result: *mut libc::hostent = std::ptr::null_mut();
        let mut errno = 0;
        let status = gethostbyaddr_r(
            octets.as_ptr().cast(),
            octets.len() as libc::socklen_t,
            family,
            &mut host,
            buffer.as_mut_ptr(),
            buffer.len(),
            &mut result,
            &mut errno,
        );
        if status != 0 || result.is_null() || host.h_name.is_null() {
            return None;
        }
        let hostname = CStr::from_ptr(host.h_name).to_string_lossy().into_owned();
        let mut aliases = Vec::new();
        let mut alias = host.h_aliases;
        while !alias.is_null() && !(*alias).is_null() {
            aliases.push(CStr::from_ptr(*alias).to_string_lossy().into_owned());
            alias = alias.add(1);
        }
        Some((hostname, aliases))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn rfc_example_date() {
        let t = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(date_time_string(t), "Sun, 06 Nov 1994 08:49:37 GMT");
    }

    #[test]
    fn int_is_pythons() {
        for (text, value) in [("0", 0), (" 12\t\r\n", 12), ("+1_000", 1000), ("-007", -7)] {
            assert_eq!(int(text).unwrap(), value, "{text:?}");
        }
        for text in ["", " ", "1_", "_1", "1__0", "0x10", "1.5", "+", "- 1", "١٢"] {
            let error = int(text).unwrap_err();
            assert_eq!(error.kind(), std::io::ErrorKind::InvalidData, "{text:?}");
        }
        assert_eq!(
            int("ten").unwrap_err().to_string(),
            "invalid literal for int() with base 10: 'ten'"
        );
    }

    #[test]
    fn split_is_pythons() {
        assert_eq!(
            split(" GET\u{a0}/ \x1cHTTP/1.1\r\n"),
            ["GET", "/", "HTTP/1.1"]
        );
        assert!(split(" \t ").is_empty());
    }
}
