//! Server and client addresses: Python's `('host', port)` tuples and Unix paths.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};

use socket2::SockAddr;

/// Anything a server can be bound to: Python's `server_address`, a `(host, port)` tuple
/// for the internet families or a path for `AF_UNIX`.
///
/// Implemented for `(&str, u16)` (`("127.0.0.1", 0)`, as in Python), `(IpAddr, u16)`,
/// `"host:port"` strings, [`SocketAddr`], paths ([`Path`], [`PathBuf`]) and
/// [`SockAddr`]. A host name resolves to its first address, as Python's `bind` does.
///
/// Differs from Python: the address decides the socket family (`address_family`), so
/// an IPv6 address needs no subclass with `address_family = AF_INET6`.
pub trait ToServerAddress {
    /// Resolves to one socket address.
    fn to_server_address(&self) -> io::Result<SockAddr>;
}

fn first(addrs: impl ToSocketAddrs) -> io::Result<SockAddr> {
    addrs
        .to_socket_addrs()?
        .next()
        .map(SockAddr::from)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "address resolved to nothing"))
}

impl ToServerAddress for (&str, u16) {
    fn to_server_address(&self) -> io::Result<SockAddr> {
        first(*self)
    }
}
impl ToServerAddress for (IpAddr, u16) {
    fn to_server_address(&self) -> io::Result<SockAddr> {
        first(*self)
    }
}
impl ToServerAddress for (Ipv4Addr, u16) {
    fn to_server_address(&self) -> io::Result<SockAddr> {
        first(*self)
    }
}
impl ToServerAddress for (Ipv6Addr, u16) {
    fn to_server_address(&self) -> io::Result<SockAddr> {
        first(*self)
    }
}
impl ToServerAddress for &str {
    fn to_server_address(&self) -> io::Result<SockAddr> {
        first(*self)
    }
}
impl ToServerAddress for String {
    fn to_server_address(&self) -> io::Result<SockAddr> {
        first(self.as_str())
    }
}
impl ToServerAddress for SocketAddr {
    fn to_server_address(&self) -> io::Result<SockAddr> {
        Ok(SockAddr::from(*self))
    }
}
impl ToServerAddress for &Path {
    fn to_server_address(&self) -> io::Result<SockAddr> {
        SockAddr::unix(self)
    }
}
impl ToServerAddress for PathBuf {
    fn to_server_address(&self) -> io::Result<SockAddr> {
        SockAddr::unix(self)
    }
}
impl ToServerAddress for SockAddr {
    fn to_server_address(&self) -> io::Result<SockAddr> {
        Ok(self.clone())
    }
}

/// Formats an address as Python's `repr` of it, as `handle_error` prints it:
/// `('127.0.0.1', 5555)`, `('::1', 5555, 0, 0)`, `'/tmp/socket'`, or `''` for an
/// unnamed Unix socket.
pub fn address_repr(address: &SockAddr) -> String {
    if let Some(addr) = address.as_socket() {
        match addr {
            SocketAddr::V4(a) => format!("('{}', {})", a.ip(), a.port()),
            SocketAddr::V6(a) => format!(
                "('{}', {}, {}, {})",
                a.ip(),
                a.port(),
                a.flowinfo(),
                a.scope_id()
            ),
        }
    } else if let Some(path) = address.as_pathname() {
        format!("'{}'", path.display())
    } else {
        "''".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repr_matches_python() {
        let v4 = ("127.0.0.1", 5555).to_server_address().unwrap();
        assert_eq!(address_repr(&v4), "('127.0.0.1', 5555)");
        let v6 = ("::1", 80).to_server_address().unwrap();
        assert_eq!(address_repr(&v6), "('::1', 80, 0, 0)");
        let unix = Path::new("/tmp/s").to_server_address().unwrap();
        assert_eq!(address_repr(&unix), "'/tmp/s'");
    }
}
