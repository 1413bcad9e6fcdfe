//! File types by extension: Python's `mimetypes`, as `guess_type(path)` answers.
//!
//! Python starts from a built-in table, then reads the system's `mime.types` files
//! (`knownfiles`, `/etc/mime.types` first), each line overriding what came before.
//! So `.js`, `.md` or `.woff2` get whatever this machine's files say, just as
//! CPython's answers do on the same machine. The built-in tables below are CPython
//! 3.11's (`_types_map_default`, `_encodings_map_default`, `_suffix_map_default`),
//! generated from it; `tests/http_differential.rs` compares the answers with the
//! `python3` at hand.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Python: `mimetypes.knownfiles`, read in this order when they exist.
pub const KNOWNFILES: [&str; 9] = [
    "/etc/mime.types",
    "/etc/httpd/mime.types",      // Mac OS X
    "/etc/httpd/conf/mime.types", // Apache
    "/etc/apache/mime.types",     // Apache 1
    "/etc/apache2/mime.types",    // Apache 2
    "/usr/local/etc/httpd/conf/mime.types",
    "/usr/local/lib/netscape/mime.types",
    "/usr/local/etc/httpd/conf/mime.types", // Apache 1.2
    "/usr/local/etc/mime.types",            // Apache 1.3
];

/// Python: `mimetypes._suffix_map_default`: suffixes that stand for two.
pub const SUFFIX_MAP: [(&str, &str); 6] = [
    (".svgz", ".svg.gz"),
    (".tgz", ".tar.gz"),
    (".taz", ".tar.gz"),
    (".tz", ".tar.gz"),
    (".tbz2", ".tar.bz2"),
    (".txz", ".tar.xz"),
];

/// Python: `mimetypes._encodings_map_default`: compression suffixes.
pub const ENCODINGS_MAP: [(&str, &str); 5] = [
    (".gz", "gzip"),
    (".Z", "compress"),
    (".bz2", "bzip2"),
    (".xz", "xz"),
    (".br", "br"),
];

/// Python: `mimetypes._types_map_default`, the strict built-in table of CPython 3.11.
pub const TYPES_MAP_DEFAULT: [(&str, &str); 149] = [
    (".js", "application/javascript"),
    (".mjs", "application/javascript"),
    (".json", "application/json"),
    (".webmanifest", "application/manifest+json"),
    (".doc", "application/msword"),
    (".dot", "application/msword"),
    (".wiz", "application/msword"),
    (".nq", "application/n-quads"),
    (".nt", "application/n-triples"),
    (".bin", "application/octet-stream"),
    (".a", "application/octet-stream"),
    (".dll", "application/octet-stream"),
    (".exe", "application/octet-stream"),
    (".o", "application/octet-stream"),
    (".obj", "application/octet-stream"),
    (".so", "application/octet-stream"),
    (".oda", "application/oda"),
    (".pdf", "application/pdf"),
    (".p7c", "application/pkcs7-mime"),
    (".ps", "application/postscript"),
    (".ai", "application/postscript"),
    (".eps", "application/postscript"),
    (".trig", "application/trig"),
    (".m3u", "application/vnd.apple.mpegurl"),
    (".m3u8", "application/vnd.apple.mpegurl"),
    (".xls", "application/vnd.ms-excel"),
    (".xlb", "application/vnd.ms-excel"),
    (".ppt", "application/vnd.ms-powerpoint"),
    (".pot", "application/vnd.ms-powerpoint"),
    (".ppa", "application/vnd.ms-powerpoint"),
    (".pps", "application/vnd.ms-powerpoint"),
    (".pwz", "application/vnd.ms-powerpoint"),
    (".wasm", "application/wasm"),
    (".bcpio", "application/x-bcpio"),
    (".cpio", "application/x-cpio"),
    (".csh", "application/x-csh"),
    (".dvi", "application/x-dvi"),
    (".gtar", "application/x-gtar"),
    (".hdf", "application/x-hdf"),
    (".h5", "application/x-hdf5"),
    (".latex", "application/x-latex"),
    (".mif", "application/x-mif"),
    (".cdf", "application/x-netcdf"),
    (".nc", "application/x-netcdf"),
    (".p12", "application/x-pkcs12"),
    (".pfx", "application/x-pkcs12"),
    (".ram", "application/x-pn-realaudio"),
    (".pyc", "application/x-python-code"),
    (".pyo", "application/x-python-code"),
    (".sh", "application/x-sh"),
    (".shar", "application/x-shar"),
    (".swf", "application/x-shockwave-flash"),
    (".sv4cpio", "application/x-sv4cpio"),
    (".sv4crc", "application/x-sv4crc"),
    (".tar", "application/x-tar"),
    (".tcl", "application/x-tcl"),
    (".tex", "application/x-tex"),
    (".texi", "application/x-texinfo"),
    (".texinfo", "application/x-texinfo"),
    (".roff", "application/x-troff"),
    (".t", "application/x-troff"),
    (".tr", "application/x-troff"),
    (".man", "application/x-troff-man"),
    (".me", "application/x-troff-me"),
    (".ms", "application/x-troff-ms"),
    (".ustar", "application/x-ustar"),
    (".src", "application/x-wais-source"),
    (".xsl", "application/xml"),
    (".rdf", "application/xml"),
    (".wsdl", "application/xml"),
    (".xpdl", "application/xml"),
    (".zip", "application/zip"),
    (".3gp", "audio/3gpp"),
    (".3gpp", "audio/3gpp"),
    (".3g2", "audio/3gpp2"),
    (".3gpp2", "audio/3gpp2"),
    (".aac", "audio/aac"),
    (".adts", "audio/aac"),
    (".loas", "audio/aac"),
    (".ass", "audio/aac"),
    (".au", "audio/basic"),
    (".snd", "audio/basic"),
    (".mp3", "audio/mpeg"),
    (".mp2", "audio/mpeg"),
    (".opus", "audio/opus"),
    (".aif", "audio/x-aiff"),
    (".aifc", "audio/x-aiff"),
    (".aiff", "audio/x-aiff"),
    (".ra", "audio/x-pn-realaudio"),
    (".wav", "audio/x-wav"),
    (".avif", "image/avif"),
    (".bmp", "image/bmp"),
    (".gif", "image/gif"),
    (".ief", "image/ief"),
    (".jpg", "image/jpeg"),
    (".jpe", "image/jpeg"),
    (".jpeg", "image/jpeg"),
    (".heic", "image/heic"),
    (".heif", "image/heif"),
    (".png", "image/png"),
    (".svg", "image/svg+xml"),
    (".tiff", "image/tiff"),
    (".tif", "image/tiff"),
    (".ico", "image/vnd.microsoft.icon"),
    (".ras", "image/x-cmu-raster"),
    (".pnm", "image/x-portable-anymap"),
    (".pbm", "image/x-portable-bitmap"),
    (".pgm", "image/x-portable-graymap"),
    (".ppm", "image/x-portable-pixmap"),
    (".rgb", "image/x-rgb"),
    (".xbm", "image/x-xbitmap"),
    (".xpm", "image/x-xpixmap"),
    (".xwd", "image/x-xwindowdump"),
    (".eml", "message/rfc822"),
    (".mht", "message/rfc822"),
    (".mhtml", "message/rfc822"),
    (".nws", "message/rfc822"),
    (".css", "text/css"),
    (".csv", "text/csv"),
    (".html", "text/html"),
    (".htm", "text/html"),
    (".n3", "text/n3"),
    (".txt", "text/plain"),
    (".bat", "text/plain"),
    (".c", "text/plain"),
    (".h", "text/plain"),
    (".ksh", "text/plain"),
    (".pl", "text/plain"),
    (".srt", "text/plain"),
    (".rtx", "text/richtext"),
    (".tsv", "text/tab-separated-values"),
    (".vtt", "text/vtt"),
    (".py", "text/x-python"),
    (".etx", "text/x-setext"),
    (".sgm", "text/x-sgml"),
    (".sgml", "text/x-sgml"),
    (".vcf", "text/x-vcard"),
    (".xml", "text/xml"),
    (".mp4", "video/mp4"),
    (".mpeg", "video/mpeg"),
    (".m1v", "video/mpeg"),
    (".mpa", "video/mpeg"),
    (".mpe", "video/mpeg"),
    (".mpg", "video/mpeg"),
    (".mov", "video/quicktime"),
    (".qt", "video/quicktime"),
    (".webm", "video/webm"),
    (".avi", "video/x-msvideo"),
    (".movie", "video/x-sgi-movie"),
];

/// The strict table: the built-in one, then every known file over it.
/// Python: `mimetypes.types_map` after `mimetypes.init()`.
pub fn types_map() -> &'static HashMap<String, String> {
    static TYPES_MAP: OnceLock<HashMap<String, String>> = OnceLock::new();
    TYPES_MAP.get_or_init(|| {
        let mut map: HashMap<String, String> = TYPES_MAP_DEFAULT
            .iter()
            .map(|&(ext, t)| (ext.to_string(), t.to_string()))
            .collect();
        for file in KNOWNFILES {
            if let Ok(text) = std::fs::read(file) {
                readfp(&String::from_utf8_lossy(&text), &mut map);
            }
        }
        map
    })
}

// ANCHOR: readfp
/// Reads one `mime.types` file: `type ext ext …` a line, `#` starting a comment.
/// Python: `MimeTypes.readfp(fp)` with `add_type(type, '.' + ext)`.
fn readfp(text: &str, map: &mut HashMap<String, String>) {
    for line in text.lines() {
        let words: Vec<&str> = super::builtins::split(line)
            .into_iter()
            .take_while(|word| !word.starts_with('#'))
            .collect();
        if let Some((mime_type, suffixes)) = words.split_first() {
            for suffix in suffixes {
                map.insert(format!(".{suffix}"), mime_type.to_string());
            }
        }
    }
}
// ANCHOR_END: readfp

/// Python: `posixpath.splitext(p)`: the last extension with its dot, unless the
/// name is all leading dots.
pub fn splitext(p: &str) -> (&str, &str) {
    let sep = p.rfind('/').map_or(0, |i| i + 1);
    if let Some(dot) = p.rfind('.').filter(|&dot| dot >= sep) {
        if p[sep..dot].bytes().any(|b| b != b'.') {
            return (&p[..dot], &p[dot..]);
        }
    }
    (p, "")
}

// ANCHOR: guess_type
/// The type of a file from its name, or `None`; and its compression, if any.
///
/// Python: `mimetypes.guess_type(url, strict=True)`.
pub fn guess_type(url: &str) -> (Option<String>, Option<&'static str>) {
    // urllib.parse._splittype: a scheme is what comes before a ':' with no '/' in it.
    let (scheme, url) = match url.split_once(':') {
        Some((scheme, rest)) if !scheme.is_empty() && !scheme.contains('/') => {
            (Some(scheme.to_lowercase()), rest)
        }
        _ => (None, url),
    };
    if scheme.as_deref() == Some("data") {
        // dataurl := "data:" [ mediatype ] [ ";base64" ] "," data
        let Some(comma) = url.find(',') else {
            return (None, None); // bad data URL
        };
        let end = url[..comma].find(';').unwrap_or(comma);
        let mime_type = &url[..end];
        if mime_type.contains('=') || !mime_type.contains('/') {
            return (Some("text/plain".into()), None);
        }
        return (Some(mime_type.to_string()), None); // never compressed
    }
    let (base, ext) = splitext(url);
    let (mut base, mut ext) = (base.to_string(), ext.to_string());
    while let Some(&(_, full)) = SUFFIX_MAP.iter().find(|(s, _)| *s == ext.to_lowercase()) {
        let joined = format!("{base}{full}");
        let (b, e) = splitext(&joined);
        (base, ext) = (b.to_string(), e.to_string());
    }
    // encodings_map is case sensitive
    let encoding = ENCODINGS_MAP
        .iter()
        .find(|(s, _)| *s == ext)
        .map(|&(_, e)| e);
    if encoding.is_some() {
        ext = splitext(&base).1.to_string();
    }
    (types_map().get(&ext.to_lowercase()).cloned(), encoding)
}
// ANCHOR_END: guess_type
