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
