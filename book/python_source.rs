//! The book's first preprocessor: `{{#python socketserver.BaseServer.serve_forever}}`
//! becomes the source of that function, as the reader's own CPython has it;
//! `{{#python doc socketserver.BaseServer}}` becomes its docstring alone.
//! `{{#python 3.14 http.server.HTTPSServer}}` names the CPython that added it: a
//! reader whose CPython is older gets a note saying so, and where to read it.
//!
//! The Python original is never copied into this repository: at build time one
//! `python3` process reads every named function with `inspect.getsource` and says
//! which file, lines and version it came from. Without `python3`, the page says how to
//! read the original instead, and the build goes on.
//!
//! Shared by `examples/read_book.rs` and `tests/book.rs` (`#[path]` includes it).

use std::collections::BTreeMap;
use std::process::Command;

use mdbook_preprocessor::book::{Book, BookItem};
use mdbook_preprocessor::errors::Result;
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};

/// The directive, up to the dotted name.
const DIRECTIVE: &str = "{{#python ";

/// Replaces `{{#python dotted.name}}` with the named function's CPython source.
pub struct PythonSource;

/// Every dotted name the directives of `text` ask for.
fn names(text: &str) -> Vec<String> {
    text.match_indices(DIRECTIVE)
        .filter_map(|(i, _)| {
            let rest = &text[i + DIRECTIVE.len()..];
            rest.find("}}").map(|end| rest[..end].trim().to_string())
        })
        .collect()
}

/// What to show for each name: a caption and a `python` fence, or how to find it.
pub fn sources(names: &[String]) -> BTreeMap<String, String> {
    const SCRIPT: &str = r#"
import importlib, inspect, json, os, sys
out = {}
stdlib = os.path.dirname(os.__file__)
for name in sys.argv[1:]:
    doc = name.startswith("doc ")
    parts = name.removeprefix("doc ").split()[-1].split(".")
    try:
        for i in range(len(parts), 0, -1):
            try:
                obj = importlib.import_module(".".join(parts[:i]))
            except ImportError:
                continue
            for attr in parts[i:]:
                obj = getattr(obj, attr)
            break
    except AttributeError:
        out[name] = [sys.version.split()[0], "", 0, 0, ""]
        continue
    lines, first = inspect.getsourcelines(obj)
    path = os.path.relpath(inspect.getsourcefile(obj), stdlib)
    text = "".join(lines)
    if doc:
        text = inspect.getdoc(obj) + "\n"
        first += 1
        lines = text.splitlines()
    out[name] = [sys.version.split()[0], path, first, first + len(lines) - 1, text]
print(json.dumps(out))
"#;
    let output = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .args(names)
        .output();
    let found: BTreeMap<String, (String, String, u64, u64, String)> = match output {
        Ok(output) if output.status.success() => {
            serde_json::from_slice(&output.stdout).unwrap_or_default()
        }
        _ => BTreeMap::new(),
    };
    names
        .iter()
        .map(|name| {
            let shown = match found.get(name) {
                Some((version, path, first, last, source)) if name.starts_with("doc ") => format!(
                    "*The docstring of `{}`, from your CPython {version}: `Lib/{path}`.*\n\n\
                     ```text\n{}\n```",
                    &name[4..],
                    source.trim_end()
                ),
                Some((version, path, ..)) if path.is_empty() => {
                    let (since, dotted) = since_and_name(name);
                    let module = dotted.rsplit_once('.').map_or(dotted, |(m, _)| m);
                    let file = module.replace('.', "/");
                    let since = since.map_or(String::new(), |v| format!(" (it is new in CPython {v})"));
                    format!(
                        "> **The original is not shown**: your CPython {version} has no \
                         `{dotted}`{since}. Read it in a newer CPython's `Lib/{file}.py`, or \
                         at <https://github.com/python/cpython/blob/main/Lib/{file}.py>."
                    )
                }
                Some((version, path, first, last, source)) => format!(
                    "*The original, from your CPython {version}: `Lib/{path}`, lines \
                     {first}-{last}.*\n\n```python\n{}\n```",
                    dedent(source).trim_end()
                ),
                None => {
                    let name = name.trim_start_matches("doc ");
                    let module: Vec<&str> = name
                        .split('.')
                        .take_while(|p| p.starts_with(|c: char| c.is_lowercase()))
                        .collect();
                    let module = module.join(".");
                    format!(
                        "> **The original is not shown**: `python3` was not found (or could not \
                         read `{name}`) when this book was built. To read it:\n>\n> ```text\n> \
                         python3 -c 'import inspect, {module}; print(inspect.getsource({name}))'\n> ```"
                    )
                }
            };
            (name.clone(), shown)
        })
        .collect()
}

/// `3.14 http.server.HTTPSServer`: the CPython version that added the name, if the
/// directive gives one, and the dotted name.
fn since_and_name(name: &str) -> (Option<&str>, &str) {
    match name.split_once(' ') {
        Some((since, dotted)) if since.starts_with(|c: char| c.is_ascii_digit()) => {
            (Some(since), dotted)
        }
        _ => (None, name),
    }
}

/// Python's `textwrap.dedent` for a method: the common indentation removed.
fn dedent(source: &str) -> String {
    let indent = source
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    source
        .lines()
        .map(|l| l.get(indent..).unwrap_or("").trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}

impl Preprocessor for PythonSource {
    fn name(&self) -> &str {
        "python-source"
    }

    fn run(&self, _ctx: &PreprocessorContext, mut book: Book) -> Result<Book> {
        let mut wanted = Vec::new();
        book.for_each_chapter_mut(|chapter| wanted.extend(names(&chapter.content)));
        wanted.sort();
        wanted.dedup();
        if wanted.is_empty() {
            return Ok(book);
        }
        let shown = sources(&wanted);
        book.for_each_mut(|item| {
            if let BookItem::Chapter(chapter) = item {
                for name in names(&chapter.content) {
                    let directive = format!("{DIRECTIVE}{name}}}}}");
                    chapter.content = chapter.content.replace(&directive, &shown[&name]);
                }
            }
        });
        Ok(book)
    }
}
