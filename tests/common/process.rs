//! A server run as a child process: started, its port read from the banner it prints
//! (`… port N …`), killed when dropped. Shared by the tests that run servers and by
//! `benches/compare.rs` (which includes this file by path).

use std::io::{BufRead, BufReader};
use std::path::Path;
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
    pub fn start(command: Command) -> ServerProcess {
        ServerProcess::start_with_stderr(command, Stdio::null())
    }

    /// [`ServerProcess::start`], with the server's stderr (its access log) going to
    /// `stderr`: with `Stdio::piped()`, the caller takes `child.stderr` and reads it.
    pub fn start_with_stderr(mut command: Command, stderr: Stdio) -> ServerProcess {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(stderr)
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

/// The arguments both `http.server`s take: a free port on loopback, `protocol`,
/// `directory`.
fn http_server_args(command: &mut Command, protocol: &str, directory: &Path) {
    command.args(["0", "-b", "127.0.0.1", "-p", protocol, "-d"]);
    command.arg(directory);
}

/// CPython's `python3 -m http.server` serving `directory` (stdout unbuffered, so
/// that its banner arrives at once).
pub fn python_http_server(protocol: &str, directory: &Path) -> Command {
    let mut command = Command::new("python3");
    command.args(["-u", "-m", "http.server"]);
    http_server_args(&mut command, protocol, directory);
    command
}

/// The port's `examples/http_server` (the binary at `program`) with the same
/// arguments.
pub fn port_http_server(program: &Path, protocol: &str, directory: &Path) -> Command {
    let mut command = Command::new(program);
    http_server_args(&mut command, protocol, directory);
    command
}
