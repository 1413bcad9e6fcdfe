//! Makes a self-signed certificate for `localhost` and `127.0.0.1`, for the HTTPS
//! chapter's runs: `cert.pem` (the certificate, which clients are told to trust with
//! `curl --cacert cert.pem` or Python's `cafile=`), `key.pem` (its private key), and
//! `key.passwd.pem` (the same key encrypted with the password in `password.txt`).
//!
//! ```text
//! cargo run --example make_cert              # writes the four files here
//! cargo run --example make_cert -- DIR       # or in DIR
//! ```
//!
//! What `openssl req -x509 -newkey ...` would make, without needing `openssl`. The
//! files are git-ignored: a private key is never committed.

use std::io;
use std::path::PathBuf;

#[path = "../tests/common/tls.rs"]
#[allow(dead_code)] // the tests' TLS client is not needed here
mod tls;

#[path = "support/mod.rs"]
mod support;

fn main() -> io::Result<()> {
    let usage = "usage: make_cert [DIR]\n\n\
        Writes a self-signed certificate for localhost and 127.0.0.1 in DIR (here by \
        default): cert.pem, key.pem, key.passwd.pem and password.txt.";
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    support::check_flags(&arguments, &[], usage);
    let dir = match &arguments[..] {
        [] => PathBuf::from("."),
        [dir] => PathBuf::from(dir),
        _ => support::usage_error(usage),
    };
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
            .map_err(io::Error::other)?;
    let key_der = certified.key_pair.serialize_der();
    let write = |name: &str, data: &[u8]| -> io::Result<()> {
        let path = dir.join(name);
        std::fs::write(&path, data)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
    };
    let written = write("cert.pem", certified.cert.pem().as_bytes())
        .and_then(|()| write("key.pem", certified.key_pair.serialize_pem().as_bytes()))
        .and_then(|()| {
            let encrypted = tls::encrypt_key(&key_der, tls::PASSWORD);
            write("key.passwd.pem", encrypted.as_bytes())
        })
        .and_then(|()| write("password.txt", format!("{}\n", tls::PASSWORD).as_bytes()));
    if let Err(error) = written {
        eprintln!("make_cert: {error}");
        std::process::exit(1);
    }
    println!(
        "Wrote cert.pem, key.pem, key.passwd.pem and password.txt in {} (for localhost and 127.0.0.1)",
        dir.display()
    );
    Ok(())
}
