//! `SOCKETSERVER_TRACE=chrome:FILE`: the recording opens in Perfetto and
//! `chrome://tracing`. Each test runs a scenario of `examples/timelines.rs` twice,
//! recording once and printing the text trace once, and checks the file against the
//! trace-event format (what the two viewers need of each event), then against the
//! text trace: the same hooks, on the same threads, nested the same way.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

mod common;

/// Runs `timelines` with `SOCKETSERVER_TRACE` set to `trace`.
fn timelines(scenario: &[&str], trace: &str) -> Output {
    let output = Command::new(common::example("timelines"))
        .args(scenario)
        .env("SOCKETSERVER_TRACE", trace)
        .output()
        .unwrap();
    assert!(output.status.success(), "{scenario:?}: {output:?}");
    output
}

/// The recording's events. The recorder never writes the closing `]` (a process may
/// end at any moment), which the format allows; a parser wants it.
fn events(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.starts_with("[\n"), "a JSON array: {text:.40}");
    let body = text.trim_end().trim_end_matches(',');
    let array: Value = serde_json::from_str(&format!("{body}]")).unwrap();
    array.as_array().unwrap().clone()
}

/// One hook as both traces see it: its depth on its thread, its name.
type Call = (usize, String);

/// A complete event's start, end and name.
type Span = (f64, f64, String);

/// The recording as the text trace would print it: for each thread, by its name
/// (and its process, as `pid N`), the hooks in the order they started, with their
/// depth. Checks the format on the way.
fn chains_from_recording(events: &[Value]) -> BTreeMap<String, Vec<Call>> {
    let mut threads = HashMap::new();
    let mut processes = HashSet::new();
    let mut spans: HashMap<(u64, u64), Vec<Span>> = HashMap::new();
    for event in events {
        let field = |name: &str| {
            event
                .get(name)
                .unwrap_or_else(|| panic!("{name} in {event}"))
        };
        let pid = field("pid").as_u64().expect("a numeric pid");
        match field("ph").as_str().unwrap() {
            "M" => {
                let name = field("args")["name"].as_str().unwrap().to_string();
                match field("name").as_str().unwrap() {
                    "thread_name" => {
                        threads.insert((pid, field("tid").as_u64().unwrap()), name);
                    }
                    "process_name" => assert!(processes.insert(pid), "{pid} named twice"),
                    other => panic!("metadata {other}"),
                }
            }
            "X" => {
                let tid = field("tid").as_u64().expect("a numeric tid");
                let ts = field("ts").as_f64().expect("a numeric ts");
                let dur = field("dur").as_f64().expect("a numeric dur");
                assert!(ts >= 0.0 && dur >= 0.0, "{event}");
                assert_eq!(field("cat"), "socketserver");
                let name = field("name").as_str().unwrap().to_string();
                spans
                    .entry((pid, tid))
                    .or_default()
                    .push((ts, ts + dur, name));
            }
            "i" => assert!(field("ts").as_f64().is_some()),
            other => panic!("phase {other} in {event}"),
        }
    }
    let mut chains = BTreeMap::new();
    for ((pid, tid), mut spans) in spans {
        assert!(processes.contains(&pid), "pid {pid} has no process_name");
        let thread = threads.get(&(pid, tid)).expect("every thread is named");
        // Sort by start, the outer span first when two start together.
        spans.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
        let mut open: Vec<f64> = Vec::new();
        let mut chain = Vec::new();
        for (start, end, name) in spans {
            while open.last().is_some_and(|&outer_end| outer_end <= start) {
                open.pop();
            }
            // Complete events on one thread nest or follow each other, never overlap.
            if let Some(&outer_end) = open.last() {
                assert!(end <= outer_end, "{name} overlaps its parent on {thread}");
            }
            chain.push((open.len(), name));
            open.push(end);
        }
        chains.insert(format!("pid {pid} {thread}"), chain);
    }
    chains
}

/// The text trace: `[pid 4242 main]   get_request` lines, per thread.
fn chains_from_text(stderr: &[u8]) -> BTreeMap<String, Vec<Call>> {
    let mut chains: BTreeMap<String, Vec<Call>> = BTreeMap::new();
    for line in String::from_utf8_lossy(stderr).lines() {
        let Some((who, hook)) = line.strip_prefix("[").and_then(|l| l.split_once("] ")) else {
            continue;
        };
        let depth = (hook.len() - hook.trim_start().len()) / 2;
        chains
            .entry(who.to_string())
            .or_default()
            .push((depth, hook.trim().to_string()));
    }
    chains
}

/// The chains with their pids numbered in order of appearance, so two runs compare,
/// and each chain's depths counted from its shallowest hook: a forked child starts
/// inside its parent's `process_request`, which the text trace indents for and the
/// child's own events, which begin at `finish_request`, do not contain.
fn renumbered(chains: BTreeMap<String, Vec<Call>>) -> Vec<(String, Vec<Call>)> {
    let mut pids: Vec<String> = Vec::new();
    let mut out: Vec<(String, Vec<Call>)> = chains
        .into_iter()
        .map(|(who, mut chain)| {
            let top = chain.iter().map(|(depth, _)| *depth).min().unwrap_or(0);
            chain.iter_mut().for_each(|(depth, _)| *depth -= top);
            let (pid, thread) = who.split_once(' ').unwrap().1.split_once(' ').unwrap();
            if !pids.contains(&pid.to_string()) {
                pids.push(pid.to_string());
            }
            (
                format!(
                    "{} {thread}",
                    if pids[0] == pid { "parent" } else { "child" }
                ),
                chain,
            )
        })
        .collect();
    out.sort();
    out
}

/// Records `scenario`, checks the format, and compares with its text trace.
fn check(scenario: &[&str]) -> Vec<Value> {
    let dir = std::env::temp_dir().join(format!("trace_chrome_{}", scenario.join("_")));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("trace.json");
    timelines(scenario, &format!("chrome:{}", file.display()));
    let events = events(&file);
    let recorded = renumbered(chains_from_recording(&events));
    let printed = renumbered(chains_from_text(&timelines(scenario, "1").stderr));
    assert_eq!(
        recorded, printed,
        "the recording and the text trace disagree"
    );
    std::fs::remove_dir_all(&dir).unwrap();
    events
}

/// One request through a `ThreadingHttpServer`: two threads of one process, the
/// request thread named as Python names it.
#[test]
fn a_threading_run_records_every_hook_with_its_thread() {
    let events = check(&["one-request"]);
    let names: HashSet<&str> = events
        .iter()
        .filter_map(|e| e["args"]["name"].as_str())
        .collect();
    assert!(
        names.contains("Thread-1 (process_request_thread)"),
        "{names:?}"
    );
    for hook in [
        "handle_request",
        "finish_request",
        "do_GET",
        "send_head",
        "copyfile",
    ] {
        assert!(events.iter().any(|e| e["name"] == hook), "{hook} recorded");
    }
}

/// A forking run: the parent and each of its three children appear, each as its
/// own process with its own pid and name.
#[test]
fn a_forking_run_records_the_parent_and_every_child() {
    let events = check(&["mixins", "forking"]);
    let processes: Vec<&str> = events
        .iter()
        .filter(|e| e["name"] == "process_name")
        .map(|e| e["args"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        processes,
        [
            "timelines",
            "timelines (child)",
            "timelines (child)",
            "timelines (child)"
        ]
    );
    let handled_in: HashSet<u64> = events
        .iter()
        .filter(|e| e["name"] == "handle")
        .map(|e| e["pid"].as_u64().unwrap())
        .collect();
    assert_eq!(
        handled_in.len(),
        3,
        "each request handled in a child of its own"
    );
}
