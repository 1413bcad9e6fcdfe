//! The book's pictures (`book/timeline.rs`): every `{{#timeline}}` and `{{#chart}}` in
//! `book/src` names files that exist and draws an SVG that parses as XML, with its
//! `<title>` and `<desc>`, in the theme's colours, and still parses after mdBook has
//! written it into the page; and, on recordings written by hand here, the reading of
//! a recording: lanes, nesting, instants, a file cut short, forked processes, and the
//! structure text a regenerated recording is compared by.

use std::fs;
use std::path::{Path, PathBuf};

use mdbook_driver::MDBook;
use mdbook_driver::book::BookItem;

#[path = "../book/python_source.rs"]
mod python_source;
#[path = "../book/timeline.rs"]
mod timeline;

use timeline::{Directive, Kind};

fn book_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("book")
}

/// The `<svg>…</svg>` elements of a page.
fn svgs(html: &str) -> Vec<&str> {
    html.match_indices("<svg")
        .map(|(i, _)| {
            let end = i + html[i..].find("</svg>").expect("a closed svg") + "</svg>".len();
            &html[i..end]
        })
        .collect()
}

/// Checks one picture: XML, `role="img"`, labelled by its own non-empty `<title>` and
/// `<desc>`, and no colour of its own (every colour comes from the theme's classes).
fn check_svg(svg: &str, what: &str) -> usize {
    let doc = roxmltree::Document::parse(svg)
        .unwrap_or_else(|e| panic!("{what}: the SVG is not XML: {e}\n{svg}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg", "{what}");
    assert_eq!(root.attribute("role"), Some("img"), "{what}");
    let labelled_by: Vec<&str> = root
        .attribute("aria-labelledby")
        .unwrap_or_else(|| panic!("{what}: no aria-labelledby"))
        .split_whitespace()
        .collect();
    for tag in ["title", "desc"] {
        let element = root
            .children()
            .find(|n| n.tag_name().name() == tag)
            .unwrap_or_else(|| panic!("{what}: no <{tag}>"));
        assert!(
            element.text().is_some_and(|t| !t.trim().is_empty()),
            "{what}: an empty <{tag}>"
        );
        let id = element.attribute("id").unwrap_or_default();
        assert!(labelled_by.contains(&id), "{what}: <{tag}> is not a label");
    }
    for node in doc.descendants() {
        for attribute in ["fill", "stroke", "color"] {
            assert!(
                node.attribute(attribute).is_none(),
                "{what}: a fixed {attribute} on <{}>",
                node.tag_name().name()
            );
        }
    }
    let style = root
        .children()
        .find(|n| n.tag_name().name() == "style")
        .and_then(|n| n.text())
        .unwrap_or_default();
    for fixed in ["#", "rgb(", "black", "white"] {
        assert!(
            !style.contains(fixed),
            "{what}: a fixed colour in the style"
        );
    }
    doc.descendants().count()
}

#[test]
fn every_picture_in_the_book_names_files_that_exist_and_draws_an_svg_with_title_and_desc() {
    let book = MDBook::load(book_root()).unwrap();
    let source_dir = book.source_dir();
    let mut counts = (0, 0);
    for item in book.iter() {
        let BookItem::Chapter(chapter) = item else {
            continue;
        };
        let Some(path) = &chapter.source_path else {
            continue;
        };
        for (n, found) in timeline::find(&chapter.content).iter().enumerate() {
            let what = format!(
                "{}, {{{{#{}}}}} {}",
                path.display(),
                found.kind.name(),
                n + 1
            );
            let directive =
                Directive::parse(found.kind, &found.body).unwrap_or_else(|e| panic!("{what}: {e}"));
            for file in directive.files() {
                assert!(
                    book_root().join(file).is_file(),
                    "{what}: {file} does not exist (paths are relative to book/)"
                );
            }
            let html = directive
                .render(&book_root(), "check")
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            assert!(html.contains("<figcaption>"), "{what}: no caption");
            assert!(
                !html.trim().contains("\n\n"),
                "{what}: a blank line ends the HTML block"
            );
            let drawn = svgs(&html);
            assert_eq!(drawn.len(), 1, "{what}");
            check_svg(drawn[0], &what);
            match found.kind {
                Kind::Timeline => counts.0 += 1,
                Kind::Chart => counts.1 += 1,
            }
        }
        let _ = source_dir;
    }
    assert!(counts.1 >= 1, "the tiny_http chapter's chart is gone");
}

#[test]
fn the_built_pages_keep_each_picture_whole() {
    let mut book = MDBook::load(book_root()).unwrap();
    book.with_preprocessor(python_source::PythonSource);
    book.with_preprocessor(timeline::Pictures);
    let out = std::env::temp_dir().join(format!("book-pictures-{}", std::process::id()));
    let _ = fs::remove_dir_all(&out);
    book.config.build.build_dir = out.clone();
    book.build().unwrap();
    let page = fs::read_to_string(out.join("tiny-http.html")).unwrap();
    // The theme's icons are SVGs too; the pictures have the class `pic`.
    let drawn: Vec<&str> = svgs(&page)
        .into_iter()
        .filter(|svg| svg.contains("class=\"pic "))
        .collect();
    assert!(!drawn.is_empty(), "tiny-http.html has no picture");
    for svg in drawn {
        // The page is HTML: mdBook writes attribute names in lower case, which the
        // browser's parser puts back (viewbox is viewBox in SVG).
        let nodes = check_svg(svg, "tiny-http.html");
        assert!(nodes > 100, "the chart lost its bars: {nodes} nodes");
        assert!(svg.contains("12968 req/s") && svg.contains("4176 MB/s"));
    }
    let figure = &page[page.find("<figure").unwrap()..page.find("</figure>").unwrap()];
    assert!(figure.contains("<figcaption>"));
    fs::remove_dir_all(&out).unwrap();
}

// ---------------------------------------------------------------------------
// Recordings written by hand

/// One request on a threading server: the main thread's loop, a request thread with
/// the handler nested three deep, two instants; in the order a recorder writes (by
/// end time), without the closing `]` and with a trailing comma.
const ONE_REQUEST: &str = r#"[
{"ph":"M","name":"process_name","pid":100,"args":{"name":"one_request"}},
{"ph":"M","name":"thread_name","pid":100,"tid":100,"args":{"name":"MainThread"}},
{"ph":"X","name":"get_request","cat":"socketserver","pid":100,"tid":100,"ts":1010.0,"dur":5.0},
{"ph":"X","name":"verify_request","cat":"socketserver","pid":100,"tid":100,"ts":1016.0,"dur":1.0},
{"ph":"i","name":"client connects","cat":"socketserver","pid":100,"tid":100,"ts":1009.0,"s":"t"},
{"ph":"M","name":"thread_name","pid":100,"tid":101,"args":{"name":"Thread-1 (process_request_thread)"}},
{"ph":"X","name":"process_request","cat":"socketserver","pid":100,"tid":100,"ts":1018.0,"dur":20.0},
{"ph":"X","name":"_handle_request_noblock","cat":"socketserver","pid":100,"tid":100,"ts":1008.0,"dur":31.0},
{"ph":"X","name":"handle_one_request","cat":"socketserver","pid":100,"tid":101,"ts":1040.0,"dur":300.0},
{"ph":"X","name":"handle","cat":"socketserver","pid":100,"tid":101,"ts":1040.0,"dur":300.0},
{"ph":"X","name":"finish","cat":"socketserver","pid":100,"tid":101,"ts":1341.0,"dur":2.0},
{"ph":"X","name":"finish_request","cat":"socketserver","pid":100,"tid":101,"ts":1035.0,"dur":308.0},
{"ph":"X","name":"shutdown_request","cat":"socketserver","pid":100,"tid":101,"ts":1344.0,"dur":3.0},
{"ph":"X","name":"process_request_thread","cat":"socketserver","pid":100,"tid":101,"ts":1034.0,"dur":314.0},
{"ph":"X","name":"service_actions","cat":"socketserver","pid":100,"tid":100,"ts":1039.5,"dur":0.5},
{"ph":"X","name":"serve_forever","cat":"socketserver","pid":100,"tid":100,"ts":1000.0,"dur":2000.0},
{"ph":"i","name":"main returns","cat":"socketserver","pid":100,"tid":100,"ts":3001.0,"s":"p"},
"#;

const ONE_REQUEST_STRUCTURE: &str = "\
[MainThread] serve_forever
[MainThread] serve_forever > _handle_request_noblock
[MainThread] serve_forever > _handle_request_noblock ! client connects
[MainThread] serve_forever > _handle_request_noblock > get_request
[MainThread] serve_forever > _handle_request_noblock > verify_request
[MainThread] serve_forever > _handle_request_noblock > process_request
[MainThread] serve_forever > service_actions
[MainThread] ! main returns
[Thread-1 (process_request_thread)] process_request_thread
[Thread-1 (process_request_thread)] process_request_thread > finish_request
[Thread-1 (process_request_thread)] process_request_thread > finish_request > handle
[Thread-1 (process_request_thread)] process_request_thread > finish_request > handle > handle_one_request
[Thread-1 (process_request_thread)] process_request_thread > finish_request > finish
[Thread-1 (process_request_thread)] process_request_thread > shutdown_request
";

#[test]
fn lanes_follow_first_appearance_and_nesting_follows_time() {
    let recording = timeline::parse_recording(ONE_REQUEST, &[]).unwrap();
    let labels: Vec<&str> = recording.lanes.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(labels, ["MainThread", "Thread-1 (process_request_thread)"]);
    let depth = |name: &str| {
        recording
            .spans
            .iter()
            .find(|s| s.name == name)
            .map(|s| (s.lane, s.depth))
            .unwrap()
    };
    assert_eq!(depth("serve_forever"), (0, 0));
    assert_eq!(depth("get_request"), (0, 2));
    assert_eq!(depth("service_actions"), (0, 1));
    assert_eq!(depth("process_request_thread"), (1, 0));
    // `handle` and `handle_one_request` start and end together: the one the file
    // closes later holds the other.
    assert_eq!(depth("handle"), (1, 2));
    assert_eq!(depth("handle_one_request"), (1, 3));
    assert_eq!(depth("finish"), (1, 2));
    // Times count from the run's first event, the serve_forever span.
    let first = recording
        .spans
        .iter()
        .map(|s| s.start)
        .fold(f64::MAX, f64::min);
    assert_eq!(first, 0.0);
    assert_eq!(
        timeline::structure(ONE_REQUEST, &[]).unwrap(),
        ONE_REQUEST_STRUCTURE
    );
}

#[test]
fn a_recording_cut_short_reads_as_far_as_it_goes() {
    let whole = format!("{}]", ONE_REQUEST.trim_end().trim_end_matches(','));
    assert_eq!(
        timeline::structure(&whole, &[]).unwrap(),
        ONE_REQUEST_STRUCTURE
    );
    // Without the `[` on a line of its own, and with commas leading the lines.
    let compact = ONE_REQUEST.replace(",\n", "\n,");
    assert_eq!(
        timeline::structure(&compact, &[]).unwrap(),
        ONE_REQUEST_STRUCTURE
    );
    // Killed in the middle of writing its last line.
    let cut = format!(
        "{}{{\"ph\":\"X\",\"name\":\"serve_fo",
        &ONE_REQUEST[..ONE_REQUEST
            .find("{\"ph\":\"X\",\"name\":\"serve_forever")
            .unwrap()]
    );
    let text = timeline::structure(&cut, &[]).unwrap();
    assert!(!text.contains("serve_forever"), "{text}");
    assert!(text.contains("[MainThread] _handle_request_noblock > get_request\n"));
    // A line broken in the middle is an error.
    let broken = ONE_REQUEST.replacen("\"dur\":5.0}", "\"dur\":", 1);
    assert!(timeline::parse_recording(&broken, &[]).is_err());
    // Empty: no lanes.
    assert!(
        timeline::parse_recording("[\n", &[])
            .unwrap()
            .lanes
            .is_empty()
    );
}

#[test]
fn hidden_names_leave_and_their_children_move_up() {
    let text = timeline::structure(ONE_REQUEST, &["service_actions", "finish_request"]).unwrap();
    assert!(!text.contains("service_actions"));
    assert!(text.contains(
        "[Thread-1 (process_request_thread)] process_request_thread > handle > handle_one_request\n"
    ));
}

#[test]
fn forked_children_are_lanes_of_their_own_named_by_process() {
    let recording = r#"[
{"ph":"M","name":"process_name","pid":10,"args":{"name":"forking_demo"}},
{"ph":"M","name":"process_name","pid":11,"args":{"name":"forking_demo (child)"}},
{"ph":"M","name":"process_name","pid":12,"args":{"name":"forking_demo (child)"}},
{"ph":"X","name":"finish_request","pid":11,"tid":11,"ts":20.0,"dur":100.0},
{"ph":"X","name":"finish_request","pid":12,"tid":12,"ts":30.0,"dur":100.0},
{"ph":"B","name":"collect_children","pid":10,"tid":10,"ts":40.0},
{"ph":"E","pid":10,"tid":10,"ts":45.0},
{"ph":"X","name":"serve_forever","pid":10,"tid":10,"ts":10.0,"dur":200.0},
{"ph":"X","name":"worker","pid":10,"tid":13,"ts":50.0,"dur":1.0},
{"ph":"i","name":"child exits","pid":12,"tid":12,"ts":131.0,"s":"p"}
]"#;
    assert_eq!(
        timeline::structure(recording, &[]).unwrap(),
        "\
[forking_demo: main] serve_forever
[forking_demo: main] serve_forever > collect_children
[forking_demo (child): main] finish_request
[forking_demo (child) #2: main] finish_request
[forking_demo (child) #2: main] ! child exits
[forking_demo: thread 2] worker
"
    );
}

/// Writes `files` into a fresh folder and renders `body` as a directive there.
fn render(kind: Kind, body: &str, files: &[(&str, &str)]) -> String {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "pictures-{}-{}",
        std::process::id(),
        RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    fs::create_dir_all(dir.join("outputs")).unwrap();
    for (name, text) in files {
        fs::write(dir.join(name), text).unwrap();
    }
    let html = Directive::parse(kind, body)
        .and_then(|d| d.render(Path::new(&dir), "fixture"))
        .unwrap();
    fs::remove_dir_all(&dir).unwrap();
    html
}

#[test]
fn a_timeline_draws_a_lane_per_thread_a_bar_per_span_and_a_tick_per_instant() {
    let html = render(
        Kind::Timeline,
        "
title: One request
desc: The main thread accepts; the request thread handles.
caption: Look at `finish_request`: on the request thread.
run: outputs/one.json
highlight: finish_request
",
        &[("outputs/one.json", ONE_REQUEST)],
    );
    assert!(html.contains("<figcaption><strong>One request.</strong> Look at <code>finish_request</code>: on the request thread.</figcaption>"));
    let svg = svgs(&html)[0];
    check_svg(svg, "one request");
    let doc = roxmltree::Document::parse(svg).unwrap();
    let texts: Vec<&str> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "text")
        .filter_map(|n| n.text())
        .collect();
    for label in [
        "MainThread",
        "Thread-1 (process_request_thread)",
        "client connects",
        "main returns",
    ] {
        assert!(texts.contains(&label), "no {label:?} in {texts:?}");
    }
    let bars = doc
        .descendants()
        .filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("bar ")))
        .count();
    assert_eq!(bars, 12);
    let highlighted = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("bar hi"))
        .count();
    assert_eq!(highlighted, 1);
    // Every bar has its tooltip, fitting or not.
    assert!(
        svg.contains(
            "<title>verify_request on MainThread: 0.001 ms, from 0.016 to 0.017 ms</title>"
        )
    );
    // The process-wide instant crosses both lanes: its head, and a line for each.
    let mark_lines = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("mark"))
        .count();
    assert_eq!(mark_lines, 1 + 2);
}

#[test]
fn runs_stack_on_one_axis_and_a_window_crops_them() {
    let html = render(
        Kind::Timeline,
        "
title: Two runs
desc: The same recording twice.
caption: Compare.
run: First = outputs/one.json
run: outputs/two.json
window: 0..1
hide: service_actions
",
        &[
            ("outputs/one.json", ONE_REQUEST),
            ("outputs/two.json", ONE_REQUEST),
        ],
    );
    let svg = svgs(&html)[0];
    check_svg(svg, "two runs");
    assert!(svg.contains(">First</text>") && svg.contains(">two</text>"));
    // In the first millisecond: no `main returns`, at 2.001 ms; no service_actions.
    assert!(!svg.contains("main returns") && !svg.contains("service_actions"));
    assert!(svg.contains("1.0 ms</text>"));
}

#[test]
fn a_directive_says_what_is_wrong_with_it() {
    let parse = |body: &str| Directive::parse(Kind::Timeline, body).map(|_| ());
    let fields = "\ntitle: T\ndesc: D\ncaption: C\nrun: a.json\n";
    assert!(parse(fields).is_ok());
    assert!(
        parse(&format!("{fields}colour: red\n"))
            .unwrap_err()
            .contains("unknown field `colour:`")
    );
    assert!(
        parse("\ndesc: D\ncaption: C\nrun: a.json\n")
            .unwrap_err()
            .contains("no `title:`")
    );
    assert!(
        parse("\ntitle: T\ndesc: D\ncaption: C\n")
            .unwrap_err()
            .contains("no `run:`")
    );
    assert!(parse(&format!("{fields}window: 5..2\n")).is_err());
    // A long value goes on over the next lines; a run may have a label.
    let d = Directive::parse(
        Kind::Timeline,
        "\ntitle: T\ndesc: one\n  two\ncaption: C\nrun: Blocking TcpServer = outputs/b.json\nrun: outputs/t.json\n",
    )
    .unwrap();
    assert_eq!(d.desc, "one two");
    assert_eq!(d.files(), ["outputs/b.json", "outputs/t.json"]);
    assert_eq!(d.runs[0].0.as_deref(), Some("Blocking TcpServer"));
    // The file may stand on the directive's first line.
    let d = Directive::parse(
        Kind::Chart,
        " measurements/compare.txt\ntitle: T\ndesc: D\ncaption: C\n",
    )
    .unwrap();
    assert_eq!(d.files(), ["measurements/compare.txt"]);
    let found =
        timeline::find("a {{#timelines x}} b {{#chart t.txt\ntitle: x\n}} c {{#timeline\n}}");
    let kinds: Vec<Kind> = found.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [Kind::Chart, Kind::Timeline]);
}

#[test]
fn the_chart_draws_every_row_of_the_table_with_its_figure() {
    let table = fs::read_to_string(book_root().join("measurements/compare.txt")).unwrap();
    let rows = timeline::parse_table(&table).unwrap();
    assert_eq!(rows.len(), 24);
    assert!(rows.iter().all(|r| r.value.is_some()));
    let units: Vec<&str> = rows
        .iter()
        .map(|r| r.value.as_ref().unwrap().1.as_str())
        .collect();
    assert!(units.contains(&"req/s") && units.contains(&"MB/s"));
    let html = render(
        Kind::Chart,
        "\ntitle: Throughput\ndesc: Bars.\ncaption: Longer is faster.\ntable: compare.txt\n",
        &[("compare.txt", &table)],
    );
    let svg = svgs(&html)[0];
    check_svg(svg, "chart");
    for row in &rows {
        assert!(
            svg.contains(&format!(">{}</text>", row.throughput)),
            "{}",
            row.throughput
        );
    }
    // A figure that is not a number is shown as it is, without a bar.
    let marked = table.replacen("| 12968 req/s |", "| (no answer) |", 1);
    let rows = timeline::parse_table(&marked).unwrap();
    assert!(rows[0].value.is_none());
    let html = render(
        Kind::Chart,
        "\ntitle: Throughput\ndesc: Bars.\ncaption: Longer is faster.\ntable: compare.txt\n",
        &[("compare.txt", &marked)],
    );
    assert!(html.contains(">(no answer)</text>"));
}

#[test]
fn many_lanes_and_many_instants_stay_within_bounds() {
    // Fifty threads, and ten instants at one time on the main thread.
    let mut recording = String::from("[\n");
    for n in 0..50 {
        recording.push_str(&format!(
            "{{\"ph\":\"X\",\"name\":\"handle\",\"pid\":1,\"tid\":{},\"ts\":{}.0,\"dur\":100.0}},\n",
            n + 2,
            n * 10
        ));
    }
    for n in 0..10 {
        recording.push_str(&format!(
            "{{\"ph\":\"i\",\"name\":\"client {n}\",\"pid\":1,\"tid\":1,\"ts\":0.0,\"s\":\"t\"}},\n"
        ));
    }
    let html = render(
        Kind::Timeline,
        "\ntitle: Fifty\ndesc: Fifty threads.\ncaption: Many.\nrun: outputs/fifty.json\nlanes: 6\n",
        &[("outputs/fifty.json", &recording)],
    );
    let svg = svgs(&html)[0];
    check_svg(svg, "fifty");
    assert!(
        svg.contains(">… and 45 more lanes, not drawn</text>"),
        "{svg}"
    );
    let doc = roxmltree::Document::parse(svg).unwrap();
    let bars = doc
        .descendants()
        .filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("bar ")))
        .count();
    assert_eq!(bars, 5);
    // Four lines of labels at most, the first holding the lane's own label where
    // these instants are; the instants without a label are lines with a tooltip.
    let labels = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "text")
        .filter(|n| n.text().is_some_and(|t| t.starts_with("client ")))
        .count();
    assert_eq!(labels, 3);
    let count = |class: &str| {
        doc.descendants()
            .filter(|n| n.attribute("class") == Some(class))
            .count()
    };
    assert_eq!(count("mark-head"), 3);
    assert_eq!(count("mark"), 10);
    assert_eq!(svg.matches("<title>client ").count(), 10);
}

#[test]
fn a_recording_on_one_line_reads_too() {
    // Events separated by commas only, as some writers do, cut inside the last one.
    let one_line: String = ONE_REQUEST.lines().collect();
    assert_eq!(
        timeline::structure(&one_line, &[]).unwrap(),
        ONE_REQUEST_STRUCTURE
    );
    let cut = &one_line[..one_line.len() - 30];
    let text = timeline::structure(cut, &[]).unwrap();
    assert!(!text.contains("main returns"), "{text}");
    assert!(text.contains("[MainThread] serve_forever\n"));
}

// --- The recorded runs ------------------------------------------------------------

/// Every recording in `book/outputs/timelines/` and the command that records it:
/// `SOCKETSERVER_TRACE=chrome:book/outputs/timelines/FILE cargo run --example
/// PROGRAM -- ARGS`.
const RECORDINGS: &[(&str, &str, &[&str])] = &[
    ("one-request.json", "timelines", &["one-request"]),
    ("keep-alive.json", "timelines", &["keep-alive"]),
    ("mixins-blocking.json", "timelines", &["mixins", "blocking"]),
    (
        "mixins-threading.json",
        "timelines",
        &["mixins", "threading"],
    ),
    ("mixins-forking.json", "timelines", &["mixins", "forking"]),
    ("mixins-pool.json", "timelines", &["mixins", "pool"]),
    ("leaving-default.json", "timelines", &["leaving", "default"]),
    (
        "leaving-no-block.json",
        "timelines",
        &["leaving", "no-block"],
    ),
    ("leaving-daemon.json", "timelines", &["leaving", "daemon"]),
    ("slow-clients-defaults.json", "slow_clients", &[]),
    (
        "slow-clients-deadline.json",
        "slow_clients",
        &["--header-timeout"],
    ),
];

/// A recording's structure, as two runs of the same program share it: the lanes
/// with their spans and instants, in order within each lane, but the lanes sorted
/// and `Thread-N` unnumbered (which client a thread serves depends on who connected
/// first), and without `service_actions` (one per poll, as many as the run was long).
fn comparable(recording: &str) -> String {
    let text = timeline::structure(recording, &["service_actions"]).unwrap();
    let mut lanes: Vec<Vec<String>> = Vec::new();
    let mut last_lane = String::new();
    for line in text.lines() {
        let line = unnumbered(line, "Thread-");
        let line = unnumbered(&line, "ThreadPool-");
        let lane = line.split("] ").next().unwrap_or("").to_string();
        if lane != last_lane || lanes.is_empty() {
            lanes.push(Vec::new());
            last_lane = lane;
        }
        lanes.last_mut().unwrap().push(line);
    }
    lanes.sort();
    lanes.concat().join("\n")
}

/// [`comparable`], and for `leaving-daemon.json` without the request thread's lane:
/// main leaves while that daemon thread works, and whether its `setup` span closed
/// before the process ended is a matter of microseconds (seen in 1 of 6 runs).
fn comparable_run(file: &str, recording: &str) -> String {
    let text = comparable(recording);
    if file != "leaving-daemon.json" {
        return text;
    }
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("[Thread-"))
        .collect();
    kept.join("\n")
}

/// `text` with the number after each `prefix` replaced by `*`.
fn unnumbered(text: &str, prefix: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        let after = &rest[at + prefix.len()..];
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        out.push_str(&rest[..at + prefix.len()]);
        out.push_str(if digits > 0 { "*" } else { "" });
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// Each recording is what its run records today: the run is made again and compared
/// by structure (lanes, names, nesting, order), never by its timings.
/// `UPDATE_BOOK_OUTPUTS=1` writes the new recordings over the committed ones.
#[test]
fn every_recording_is_what_its_run_records_now() {
    let dir = book_root().join("outputs/timelines");
    let mut committed: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    committed.sort();
    let mut named: Vec<String> = RECORDINGS.iter().map(|(f, _, _)| f.to_string()).collect();
    named.sort();
    assert_eq!(
        committed, named,
        "every recording has its command, and no more"
    );

    let update = std::env::var_os("UPDATE_BOOK_OUTPUTS").is_some();
    let scratch = std::env::temp_dir().join(format!("timelines-{}", std::process::id()));
    fs::create_dir_all(&scratch).unwrap();
    let mut differ = Vec::new();
    for (file, program, args) in RECORDINGS {
        let fresh = scratch.join(file);
        let status = std::process::Command::new(example(program))
            .args(*args)
            .env("SOCKETSERVER_TRACE", format!("chrome:{}", fresh.display()))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "{program} {args:?}");
        let fresh = fs::read_to_string(&fresh).unwrap();
        let old = fs::read_to_string(dir.join(file)).unwrap();
        if update {
            fs::write(dir.join(file), &fresh).unwrap();
        } else if comparable_run(file, &fresh) != comparable_run(file, &old) {
            let (old, fresh) = (comparable_run(file, &old), comparable_run(file, &fresh));
            let first = old.lines().zip(fresh.lines()).position(|(a, b)| a != b);
            differ.push(format!(
                "{file}: first difference at line {first:?} (committed | now):\n{}\n{}",
                first.and_then(|n| old.lines().nth(n)).unwrap_or("(end)"),
                first.and_then(|n| fresh.lines().nth(n)).unwrap_or("(end)"),
            ));
        }
    }
    fs::remove_dir_all(&scratch).unwrap();
    assert!(
        differ.is_empty(),
        "recordings changed structure (UPDATE_BOOK_OUTPUTS=1 to accept):\n{}",
        differ.join("\n\n")
    );
}

/// The example `name`, built: a test runs from `target/<profile>/deps/`.
fn example(name: &str) -> PathBuf {
    let status = std::process::Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--example", name])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .unwrap();
    assert!(status.success(), "building example {name}");
    let deps = std::env::current_exe().unwrap();
    deps.parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name)
}
