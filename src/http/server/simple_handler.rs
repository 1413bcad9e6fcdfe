//! `SimpleHTTPRequestHandler`: files and directory listings from a directory.
//!
//! Python: `Lib/http/server.py`, lines 646-905.
//!
//! The class is in three parts: its attributes ([`SimpleHttpRequest`], which adds
//! `directory` to [`BaseHttpRequest`]), its overridable methods (the trait
//! [`SimpleHttpMethods`]: `send_head`, `list_directory`, `translate_path`,
//! `copyfile`, `guess_type`), and the class itself, ready to serve
//! ([`SimpleHttpRequestHandler`]). A "subclass" wraps the attributes and implements
//! both traits, overriding what it needs, exactly as `SimpleHttpRequestHandler` is
//! built.

use std::borrow::{Borrow, BorrowMut};
use std::fs::File;
use std::io::{self, Cursor, Read, Write};
use std::ops::{Deref, DerefMut};
use std::os::fd::AsFd;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use socket2::SockAddr;

use super::base_handler::{
    BaseHttpRequest, BaseHttpRequestHandler, HttpHandlerBase, no_such_method,
};
use super::builtins::is_python_space;
use super::email_utils::parsedate_to_datetime;
use super::mimetypes;
use super::urllib_parse::{
    fs_name_lower_key, fs_name_surrogatepass, quote, unquote, urlsplit, urlunsplit,
};
use crate::base_server::AnyServer;
use crate::connection::Connection;
use crate::handlers::{BaseRequestHandler, HandlerBase, StreamRequestHandler};
use crate::traced;

// ANCHOR: SimpleHttpRequest
/// The attributes of a `SimpleHTTPRequestHandler`: those of
/// `BaseHTTPRequestHandler` (through `Deref`) and the directory it serves.
///
/// Python: the instance attributes of `http.server.SimpleHTTPRequestHandler`.
pub struct SimpleHttpRequest<S: ?Sized = AnyServer> {
    base: BaseHttpRequest<S>,
    /// The directory served. Python: `self.directory`, the `directory` argument
    /// of the constructor (the server's `handler_arguments.directory`), by default
    /// the current directory when the handler is made.
    pub directory: PathBuf,
}
// ANCHOR_END: SimpleHttpRequest

// ANCHOR: SimpleHttpArguments
/// The keyword arguments of `SimpleHTTPRequestHandler`'s constructor, which a server
/// gives every handler it makes: its `handler_arguments`.
///
/// Python: `functools.partial(SimpleHTTPRequestHandler, directory=…)`. Here
/// `server.handler_arguments.directory = Some(path)`, one line per server, so two
/// servers in one process can serve two directories.
#[derive(Debug, Clone, Default)]
pub struct SimpleHttpArguments {
    /// The directory to serve; `None`: the current directory when each handler is
    /// made. Python: `directory=None`.
    pub directory: Option<PathBuf>,
}
// ANCHOR_END: SimpleHttpArguments

impl<S: ?Sized> Deref for SimpleHttpRequest<S> {
    type Target = BaseHttpRequest<S>;
    fn deref(&self) -> &BaseHttpRequest<S> {
        &self.base
    }
}

impl<S: ?Sized> DerefMut for SimpleHttpRequest<S> {
    fn deref_mut(&mut self) -> &mut BaseHttpRequest<S> {
        &mut self.base
    }
}

impl<S: ?Sized> Borrow<BaseHttpRequest<S>> for SimpleHttpRequest<S> {
    fn borrow(&self) -> &BaseHttpRequest<S> {
        &self.base
    }
}

impl<S: ?Sized> BorrowMut<BaseHttpRequest<S>> for SimpleHttpRequest<S> {
    fn borrow_mut(&mut self) -> &mut BaseHttpRequest<S> {
        &mut self.base
    }
}

impl<S: ?Sized + Send + Sync + 'static> HandlerBase for SimpleHttpRequest<S> {
    type Request = Arc<Connection>;
    type Server = S;
    type Arguments = SimpleHttpArguments;

    // ANCHOR: simple_new
    /// Python: `SimpleHTTPRequestHandler.__init__(*args, directory=None)`:
    /// `self.directory = os.fspath(directory)`, or `os.getcwd()` without one.
    fn new<H: BaseRequestHandler>(
        request: Arc<Connection>,
        client_address: SockAddr,
        server: Arc<S>,
        arguments: &SimpleHttpArguments,
    ) -> Self {
        let directory = arguments.directory.clone();
        SimpleHttpRequest {
            base: BaseHttpRequest::new::<H>(request, client_address, server, &()),
            directory: directory
                .unwrap_or_else(|| std::env::current_dir().unwrap_or_else(|_| ".".into())),
        }
    }
    // ANCHOR_END: simple_new

    fn setup<H: BaseRequestHandler<Target = Self>>(this: &mut H) -> io::Result<()> {
        StreamRequestHandler::setup(this)
    }

    fn finish<H: BaseRequestHandler<Target = Self>>(this: &mut H) -> io::Result<()> {
        StreamRequestHandler::finish(this)
    }
}

impl<S: ?Sized> Borrow<StreamRequestHandler<S>> for SimpleHttpRequest<S> {
    fn borrow(&self) -> &StreamRequestHandler<S> {
        &self.base
    }
}

impl<S: ?Sized> BorrowMut<StreamRequestHandler<S>> for SimpleHttpRequest<S> {
    fn borrow_mut(&mut self) -> &mut StreamRequestHandler<S> {
        &mut self.base
    }
}

// ANCHOR: HttpHandlerBase
impl<H, S> HttpHandlerBase<H> for SimpleHttpRequest<S>
where
    H: SimpleHttpMethods<S>,
    S: ?Sized + Send + Sync + 'static,
{
    const server_version: &'static str = "SimpleHTTP/0.6";

    fn base_http(&self) -> &BaseHttpRequest<S> {
        &self.base
    }
    fn base_http_mut(&mut self) -> &mut BaseHttpRequest<S> {
        &mut self.base
    }

    fn do_method(handler: &mut H, command: &str) -> io::Result<()> {
        match command {
            "GET" => SimpleHttpRequest::do_GET(handler),
            "HEAD" => SimpleHttpRequest::do_HEAD(handler),
            _ => Err(no_such_method(command)),
        }
    }
}
// ANCHOR_END: HttpHandlerBase

#[allow(non_snake_case)]
impl SimpleHttpRequest {
    // ANCHOR: do_GET
    /// Serves a GET request: `send_head`, then the file's bytes.
    ///
    /// Python: `SimpleHTTPRequestHandler.do_GET(self)`. Your handler reaches it by
    /// default; an override calls it as `super().do_GET()`:
    /// `SimpleHttpRequest::do_GET(self)`, as Python 2 called a base class.
    pub fn do_GET<H: SimpleHttpMethods<S>, S: ?Sized + Send + Sync + 'static>(
        this: &mut H,
    ) -> io::Result<()> {
        if let Some(mut f) = traced!(this.send_head())? {
            traced!(this.copyfile(&mut f))?;
        }
        Ok(())
    }
    // ANCHOR_END: do_GET

    /// Serves a HEAD request: `send_head` alone.
    ///
    /// Python: `SimpleHTTPRequestHandler.do_HEAD(self)`. An override calls it as
    /// `super().do_HEAD()`: `SimpleHttpRequest::do_HEAD(self)`.
    pub fn do_HEAD<H: SimpleHttpMethods<S>, S: ?Sized + Send + Sync + 'static>(
        this: &mut H,
    ) -> io::Result<()> {
        traced!(this.send_head())?;
        Ok(())
    }

    // ANCHOR: send_head
    /// Python: `SimpleHTTPRequestHandler.send_head()`. An override calls it as
    /// `super().send_head()`: `SimpleHttpRequest::send_head(self)`.
    ///
    /// Differs from CPython 3.11: a path that no file can have (a NUL byte, `%00`)
    /// is a 404 like any missing file; 3.11's `open()` raises `ValueError`, and the
    /// connection closes with no response.
    pub fn send_head<H: SimpleHttpMethods<S>, S: ?Sized + Send + Sync + 'static>(
        this: &mut H,
    ) -> io::Result<Option<HeadFile>> {
        let request_path = this.path.clone();
        let mut path = traced!(this.translate_path(&request_path));
        if path.is_dir() {
            let parts = urlsplit(&this.path).map_err(io::Error::other)?;
            if !parts.path.ends_with('/') {
                // redirect browser - doing basically what apache does
                this.send_response(301, None);
                let mut new_parts = parts;
                new_parts.path.push('/');
                let new_url = urlunsplit(&new_parts);
                this.send_header("Location", &new_url);
                this.send_header("Content-Length", "0");
                this.end_headers()?;
                return Ok(None);
            }
            let index = ["index.html", "index.htm"]
                .into_iter()
                .map(|index| {
                    PathBuf::from(std::ffi::OsString::from_vec(join(
                        path.as_os_str().as_bytes(),
                        index.as_bytes(),
                    )))
                })
                .find(|index| index.is_file());
            match index {
                Some(index) => path = index,
                None => return traced!(this.list_directory(&path)),
            }
        }
        let ctype = this.guess_type(&path);
        // check for trailing "/" which should return 404. See Issue17324
        if path.as_os_str().as_bytes().ends_with(b"/") {
            this.send_error(404, Some("File not found"), None)?;
            return Ok(None);
        }
        let opened = File::open(&path).and_then(|f| {
            let fs = f.metadata()?;
            // Python's open() refuses a directory (IsADirectoryError); File::open does not.
            if fs.is_dir() {
                Err(io::Error::other("Is a directory"))
            } else {
                Ok((f, fs))
            }
        });
        let Ok((f, fs)) = opened else {
            this.send_error(404, Some("File not found"), None)?;
            return Ok(None);
        };
        let mtime = fs.modified()?;
        // Use browser cache if possible
        if let (Some(ims), None) = (
            this.headers.get("If-Modified-Since"),
            this.headers.get("If-None-Match"),
        ) {
            // compare If-Modified-Since and time of last file modification;
            // ignore ill-formed values, and zones other than UTC (a date with no
            // zone counts as UTC, cf. RFC 7231 section 7.1.1.1)
            if let Some(ims) = parsedate_to_datetime(ims).filter(|d| d.tzoffset.unwrap_or(0) == 0) {
                // remove microseconds, like in If-Modified-Since
                let last_modif = match mtime.duration_since(UNIX_EPOCH) {
                    Ok(d) => d.as_secs() as i64,
                    Err(e) => -(e.duration().as_secs_f64().ceil() as i64),
                };
                if last_modif <= ims.timestamp_as_utc() {
                    this.send_response(304, None);
                    this.end_headers()?;
                    return Ok(None);
                }
            }
        }

        this.send_response(200, None);
        this.send_header("Content-type", &ctype);
        this.send_header("Content-Length", &fs.len().to_string());
        let last_modified = this.date_time_string(Some(mtime));
        this.send_header("Last-Modified", &last_modified);
        this.end_headers()?;
        Ok(Some(HeadFile::File(f)))
    }
    // ANCHOR_END: send_head

    // ANCHOR: list_directory
    /// Python: `SimpleHTTPRequestHandler.list_directory(path)`. An override calls
    /// it as `super().list_directory(path)`:
    /// `SimpleHttpRequest::list_directory(self, path)`.
    pub fn list_directory<H: SimpleHttpMethods<S>, S: ?Sized + Send + Sync + 'static>(
        this: &mut H,
        path: &Path,
    ) -> io::Result<Option<HeadFile>> {
        let listed = std::fs::read_dir(path).and_then(|entries| {
            entries
                .map(|e| Ok(e?.file_name().into_vec()))
                .collect::<io::Result<Vec<_>>>()
        });
        let Ok(mut list) = listed else {
            this.send_error(404, Some("No permission to list directory"), None)?;
            return Ok(None);
        };
        list.sort_by_cached_key(|name| fs_name_lower_key(name));
        let displaypath = html_escape_bytes(&unquote(&this.path));
        let enc = "utf-8"; // sys.getfilesystemencoding()
        let title = [b"Directory listing for ".as_slice(), &displaypath].concat();
        let mut r: Vec<Vec<u8>> = vec![
            b"<!DOCTYPE HTML>".to_vec(),
            b"<html lang=\"en\">".to_vec(),
            b"<head>".to_vec(),
            format!("<meta charset=\"{enc}\">").into_bytes(),
            [b"<title>".as_slice(), &title, b"</title>\n</head>"].concat(),
            [b"<body>\n<h1>".as_slice(), &title, b"</h1>"].concat(),
            b"<hr>\n<ul>".to_vec(),
        ];
        for name in &list {
            let fullname = Path::new(std::ffi::OsStr::from_bytes(&join(
                path.as_os_str().as_bytes(),
                name,
            )))
            .to_path_buf();
            let mut displayname = name.clone();
            let mut linkname = name.clone();
            // Append / for directories or @ for symbolic links
            if fullname.is_dir() {
                displayname.push(b'/');
                linkname.push(b'/');
            }
            if fullname.is_symlink() {
                displayname = [name.as_slice(), b"@"].concat();
                // Note: a link to a directory displays with @ and links with /
            }
            r.push(
                [
                    b"<li><a href=\"".as_slice(),
                    quote(&fs_name_surrogatepass(&linkname)).as_bytes(),
                    b"\">",
                    &html_escape_bytes(&displayname),
                    b"</a></li>",
                ]
                .concat(),
            );
        }
        r.push(b"</ul>\n<hr>\n</body>\n</html>\n".to_vec());
        let encoded = r.join(&b'\n');
        this.send_response(200, None);
        this.send_header("Content-type", &format!("text/html; charset={enc}"));
        this.send_header("Content-Length", &encoded.len().to_string());
        this.end_headers()?;
        Ok(Some(HeadFile::Bytes(Cursor::new(encoded))))
    }
    // ANCHOR_END: list_directory

    // ANCHOR: translate_path
    /// Python: `SimpleHTTPRequestHandler.translate_path(path)`. An override calls
    /// it as `super().translate_path(path)`:
    /// `SimpleHttpRequest::translate_path(self, path)`.
    pub fn translate_path<H: SimpleHttpMethods<S>, S: ?Sized + Send + Sync + 'static>(
        this: &H,
        path: &str,
    ) -> PathBuf {
        // abandon query parameters
        let path = path.split('?').next().unwrap_or("");
        let path = path.split('#').next().unwrap_or("");
        // Don't forget explicit trailing slash when normalizing. Issue17324
        let trailing_slash = path.trim_end_matches(is_python_space).ends_with('/');
        let path = normpath(&unquote(path));
        let mut result = this.directory.as_os_str().as_bytes().to_vec();
        for word in path.split(|&b| b == b'/').filter(|w| !w.is_empty()) {
            if word == b"." || word == b".." {
                // Ignore components that are not a simple file/directory name
                continue;
            }
            result = join(&result, word);
        }
        if trailing_slash {
            result.push(b'/');
        }
        PathBuf::from(std::ffi::OsString::from_vec(result))
    }
    // ANCHOR_END: translate_path

    // ANCHOR: copyfile
    /// Python: `SimpleHTTPRequestHandler.copyfile(source, outputfile)`,
    /// `shutil.copyfileobj(source, outputfile)`; `outputfile` is always `wfile`
    /// here. An override calls it as `super().copyfile(source, self.wfile)`:
    /// `SimpleHttpRequest::copyfile(self, source)`.
    ///
    /// A file goes out with the kernel's `sendfile` on a plain connection; over TLS
    /// its bytes must be encrypted here, so they are copied through `wfile` in
    /// pieces of 64 KiB (`shutil.COPY_BUFSIZE`).
    pub fn copyfile<H: SimpleHttpMethods<S>, S: ?Sized + Send + Sync + 'static>(
        this: &mut H,
        source: &mut HeadFile,
    ) -> io::Result<()> {
        match source {
            HeadFile::Bytes(bytes) => {
                io::copy(bytes, &mut this.wfile)?;
            }
            HeadFile::File(file) if this.connection.is_tls() => {
                let mut buffer = vec![0; 64 * 1024];
                loop {
                    let n = match file.read(&mut buffer) {
                        Ok(0) => break,
                        Ok(n) => n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(e),
                    };
                    this.wfile.write_all(&buffer[..n])?;
                }
            }
            HeadFile::File(file) => {
                this.wfile.flush()?;
                let connection = Arc::clone(&this.connection);
                loop {
                    match nix::sys::sendfile::sendfile(
                        connection.as_fd(),
                        file.as_fd(),
                        None,
                        1 << 20,
                    ) {
                        Ok(0) => break,
                        Ok(_) => {}
                        Err(nix::errno::Errno::EINTR) => {}
                        Err(nix::errno::Errno::EAGAIN) => {
                            return Err(io::ErrorKind::TimedOut.into());
                        }
                        Err(errno) => return Err(errno.into()),
                    }
                }
            }
        }
        Ok(())
    }
    // ANCHOR_END: copyfile

    // ANCHOR: guess_type
    /// Python: `SimpleHTTPRequestHandler.guess_type(path)`. An override calls it
    /// as `super().guess_type(path)`: `SimpleHttpRequest::guess_type(self, path)`.
    pub fn guess_type<H: SimpleHttpMethods<S>, S: ?Sized + Send + Sync + 'static>(
        this: &H,
        path: &Path,
    ) -> String {
        let _ = this;
        let path = String::from_utf8_lossy(path.as_os_str().as_bytes());
        let (_, ext) = mimetypes::splitext(&path);
        let lookup = |ext: &str| {
            H::extensions_map
                .iter()
                .find(|(e, _)| *e == ext)
                .map(|&(_, t)| t.to_string())
        };
        if let Some(t) = lookup(ext).or_else(|| lookup(&ext.to_lowercase())) {
            return t;
        }
        mimetypes::guess_type(&path)
            .0
            .unwrap_or_else(|| "application/octet-stream".to_string())
    }
    // ANCHOR_END: guess_type
}

/// What `send_head` gives back to copy to the client: an open file, or a directory
/// listing in memory. Python: the file object or `io.BytesIO` it returns.
pub enum HeadFile {
    /// A file, sent with the kernel's `sendfile` (through `wfile` over TLS).
    File(File),
    /// A generated page.
    Bytes(Cursor<Vec<u8>>),
}

impl Read for HeadFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            HeadFile::File(file) => file.read(buf),
            HeadFile::Bytes(bytes) => bytes.read(buf),
        }
    }
}

/// Python: `os.path.join(a, b)` on file-name bytes.
fn join(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut path = a.to_vec();
    if b.starts_with(b"/") {
        return b.to_vec();
    }
    if !path.is_empty() && !path.ends_with(b"/") {
        path.push(b'/');
    }
    path.extend_from_slice(b);
    path
}

/// Python: `posixpath.normpath(path)`.
fn normpath(path: &[u8]) -> Vec<u8> {
    if path.is_empty() {
        return b".".to_vec();
    }
    let initial_slashes = match path {
        [b'/', b'/', b'/', ..] => 1,
        [b'/', b'/', ..] => 2,
        [b'/', ..] => 1,
        _ => 0,
    };
    let mut comps: Vec<&[u8]> = Vec::new();
    for comp in path.split(|&b| b == b'/') {
        if comp.is_empty() || comp == b"." {
            continue;
        }
        if comp != b".."
            || (initial_slashes == 0 && comps.is_empty())
            || comps.last() == Some(&&b".."[..])
        {
            comps.push(comp);
        } else if !comps.is_empty() {
            comps.pop();
        }
    }
    let mut out = vec![b'/'; initial_slashes];
    out.extend(comps.join(&b'/'));
    if out.is_empty() { b".".to_vec() } else { out }
}

/// Python: `html.escape(text, quote=False)` on bytes that are UTF-8 or escaped.
fn html_escape_bytes(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for &b in text {
        match b {
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            b => out.push(b),
        }
    }
    out
}

/// The overridable methods of `SimpleHTTPRequestHandler`.
///
/// Implement it (usually with no method at all) for a handler that wraps
/// [`SimpleHttpRequest`]; override a method to change one step, as a Python
/// subclass would:
///
/// ```
/// use std::io;
/// use socketserver::http::server::{
///     BaseHttpRequest, BaseHttpRequestHandler, SimpleHttpMethods, SimpleHttpRequest,
///     ThreadingHttpServer,
/// };
/// use socketserver::BaseServer;
///
/// // class NoCache(SimpleHTTPRequestHandler):
/// struct NoCache(SimpleHttpRequest);
/// socketserver::subclass!(NoCache(SimpleHttpRequest));
///
/// impl BaseHttpRequestHandler for NoCache {
///     // def end_headers(self):
///     //     self.send_header("Cache-Control", "no-store")
///     //     super().end_headers()
///     fn end_headers(&mut self) -> io::Result<()> {
///         self.send_header("Cache-Control", "no-store");
///         BaseHttpRequest::end_headers(self)
///     }
/// }
/// impl SimpleHttpMethods for NoCache {}
///
/// # fn serve() -> io::Result<()> {
/// ThreadingHttpServer::<NoCache>::new(("127.0.0.1", 8000))?.into_arc().serve_forever(0.5)?;
/// # Ok(())
/// # }
/// # let _ = serve;
/// # // The test: super().end_headers() keeps Python's HTTP/0.9 rule, and send_error's
/// # // end_headers is the override too. It serves the current directory, which is
/// # // the crate's root when doctests run.
/// # use std::io::{Read, Write};
/// # let server = ThreadingHttpServer::<NoCache>::new(("127.0.0.1", 0))?.into_arc();
/// # let port = server.server_port;
/// # let serving = std::thread::spawn({
/// #     let server = std::sync::Arc::clone(&server);
/// #     move || server.serve_forever(0.05)
/// # });
/// # let ask = |request: &[u8]| -> io::Result<Vec<u8>> {
/// #     let mut client = std::net::TcpStream::connect(("127.0.0.1", port))?;
/// #     client.write_all(request)?;
/// #     let mut answer = Vec::new();
/// #     client.read_to_end(&mut answer)?;
/// #     Ok(answer)
/// # };
/// # let file = std::fs::read("Cargo.toml")?;
/// # // HTTP/0.9: the file's bytes and nothing else, no stray blank line.
/// # let simple = ask(b"GET /Cargo.toml\r\n")?;
/// # let start = String::from_utf8_lossy(&simple[..simple.len().min(16)]).into_owned();
/// # assert!(simple == file, "the HTTP/0.9 answer starts {start:?}");
/// # let answer = ask(b"GET /Cargo.toml HTTP/1.0\r\n\r\n")?;
/// # let text = String::from_utf8_lossy(&answer);
/// # assert!(text.starts_with("HTTP/1.0 200 OK\r\n"), "{text}");
/// # assert!(text.contains("\r\nCache-Control: no-store\r\n\r\n"), "{text}");
/// # assert!(answer.ends_with(&file));
/// # let missing = ask(b"GET /no-such-file HTTP/1.0\r\n\r\n")?;
/// # let text = String::from_utf8_lossy(&missing);
/// # assert!(text.starts_with("HTTP/1.0 404 File not found\r\n"), "{text}");
/// # assert!(text.contains("\r\nCache-Control: no-store\r\n\r\n"), "{text}");
/// # server.shutdown();
/// # serving.join().unwrap()?;
/// # Ok::<(), io::Error>(())
/// ```
///
/// Python: `http.server.SimpleHTTPRequestHandler`'s methods.
#[allow(non_upper_case_globals)]
pub trait SimpleHttpMethods<S: ?Sized + Send + Sync + 'static = AnyServer>:
    BaseHttpRequestHandler
    + DerefMut<Target = SimpleHttpRequest<S>>
    + Deref<Target: HandlerBase<Server = S>>
{
    /// Types `guess_type` looks up before asking [`mimetypes`]. Python:
    /// `extensions_map` (3.11: only the compressed formats, so that their type
    /// is not an encoding).
    const extensions_map: &'static [(&'static str, &'static str)] = &[
        (".gz", "application/gzip"),
        (".Z", "application/octet-stream"),
        (".bz2", "application/x-bzip2"),
        (".xz", "application/x-xz"),
    ];

    /// Sends the status line and headers for a GET or HEAD, and returns what to copy
    /// as the body, if anything: a file, a directory listing, or nothing after a
    /// redirect (301), a 304 or an error (404).
    ///
    /// Python: `SimpleHTTPRequestHandler.send_head()`.
    /// The body is [`SimpleHttpRequest::send_head`].
    fn send_head(&mut self) -> io::Result<Option<HeadFile>> {
        SimpleHttpRequest::send_head(self)
    }

    /// Sends the headers of a directory listing and returns the page: the entries
    /// sorted without regard to case, a `/` after directories, an `@` after links,
    /// names quoted in links and escaped in text. 404 if the directory can't be read.
    ///
    /// Python: `SimpleHTTPRequestHandler.list_directory(path)`.
    /// The body is [`SimpleHttpRequest::list_directory`].
    fn list_directory(&mut self, path: &Path) -> io::Result<Option<HeadFile>> {
        SimpleHttpRequest::list_directory(self, path)
    }

    /// Maps a request path to a file name under `directory`: the query and fragment
    /// dropped, `%XX` decoded, the path normalised, and every `.`, `..` or empty
    /// component left out, so no path leads outside the directory (a symbolic link
    /// inside it is followed, as in Python).
    ///
    /// Python: `SimpleHTTPRequestHandler.translate_path(path)`.
    /// The body is [`SimpleHttpRequest::translate_path`].
    fn translate_path(&self, path: &str) -> PathBuf {
        SimpleHttpRequest::translate_path(self, path)
    }

    /// Copies what `send_head` returned to `wfile`. A file goes through the kernel
    /// (`sendfile`): its bytes never enter this process (over TLS, where they must
    /// be encrypted, they are copied through `wfile`).
    ///
    /// Python: `SimpleHTTPRequestHandler.copyfile(source, outputfile)`,
    /// `shutil.copyfileobj(source, outputfile)`.
    /// The body is [`SimpleHttpRequest::copyfile`].
    fn copyfile(&mut self, source: &mut HeadFile) -> io::Result<()> {
        SimpleHttpRequest::copyfile(self, source)
    }

    /// The `Content-type` of a file: `extensions_map` by extension (as given, then
    /// lower case), then [`mimetypes::guess_type`], then
    /// `application/octet-stream`.
    ///
    /// Python: `SimpleHTTPRequestHandler.guess_type(path)`.
    /// The body is [`SimpleHttpRequest::guess_type`].
    fn guess_type(&self, path: &Path) -> String {
        SimpleHttpRequest::guess_type(self, path)
    }
}

/// Python: `http.server.SimpleHTTPRequestHandler`, ready to serve: every method
/// as Python has it. It serves the current directory, or the one the server
/// gives it: `server.handler_arguments_mut().directory = Some(path)`
/// ([`SimpleHttpArguments`], Python's `functools.partial(..., directory=path)`).
#[doc(alias = "SimpleHTTPRequestHandler")]
pub struct SimpleHttpRequestHandler<S: ?Sized = AnyServer>(pub SimpleHttpRequest<S>);

impl<S: ?Sized> Deref for SimpleHttpRequestHandler<S> {
    type Target = SimpleHttpRequest<S>;
    fn deref(&self) -> &SimpleHttpRequest<S> {
        &self.0
    }
}

impl<S: ?Sized> DerefMut for SimpleHttpRequestHandler<S> {
    fn deref_mut(&mut self) -> &mut SimpleHttpRequest<S> {
        &mut self.0
    }
}

impl<S: ?Sized> From<SimpleHttpRequest<S>> for SimpleHttpRequestHandler<S> {
    fn from(base: SimpleHttpRequest<S>) -> Self {
        SimpleHttpRequestHandler(base)
    }
}

impl<S: ?Sized + Send + Sync + 'static> BaseHttpRequestHandler for SimpleHttpRequestHandler<S> {}
impl<S: ?Sized + Send + Sync + 'static> SimpleHttpMethods<S> for SimpleHttpRequestHandler<S> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::server::message::latin1;

    #[test]
    fn normpath_like_posixpath() {
        for (path, expected) in [
            ("", "."),
            ("/a/./b/../c", "/a/c"),
            ("//a", "//a"),
            ("///a/..", "/"),
            ("../x", "../x"),
            ("a/../../b", "../b"),
            ("/../..", "/"),
        ] {
            assert_eq!(latin1(&normpath(path.as_bytes())), expected, "{path}");
        }
    }
}
