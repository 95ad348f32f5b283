//! End-to-end: 20 wasm containers run at once on a real containerd (one shim each), one is
//! killed mid-run with `ctr task kill` (SIGTERM), and it ends cleanly (exit 143, no leftover
//! task, container or shim) while the other 19 finish normally. Needs root, `containerd` and
//! `runc` (see containerd_support).

mod containerd_support;

use containerd_support::{Containerd, RUNTIME};
use std::io::{BufRead, BufReader};
use std::process::Child;
use std::sync::mpsc;
use std::time::{Duration, Instant};

const CONTAINERS: usize = 20;
const VICTIM: usize = 7;
/// How long the others sleep: long enough that all 20 are running at once.
const SLEEP: &str = "s15";

/// One running `ctr run` and what its stdout said, with the time of each line.
struct Run {
    id: String,
    child: Child,
    lines: mpsc::Receiver<(Instant, String)>,
    stderr: std::thread::JoinHandle<String>,
}

fn start(c: &Containerd, image: &str, i: usize) -> Run {
    let id = format!("conc-{i}");
    let secs = if i == VICTIM { "s300" } else { SLEEP };
    let mut child = c
        .command([
            "run",
            "--rm",
            "--runtime",
            RUNTIME,
            image,
            &id,
            "/hello.wasm",
            secs,
        ])
        .spawn()
        .expect("starting ctr run");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send((Instant::now(), line)).is_err() {
                break;
            }
        }
    });
    let stderr = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    });
    Run {
        id,
        child,
        lines,
        stderr,
    }
}

/// Waits for `run` to exit (at most `timeout`), returning its exit code and its stdout lines.
fn finish(mut run: Run, timeout: Duration) -> (String, i32, Vec<(Instant, String)>, String) {
    let start = Instant::now();
    let mut lines = Vec::new();
    let status = loop {
        lines.extend(run.lines.try_iter());
        if let Some(status) = run.child.try_wait().expect("waiting for ctr") {
            break status;
        }
        if start.elapsed() > timeout {
            let _ = run.child.kill();
            panic!("{} did not finish within {timeout:?}: {lines:?}", run.id);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // The reader ends at end of file.
    lines.extend(run.lines.iter());
    let stderr = run.stderr.join().unwrap_or_default();
    (run.id, status.code().unwrap_or(-1), lines, stderr)
}

fn time_of(lines: &[(Instant, String)], text: &str) -> Option<Instant> {
    lines.iter().find(|(_, l)| l == text).map(|(t, _)| *t)
}

#[test]
fn twenty_concurrent_containers_and_one_killed_mid_run() {
    let Some(c) = Containerd::start() else { return };
    let image = "docker.io/library/wasmedge-hello:rootfs";
    c.import(&containerd_support::wasm_rootfs_image(image));

    let mut runs: Vec<Option<Run>> = (0..CONTAINERS).map(|i| Some(start(&c, image, i))).collect();

    // Kill the victim once its guest is running (it printed "sleeping").
    let victim = runs[VICTIM].take().expect("victim");
    let mut victim_lines = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while time_of(&victim_lines, "sleeping").is_none() {
        assert!(
            Instant::now() < deadline,
            "the victim never started: {victim_lines:?}\n{}",
            c.log()
        );
        if let Ok(line) = victim.lines.recv_timeout(Duration::from_millis(100)) {
            victim_lines.push(line);
        }
    }
    let killed_at = Instant::now();
    c.ctr(["task", "kill", &victim.id]).ok();
    let (id, code, lines, stderr) = finish(victim, Duration::from_secs(60));
    victim_lines.extend(lines);
    assert_eq!(
        code, 143,
        "{id} must end with SIGTERM's status 128+15: {victim_lines:?} {stderr}"
    );
    assert!(
        time_of(&victim_lines, "done").is_none(),
        "{id} ran to the end: {victim_lines:?}"
    );
    assert!(
        killed_at.elapsed() < Duration::from_secs(10),
        "{id} took {:?} to stop after the kill",
        killed_at.elapsed()
    );

    // The others are unaffected.
    let mut sleeping = Vec::new();
    let mut done = Vec::new();
    for run in runs.into_iter().flatten() {
        let (id, code, lines, stderr) = finish(run, Duration::from_secs(180));
        let text: Vec<&str> = lines.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(code, 0, "{id}: {text:?} {stderr}");
        assert_eq!(text.first(), Some(&"hello from wasm"), "{id}: {text:?}");
        assert!(
            text.contains(&"file: message from the rootfs"),
            "{id}: {text:?}"
        );
        assert_eq!(text.last(), Some(&"done"), "{id}: {text:?}");
        assert_eq!(stderr, "to stderr\n", "{id}");
        sleeping.push(time_of(&lines, "sleeping").expect("sleeping"));
        done.push(time_of(&lines, "done").expect("done"));
    }
    assert_eq!(sleeping.len(), CONTAINERS - 1);
    // All of them were running at the same moment, the victim's kill included.
    let last_started = sleeping.iter().max().unwrap();
    let first_done = done.iter().min().unwrap();
    assert!(
        last_started < first_done && killed_at < *first_done,
        "the containers did not overlap: last start {:?} after the first finish",
        last_started.duration_since(*first_done)
    );

    // Nothing is left behind: tasks, containers, and (after they exit) the shims.
    let tasks = c.ctr(["tasks", "ls", "-q"]);
    assert_eq!(tasks.ok().stdout.trim(), "", "tasks left: {tasks:#?}");
    let containers = c.ctr(["containers", "ls", "-q"]);
    assert_eq!(
        containers.ok().stdout.trim(),
        "",
        "containers left: {containers:#?}"
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let shims = containerd_support::shim_processes(&c.namespace);
        if shims.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "shims still running: {shims:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}
