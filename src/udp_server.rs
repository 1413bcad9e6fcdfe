//! `UDPServer`: a `TCPServer` whose socket is a datagram socket.
//!
//! Python: `socketserver.UDPServer` (Lib/socketserver.py, lines 522-548).

use std::io;
use std::mem::MaybeUninit;
use std::sync::Arc;

use socket2::{SockAddr, Socket, Type};

use crate::base_server::Blocking;
use crate::tcp_server::{SocketType, TcpServer};

// ANCHOR: UDPServer
/// Python: `class UDPServer(TCPServer)`, a server whose requests are datagrams.
///
/// Each request is one datagram together with the server's own socket, which the
/// handler answers through. No connection, no `listen`, nothing to shut down.
#[doc(alias = "UDPServer")]
pub type UdpServer<H, M = Blocking> = TcpServer<H, Datagram, M>;

/// `SOCK_DGRAM`: what `UDPServer` overrides of `TCPServer`.
#[derive(Debug, Clone, Copy)]
pub struct Datagram {
    /// The most bytes read of one datagram; the rest is dropped, as `recvfrom` drops
    /// it. Python: `UDPServer.max_packet_size = 8192`.
    pub max_packet_size: usize,
}

impl Default for Datagram {
    fn default() -> Self {
        Datagram {
            max_packet_size: 8192,
        }
    }
}
// ANCHOR_END: UDPServer

impl SocketType for Datagram {
    const TYPE: Type = Type::DGRAM;
    /// `(packet, socket)`: the datagram's bytes and the server's socket, shared with
    /// the server. Python: the tuple `(data, self.socket)`.
    type Request = (Vec<u8>, Arc<Socket>);

    // ANCHOR: datagram_server_activate
    /// Python: `UDPServer.server_activate()`: nothing (no `listen`).
    fn server_activate(_socket: &Socket, _request_queue_size: i32) -> io::Result<()> {
        Ok(())
    }
    // ANCHOR_END: datagram_server_activate

    // ANCHOR: datagram_get_request
    /// Python: `UDPServer.get_request()`:
    /// `data, client_addr = self.socket.recvfrom(self.max_packet_size)`.
    fn get_request(&self, socket: &Arc<Socket>) -> io::Result<(Self::Request, SockAddr)> {
        let mut buffer = vec![MaybeUninit::<u8>::uninit(); self.max_packet_size];
        let (length, client_address) = socket.recv_from(&mut buffer)?;
        // SAFETY: recv_from wrote the first `length` bytes of the buffer.
        let data = unsafe { std::slice::from_raw_parts(buffer.as_ptr().cast::<u8>(), length) };
        Ok(((data.to_vec(), Arc::clone(socket)), client_address))
    }
    // ANCHOR_END: datagram_get_request

    // ANCHOR: datagram_shutdown_request
    /// Python: `UDPServer.shutdown_request(request)`: no shutdown, only
    /// `close_request`, which closes nothing (the socket is the server's).
    fn shutdown_request(_request: &Self::Request) {}
    // ANCHOR_END: datagram_shutdown_request
}
