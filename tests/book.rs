//! The book's checks. mdBook does not fail on a missing include file or anchor (it
//! leaves the directive, or an empty block), so these tests do: every include names a
//! file that exists and an anchor with both ends; nothing of `{{#` survives; the
//! HTML builds; every local link resolves; every example is taught, every
//! `cargo run --example X` names a real one; no Rust is typed into the Markdown; every
//! exercise has a folded solution and every solution program is run; every item
//! Appendix B lists is marked in the code; and every transcript in `book/outputs/`
//! is what its printed commands print today, replayed in a fresh copy.
//!
//! `UPDATE_BOOK_OUTPUTS=1 cargo test --test book run_it` rewrites the transcripts from
//! real runs (`BOOK_SESSIONS=a,b` picks some).

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use mdbook_driver::MDBook;
use mdbook_driver::book::BookItem;
use mdbook_driver::builtin_renderers::MarkdownRenderer;

#[path = "../book/api_docs.rs"]
mod api_docs;
#[path = "../book/python_source.rs"]
mod python_source;
// Only the preprocessor: the rest is for tests/timelines.rs.
#[allow(dead_code)]
#[path = "../book/timeline.rs"]
mod timeline;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load() -> MDBook {
    let mut book = MDBook::load(root().join("book")).unwrap();
    book.with_preprocessor(python_source::PythonSource);
    book.with_preprocessor(timeline::Pictures);
    book
}

/// Every chapter: `(path of its source, raw Markdown)`.
fn chapters() -> Vec<(PathBuf, String)> {
    let book = MDBook::load(root().join("book")).unwrap();
    let source_dir = book.source_dir();
    book.iter()
        .filter_map(|item| match item {
            BookItem::Chapter(chapter) => chapter
                .source_path
                .as_ref()
                .map(|p| (source_dir.join(p), chapter.content.clone())),
            _ => None,
        })
        .collect()
}

/// `{{#include path:selector}}` directives of a text: `(path, selector)`.
fn includes(text: &str) -> Vec<(String, Option<String>)> {
    let mut found = Vec::new();
    for directive in ["{{#include ", "{{#rustdoc_include "] {
        for (i, _) in text.match_indices(directive) {
            let rest = &text[i + directive.len()..];
            let body = rest[..rest.find("}}").expect("a closed directive")].trim();
            match body.split_once(':') {
                Some((path, selector)) => {
                    found.push((path.to_string(), Some(selector.to_string())))
                }
                None => found.push((body.to_string(), None)),
            }
        }
    }
    found
}

/// mdBook's anchor rule: `ANCHOR: name` then a character that is not a word
/// character or `-`, or the end of the line.
fn has_anchor(text: &str, marker: &str, name: &str) -> bool {
    text.lines().any(|line| {
        line.find(marker).is_some_and(|i| {
            let rest = line[i + marker.len()..].trim_start();
            rest.strip_prefix(name).is_some_and(|after| {
                !after.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '-')
            })
        })
    })
}

#[test]
fn every_include_and_anchor_resolves() {
    let mut count = 0;
    for (chapter, content) in chapters() {
        for (path, selector) in includes(&content) {
            count += 1;
            let file = chapter.parent().unwrap().join(&path);
            let text = fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("{}: include of {path}: {e}", chapter.display()));
            if let Some(anchor) =
                selector.filter(|s| !s.chars().next().is_some_and(|c| c.is_ascii_digit()))
            {
                assert!(
                    has_anchor(&text, "ANCHOR:", &anchor)
                        && has_anchor(&text, "ANCHOR_END:", &anchor),
                    "{}: {path} has no anchor {anchor} with both ends",
                    chapter.display()
                );
            }
        }
    }
    assert!(count > 30, "only {count} includes");
}

#[test]
fn book_builds_with_no_leftover_directives_and_every_local_link_resolves() {
    let mut book = load();
    let (expanded, _) = book.preprocess_book(&MarkdownRenderer::new()).unwrap();
    for item in expanded.iter() {
        if let BookItem::Chapter(chapter) = item {
            assert!(
                !chapter.content.contains("{{#"),
                "{}: a directive survived",
                chapter.name
            );
        }
    }
    let out = std::env::temp_dir().join(format!("book-check-{}", std::process::id()));
    let _ = fs::remove_dir_all(&out);
    book.config.build.build_dir = out.clone();
    book.build().unwrap();
    api_docs::copy_api_docs(&out).unwrap();
    assert!(out.join("index.html").is_file());
    assert!(fs::read_dir(&out).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("searchindex")
    }));

    // Every local link of every page of the book (rustdoc's own pages aside) names a
    // file that exists, links into the API documentation included.
    let mut pages = 0;
    let mut stack = vec![out.clone()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path != out.join("api") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "html") {
                pages += 1;
                let html = fs::read_to_string(&path).unwrap();
                // Links are `<a href="…">` (and `<link href="…">`); code blocks escape
                // their `<`, so an `href=` inside shown code is not taken for one.
                for (i, _) in html
                    .match_indices("<a href=\"")
                    .chain(html.match_indices("<link href=\""))
                {
                    let start = i + html[i..].find('"').unwrap() + 1;
                    let target = &html[start..];
                    let target = &target[..target.find('"').unwrap()];
                    if target.is_empty()
                        || target.starts_with('#')
                        || target.contains("://")
                        || target.starts_with("mailto:")
                    {
                        continue;
                    }
                    let file = target.split(['#', '?']).next().unwrap();
                    let resolved = path.parent().unwrap().join(file);
                    assert!(
                        resolved.exists(),
                        "{}: link to {target} resolves to nothing",
                        path.display()
                    );
                }
            }
        }
    }
    assert!(pages > 10, "only {pages} pages");
    fs::remove_dir_all(&out).unwrap();
}

#[test]
fn no_rust_is_typed_into_the_markdown() {
    for (chapter, content) in chapters() {
        let mut in_rust = false;
        for line in content.lines() {
            let fence = line.trim_start();
            if fence.starts_with("```") {
                in_rust = !in_rust && fence.trim_start_matches('`').starts_with("rust");
                continue;
            }
            if in_rust {
                assert!(
                    line.trim().is_empty()
                        || line.trim_start().starts_with("{{#include ")
                        || line.trim_start().starts_with("{{#rustdoc_include "),
                    "{}: Rust typed into the Markdown: {line:?}",
                    chapter.display()
                );
            }
        }
    }
}

/// Every example cargo knows: `examples/*.rs` and the `[[example]]`s of Cargo.toml
/// (the solutions), without the reader's own `examples/my_*.rs`.
fn example_names() -> BTreeSet<String> {
    let mut examples: BTreeSet<String> = fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with("my_"))
        .collect();
    let manifest = fs::read_to_string(root().join("Cargo.toml")).unwrap();
    for table in manifest.split("[[example]]").skip(1) {
        let name = table
            .lines()
            .find_map(|l| l.trim().strip_prefix("name = \""))
            .and_then(|rest| rest.strip_suffix('"'))
            .expect("an [[example]] with a name");
        examples.insert(name.to_string());
    }
    examples
}

#[test]
fn every_example_is_taught_and_every_cargo_run_names_a_real_one() {
    let examples = example_names();
    let mut text = String::new();
    for (_, content) in chapters() {
        text.push_str(&content);
    }
    for (_, path) in session_files() {
        text.push_str(&fs::read_to_string(path).unwrap());
    }
    for example in &examples {
        assert!(
            text.contains(&format!("--example {example}")),
            "no chapter runs example {example}"
        );
    }
    for (i, _) in text.match_indices("--example ") {
        let name: String = text[i + 10..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        assert!(
            examples.contains(&name) || name.starts_with("my_"),
            "the book runs a missing example: {name}"
        );
    }
}

/// The items of a chapter's `## Exercises` list, and the `<details>` blocks of its
/// `## Solutions` section.
fn exercises_and_solutions(content: &str) -> Option<(usize, usize)> {
    let section = |title: &str| {
        let start = content.find(&format!("\n## {title}\n"))?;
        let rest = &content[start + title.len() + 5..];
        Some(&rest[..rest.find("\n## ").unwrap_or(rest.len())])
    };
    let exercises = section("Exercises")?;
    let count = exercises
        .lines()
        .filter(|l| {
            let digits = l.chars().take_while(|c| c.is_ascii_digit()).count();
            digits > 0 && l[digits..].starts_with(". ")
        })
        .count();
    let solutions = section("Solutions").map_or(0, |s| s.matches("<details>").count());
    Some((count, solutions))
}

#[test]
fn every_exercise_has_a_folded_solution_and_every_solution_program_is_run() {
    let (mut exercises, mut solutions) = (0, 0);
    let mut text = String::new();
    for (chapter, content) in chapters() {
        text.push_str(&content);
        if let Some((e, s)) = exercises_and_solutions(&content) {
            assert_eq!(e, s, "{}: {e} exercises, {s} solutions", chapter.display());
            exercises += e;
            solutions += s;
        }
    }
    let sessions: String = session_files()
        .into_iter()
        .map(|(_, path)| fs::read_to_string(path).unwrap())
        .collect();
    let mut programs = 0;
    for entry in fs::read_dir(root().join("examples/solutions")).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_string_lossy();
        let name = path.file_stem().unwrap().to_string_lossy();
        // A Rust solution runs as an example; a Python one (a client) with python3.
        let run = match path.extension().and_then(|e| e.to_str()) {
            Some("rs") => format!("--example {name}"),
            Some("py") => format!("python3 examples/solutions/{file}"),
            _ => continue,
        };
        programs += 1;
        assert!(
            text.contains(&format!("examples/solutions/{file}")),
            "no chapter shows examples/solutions/{file}"
        );
        assert!(
            sessions.contains(&run),
            "no session in book/outputs/ runs the solution {file}"
        );
    }
    eprintln!("exercises {exercises}, solutions {solutions}, solution programs {programs}");
    assert!(exercises >= 48, "only {exercises} exercises");
}

// --- "Run it": every session file in book/outputs/, replayed as printed --------------
//
// A session file is what a reader types and sees. It is sections headed `# in …`
// (`# in one terminal`, `# in another`); a file with no header is one section. Every
// section but the last is one long-running program: its `$` line, what it prints, and
// `^C` where the reader presses Ctrl-C, followed by what it prints then. The last
// section's `$` lines run one after the other, each followed by what it printed.
//
// The test runs each `$` line exactly as printed, from the root of a fresh copy of the
// repository (the files git tracks or would add), with no setup the file does not
// show, and compares what comes back with the file. Each session has a network
// namespace of its own, so the book's ports (8000, 8080, 9999) are free and sessions
// run side by side. Only the output is normalised, never a command.
//
// `UPDATE_BOOK_OUTPUTS=1` rewrites the files from the real runs (write a skeleton of
// headers, `$` lines and `^C` first); `BOOK_SESSIONS=proxy,solutions/proxy_1` replays
// only those files (paths under book/outputs/, without `.txt`).

/// How long a client command, or a program's start once built, may take.
const SESSION_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a session waits for the build of the examples it runs.
const BUILD_TIMEOUT: Duration = Duration::from_secs(1800);
/// A program has printed all it will for now when it has been quiet this long.
const QUIET: Duration = Duration::from_millis(300);

/// One section of a session file.
struct Section {
    /// `# in one terminal`; none for a file of one section.
    header: Option<String>,
    /// The lines after the header, without the blank line that separates sections.
    lines: Vec<String>,
}

fn parse_session(text: &str) -> Vec<Section> {
    let mut sections = Vec::new();
    let mut current = Section {
        header: None,
        lines: Vec::new(),
    };
    for line in text.lines() {
        if line.starts_with("# in ") {
            if current.header.is_some() || !current.lines.is_empty() {
                if current.lines.last().is_some_and(|l| l.is_empty()) {
                    current.lines.pop();
                }
                sections.push(current);
            }
            current = Section {
                header: Some(line.to_string()),
                lines: Vec::new(),
            };
        } else {
            current.lines.push(line.to_string());
        }
    }
    sections.push(current);
    sections
}

/// The `$` lines of a section.
fn commands(section: &Section) -> impl Iterator<Item = &str> {
    section.lines.iter().filter_map(|l| l.strip_prefix("$ "))
}

/// What cargo itself prints on stderr around `cargo run`: not the program's output.
fn is_cargo_status(line: &str) -> bool {
    let word = line.trim_start();
    line.starts_with(' ')
        && [
            "Compiling ",
            "Checking ",
            "Finished ",
            "Running ",
            "Blocking ",
            "Fresh ",
            "Locking ",
            "Adding ",
            "Updating ",
            "Downloaded ",
            "Downloading ",
        ]
        .iter()
        .any(|w| word.starts_with(w))
}

/// A fresh copy of the repository: the files git tracks or would add (ignored ones
/// left out, as a clone has none), with their modification times, so that cargo finds
/// the examples already built. Removed when dropped.
struct FreshCopy(PathBuf);

impl FreshCopy {
    /// The copy `name`: each session replays in one of its own, so that the files a
    /// session writes (a certificate, a reader's file) are not another's.
    fn new(name: &str) -> FreshCopy {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("book-replay-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let listing = Command::new("git")
            .args([
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ])
            .current_dir(root())
            .output()
            .expect("git, to list the repository's files");
        assert!(listing.status.success(), "git ls-files failed");
        for name in listing.stdout.split(|&b| b == 0).filter(|n| !n.is_empty()) {
            let name = String::from_utf8_lossy(name);
            let from = root().join(&*name);
            let Ok(metadata) = fs::metadata(&from) else {
                continue; // deleted in the work tree
            };
            let to = dir.join(&*name);
            fs::create_dir_all(to.parent().unwrap()).unwrap();
            fs::copy(&from, &to).unwrap();
            fs::File::options()
                .write(true)
                .open(&to)
                .unwrap()
                .set_modified(metadata.modified().unwrap())
                .unwrap();
        }
        FreshCopy(dir)
    }
}

impl Drop for FreshCopy {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// The target directory this test was built in, shared with the copy's `cargo run`.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap(); // <target>/debug/deps/book-…
    exe.ancestors().nth(3).unwrap().to_path_buf()
}

/// A command line run by `sh` in the copy, as a reader's shell would, in a process
/// group of its own (so that Ctrl-C and the final kill reach all of it).
fn shell(command: &str, copy: &Path) -> Command {
    let mut shell = Command::new("sh");
    shell
        .arg("-c")
        .arg(command)
        .current_dir(copy)
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("RUST_BACKTRACE")
        .env_remove("SOCKETSERVER_TRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    shell
}

/// Waits for `child` to end, or kills it at the deadline.
fn wait_bounded(child: &mut Child, done: &mpsc::Receiver<()>, streams: usize, what: &str) {
    let deadline = Instant::now() + SESSION_TIMEOUT;
    for _ in 0..streams {
        if done
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .is_err()
        {
            kill_group(child, nix::sys::signal::Signal::SIGKILL);
            let _ = child.wait();
            panic!("{what}: still running after {SESSION_TIMEOUT:?}");
        }
    }
    child.wait().unwrap();
}

fn kill_group(child: &Child, signal: nix::sys::signal::Signal) {
    let group = nix::unistd::Pid::from_raw(child.id() as i32);
    let _ = nix::sys::signal::killpg(group, signal);
}

/// Each line a program prints, and whether it came on stderr; cargo's lines dropped.
/// Sends `()` on `done` at the end of the stream.
fn spawn_reader(
    stream: impl Read + Send + 'static,
    stderr: bool,
    lines: mpsc::Sender<(bool, String)>,
    done: mpsc::Sender<()>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let line = line.unwrap_or_default();
            if stderr && is_cargo_status(&line) {
                continue;
            }
            if lines.send((stderr, line)).is_err() {
                break;
            }
        }
        let _ = done.send(());
    });
}

/// Starts `command` in the copy, with a thread reading each of its streams: its
/// lines (and whether each came on stderr), and one `()` per stream that ended.
fn spawn(
    command: &str,
    copy: &Path,
) -> (Child, mpsc::Receiver<(bool, String)>, mpsc::Receiver<()>) {
    let mut child = shell(command, copy).spawn().unwrap();
    let (send, lines) = mpsc::channel();
    let (done_send, done) = mpsc::channel();
    spawn_reader(
        child.stdout.take().unwrap(),
        false,
        send.clone(),
        done_send.clone(),
    );
    spawn_reader(child.stderr.take().unwrap(), true, send, done_send);
    (child, lines, done)
}

/// Runs one client command to its end: what it printed, stdout then stderr.
fn run_client(command: &str, copy: &Path) -> String {
    let (mut child, lines, done) = spawn(command, copy);
    wait_bounded(&mut child, &done, 2, command);
    let mut printed: Vec<(bool, String)> = lines.try_iter().collect();
    printed.sort_by_key(|(stderr, _)| *stderr);
    printed.into_iter().map(|(_, l)| l + "\n").collect()
}

/// A long-running program of a session, its output tagged with the phase of the
/// session it came in (0 while the session starts, 1 while the clients run, 2 after
/// Ctrl-C). Two reader threads cannot tell which of stdout and stderr wrote first, so
/// within a phase stdout comes first, which is the order the examples write in.
struct Program {
    child: Child,
    lines: mpsc::Receiver<(bool, String)>,
    done: mpsc::Receiver<()>,
    printed: Vec<(u8, bool, String)>,
    phase: u8,
    command: String,
}

impl Program {
    /// Starts `command` and waits for its first line (after the build, if any), and
    /// for its line that starts with `banner` if the session shows one (a command
    /// such as `make_cert && … http_server` prints a line before the server starts,
    /// and the server may still wait for cargo's lock), then for the rest of it.
    fn start(command: &str, copy: &Path, banner: Option<&str>) -> Program {
        let (child, lines, done) = spawn(command, copy);
        let mut program = Program {
            child,
            lines,
            done,
            printed: Vec::new(),
            phase: 0,
            command: command.to_string(),
        };
        let deadline = Instant::now() + SESSION_TIMEOUT;
        loop {
            match program
                .lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(line) => {
                    let started = banner.is_none_or(|banner| line.1.starts_with(banner));
                    program.push(line);
                    if started {
                        break;
                    }
                }
                Err(_) => {
                    kill_group(&program.child, nix::sys::signal::Signal::SIGKILL);
                    panic!("{command}: no {banner:?} line in {SESSION_TIMEOUT:?}");
                }
            }
        }
        program.drain_until_quiet();
        program
    }

    fn push(&mut self, (stderr, line): (bool, String)) {
        self.printed.push((self.phase, stderr, line));
    }

    fn drain_until_quiet(&mut self) {
        while let Ok(line) = self.lines.recv_timeout(QUIET) {
            self.push(line);
        }
    }

    /// Waits (bounded) until it has printed `count` lines, then until it is quiet.
    fn wait_for_lines(&mut self, count: usize) {
        let deadline = Instant::now() + SESSION_TIMEOUT;
        while self.printed.len() < count {
            match self
                .lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(line) => self.push(line),
                Err(_) => break, // the comparison shows what is missing
            }
        }
        self.drain_until_quiet();
    }

    /// Presses Ctrl-C, or ends it as closing its terminal would, and returns every
    /// line it printed, in session order.
    fn stop(mut self, interrupt: bool) -> Vec<String> {
        if interrupt {
            kill_group(&self.child, nix::sys::signal::Signal::SIGINT);
            self.phase = 2;
            self.push((false, "^C".to_string()));
            wait_bounded(&mut self.child, &self.done, 2, &self.command);
        } else {
            kill_group(&self.child, nix::sys::signal::Signal::SIGKILL);
            self.child.wait().unwrap();
        }
        while let Ok(line) = self.lines.recv_timeout(QUIET) {
            self.push(line);
        }
        self.printed
            .sort_by_key(|(phase, stderr, _)| (*phase, *stderr));
        self.printed.into_iter().map(|(_, _, l)| l).collect()
    }
}

/// Replays a session file in `copy` and returns the transcript a reader would see.
fn replay(expected: &str, copy: &Path) -> String {
    let sections = parse_session(expected);
    let (last, background) = sections.split_last().unwrap();
    let mut programs = Vec::new();
    for section in background {
        let command = section
            .lines
            .first()
            .and_then(|l| l.strip_prefix("$ "))
            .expect("a section that is not the last starts with its `$` line");
        let serving = section.lines.iter().any(|l| l.starts_with("Serving"));
        programs.push(Program::start(command, copy, serving.then_some("Serving")));
    }
    for program in &mut programs {
        program.phase = 1;
    }
    let mut transcript = String::new();
    let mut client = String::new();
    for command in commands(last) {
        client.push_str(&format!("$ {command}\n"));
        client.push_str(&run_client(command, copy));
    }
    for (section, program) in background.iter().zip(programs) {
        let interrupt = section.lines.iter().position(|l| l == "^C");
        let before = interrupt.unwrap_or(section.lines.len()) - 1;
        let mut program = program;
        program.wait_for_lines(before);
        let printed = program.stop(interrupt.is_some());
        transcript.push_str(&format!("{}\n", section.header.as_deref().unwrap()));
        transcript.push_str(&format!("{}\n", section.lines[0]));
        for line in printed {
            transcript.push_str(&line);
            transcript.push('\n');
        }
        transcript.push('\n');
    }
    if let Some(header) = &last.header {
        transcript.push_str(&format!("{header}\n"));
    }
    transcript.push_str(&client);
    transcript
}

/// Makes what varies from run to run what the reader sees, in the output only (a `$`
/// line is left as printed): ephemeral ports are numbered in order of appearance
/// from 54321 (so two connections still show two ports), process ids from 4242,
/// dates are one fixed date, `after N ms` is rounded to half a second, a panic's
/// thread id is 1, and the copy's path is `.`.
struct Normaliser {
    copy: String,
    pids: Vec<String>,
    ports: Vec<String>,
}

/// `n`'s number in order of first appearance in `seen`, counted from `first`.
fn in_order(seen: &mut Vec<String>, n: &str, first: usize) -> String {
    let index = seen.iter().position(|p| p == n).unwrap_or_else(|| {
        seen.push(n.to_string());
        seen.len() - 1
    });
    (first + index).to_string()
}

impl Normaliser {
    fn text(&mut self, text: &str) -> String {
        let mut out = String::new();
        for line in text.lines() {
            if line.starts_with("$ ") {
                out.push_str(line);
            } else {
                out.push_str(&self.line(line));
            }
            out.push('\n');
        }
        out
    }

    fn line(&mut self, line: &str) -> String {
        let mut line = line.replace(&self.copy, ".");
        for prefix in [
            "127.0.0.1:",
            "127.0.0.1 ",
            "port ",
            "'127.0.0.1', ",
            "(\"127.0.0.1\", ",
        ] {
            let ports = &mut self.ports;
            line = replace_numbers_after(&line, prefix, &mut |n: &str| match n.parse::<u32>() {
                Ok(port) if port >= 32768 => in_order(ports, n, 54321),
                _ => n.to_string(),
            });
        }
        let pids = &mut self.pids;
        let line = replace_numbers_after(&line, "pid ", &mut |n: &str| in_order(pids, n, 4242));
        // Rust names a panicking thread with its id: `thread 'main' (81234) panicked`.
        let line = if line.starts_with("thread '") && line.contains(") panicked") {
            replace_numbers_after(&line, "' (", &mut |_: &str| "1".to_string())
        } else {
            line
        };
        let line = round_milliseconds(&line);
        if let Some(i) = line.find("Date: ").or_else(|| line.find("Last-Modified: ")) {
            let name_end = i + line[i..].find(": ").unwrap() + 2;
            format!("{}Thu, 26 Nov 2026 12:00:00 GMT", &line[..name_end])
        } else if let (Some(a), Some(b)) = (line.find(" - - ["), line.find("] ")) {
            format!("{}26/Nov/2026 12:00:00{}", &line[..a + 6], &line[b..])
        } else {
            line
        }
    }
}

/// `after 1003 ms` becomes `after 1000 ms`: a duration, to the nearest half second.
fn round_milliseconds(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(i) = rest.find(" after ") {
        out.push_str(&rest[..i + 7]);
        rest = &rest[i + 7..];
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        match rest[..digits].parse::<u64>() {
            Ok(ms) if rest[digits..].starts_with(" ms") => {
                out.push_str(&((ms + 250) / 500 * 500).to_string());
                rest = &rest[digits..];
            }
            _ => {}
        }
    }
    out.push_str(rest);
    out
}

/// Replaces each run of digits after `prefix` with the value `f` gives for it.
fn replace_numbers_after(text: &str, prefix: &str, f: &mut impl FnMut(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(prefix) {
        out.push_str(&rest[..i + prefix.len()]);
        rest = &rest[i + prefix.len()..];
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits > 0 {
            out.push_str(&f(&rest[..digits]));
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

/// Gives the calling thread, and every process it starts, a network namespace of its
/// own with its loopback up: the book's fixed ports are then free whatever else runs.
/// Needs CAP_SYS_ADMIN (root, as CI is); without it, the session uses the machine's
/// loopback.
fn private_network() -> Result<(), String> {
    nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET).map_err(|e| e.to_string())?;
    let status = Command::new("ip")
        .args(["link", "set", "lo", "up"])
        .status()
        .map_err(|e| format!("ip (iproute2): {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err("ip link set lo up failed".to_string())
    }
}

/// Every session file under book/outputs/: its name (path without `.txt`) and path.
fn session_files() -> Vec<(String, PathBuf)> {
    let outputs = root().join("book/outputs");
    let mut files = Vec::new();
    let mut stack = vec![outputs.clone()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "txt") {
                let name = path.strip_prefix(&outputs).unwrap().with_extension("");
                files.push((name.to_string_lossy().into_owned(), path));
            }
        }
    }
    files.sort();
    files
}

/// Builds, in the copy, every example the sessions run, so that each `cargo run`
/// starts at once. (Only a cache: the printed `cargo run` would build it too.)
fn build_examples(sessions: &[(String, PathBuf)], copy: &Path) {
    let mut examples = BTreeSet::new();
    for (_, path) in sessions {
        let text = fs::read_to_string(path).unwrap();
        for line in text.lines().filter_map(|l| l.strip_prefix("$ ")) {
            for (i, _) in line.match_indices("--example ") {
                let name: String = line[i + 10..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                examples.insert(name);
            }
        }
    }
    let mut build = Command::new(env!("CARGO"));
    build.args(["build", "--quiet"]);
    for example in &examples {
        build.args(["--example", example]);
    }
    let mut child = build
        .current_dir(copy)
        .env("CARGO_TARGET_DIR", target_dir())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (send, done) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = BufReader::new(stderr).read_to_string(&mut text);
        let _ = send.send(());
        text
    });
    if done.recv_timeout(BUILD_TIMEOUT).is_err() {
        let _ = child.kill();
        panic!("building the examples took more than {BUILD_TIMEOUT:?}");
    }
    let status = child.wait().unwrap();
    assert!(
        status.success(),
        "building the examples: {}",
        reader.join().unwrap()
    );
}

#[test]
fn every_run_it_output_is_what_a_real_run_prints() {
    let update = std::env::var_os("UPDATE_BOOK_OUTPUTS").is_some();
    let chosen: Option<Vec<String>> = std::env::var("BOOK_SESSIONS")
        .ok()
        .map(|s| s.split(',').map(|n| n.trim().to_string()).collect());
    let all = session_files();
    let sessions: Vec<(String, PathBuf)> = all
        .iter()
        .filter(|(name, _)| chosen.as_ref().is_none_or(|c| c.contains(name)))
        .cloned()
        .collect();
    if let Some(chosen) = &chosen {
        for name in chosen {
            assert!(
                all.iter().any(|(n, _)| n == name),
                "BOOK_SESSIONS: no book/outputs/{name}.txt"
            );
        }
    }
    let copy = FreshCopy::new("build");
    build_examples(&sessions, &copy.0);

    // Up to three sessions at once, each on a thread with a network of its own; one at
    // a time on the machine's loopback where namespaces are not allowed.
    let isolated = std::thread::spawn(private_network).join().unwrap();
    if let Err(why) = &isolated {
        eprintln!("sessions share the machine's loopback ({why}): one at a time");
    }
    let workers = if isolated.is_ok() { 3 } else { 1 };
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some((name, path)) = sessions.get(i) else {
                        break;
                    };
                    // A thread per session: a namespace per session, so no session
                    // meets another's sockets in TIME_WAIT; and a copy per session.
                    let own = FreshCopy::new(&i.to_string());
                    let copy = &own.0;
                    let real = std::thread::scope(|inner| {
                        inner
                            .spawn(|| {
                                if isolated.is_ok() {
                                    private_network().unwrap();
                                }
                                let expected = fs::read_to_string(path).unwrap();
                                let raw = replay(&expected, copy);
                                let mut normaliser = Normaliser {
                                    copy: copy.display().to_string(),
                                    pids: Vec::new(),
                                    ports: Vec::new(),
                                };
                                normaliser.text(&raw)
                            })
                            .join()
                    });
                    results
                        .lock()
                        .unwrap()
                        .push((name.clone(), path.clone(), real));
                }
            });
        }
    });

    let mut stale = Vec::new();
    for (name, path, real) in results.into_inner().unwrap() {
        let real = match real {
            Ok(real) => real,
            Err(panic) => {
                let why = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                stale.push(format!("{name}: the replay failed: {why}"));
                continue;
            }
        };
        let expected = fs::read_to_string(&path).unwrap();
        if update {
            fs::write(&path, &real).unwrap();
        } else if expected != real {
            let line = expected
                .lines()
                .zip(real.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(expected.lines().count().min(real.lines().count()));
            stale.push(format!(
                "book/outputs/{name}.txt differs from line {}; a real run prints\n{real}",
                line + 1
            ));
        }
    }
    assert!(
        stale.is_empty(),
        "outputs out of date (UPDATE_BOOK_OUTPUTS=1 cargo test --test book run_it rewrites them):\n{}",
        stale.join("\n")
    );
}

#[test]
fn every_session_file_is_shown_by_a_chapter() {
    let text: String = chapters().into_iter().map(|(_, c)| c).collect();
    for (name, _) in session_files() {
        assert!(
            text.contains(&format!("outputs/{name}.txt")),
            "no chapter shows book/outputs/{name}.txt"
        );
    }
}

/// Every item Appendix B names in its tables of differences carries "Differs from
/// CPython 3.11" in its doc comment (or names it there), as the appendix says.
#[test]
fn every_difference_is_marked_in_the_code() {
    // Doc-comment blocks that carry the mark, each with the item line after it.
    let mut marked = Vec::new();
    let mut stack = vec![root().join("src")];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = fs::read_to_string(&path).unwrap();
            let mut block = String::new();
            for line in text.lines() {
                if let Some(doc) = line.trim_start().strip_prefix("///") {
                    block.push_str(doc);
                    block.push('\n');
                } else {
                    // The mark may be wrapped over two lines.
                    let words = block.split_whitespace().collect::<Vec<_>>().join(" ");
                    if words.contains("Differs from CPython 3.11") {
                        marked.push(format!("{words} {line}"));
                    }
                    block.clear();
                }
            }
        }
    }
    let appendix = fs::read_to_string(root().join("book/src/differences.md")).unwrap();
    let mut rows = 0;
    for section in appendix.split("\n## ").skip(1) {
        if section.starts_with("Not ported") {
            continue;
        }
        for row in section.lines().filter(|l| l.starts_with("| `")) {
            let cell = row.split('|').nth(1).unwrap();
            if cell.contains("examples/") {
                continue; // an example's command line, not an item of the crate
            }
            rows += 1;
            let names: Vec<&str> = cell
                .split('`')
                .skip(1)
                .step_by(2)
                .map(|name| {
                    let name = name.split('(').next().unwrap();
                    name.rsplit(['.', ':']).next().unwrap()
                })
                .collect();
            assert!(
                names
                    .iter()
                    .any(|name| marked.iter().any(|block| block.contains(name))),
                "differences.md names {names:?}, but no doc comment that says \
                 \"Differs from CPython 3.11\" is about it"
            );
        }
    }
    assert!(rows >= 8, "only {rows} differences found");
}

/// `{{#python 3.14 http.server.HTTPSServer}}` on a CPython without it (this machine's
/// is 3.11) says which CPython added it and where to read it, and the other names of
/// the same build are still shown.
#[test]
fn a_name_newer_than_the_readers_cpython_gets_a_note() {
    let names = [
        "3.14 http.server.HTTPSServer".to_string(),
        "socketserver.BaseServer.serve_forever".to_string(),
    ];
    let shown = python_source::sources(&names);
    let note = &shown[&names[0]];
    if !note.contains("has no `http.server.HTTPSServer`") {
        // A CPython 3.14 or later shows the real thing.
        assert!(note.contains("class HTTPSServer"), "{note}");
    } else {
        assert!(note.contains("new in CPython 3.14"), "{note}");
        assert!(note.contains("Lib/http/server.py"), "{note}");
    }
    assert!(
        shown[&names[1]].contains("def serve_forever"),
        "{}",
        shown[&names[1]]
    );
}
