//! Headless Chromium for the tests that load pages as a reader would: where it is,
//! and one way to start it, with every flag this workplace asks of each run.
//!
//! Chromium talks to Google on its own (the time, component updates, the signed-in
//! accounts, autofill). [`QUIET`] turns each of those off, so that a page load asks
//! for the page and its assets and nothing else: `tests/book_browser.rs` checks this
//! through the proxy, whose log lists every request the browser made.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// How long one run of the browser may take.
pub const BROWSER_TIMEOUT: Duration = Duration::from_secs(120);

/// The flags of every run: headless, no sandbox (tests may run as root), and no
/// network traffic of the browser's own.
pub const QUIET: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pings",
    "--disable-domain-reliability",
    "--disable-quic",
    // What the flags above leave, each found in a proxy's log (Chromium 156):
    // `GET http://clients2.google.com/time/1/current` (the network time tracker) and
    // `CONNECT content-autofill.googleapis.com:443` (autofill asks about the search
    // box's form).
    "--disable-features=NetworkTimeServiceQuerying,AutofillServerCommunication",
    // `POST http://update.googleapis.com/service/update2/json`, an on-demand check
    // for one component (`ceofaddefefcbblgcgnibnonglccbfja`, the optimization
    // guide's model manifest) that `--disable-component-update` does not stop, and
    // `POST https://accounts.google.com/ListAccounts`, which every profile sends once
    // its network is up, whatever the sign-in settings. Neither has a switch of its
    // own; both take their server from one, pointed here at port 9 (discard), a
    // port Chromium refuses to connect to (`ERR_UNSAFE_PORT`): the request fails
    // inside the browser, before any proxy or connection.
    "--component-updater=url-source=http://127.0.0.1:9/",
    "--gaia-url=http://127.0.0.1:9/",
];

/// Chromium's path: Debian's `chromium` (`.ci/run` installs it) or another name for
/// it on `PATH`.
pub fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            let found = Command::new("sh")
                .arg("-c")
                .arg(format!("command -v {name}"))
                .output()
                .ok()?;
            found
                .status
                .success()
                .then(|| PathBuf::from(String::from_utf8_lossy(&found.stdout).trim()))
        })
}

/// Chromium's path, or `None` after saying that `test` is skipped. Under CI (`CI`
/// set) a missing browser is a failure.
pub fn chromium_or_skip(test: &str) -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        assert!(
            std::env::var("CI").is_err(),
            "chromium is not installed: .ci/run installs it (apt-get install chromium)"
        );
        eprintln!("SKIPPED {test}: no chromium (apt-get install chromium)");
    }
    found
}

/// One run of headless Chromium with [`QUIET`] and a fresh profile of its own (a
/// `--user-data-dir` under the temporary directory, removed when this is dropped).
/// Add the run's own flags and its URL with [`Headless::arg`], then [`Headless::run`].
pub struct Headless {
    command: Command,
    profile: PathBuf,
}

impl Headless {
    pub fn new(chromium: &Path) -> Headless {
        static RUNS: AtomicUsize = AtomicUsize::new(0);
        let profile = std::env::temp_dir().join(format!(
            "chromium-profile-{}-{}",
            std::process::id(),
            RUNS.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).unwrap();
        let mut command = Command::new(chromium);
        command.args(QUIET);
        command.arg(format!("--user-data-dir={}", profile.display()));
        Headless { command, profile }
    }

    pub fn arg(&mut self, arg: impl AsRef<std::ffi::OsStr>) -> &mut Headless {
        self.command.arg(arg);
        self
    }

    pub fn args<S: AsRef<std::ffi::OsStr>>(
        &mut self,
        args: impl IntoIterator<Item = S>,
    ) -> &mut Headless {
        self.command.args(args);
        self
    }

    /// Runs the browser to its end, at most [`BROWSER_TIMEOUT`], and returns what it
    /// wrote on stdout (`--dump-dom`'s DOM). Fails the test if it fails, with the
    /// end of what it wrote on stderr.
    pub fn run(&mut self) -> String {
        self.run_with_stderr().0
    }

    /// [`Headless::run`], and what the browser wrote on stderr too: with
    /// `--enable-logging=stderr --v=0`, each message of the page's console, one a line
    /// (`…:INFO:CONSOLE:12] "Uncaught Error: …", source: file:///… (12)`), which
    /// [`script_errors`] picks out.
    pub fn run_with_stderr(&mut self) -> (String, String) {
        let mut child = self
            .command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start chromium");
        let mut stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let out = std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = stdout.read_to_end(&mut text);
            text
        });
        let err = std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = stderr.read_to_end(&mut text);
            text
        });
        // A thread waits for the browser; this one waits for that thread, bounded.
        let pid = nix::unistd::Pid::from_raw(child.id() as i32);
        let (send, exited) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = send.send(child.wait());
        });
        let status = match exited.recv_timeout(BROWSER_TIMEOUT) {
            Ok(status) => Some(status.expect("wait for chromium")),
            Err(_) => {
                let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
                let _ = exited.recv();
                None
            }
        };
        let out = out.join().unwrap();
        let err = err.join().unwrap();
        let err = String::from_utf8_lossy(&err);
        let tail: Vec<&str> = err.lines().rev().take(20).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        match status {
            None => panic!(
                "chromium ran longer than {BROWSER_TIMEOUT:?}: {:?}\n{}",
                self.command,
                tail.join("\n")
            ),
            Some(status) => assert!(
                status.success(),
                "chromium failed ({status}): {:?}\n{}",
                self.command,
                tail.join("\n")
            ),
        }
        (String::from_utf8_lossy(&out).into_owned(), err.into_owned())
    }
}

/// The console lines of a run's stderr (see [`Headless::run_with_stderr`]) that report
/// a script error: an uncaught exception, or a promise rejected with no handler
/// (`Uncaught (in promise) …`).
pub fn script_errors(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|line| line.contains(":CONSOLE") && line.contains("\"Uncaught"))
        .collect()
}

impl Drop for Headless {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
