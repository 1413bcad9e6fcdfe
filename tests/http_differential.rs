//! The http layer measured against the real CPython: the same input to both, the same
//! answer expected. Needs `python3` (3.11) on the PATH, as every development machine
//! and CI has.

use std::io::Cursor;
use std::process::Command;

use socketserver::http::server::parse_headers;
use socketserver::http::{HTTP_STATUSES, HttpStatus};

/// Runs a Python snippet and returns what it printed.
fn python(code: &str, args: &[String]) -> String {
    let output = Command::new("python3")
        .arg("-c")
        .arg(code)
        .args(args)
        .output()
        .expect("python3");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// `HttpStatus` is CPython's `http.HTTPStatus`, member for member.
#[test]
fn http_status_table_matches_cpython() {
    let printed = python(
        "import http\nfor s in http.HTTPStatus: print(f'{s.value}|{s.name}|{s.phrase}|{s.description}')",
        &[],
    );
    let ours: Vec<String> = HTTP_STATUSES
        .iter()
        .map(|s| format!("{}|{}|{}|{}", s.value, s.name, s.phrase, s.description))
        .collect();
    assert_eq!(printed.lines().collect::<Vec<_>>(), ours);
    assert_eq!(HttpStatus::from_code(404).unwrap().phrase, "Not Found");
    assert!(HttpStatus::from_code(999).is_none());
}

/// Header blocks, each fed to CPython's `http.client.parse_headers` and to ours.
const CORPUS: &[&[u8]] = &[
    b"Host: example\r\n\r\n",
    b"Host: a\r\nhost: b\r\nHOST: c\r\n\r\n",
    b"A:no-space\r\nB:   \t spaced  \r\n\r\n",
    b"A: 1\r\n  folded\r\n\tagain\r\nB: 2\r\n\r\n",
    b"  leading continuation\r\nA: 1\r\n\r\n",
    b"A: 1\r\nNoColonHere\r\nB: 2\r\n\r\n",
    b"Host : spaced name\r\nB: 2\r\n\r\n",
    b": empty name\r\nA: 1\r\n\r\n",
    b"A: 1\nB: lf only\n\n",
    b"A: bare\rcr\r\nB: 2\r\n\r\n",
    b"From someone\r\nA: 1\r\n\r\n",
    b"A: 1\r\nFrom x\r\nB: 2\r\n\r\n",
    b"A: latin \xe9\xff\r\n\r\n",
    b"A: 1\r\nB: 2",
    b"",
    b"\r\n",
    b"X-Colons: a:b:c\r\nEmpty:\r\n\r\n",
    b"A\x7f: del in name\r\nB: 2\r\n\r\n",
    b"Tab\there: x\r\n\r\n",
];

#[test]
fn parse_headers_matches_cpython() {
    let code = r#"
import sys, io, json, http.client
for arg in sys.argv[1:]:
    try:
        m = http.client.parse_headers(io.BytesIO(bytes.fromhex(arg)))
        print(json.dumps([[k, v] for k, v in m.items()]))
    except Exception as e:
        print(json.dumps(type(e).__name__))
"#;
    let args: Vec<String> = CORPUS
        .iter()
        .map(|c| c.iter().map(|b| format!("{b:02x}")).collect())
        .collect();
    let printed = python(code, &args);
    for (case, expected) in CORPUS.iter().zip(printed.lines()) {
        let ours = parse_headers(&mut Cursor::new(case)).unwrap();
        let ours: Vec<String> = ours
            .items()
            .iter()
            .map(|(k, v)| format!("[{}, {}]", json(k), json(v)))
            .collect();
        let ours = format!("[{}]", ours.join(", "));
        assert_eq!(ours, expected, "case {:?}", String::from_utf8_lossy(case));
    }
}

/// A JSON string as Python's `json.dumps` writes it (ASCII only, `\uXXXX` escapes).
fn json(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

use socketserver::http::server::builtins;

/// Strings that reach `repr`, `split`, `html.escape` and the log's escaping from a
/// request line: every latin-1 character, quotes, controls, markup.
fn latin1_corpus() -> Vec<String> {
    let mut corpus: Vec<String> = vec![
        "GET / HTTP/1.1".into(),
        "  GET\t/x \u{a0}HTTP/1.0  ".into(),
        "it's".into(),
        "say \"hi\"".into(),
        "both ' and \"".into(),
        "back\\slash".into(),
        "<script>alert('&')</script>".into(),
        "/\x1bbar\x00\x1b".into(),
        "\x1b\x7f\u{9f}\u{a0}beans".into(),
        "\"GET /foo\\b\"ar\x07 HTTP/1.0\"".into(),
        "\x1c\x1d\x1e\x1f\u{85}split".into(),
        String::new(),
    ];
    corpus.push((0u8..=255).map(char::from).collect());
    corpus
}

#[test]
fn builtins_match_cpython() {
    let code = r#"
import sys, json, html, http.server
table = http.server.BaseHTTPRequestHandler._control_char_table
for arg in sys.argv[1:]:
    s = bytes.fromhex(arg).decode('latin-1')
    print(json.dumps([repr(s), s.split(), html.escape(s, quote=False), s.translate(table)]))
"#;
    let corpus = latin1_corpus();
    let args: Vec<String> = corpus
        .iter()
        .map(|s| s.chars().map(|c| format!("{:02x}", c as u32)).collect())
        .collect();
    let printed = python(code, &args);
    for (s, expected) in corpus.iter().zip(printed.lines()) {
        let words: Vec<String> = builtins::split(s).iter().map(|w| json(w)).collect();
        let ours = format!(
            "[{}, [{}], {}, {}]",
            json(&builtins::repr(s)),
            words.join(", "),
            json(&builtins::html_escape(s)),
            json(&builtins::escape_control_chars(s))
        );
        assert_eq!(ours, expected, "case {s:?}");
    }
}

#[test]
fn date_strings_match_cpython() {
    use std::time::{Duration, UNIX_EPOCH};
    let stamps: [u64; 6] = [
        0,
        784_111_777,
        951_782_400,
        1_709_164_800,
        1_798_000_000,
        4_102_444_799,
    ];
    let code = r#"
import sys, time, email.utils, http.server
h = http.server.BaseHTTPRequestHandler
for arg in sys.argv[1:]:
    t = int(arg)
    y, m, d, hh, mm, ss, *_ = time.localtime(t)
    local = "%02d/%3s/%04d %02d:%02d:%02d" % (d, h.monthname[m], y, hh, mm, ss)
    print(email.utils.formatdate(t, usegmt=True) + "|" + local)
"#;
    let args: Vec<String> = stamps.iter().map(|s| s.to_string()).collect();
    let printed = python(code, &args);
    for (stamp, expected) in stamps.iter().zip(printed.lines()) {
        let t = UNIX_EPOCH + Duration::from_secs(*stamp);
        let ours = format!(
            "{}|{}",
            builtins::date_time_string(t),
            builtins::log_date_time_string(t)
        );
        assert_eq!(ours, expected, "timestamp {stamp}");
    }
}

use socketserver::http::server::{email_utils, mimetypes, urllib_parse};

/// Hex of bytes, for passing arbitrary bytes to Python on its command line.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every extension either table knows, in several cases and combinations, gets
/// CPython's answer from `mimetypes.guess_type` (which reads this machine's
/// `/etc/mime.types` as ours does).
#[test]
fn mimetypes_guess_type_matches_cpython() {
    let mut names: Vec<String> = Vec::new();
    let mut extensions: Vec<String> = mimetypes::TYPES_MAP_DEFAULT
        .iter()
        .map(|(e, _)| e.to_string())
        .collect();
    extensions.extend(mimetypes::types_map().keys().cloned());
    extensions.sort();
    extensions.dedup();
    for ext in &extensions {
        names.push(format!("/srv/file{ext}"));
        names.push(format!("/srv/FILE{}", ext.to_uppercase()));
    }
    for name in [
        "a.tar.gz",
        "a.tgz",
        "a.TGZ",
        "a.svgz",
        "a.txt.br",
        "a.txt.Z",
        "a.TXT.GZ",
        "a.tar.xz",
        "a.txz",
        "a.tbz2",
        "a.taz",
        "a.tz",
        "Makefile",
        ".bashrc",
        "..conf",
        "a.",
        "dir.d/file",
        "a.unknownext",
        "x.html.gz",
        "data:text/html,hello",
        "data:bad",
        "data:;base64,xx",
        "data:text/x;charset=a,b",
        "http://host/a.js",
        "c:/x/y.png",
        "/a:b/c.css",
    ] {
        names.push(name.to_string());
    }
    let code = r#"
import sys, mimetypes
for name in sys.argv[1:]:
    t, e = mimetypes.guess_type(name)
    print(f"{t}|{e}")
"#;
    let printed = python(code, &names);
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), names.len());
    for (name, expected) in names.iter().zip(lines) {
        let (t, e) = mimetypes::guess_type(name);
        let ours = format!("{}|{}", t.as_deref().unwrap_or("None"), e.unwrap_or("None"));
        assert_eq!(ours, expected, "guess_type({name:?})");
    }
}

/// `unquote` (as `translate_path` calls it, then `os.fsencode`) and `quote` (as
/// `list_directory` calls it on a file name).
#[test]
fn urllib_parse_matches_cpython() {
    let paths: Vec<String> = [
        "/plain",
        "/a%20b",
        "/%zz%4",
        "/%C3%A9",
        "/\u{e9}%41",
        "/%ED%B3%BF",
        "/%FF",
        "/%ff%fe",
        "/%C3",
        "/%C3%28",
        "/%E2%82%AC",
        "/%ED%A0%80",
        "/%F0%9F%98%80",
        "/\u{ff}%FF",
        "/%%41",
        "/%2e%2e%2f",
        "/a%00b",
        "/%",
        "/%4",
        "/%C3\u{e9}%A9",
        "/%80",
        "/%c0%af",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let code = r#"
import sys, urllib.parse
for arg in sys.argv[1:]:
    s = bytes.fromhex(arg).decode('latin-1')
    try:
        p = urllib.parse.unquote(s, errors='surrogatepass')
    except UnicodeDecodeError:
        p = urllib.parse.unquote(s)
    print(p.encode('utf-8', 'surrogatepass').hex() if any(0xd800 <= ord(c) <= 0xdbff or 0xdc00 <= ord(c) < 0xdc80 for c in p) else p.encode('utf-8', 'surrogateescape').hex())
"#;
    let args: Vec<String> = paths
        .iter()
        .map(|s| s.chars().map(|c| format!("{:02x}", c as u32)).collect())
        .collect();
    let printed = python(code, &args);
    assert_eq!(printed.lines().count(), paths.len());
    for (path, expected) in paths.iter().zip(printed.lines()) {
        assert_eq!(
            hex(&urllib_parse::unquote(path)),
            expected,
            "unquote({path:?})"
        );
    }

    let names: Vec<&[u8]> = vec![
        b"plain.txt",
        b"we<ird>&.txt",
        b"with space",
        b"\xff.bin",
        b"caf\xc3\xa9",
        b"a\xc3",
        b"~_.-/",
        b"q?#%",
        b"\xed\xa0\x80",
        b"\x01\x7f",
    ];
    let code = r#"
import sys, os, urllib.parse
for arg in sys.argv[1:]:
    print(urllib.parse.quote(os.fsdecode(bytes.fromhex(arg)), errors='surrogatepass'))
"#;
    let args: Vec<String> = names.iter().map(|n| hex(n)).collect();
    let printed = python(code, &args);
    assert_eq!(printed.lines().count(), names.len());
    for (name, expected) in names.iter().zip(printed.lines()) {
        let ours = urllib_parse::quote(&urllib_parse::fs_name_surrogatepass(name));
        assert_eq!(ours, expected, "quote({:?})", String::from_utf8_lossy(name));
    }
}

/// `If-Modified-Since` values through `email.utils.parsedate_to_datetime`: the
/// fields, the zone, and whether Python refuses the value.
#[test]
fn parsedate_to_datetime_matches_cpython() {
    let dates = [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
        "06 Nov 1994 08:49:37 +0100",
        "06 Nov 1994 08:49:37 -0000",
        "06 Nov 1994 08:49:37 +0000",
        "06 Nov 1994 08:49:37 EST",
        "06 Nov 1994 08:49:37 est",
        "06 Nov 1994 08:49:37 XYZ",
        "06 Nov 1994 08:49:37",
        "06 Nov 94 08:49",
        "06 Nov 1994 08.49.37 GMT",
        "06 Nov 1994 08.49 GMT",
        "Nov 06 1994 08:49:37 GMT",
        "06 November 1994 08:49:37 GMT",
        "6 nov 1994 8:9:7 gmt",
        "30 Feb 2020 00:00:00 GMT",
        "29 Feb 2020 00:00:00 GMT",
        "29 Feb 2019 00:00:00 GMT",
        "01 Jan 2020 24:00:00 GMT",
        "01 Jan 2020 23:60:00 GMT",
        "01 Jan 2020 23:59:60 GMT",
        "01 Jan 10000 00:00:00 GMT",
        "01 Jan 0 00:00:00 GMT",
        "01 Jan 68 00:00:00 GMT",
        "01 Jan 69 00:00:00 GMT",
        "01 Jan 99 00:00:00 GMT",
        "01 Jan 100 00:00:00 GMT",
        "01 Jan 2020 00:00:00 +9999",
        "01 Jan 2020 00:00:00 -2359",
        "01 Jan 2020 00:00:00 +2400",
        "01 Jan 2020 00:00:00+0100",
        "01 Jan 2020 00:00:00-0100",
        "Mon,01 Jan 2020 00:00:00 GMT",
        "xx,01 Jan 2020 00:00:00 GMT",
        "01 Jan 2020, 00:00:00 GMT",
        "01, Jan 2020 00:00:00 GMT",
        "01 Jan, 2020 00:00:00 GMT",
        "01 Jan 2020 00:00:00, GMT",
        "01 Jan 1_9 00:00:00 GMT",
        "+1 Jan 2020 00:00:00 GMT",
        "-1 Jan 2020 00:00:00 GMT",
        "01 Jan 2020 0_0:00:00 GMT",
        "01 Jan 2020 00:00:00 +01_00",
        "01 Jan \u{b9}2 00:00:00 GMT",
        "",
        "  ",
        "garbage",
        "Jan",
        "01 Jan 2020",
        "01 Jan 2020 00:00:00:00 GMT",
        "1-Jan-2020 00:00:00 GMT",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "01 Xyz 2020 00:00:00 GMT",
        "Jan Jan 2020 00:00:00 GMT",
        "01 Jan 2020 00:00:00 GMT extra words",
    ];
    let code = r#"
import sys, email.utils
for arg in sys.argv[1:]:
    s = bytes.fromhex(arg).decode('latin-1')
    try:
        d = email.utils.parsedate_to_datetime(s)
    except Exception as e:
        print("error")
        continue
    off = d.utcoffset()
    off = "None" if off is None else str(int(off.total_seconds()))
    print(f"{d.year} {d.month} {d.day} {d.hour} {d.minute} {d.second} {off}")
"#;
    let args: Vec<String> = dates
        .iter()
        .map(|s| s.chars().map(|c| format!("{:02x}", c as u32)).collect())
        .collect();
    let printed = python(code, &args);
    assert_eq!(printed.lines().count(), dates.len());
    for (date, expected) in dates.iter().zip(printed.lines()) {
        let ours = match email_utils::parsedate_to_datetime(date) {
            None => "error".to_string(),
            Some(d) => {
                let [y, mo, da, h, mi, s] = d.fields;
                let off = d.tzoffset.map_or("None".to_string(), |o| o.to_string());
                format!("{y} {mo} {da} {h} {mi} {s} {off}")
            }
        };
        assert_eq!(ours, expected, "parsedate_to_datetime({date:?})");
    }
}
