//! Certificates made when needed, and a TLS client, for the HTTPS tests (and, by
//! path, for `examples/https_stall.rs`). No private key is ever committed: each run
//! makes its own, in a directory of its own under the system's temporary directory.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use pkcs8::der::pem::LineEnding;
use pkcs8::pkcs5::pbes2;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

/// The password of [`Certs::key_encrypted`]. Python's test keys use the same.
pub const PASSWORD: &str = "somepass";

/// A self-signed certificate for `localhost` and `127.0.0.1` (no CA behind it), its
/// key in the forms `load_cert_chain` reads, and a few files that it must refuse.
pub struct Certs {
    /// The directory that holds them all; removed when dropped.
    pub dir: PathBuf,
    /// The certificate, PEM.
    pub cert: PathBuf,
    /// Its private key, PKCS#8 `PRIVATE KEY`.
    pub key: PathBuf,
    /// The same key as an `ENCRYPTED PRIVATE KEY` (PBES2: PBKDF2-SHA256,
    /// AES-256-CBC), password [`PASSWORD`].
    pub key_encrypted: PathBuf,
    /// The certificate and the key in one file (Python's `keycert.pem`).
    pub keycert: PathBuf,
    /// Another key, not the certificate's.
    pub other_key: PathBuf,
    /// A file with no PEM in it.
    pub garbage: PathBuf,
    /// A file that holds [`PASSWORD`] and a newline, for `--tls-password-file`.
    pub password_file: PathBuf,
}

impl Drop for Certs {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Makes a fresh [`Certs`] in a new temporary directory.
pub fn make_certs() -> Certs {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "socketserver-tls-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let cert_pem = certified.cert.pem();
    let key_pem = certified.key_pair.serialize_pem();
    let write = |name: &str, data: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, data).unwrap();
        path
    };
    Certs {
        cert: write("cert.pem", cert_pem.as_bytes()),
        key: write("key.pem", key_pem.as_bytes()),
        key_encrypted: write(
            "key.passwd.pem",
            encrypt_key(&certified.key_pair.serialize_der(), PASSWORD).as_bytes(),
        ),
        keycert: write("keycert.pem", format!("{cert_pem}{key_pem}").as_bytes()),
        other_key: write(
            "other_key.pem",
            rcgen::KeyPair::generate()
                .unwrap()
                .serialize_pem()
                .as_bytes(),
        ),
        garbage: write("garbage.pem", b"this is not PEM\n"),
        password_file: write("password.txt", format!("{PASSWORD}\n").as_bytes()),
        dir,
    }
}

/// A PKCS#8 key (DER) as an `ENCRYPTED PRIVATE KEY` PEM block: what
/// `openssl pkey -aes256` writes (the openssl command is not on every machine).
pub fn encrypt_key(pkcs8_der: &[u8], password: &str) -> String {
    // Test keys only: a salt and IV that differ from run to run are enough.
    let seed = std::collections::hash_map::RandomState::new();
    let mut bytes = Vec::new();
    for i in 0..4u8 {
        use std::hash::BuildHasher;
        bytes.extend_from_slice(&seed.hash_one(i).to_le_bytes());
    }
    let salt: [u8; 16] = bytes[..16].try_into().unwrap();
    let iv: [u8; 16] = bytes[16..32].try_into().unwrap();
    let params = pbes2::Parameters::pbkdf2_sha256_aes256cbc(2048, &salt, &iv).unwrap();
    let info = pkcs8::PrivateKeyInfo::try_from(pkcs8_der).unwrap();
    info.encrypt_with_params(params, password)
        .unwrap()
        .to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF)
        .unwrap()
        .to_string()
}

/// A client configuration that trusts `cert` alone and offers `http/1.1` by ALPN.
pub fn client_config(cert: &Path) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(cert).unwrap())
        .unwrap();
    let mut config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Arc::new(config)
}

/// A TLS connection to 127.0.0.1:`port`, its reads and writes bounded by `timeout`.
pub type TlsStream = StreamOwned<ClientConnection, TcpStream>;

/// Connects and completes the handshake.
pub fn connect(port: u16, config: &Arc<ClientConfig>, timeout: Duration) -> io::Result<TlsStream> {
    let tcp = TcpStream::connect(("127.0.0.1", port))?;
    tcp.set_read_timeout(Some(timeout))?;
    tcp.set_write_timeout(Some(timeout))?;
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let connection = ClientConnection::new(Arc::clone(config), name).map_err(io::Error::other)?;
    let mut stream = StreamOwned::new(connection, tcp);
    while stream.conn.is_handshaking() {
        stream.conn.complete_io(&mut stream.sock)?;
    }
    Ok(stream)
}

/// Sends `request` over TLS, ends the sending half (`close_notify`, then the TCP
/// half-close, as `exchange` shuts the plain socket down), and reads the answer to
/// the end.
pub fn exchange(port: u16, config: &Arc<ClientConfig>, request: &[u8]) -> Vec<u8> {
    let mut stream = connect(port, config, Duration::from_secs(20)).expect("TLS handshake");
    // The server may answer and close before reading everything.
    let _ = stream.write_all(request);
    let _ = stream.flush();
    stream.conn.send_close_notify();
    let _ = stream.conn.complete_io(&mut stream.sock);
    let _ = stream.sock.shutdown(Shutdown::Write);
    read_to_end(&mut stream)
}

/// Reads until the server closes (with or without `close_notify`, or a reset).
pub fn read_to_end(stream: &mut TlsStream) -> Vec<u8> {
    let mut answer = Vec::new();
    let mut buf = [0; 65536];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionReset | io::ErrorKind::UnexpectedEof
                ) =>
            {
                break;
            }
            Err(e) => panic!("reading the answer: {e}"),
        }
    }
    answer
}
