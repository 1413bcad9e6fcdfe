//! The book's pictures, drawn at build time as inline SVG (no JavaScript, no tool to
//! install), by a second preprocessor beside `python_source.rs`:
//!
//! ```text
//! {{#timeline
//! title: One request through ThreadingHttpServer
//! desc: The main thread accepts; the request thread runs finish_request ...
//! caption: Look at where `finish_request` starts: on the request thread.
//! run: outputs/timelines/one-request.json
//! }}
//! ```
//!
//! draws a recorded run (Chrome's trace-event JSON, as `SOCKETSERVER_TRACE` records
//! it): one lane per thread, each hook a bar, nested bars stacked, instants as ticks,
//! on a time axis in milliseconds. `run:` may repeat, as `run: Label = path`: the runs
//! are stacked on one time axis, each measured from its own first event. Options:
//! `hide: a, b` (names to leave out), `window: 0..300` (milliseconds to show),
//! `highlight: finish_request` (bars drawn in the accent colour), `depth: 3` (nesting
//! levels drawn), `lanes: 8` (lanes drawn of each run; the rest are counted).
//!
//! ```text
//! {{#chart
//! title: ...
//! desc: ...
//! caption: ...
//! table: measurements/compare.txt
//! }}
//! ```
//!
//! draws the markdown table of `cargo bench --bench compare` (its `scenario`,
//! `server` and `throughput` columns) as horizontal bars, one group per scenario, so
//! that the picture and the table cannot disagree.
//!
//! Paths are relative to `book/`. Every picture has a `<title>` and a `<desc>`, is
//! coloured by the theme's CSS variables (it reads in all five themes), and sits in a
//! `<figure>` whose caption is the directive's title and caption. The directive
//! removes nothing: the text it draws stays where the chapter shows it.
//!
//! [`structure`] writes a recording's structure as text (lanes, names, nesting, order;
//! no timings, no pids), for comparing a recording with a regenerated one.
//!
//! Shared by `examples/read_book.rs` and `tests/book.rs` (`#[path]` includes it).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::ops::Range;
use std::path::Path;

use mdbook_preprocessor::book::Book;
use mdbook_preprocessor::errors::{Error, Result};
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};
use serde_json::Value;

/// Replaces `{{#timeline ...}}` and `{{#chart ...}}` with their pictures.
pub struct Pictures;

impl Preprocessor for Pictures {
    fn name(&self) -> &str {
        "pictures"
    }

    fn run(&self, ctx: &PreprocessorContext, mut book: Book) -> Result<Book> {
        let mut failed = None;
        book.for_each_chapter_mut(|chapter| {
            let found = find(&chapter.content);
            if found.is_empty() || failed.is_some() {
                return;
            }
            let page = chapter
                .source_path
                .as_ref()
                .and_then(|p| p.file_stem())
                .map(|s| slug(&s.to_string_lossy()))
                .unwrap_or_else(|| slug(&chapter.name));
            let mut content = chapter.content.clone();
            for (n, found) in found.iter().enumerate().rev() {
                let id = format!("fig-{page}-{}", n + 1);
                match Directive::parse(found.kind, &found.body)
                    .and_then(|d| d.render(&ctx.root, &id))
                {
                    Ok(html) => content.replace_range(found.range.clone(), &html),
                    Err(e) => {
                        failed = Some(Error::msg(format!(
                            "{}: {{{{#{}}}}} number {}: {e}",
                            chapter.name,
                            found.kind.name(),
                            n + 1
                        )));
                        return;
                    }
                }
            }
            chapter.content = content;
        });
        match failed {
            Some(e) => Err(e),
            None => Ok(book),
        }
    }
}

/// A picture's kind: the directive's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Timeline,
    Chart,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Timeline => "timeline",
            Kind::Chart => "chart",
        }
    }
}

/// One directive found in a chapter: where it is, which, and what is inside.
#[derive(Debug)]
pub struct Found {
    pub range: Range<usize>,
    pub kind: Kind,
    pub body: String,
}

/// Every `{{#timeline ...}}` and `{{#chart ...}}` of `text`, in order.
pub fn find(text: &str) -> Vec<Found> {
    let mut found = Vec::new();
    for kind in [Kind::Timeline, Kind::Chart] {
        let opening = format!("{{{{#{}", kind.name());
        for (i, _) in text.match_indices(&opening) {
            let after = i + opening.len();
            // `{{#timeline` and then space, a line's end, or the end of the directive.
            let rest = &text[after..];
            if !(rest.starts_with(char::is_whitespace) || rest.starts_with("}}")) {
                continue;
            }
            if let Some(end) = rest.find("}}") {
                found.push(Found {
                    range: i..after + end + 2,
                    kind,
                    body: rest[..end].to_string(),
                });
            }
        }
    }
    found.sort_by_key(|f| f.range.start);
    found
}

/// A directive's fields, checked.
#[derive(Debug, Default)]
pub struct Directive {
    pub kind: Option<Kind>,
    pub title: String,
    pub desc: String,
    pub caption: String,
    /// Timeline: `(label, path)` of each run, in order.
    pub runs: Vec<(Option<String>, String)>,
    /// Chart: the measurements file.
    pub table: Option<String>,
    pub hide: Vec<String>,
    pub highlight: Vec<String>,
    /// Milliseconds from each run's first event.
    pub window: Option<(f64, f64)>,
    pub depth: Option<usize>,
    /// Lanes drawn of each run, at most.
    pub lanes: Option<usize>,
}

impl Directive {
    /// Reads `key: value` lines (a line without a key continues the value above it;
    /// text on the directive's first line is its file, as `run:` or `table:`).
    pub fn parse(kind: Kind, body: &str) -> std::result::Result<Directive, String> {
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut lines = body.lines();
        let first = lines.next().unwrap_or("").trim();
        if !first.is_empty() {
            let key = match kind {
                Kind::Timeline => "run",
                Kind::Chart => "table",
            };
            fields.push((key.into(), first.into()));
        }
        for line in lines {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let key = line.split_once(':').and_then(|(key, value)| {
                let key = key.trim();
                (!key.is_empty()
                    && key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    && (value.is_empty() || value.starts_with(' ')))
                .then(|| (key.to_string(), value.trim().to_string()))
            });
            match (key, fields.last_mut()) {
                (Some(field), _) => fields.push(field),
                (None, Some((_, value))) => {
                    value.push(' ');
                    value.push_str(line);
                }
                (None, None) => return Err(format!("a line with no `key:` first: {line:?}")),
            }
        }
        let list = |value: &str| -> Vec<String> {
            value
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        };
        let mut d = Directive {
            kind: Some(kind),
            ..Directive::default()
        };
        for (key, value) in fields {
            match (kind, key.as_str()) {
                (_, "title") => d.title = value,
                (_, "desc") => d.desc = value,
                (_, "caption") => d.caption = value,
                (Kind::Timeline, "run") => d.runs.push(match value.rsplit_once(" = ") {
                    Some((label, path)) => (Some(label.trim().into()), path.trim().into()),
                    None => (None, value),
                }),
                (Kind::Timeline, "hide") => d.hide.extend(list(&value)),
                (Kind::Timeline, "highlight") => d.highlight.extend(list(&value)),
                (Kind::Timeline, "window") => {
                    let v = value.trim_end_matches("ms").trim();
                    let parsed = v
                        .split_once("..")
                        .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
                        .filter(|(a, b): &(f64, f64)| a < b);
                    d.window = Some(parsed.ok_or(format!(
                        "window: {value:?} is not `FROM..TO` in milliseconds"
                    ))?);
                }
                (Kind::Timeline, "depth") => {
                    d.depth = Some(
                        value
                            .parse()
                            .ok()
                            .filter(|&n: &usize| n > 0)
                            .ok_or(format!("depth: {value:?} is not a count"))?,
                    )
                }
                (Kind::Timeline, "lanes") => {
                    d.lanes = Some(
                        value
                            .parse()
                            .ok()
                            .filter(|&n: &usize| n > 0)
                            .ok_or(format!("lanes: {value:?} is not a count"))?,
                    )
                }
                (Kind::Chart, "table") => d.table = Some(value),
                (_, key) => {
                    return Err(format!(
                        "unknown field `{key}:` (a {} has title, desc, caption, {})",
                        kind.name(),
                        match kind {
                            Kind::Timeline => "run, hide, highlight, window, depth, lanes",
                            Kind::Chart => "table",
                        }
                    ));
                }
            }
        }
        for (name, value) in [
            ("title", &d.title),
            ("desc", &d.desc),
            ("caption", &d.caption),
        ] {
            if value.is_empty() {
                return Err(format!("no `{name}:`"));
            }
        }
        match kind {
            Kind::Timeline if d.runs.is_empty() => return Err("no `run:`".into()),
            Kind::Chart if d.table.is_none() => return Err("no `table:`".into()),
            _ => {}
        }
        Ok(d)
    }

    /// The files the directive draws from, relative to `book/`.
    pub fn files(&self) -> Vec<&str> {
        self.runs
            .iter()
            .map(|(_, path)| path.as_str())
            .chain(self.table.as_deref())
            .collect()
    }

    /// The `<figure>`: the SVG and its caption. `id` is unique in the book.
    pub fn render(&self, root: &Path, id: &str) -> std::result::Result<String, String> {
        let read = |path: &str| {
            std::fs::read_to_string(root.join(path)).map_err(|e| format!("{path}: {e}"))
        };
        let (svg, class) = match self.kind {
            Some(Kind::Chart) => {
                let path = self.table.as_deref().unwrap_or_default();
                let rows = parse_table(&read(path)?).map_err(|e| format!("{path}: {e}"))?;
                (chart_svg(self, &rows, id), "chart")
            }
            _ => {
                let mut runs = Vec::new();
                for (label, path) in &self.runs {
                    let hide: Vec<&str> = self.hide.iter().map(String::as_str).collect();
                    let recording =
                        parse_recording(&read(path)?, &hide).map_err(|e| format!("{path}: {e}"))?;
                    let label = label.clone().or_else(|| {
                        (self.runs.len() > 1).then(|| {
                            Path::new(path)
                                .file_stem()
                                .map(|s| s.to_string_lossy().into_owned())
                                .unwrap_or_default()
                        })
                    });
                    runs.push((label, recording));
                }
                (timeline_svg(self, &runs, id), "timeline")
            }
        };
        Ok(format!(
            "\n\n<figure class=\"{class}\" id=\"{id}\" style=\"margin:1.5em 0\">\n{svg}\n<figcaption><strong>{}.</strong> {}</figcaption>\n</figure>\n\n",
            inline(self.title.trim_end_matches('.')),
            inline(&self.caption)
        ))
    }
}

// ---------------------------------------------------------------------------
// Recordings

/// A span: one hook, from its start to its end on one lane, in microseconds from the
/// run's first event.
#[derive(Clone, Debug)]
pub struct Span {
    pub name: String,
    pub lane: usize,
    pub start: f64,
    pub end: f64,
    /// 0 for a span no other span of its lane holds.
    pub depth: usize,
}

/// An instant (`"ph":"i"`): a marker at one time.
#[derive(Clone, Debug)]
pub struct Mark {
    pub name: String,
    pub lane: usize,
    pub at: f64,
    /// `t` (its thread), `p` (its process) or `g` (the whole run).
    pub scope: char,
}

/// One thread of one process.
#[derive(Clone, Debug)]
pub struct Lane {
    pub label: String,
    pub pid: i64,
    pub tid: i64,
}

/// A recorded run: lanes in order of their first event, spans sorted by lane then
/// start (a parent before its children), instants by time.
#[derive(Clone, Debug, Default)]
pub struct Recording {
    pub lanes: Vec<Lane>,
    pub spans: Vec<Span>,
    pub marks: Vec<Mark>,
}

/// How far a child's end may pass its parent's (each is rounded on its own).
const EPSILON_US: f64 = 0.005;

/// The events of a trace-event JSON array, which may lack its closing `]` and end
/// with a comma (a recording cut short), or end in the middle of its last event
/// (a process killed while writing): the events before it are read.
pub fn parse_events(text: &str) -> std::result::Result<Vec<Value>, String> {
    let mut rest = text.trim_start();
    rest = rest.strip_prefix('[').unwrap_or(rest);
    let mut events = Vec::new();
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        if rest.is_empty() || rest.starts_with(']') {
            return Ok(events);
        }
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        match stream.next() {
            Some(Ok(event)) => events.push(event),
            Some(Err(e)) if e.is_eof() => return Ok(events),
            Some(Err(e)) => {
                let at = text.len() - rest.len();
                let line = text[..at].lines().count().max(1) + e.line() - 1;
                return Err(format!("line {line}: {e}"));
            }
            None => return Ok(events),
        }
        rest = &rest[stream.byte_offset()..];
    }
}

/// Reads a recording, leaving out the spans and instants named in `hide`.
pub fn parse_recording(text: &str, hide: &[&str]) -> std::result::Result<Recording, String> {
    let events = parse_events(text)?;
    let mut process_names: HashMap<i64, String> = HashMap::new();
    let mut thread_names: HashMap<(i64, i64), String> = HashMap::new();
    // (pid, tid, name, start, end, index in the file)
    let mut spans: Vec<(i64, i64, String, f64, f64, usize)> = Vec::new();
    let mut marks: Vec<(i64, i64, String, f64, char, usize)> = Vec::new();
    let mut open: HashMap<(i64, i64), Vec<(String, f64)>> = HashMap::new();
    for (index, event) in events.iter().enumerate() {
        let str_of = |key: &str| event.get(key).and_then(Value::as_str).unwrap_or("");
        let int_of = |key: &str| event.get(key).and_then(Value::as_i64).unwrap_or(0);
        let ts = event.get("ts").and_then(Value::as_f64);
        let (pid, tid, name) = (int_of("pid"), int_of("tid"), str_of("name").to_string());
        match str_of("ph") {
            "M" => {
                let value = event
                    .pointer("/args/name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                match name.as_str() {
                    "process_name" => {
                        process_names.insert(pid, value);
                    }
                    "thread_name" => {
                        thread_names.insert((pid, tid), value);
                    }
                    _ => {}
                }
            }
            "X" => {
                let ts = ts.ok_or(format!("event {}: an X event without ts", index + 1))?;
                let dur = event.get("dur").and_then(Value::as_f64).unwrap_or(0.0);
                spans.push((pid, tid, name, ts, ts + dur, index));
            }
            "B" => open
                .entry((pid, tid))
                .or_default()
                .push((name, ts.unwrap_or(0.0))),
            "E" => {
                if let Some((name, start)) = open.entry((pid, tid)).or_default().pop() {
                    spans.push((pid, tid, name, start, ts.unwrap_or(start), index));
                }
            }
            "i" | "I" => {
                let scope = str_of("s").chars().next().unwrap_or('t');
                let ts = ts.ok_or(format!("event {}: an instant without ts", index + 1))?;
                marks.push((pid, tid, name, ts, scope, index));
            }
            _ => {}
        }
    }
    spans.retain(|s| !hide.contains(&s.2.as_str()));
    marks.retain(|m| !hide.contains(&m.2.as_str()));

    let t0 = spans
        .iter()
        .map(|s| s.3)
        .chain(marks.iter().map(|m| m.3))
        .fold(f64::INFINITY, f64::min);
    let t0 = if t0.is_finite() { t0 } else { 0.0 };

    // Lanes in order of their first event (then of the file).
    let mut first: BTreeMap<(i64, i64), (f64, usize)> = BTreeMap::new();
    for (key, at, index) in spans
        .iter()
        .map(|s| ((s.0, s.1), s.3, s.5))
        .chain(marks.iter().map(|m| ((m.0, m.1), m.3, m.5)))
    {
        let entry = first.entry(key).or_insert((at, index));
        if (at, index) < *entry {
            *entry = (at, index);
        }
    }
    let mut keys: Vec<((i64, i64), (f64, usize))> = first.into_iter().collect();
    keys.sort_by(|a, b| a.1.0.total_cmp(&b.1.0).then(a.1.1.cmp(&b.1.1)));

    let mut pids: Vec<i64> = Vec::new();
    for ((pid, _), _) in &keys {
        if !pids.contains(pid) {
            pids.push(*pid);
        }
    }
    // Processes by name; a second process of the same name (a forked child) is `#2`.
    let mut process_labels: HashMap<i64, String> = HashMap::new();
    let mut seen_processes: HashMap<String, usize> = HashMap::new();
    for (n, pid) in pids.iter().enumerate() {
        let name = match process_names.get(pid) {
            Some(name) if !name.is_empty() => name.clone(),
            _ => format!("process {}", n + 1),
        };
        let count = seen_processes.entry(name.clone()).or_default();
        *count += 1;
        let label = if *count > 1 {
            format!("{name} #{count}")
        } else {
            name
        };
        process_labels.insert(*pid, label);
    }
    let mut lanes: Vec<Lane> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut per_process: HashMap<i64, usize> = HashMap::new();
    for ((pid, tid), _) in &keys {
        let n = per_process.entry(*pid).or_default();
        *n += 1;
        let thread = match thread_names.get(&(*pid, *tid)) {
            Some(name) if !name.is_empty() => name.clone(),
            _ if pid == tid => "main".to_string(),
            _ => format!("thread {n}"),
        };
        let mut label = if pids.len() > 1 {
            format!("{}: {thread}", process_labels[pid])
        } else {
            thread
        };
        let count = seen.entry(label.clone()).or_default();
        *count += 1;
        if *count > 1 {
            label = format!("{label} #{count}");
        }
        lanes.push(Lane {
            label,
            pid: *pid,
            tid: *tid,
        });
    }
    let lane_of: HashMap<(i64, i64), usize> = lanes
        .iter()
        .enumerate()
        .map(|(i, l)| ((l.pid, l.tid), i))
        .collect();

    // Nesting: by time containment on the same lane. A parent sorts before its
    // children (same start: the longer first; same span of time: the one the file
    // closes later).
    spans.sort_by(|a, b| {
        lane_of[&(a.0, a.1)]
            .cmp(&lane_of[&(b.0, b.1)])
            .then(a.3.total_cmp(&b.3))
            .then(b.4.total_cmp(&a.4))
            .then(b.5.cmp(&a.5))
    });
    let mut out = Vec::with_capacity(spans.len());
    let mut stack: Vec<(usize, f64)> = Vec::new();
    for (pid, tid, name, start, end, _) in spans {
        let lane = lane_of[&(pid, tid)];
        while let Some(&(top_lane, top_end)) = stack.last() {
            if top_lane == lane && end <= top_end + EPSILON_US {
                break;
            }
            stack.pop();
        }
        out.push(Span {
            name,
            lane,
            start: start - t0,
            end: end - t0,
            depth: stack.len(),
        });
        stack.push((lane, end));
    }
    marks.sort_by(|a, b| a.3.total_cmp(&b.3).then(a.5.cmp(&b.5)));
    let marks = marks
        .into_iter()
        .map(|(pid, tid, name, at, scope, _)| Mark {
            name,
            lane: lane_of[&(pid, tid)],
            at: at - t0,
            scope,
        })
        .collect();
    Ok(Recording {
        lanes,
        spans: out,
        marks,
    })
}

/// A recording's structure as text, for comparing two runs of the same program: for
/// each lane in order, one line per span, `[lane] parent > child`, and one per
/// instant, `[lane] enclosing span ! name`, in the order they start. No timings, no
/// pids or tids (lanes are named as the pictures name them); names in `hide` are
/// left out, their children moving up.
pub fn structure(recording: &str, hide: &[&str]) -> std::result::Result<String, String> {
    let recording = parse_recording(recording, hide)?;
    let mut text = String::new();
    for (lane_index, lane) in recording.lanes.iter().enumerate() {
        let spans: Vec<&Span> = recording
            .spans
            .iter()
            .filter(|s| s.lane == lane_index)
            .collect();
        let marks: Vec<&Mark> = recording
            .marks
            .iter()
            .filter(|m| m.lane == lane_index)
            .collect();
        let mut path: Vec<(&str, f64)> = Vec::new();
        let mut next_mark = 0;
        let mut write_marks_before = |at: f64, path: &Vec<(&str, f64)>, text: &mut String| {
            while next_mark < marks.len() && marks[next_mark].at < at {
                let mark = marks[next_mark];
                let inside: Vec<&str> = path
                    .iter()
                    .filter(|(_, end)| mark.at <= *end)
                    .map(|(name, _)| *name)
                    .collect();
                let inside = inside.join(" > ");
                let sep = if inside.is_empty() { "" } else { " " };
                let _ = writeln!(text, "[{}] {inside}{sep}! {}", lane.label, mark.name);
                next_mark += 1;
            }
        };
        for span in spans {
            write_marks_before(span.start, &path, &mut text);
            path.truncate(span.depth);
            path.push((&span.name, span.end));
            let names: Vec<&str> = path.iter().map(|(name, _)| *name).collect();
            let _ = writeln!(text, "[{}] {}", lane.label, names.join(" > "));
        }
        write_marks_before(f64::INFINITY, &path, &mut text);
    }
    Ok(text)
}

// ---------------------------------------------------------------------------
// Drawing

/// The viewBox's width: the book's content width, so that 12 units are 12 pixels.
const WIDTH: f64 = 750.0;
const PAD: f64 = 8.0;
/// A bar's row, and the bar's height inside it.
const ROW: f64 = 17.0;
const BAR: f64 = 15.0;
/// A lane's label line (and each line of instant labels).
const LABEL_ROW: f64 = 15.0;
/// Lines of instant labels a lane may take.
const LABEL_LINES: usize = 4;

/// The theme's colours, by class: every colour is one of mdBook's CSS variables (or
/// a mix of two), so the picture follows the reader's theme. `color-mix` comes second:
/// a browser without it keeps the plain variable.
const STYLE: &str = "\
.pic{font-size:12px}\
.pic text{fill:var(--fg)}\
.pic .muted{fill:var(--fg);fill:color-mix(in srgb,var(--fg) 72%,var(--bg))}\
.pic .mono{font-family:var(--mono-font,monospace);font-size:11px}\
.pic .strong{font-weight:bold;font-size:13px}\
.pic .band{fill:var(--table-alternate-bg)}\
.pic .grid{stroke:var(--table-border-color);stroke:color-mix(in srgb,var(--fg) 14%,var(--bg));stroke-width:1}\
.pic .axis{stroke:var(--fg);stroke:color-mix(in srgb,var(--fg) 55%,var(--bg));stroke-width:1}\
.pic .rule{stroke:var(--quote-border);stroke:color-mix(in srgb,var(--fg) 35%,var(--bg));stroke-width:1}\
.pic .bar{stroke:var(--links);stroke:color-mix(in srgb,var(--links) 70%,var(--bg));stroke-width:.75}\
.pic .d0{fill:var(--quote-bg);fill:color-mix(in srgb,var(--links) 16%,var(--bg))}\
.pic .d1{fill:var(--quote-bg);fill:color-mix(in srgb,var(--links) 28%,var(--bg))}\
.pic .d2{fill:var(--quote-bg);fill:color-mix(in srgb,var(--links) 40%,var(--bg))}\
.pic .d3{fill:var(--quote-bg);fill:color-mix(in srgb,var(--links) 52%,var(--bg))}\
.pic .hi{fill:var(--links);stroke:var(--fg)}\
.pic text.on-hi{fill:var(--bg)}\
.pic .mark{stroke:var(--blockquote-warning-color);stroke-width:1.5}\
.pic .mark-head{fill:var(--blockquote-warning-color)}\
.pic .port{fill:var(--links)}\
.pic .tiny{fill:var(--blockquote-important-color)}\
.pic .std{fill:var(--fg);fill:color-mix(in srgb,var(--fg) 45%,var(--bg))}\
.pic .cpython{fill:var(--blockquote-warning-color)}\
.pic .other{fill:var(--blockquote-tip-color)}";

/// XML's five escapes.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A caption's text as HTML: escaped, with `code` spans kept.
fn inline(text: &str) -> String {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{}</code>", esc(part))
            } else {
                esc(part)
            }
        })
        .collect()
}

/// A name usable in an `id`.
fn slug(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// The width of text in the book's sans-serif font (Open Sans), estimated a little
/// wide: its average character is about 0.47 em.
fn sans_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.52
}

/// `<svg>` and its `<title>`, `<desc>` and `<style>`.
fn svg_open(out: &mut String, id: &str, class: &str, height: f64, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"pic {class}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {WIDTH} {height:.0}\" \
         width=\"{WIDTH}\" height=\"{height:.0}\" style=\"max-width:100%;height:auto\">\n\
         <title id=\"{id}-title\">{}</title>\n<desc id=\"{id}-desc\">{}</desc>\n\
         <style>{STYLE}</style>\n",
        esc(title),
        esc(desc)
    );
}

/// A tick every 1, 2 or 5 times a power of ten, about `count` over `range`.
fn tick_step(range: f64, count: f64) -> f64 {
    let raw = (range / count).max(1e-9);
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|step| *step >= raw)
        .unwrap_or(10.0 * magnitude)
}

/// Milliseconds as a tick's label: as many decimals as the step needs.
fn ms_label(value: f64, step: f64) -> String {
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    if value == 0.0 {
        return "0 ms".to_string();
    }
    format!("{value:.decimals$} ms")
}

/// Text that fits in `width` of monospace: the whole, cut with `…`, or nothing.
fn fitted(text: &str, width: f64, size: f64) -> Option<String> {
    let per_char = size * 0.6;
    let room = ((width - 6.0) / per_char).floor() as usize;
    let count = text.chars().count();
    if count <= room {
        Some(text.to_string())
    } else if room >= 4 {
        Some(text.chars().take(room - 1).chain(['…']).collect())
    } else {
        None
    }
}

/// Instant labels on a lane's label lines: the first line starts after the lane's
/// own label; each label takes the first line where it does not overlap another and
/// its tick does not cross one, of at most [`LABEL_LINES`]; where none is free, the
/// instant is a tick with a tooltip only.
/// Returns `(line, x, anchored at its end, labelled)` for each mark.
fn place_labels(
    lane_label_end: f64,
    marks: &[(f64, &str)],
    left: f64,
    right: f64,
) -> Vec<(usize, f64, bool, bool)> {
    let mut lines: Vec<Vec<(f64, f64)>> = vec![vec![(left, lane_label_end)]];
    marks
        .iter()
        .map(|&(x, name)| {
            let width = sans_width(name, 11.0) + 12.0;
            let (from, to, end_anchor) = if x + width <= right {
                (x, x + width, false)
            } else {
                (x - width, x, true)
            };
            // Its line runs down from its label: below a label that spans `x`.
            let below = lines
                .iter()
                .enumerate()
                .filter(|(_, taken)| taken.iter().any(|&(a, b)| a < x && x < b))
                .map(|(n, _)| n + 1)
                .max()
                .unwrap_or(0);
            let free = (below..LABEL_LINES).find(|&n| {
                lines
                    .get(n)
                    .is_none_or(|taken| taken.iter().all(|&(a, b)| to <= a || from >= b))
            });
            let Some(line) = free else {
                return (0, x, end_anchor, false);
            };
            if line == lines.len() {
                lines.push(Vec::new());
            }
            lines[line].push((from, to));
            (line, x, end_anchor, true)
        })
        .collect()
}

/// The timeline picture of `runs` (each with its label when there are several).
fn timeline_svg(d: &Directive, runs: &[(Option<String>, Recording)], id: &str) -> String {
    let ms = |us: f64| us / 1000.0;
    let (from, to) = d.window.unwrap_or_else(|| {
        let end = runs
            .iter()
            .flat_map(|(_, r)| {
                r.spans
                    .iter()
                    .map(|s| ms(s.end))
                    .chain(r.marks.iter().map(|m| ms(m.at)))
            })
            .fold(0.0, f64::max);
        (0.0, if end > 0.0 { end } else { 1.0 })
    });
    let (left, right) = (PAD, WIDTH - PAD);
    let x_of = |t_ms: f64| left + (t_ms.clamp(from, to) - from) / (to - from) * (right - left);
    let step = tick_step(to - from, 6.0);
    let ticks: Vec<f64> = {
        let mut t = (from / step).ceil() * step;
        let mut ticks = Vec::new();
        while t <= to + step * 1e-6 {
            ticks.push(t);
            t += step;
        }
        ticks
    };
    let axis_labels = |out: &mut String, y: f64| {
        for &t in &ticks {
            let x = x_of(t);
            let anchor = if x - left < 20.0 {
                "start"
            } else if right - x < 30.0 {
                "end"
            } else {
                "middle"
            };
            let _ = writeln!(
                out,
                "<text class=\"muted\" x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\" font-size=\"11\">{}</text>",
                ms_label(t, step)
            );
        }
    };

    let mut bands = String::new();
    let mut body = String::new();
    let mut marks_svg = String::new();
    // Instants' lines go under the bars; their heads and labels over them.
    let mut lines = String::new();
    let mut y = 4.0;
    let top_axis = runs.len() > 1;
    if top_axis {
        axis_labels(&mut body, y + 11.0);
        y += 18.0;
    }
    let grid_top = y;
    for (run_index, (label, recording)) in runs.iter().enumerate() {
        if run_index > 0 {
            let _ = writeln!(
                body,
                "<line class=\"rule\" x1=\"{left}\" x2=\"{right}\" y1=\"{:.1}\" y2=\"{:.1}\"/>",
                y + 3.0,
                y + 3.0
            );
            y += 8.0;
        }
        if let Some(label) = label {
            let _ = writeln!(
                body,
                "<text class=\"strong\" x=\"{left}\" y=\"{:.1}\">{}</text>",
                y + 14.0,
                esc(label)
            );
            y += 20.0;
        }
        let visible = |start: f64, end: f64| ms(end) >= from && ms(start) <= to;
        // Each lane's extent, for the instants that cross lanes.
        let mut extents: Vec<Option<(f64, f64)>> = vec![None; recording.lanes.len()];
        // (mark, x, top of its head if it has a label, top and bottom of its lane's bars)
        let mut marks_here: Vec<(usize, f64, Option<f64>, f64, f64)> = Vec::new();
        let shown = |lane_index: usize| {
            recording
                .spans
                .iter()
                .any(|s| s.lane == lane_index && visible(s.start, s.end))
                || recording
                    .marks
                    .iter()
                    .any(|m| m.lane == lane_index && visible(m.at, m.at))
        };
        let shown: Vec<usize> = (0..recording.lanes.len()).filter(|&i| shown(i)).collect();
        let drawn = d.lanes.unwrap_or(usize::MAX).min(shown.len());
        for (drawn_lanes, &lane_index) in shown[..drawn].iter().enumerate() {
            let lane = &recording.lanes[lane_index];
            let spans: Vec<&Span> = recording
                .spans
                .iter()
                .filter(|s| s.lane == lane_index && visible(s.start, s.end))
                .filter(|s| d.depth.is_none_or(|n| s.depth < n))
                .collect();
            let marks: Vec<(usize, &Mark)> = recording
                .marks
                .iter()
                .enumerate()
                .filter(|(_, m)| m.lane == lane_index && visible(m.at, m.at))
                .collect();
            let rows = spans.iter().map(|s| s.depth + 1).max().unwrap_or(0);
            let label_end = left + 4.0 + sans_width(&lane.label, 11.5) + 10.0;
            let placed = place_labels(
                label_end,
                &marks
                    .iter()
                    .map(|(_, m)| (x_of(ms(m.at)), m.name.as_str()))
                    .collect::<Vec<_>>(),
                left,
                right,
            );
            let label_lines = placed.iter().map(|p| p.0 + 1).max().unwrap_or(1);
            let bars_top = y + label_lines as f64 * LABEL_ROW + 2.0;
            let bottom = bars_top + rows as f64 * ROW + 2.0;
            if drawn_lanes % 2 == 1 {
                let _ = writeln!(
                    bands,
                    "<rect class=\"band\" x=\"0\" y=\"{y:.1}\" width=\"{WIDTH}\" height=\"{:.1}\"/>",
                    bottom - y
                );
            }
            let _ = writeln!(
                body,
                "<text class=\"muted\" x=\"{:.1}\" y=\"{:.1}\" font-size=\"11.5\">{}</text>",
                left + 2.0,
                y + 11.5,
                esc(&lane.label)
            );
            for span in &spans {
                let x = x_of(ms(span.start));
                let width = (x_of(ms(span.end)) - x).max(1.0);
                let top = bars_top + span.depth as f64 * ROW;
                let highlighted = d.highlight.contains(&span.name);
                let fill = if highlighted {
                    "hi".to_string()
                } else {
                    format!("d{}", span.depth.min(3))
                };
                let _ = write!(
                    body,
                    "<g><title>{} on {}: {:.3} ms, from {:.3} to {:.3} ms</title>\
                     <rect class=\"bar {fill}\" x=\"{x:.1}\" y=\"{top:.1}\" width=\"{width:.1}\" height=\"{BAR}\" rx=\"2\"/>",
                    esc(&span.name),
                    esc(&lane.label),
                    ms(span.end - span.start),
                    ms(span.start),
                    ms(span.end)
                );
                // The visible part of the bar holds the name.
                let shown_from = x.max(left);
                let shown_width = x + width - shown_from;
                if let Some(text) = fitted(&span.name, shown_width, 11.0) {
                    let class = if highlighted { "mono on-hi" } else { "mono" };
                    let _ = write!(
                        body,
                        "<text class=\"{class}\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                        shown_from + 3.0,
                        top + BAR - 4.0,
                        esc(&text)
                    );
                }
                body.push_str("</g>\n");
            }
            for ((mark_index, mark), (line, x, end_anchor, labelled)) in marks.iter().zip(&placed) {
                let head = y + *line as f64 * LABEL_ROW + 11.5;
                let (tx, anchor) = if *end_anchor {
                    (x - 7.0, "end")
                } else {
                    (x + 7.0, "start")
                };
                if *labelled {
                    let _ = writeln!(
                        marks_svg,
                        "<text x=\"{tx:.1}\" y=\"{head:.1}\" text-anchor=\"{anchor}\" font-size=\"11\">{}</text>",
                        esc(&mark.name)
                    );
                }
                let head = labelled.then_some(head - 8.0);
                marks_here.push((*mark_index, *x, head, bars_top, bottom));
            }
            extents[lane_index] = Some((bars_top, bottom));
            y = bottom + 4.0;
        }
        if drawn < shown.len() {
            let _ = writeln!(
                body,
                "<text class=\"muted\" x=\"{:.1}\" y=\"{:.1}\" font-size=\"11.5\">… and {} more lanes, not drawn</text>",
                left + 2.0,
                y + 11.5,
                shown.len() - drawn
            );
            y += LABEL_ROW + 4.0;
        }
        // Each instant: a head by its label, and a line down its lane, its process's
        // lanes or the whole run's.
        // An instant without room for its label is a line through the bars alone.
        for (mark_index, x, head, bars_top, lane_bottom) in marks_here {
            let mark = &recording.marks[mark_index];
            let tooltip = format!(
                "<title>{} on {}, at {:.3} ms</title>",
                esc(&mark.name),
                esc(&recording.lanes[mark.lane].label),
                ms(mark.at)
            );
            let line_top = match head {
                Some(head) => {
                    let _ = writeln!(
                        marks_svg,
                        "<g>{tooltip}<path class=\"mark-head\" d=\"M{:.1},{head:.1}h8l-4,7z\"/></g>",
                        x - 4.0,
                    );
                    head + 7.0
                }
                None => bars_top,
            };
            let _ = writeln!(
                lines,
                "<g>{}<line class=\"mark\" x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{line_top:.1}\" y2=\"{lane_bottom:.1}\"/></g>",
                if head.is_some() { "" } else { tooltip.as_str() }
            );
            let pid = recording.lanes[mark.lane].pid;
            for (other, extent) in extents.iter().enumerate() {
                let crosses = match mark.scope {
                    'g' => true,
                    'p' => recording.lanes[other].pid == pid,
                    _ => false,
                };
                if let (true, Some((top, bottom))) = (crosses && other != mark.lane, extent) {
                    let _ = writeln!(
                        lines,
                        "<line class=\"mark\" x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{top:.1}\" y2=\"{bottom:.1}\"/>"
                    );
                }
            }
        }
    }
    let grid_bottom = y;
    let mut grid = String::new();
    for &t in &ticks {
        let x = x_of(t);
        let _ = writeln!(
            grid,
            "<line class=\"grid\" x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{grid_top:.1}\" y2=\"{grid_bottom:.1}\"/>"
        );
    }
    let _ = writeln!(
        body,
        "<line class=\"axis\" x1=\"{left}\" x2=\"{right}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>"
    );
    for &t in &ticks {
        let x = x_of(t);
        let _ = writeln!(
            body,
            "<line class=\"axis\" x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{y:.1}\" y2=\"{:.1}\"/>",
            y + 4.0
        );
    }
    axis_labels(&mut body, y + 16.0);
    let origin = if runs.len() > 1 {
        "time from each run's first event"
    } else {
        "time from the run's first event"
    };
    let _ = writeln!(
        body,
        "<text class=\"muted\" x=\"{left}\" y=\"{:.1}\" font-size=\"11\">{origin}</text>",
        y + 31.0
    );
    let height = y + 36.0;

    let mut out = String::new();
    svg_open(&mut out, id, "timeline", height, &d.title, &d.desc);
    out.push_str(&bands);
    out.push_str(&grid);
    out.push_str(&lines);
    out.push_str(&body);
    out.push_str(&marks_svg);
    out.push_str("</svg>");
    out
}

// ---------------------------------------------------------------------------
// The comparison chart

/// One row of the measurements table.
#[derive(Clone, Debug)]
pub struct Measurement {
    pub scenario: String,
    pub server: String,
    /// The cell as the table writes it (`12968 req/s`).
    pub throughput: String,
    /// Its number and unit, when it has them.
    pub value: Option<(f64, String)>,
}

/// The rows of the first markdown table with `scenario`, `server` and `throughput`
/// columns.
pub fn parse_table(text: &str) -> std::result::Result<Vec<Measurement>, String> {
    let cells = |line: &str| -> Vec<String> {
        line.trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect()
    };
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if !line.trim_start().starts_with('|') {
            continue;
        }
        let header = cells(line);
        let column = |name: &str| header.iter().position(|h| h == name);
        let (Some(scenario), Some(server), Some(throughput)) =
            (column("scenario"), column("server"), column("throughput"))
        else {
            continue;
        };
        let rows: Vec<Measurement> = lines[i + 1..]
            .iter()
            .take_while(|l| l.trim_start().starts_with('|'))
            .map(|l| cells(l))
            .filter(|row| !row.iter().all(|c| c.chars().all(|c| c == '-' || c == ':')))
            .map(|row| {
                let cell = |n: usize| row.get(n).cloned().unwrap_or_default();
                let throughput = cell(throughput);
                let value = throughput.split_once(' ').and_then(|(number, unit)| {
                    Some((number.parse().ok()?, unit.trim().to_string()))
                });
                Measurement {
                    scenario: cell(scenario),
                    server: cell(server),
                    throughput,
                    value,
                }
            })
            .collect();
        if rows.is_empty() {
            return Err("the table has no rows".into());
        }
        return Ok(rows);
    }
    Err("no table with scenario, server and throughput columns".into())
}

/// A server's family, for its colour: the port, tiny_http, the bare std server, CPython.
fn family(server: &str) -> &'static str {
    if server.starts_with("port") {
        "port"
    } else if server.starts_with("tiny_http") {
        "tiny"
    } else if server.starts_with("std") {
        "std"
    } else if server.starts_with("CPython") {
        "cpython"
    } else {
        "other"
    }
}

/// The chart: a group of bars per scenario, one bar per server, every bar with its
/// figure; scenarios in the same unit share one scale.
fn chart_svg(d: &Directive, rows: &[Measurement], id: &str) -> String {
    let mut scenarios: Vec<&str> = Vec::new();
    for row in rows {
        if !scenarios.contains(&row.scenario.as_str()) {
            scenarios.push(&row.scenario);
        }
    }
    let mut max: HashMap<&str, f64> = HashMap::new();
    for (value, unit) in rows.iter().filter_map(|r| r.value.as_ref()) {
        let m = max.entry(unit.as_str()).or_insert(0.0);
        *m = m.max(*value);
    }
    let label_width = rows
        .iter()
        .map(|r| sans_width(&r.server, 12.0))
        .fold(0.0, f64::max)
        .min(WIDTH * 0.42);
    let value_width = rows
        .iter()
        .map(|r| sans_width(&r.throughput, 12.0))
        .fold(0.0, f64::max);
    let bar_left = PAD + label_width + 8.0;
    let bar_room = WIDTH - PAD - bar_left - value_width - 8.0;

    let mut body = String::new();
    // The legend: the families present, in the table's order.
    let mut families: Vec<&str> = Vec::new();
    for row in rows {
        let f = family(&row.server);
        if !families.contains(&f) {
            families.push(f);
        }
    }
    let mut x = PAD;
    for f in &families {
        let name = match *f {
            "port" => "the port",
            "tiny" => "tiny_http",
            "std" => "bare std server",
            "cpython" => "CPython",
            _ => "other",
        };
        let _ = writeln!(
            body,
            "<rect class=\"{f}\" x=\"{x:.1}\" y=\"6\" width=\"12\" height=\"12\" rx=\"2\"/>\
             <text x=\"{:.1}\" y=\"16\">{name}</text>",
            x + 17.0
        );
        x += 17.0 + sans_width(name, 12.0) + 18.0;
    }
    let mut y = 28.0;
    for scenario in &scenarios {
        let group: Vec<&Measurement> = rows.iter().filter(|r| r.scenario == *scenario).collect();
        let unit = group
            .iter()
            .find_map(|r| r.value.as_ref().map(|v| v.1.clone()))
            .unwrap_or_default();
        let _ = writeln!(
            body,
            "<text x=\"{PAD}\" y=\"{:.1}\"><tspan class=\"strong\">{}</tspan><tspan class=\"muted\" dx=\"8\">{}</tspan></text>",
            y + 14.0,
            esc(scenario),
            esc(&unit)
        );
        y += 20.0;
        let top = y;
        for row in &group {
            let class = family(&row.server);
            let mid = y + 8.5;
            let _ = write!(
                body,
                "<g><title>{}: {}, {}</title><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                esc(scenario),
                esc(&row.server),
                esc(&row.throughput),
                bar_left - 8.0,
                mid + 4.0,
                esc(&row.server)
            );
            let mut end = bar_left;
            if let Some((value, unit)) = &row.value {
                let width = (value / max[unit.as_str()] * bar_room).max(1.0);
                let _ = write!(
                    body,
                    "<rect class=\"{class}\" x=\"{bar_left:.1}\" y=\"{:.1}\" width=\"{width:.1}\" height=\"13\" rx=\"2\"/>",
                    y + 2.0
                );
                end += width;
            }
            let _ = writeln!(
                body,
                "<text x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
                end + 5.0,
                mid + 4.0,
                esc(&row.throughput)
            );
            y += 17.0;
        }
        let _ = writeln!(
            body,
            "<line class=\"axis\" x1=\"{bar_left:.1}\" x2=\"{bar_left:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/>",
            top, y
        );
        y += 8.0;
    }
    let height = y;

    let table = d.table.as_deref().unwrap_or_default();
    let mut desc = format!("{} The figures, from {table}:", d.desc.trim_end());
    for scenario in &scenarios {
        let figures: Vec<String> = rows
            .iter()
            .filter(|r| r.scenario == *scenario)
            .map(|r| format!("{} {}", r.server, r.throughput))
            .collect();
        let _ = write!(desc, " {scenario}: {}.", figures.join("; "));
    }
    let mut out = String::new();
    svg_open(&mut out, id, "chart", height, &d.title, &desc);
    out.push_str(&body);
    out.push_str("</svg>");
    out
}
