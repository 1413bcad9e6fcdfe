//! The differential corpus (`tests/differential/requests.txt`) and what the tests
//! that replay it share: the served directory, the plain exchange, and the
//! normalisation of answers. Used by `tests/http_server_differential.rs` (the port
//! against CPython) and `tests/https.rs` (the port over TLS against itself in plain
//! HTTP).

use std::fs;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

const TIMEOUT: Duration = Duration::from_secs(20);

/// Decodes one corpus request: `\r \n \t \\ \xHH` escapes and `{N*text}` repeats.
pub fn unescape(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix('{') {
            let (count, after) = after.split_once('*').expect("{N*text}");
            let (body, after) = after.split_once('}').expect("{N*text}");
            let body = unescape(body);
            for _ in 0..count.parse::<usize>().unwrap() {
                out.extend_from_slice(&body);
            }
            rest = after;
        } else if let Some(after) = rest.strip_prefix('\\') {
            let (byte, len) = match after.as_bytes()[0] {
                b'r' => (b'\r', 1),
                b'n' => (b'\n', 1),
                b't' => (b'\t', 1),
                b'\\' => (b'\\', 1),
                b'x' => (u8::from_str_radix(&after[1..3], 16).unwrap(), 3),
                other => panic!("unknown escape \\{}", other as char),
            };
            out.push(byte);
            rest = &after[len..];
        } else {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The corpus: `(name, request bytes)`.
pub fn corpus() -> Vec<(String, Vec<u8>)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential/requests.txt");
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (name, request) = line.split_once(' ').unwrap();
            (name.to_string(), unescape(request.trim_start()))
        })
        .collect()
}

/// Sends `request`, closes the sending half, and reads the answer to the end.
pub fn exchange(port: u16, request: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(TIMEOUT)).unwrap();
    // The server may answer (414, 431) and close before reading everything.
    let _ = stream.write_all(request);
    let _ = stream.shutdown(Shutdown::Write);
    let mut answer = Vec::new();
    let mut buf = [0; 65536];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            // A reset after the answer: the server closed with bytes unread.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("reading the answer: {e}"),
        }
    }
    answer
}

/// Blanks the value of `Date:` and the second word of `Server:`.
pub fn normalise(answer: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(answer.len());
    let mut rest = answer;
    while !rest.is_empty() {
        let end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .map_or(rest.len(), |i| i + 2);
        let line = &rest[..end];
        if line.starts_with(b"Date: ") {
            out.extend_from_slice(b"Date: <date>\r\n");
        } else if line.starts_with(b"Server: ") {
            let server = String::from_utf8_lossy(line);
            let first = server.split(' ').nth(1).unwrap_or("");
            out.extend_from_slice(format!("Server: {first} <version>\r\n").as_bytes());
        } else {
            out.extend_from_slice(line);
        }
        rest = &rest[end..];
    }
    out
}

/// Builds the served directory (and a secret beside it that must never be served).
pub fn make_tree() -> PathBuf {
    let top = std::env::temp_dir().join(format!("http-differential-{}", std::process::id()));
    let _ = fs::remove_dir_all(&top);
    let root = top.join("root");
    let write = |path: &str, data: &[u8]| {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, data).unwrap();
    };
    fs::create_dir_all(&root).unwrap();
    fs::write(top.join("outside.txt"), b"OUTSIDE-SECRET\n").unwrap();
    write("hello.txt", b"Hello, world\n");
    write("empty", b"");
    let big: Vec<u8> = (0..1u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    write("big.bin", &big);
    write("fixed.txt", b"fixed\n");
    let fixed = fs::File::options()
        .write(true)
        .open(root.join("fixed.txt"))
        .unwrap();
    fixed
        .set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(1_577_836_800))
        .unwrap();
    for name in [
        "with space.txt",
        "with+space.txt",
        "ünicöde.txt",
        "a&b<c>.txt",
        "B.txt",
        "a.txt",
        "C.txt",
        ".hidden",
        "q?.txt",
        "f#.txt",
        "\"dq\".txt",
        "'sq'.txt",
        "%41.txt",
    ] {
        write(name, name.as_bytes());
    }
    let undecodable: &std::ffi::OsStr = std::os::unix::ffi::OsStrExt::from_bytes(b"\xff.bin");
    fs::write(root.join(undecodable), b"undecodable\n").unwrap();
    symlink("hello.txt", root.join("link.txt")).unwrap();
    symlink("sub", root.join("linkdir")).unwrap();
    symlink("nowhere", root.join("dangling")).unwrap();
    write("sub/deeper/file.txt", b"deep\n");
    write("sub/Zed.txt", b"z\n");
    write("sub/alpha.txt", b"a\n");
    write("site/index.html", b"<h1>site</h1>\n");
    write("site/other.txt", b"other\n");
    write("site-htm/index.htm", b"<h1>htm</h1>\n");
    write("named/index.html/inner.txt", b"inner\n");
    write("a dir/inside.txt", b"inside\n");
    write("üdir/ñ.txt", b"n\n");
    write("locked/hidden.txt", b"hidden\n");
    write("secret.txt", b"secret\n");
    for name in [
        "page.html",
        "page.htm",
        "style.css",
        "app.js",
        "app.mjs",
        "data.json",
        "data.xml",
        "readme.md",
        "notes.txt",
        "main.c",
        "script.py",
        "image.png",
        "image.jpg",
        "IMAGE.JPG",
        "image.webp",
        "image.svg",
        "image.svgz",
        "font.woff2",
        "module.wasm",
        "doc.pdf",
        "archive.tar.gz",
        "archive.GZ",
        "archive.tgz",
        "archive.Z",
        "archive.bz2",
        "archive.xz",
        "notes.txt.br",
        "thing.unknownext",
        "Makefile",
        ".hidden",
        "..conf",
    ] {
        write(&format!("m/{name}"), name.as_bytes());
    }
    fs::set_permissions(root.join("locked"), fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(root.join("secret.txt"), fs::Permissions::from_mode(0o000)).unwrap();
    root
}

pub fn remove_tree(root: &Path) {
    let _ = fs::set_permissions(root.join("locked"), fs::Permissions::from_mode(0o755));
    let _ = fs::remove_dir_all(root.parent().unwrap());
}
