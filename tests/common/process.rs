//! A server run as a child process: started, its port read from the banner it prints
//! (`… port N …`), killed when dropped. Shared by the tests that run servers and by
//! `benches/compare.rs` (which includes this file by path).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A server process, killed when dropped.
pub struct ServerProcess {
    /// The process.
    pub child: Child,
    /// The port its banner named.
    pub port: u16,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ServerProcess {
    /// Starts `command` with its stdout piped and its stderr discarded, and waits at
    /// most 30 seconds for the first line naming a port. Its stdout is read to the end
    /// in a thread, so that the server never writes into a closed pipe.
    pub fn start(mut command: Command) -> ServerProcess {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the server");
        let stdout = child.stdout.take().unwrap();
        let (send, receive) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = send.send(line);
            }
            for _ in lines {}
        });
        let line = receive
            .recv_timeout(Duration::from_secs(30))
            .expect("the server's banner");
        let port = line
            .split(" port ")
            .nth(1)
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        ServerProcess { child, port }
    }

    /// Reads a field of `/proc/PID/status`, e.g. `VmHWM:` (KiB) or `Threads:`.
    pub fn status(&self, field: &str) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default()
            .lines()
            .find(|l| l.starts_with(field))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0)
    }
}
