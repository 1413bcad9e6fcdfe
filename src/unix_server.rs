//! `UnixStreamServer` and `UnixDatagramServer`: the same servers on `AF_UNIX`.
//!
//! Python: Lib/socketserver.py, lines 719-729. In Python they are subclasses that set
//! `address_family = socket.AF_UNIX`. Here the family comes from the address, so they
//! are the TCP and UDP servers under their Python names: bind one to a path
//! (`UnixStreamServer::<H>::new(Path::new("/tmp/echo.sock"))`) and it is a Unix server.
//! As in Python, the socket file is not removed on close.

use crate::base_server::Blocking;
use crate::tcp_server::{Stream, TcpServer};
use crate::udp_server::Datagram;

// ANCHOR: UnixStreamServer
/// Python: `class UnixStreamServer(TCPServer): address_family = socket.AF_UNIX`.
/// Construct it with a path; the client address is the peer's path (usually unnamed).
pub type UnixStreamServer<H, M = Blocking> = TcpServer<H, Stream, M>;

/// Python: `class UnixDatagramServer(UDPServer): address_family = socket.AF_UNIX`.
/// A client that wants a reply must bind its own socket to a path.
pub type UnixDatagramServer<H, M = Blocking> = TcpServer<H, Datagram, M>;
// ANCHOR_END: UnixStreamServer
