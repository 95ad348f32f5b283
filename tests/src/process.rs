//! Waiting for a child process under a deadline and collecting its piped output: the one place
//! the integration tests do this. Must not start processes or judge their output (callers do).

use std::io::Read;
use std::process::{Child, ExitStatus};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How often a waiting test looks at the child again.
const POLL: Duration = Duration::from_millis(5);

/// What a child did before its deadline.
#[derive(Debug)]
pub struct Finished {
    /// Its exit status; `None` when it was still running at the deadline (it has been killed).
    pub status: Option<ExitStatus>,
    /// Everything it wrote to stdout (empty unless stdout was piped).
    pub stdout: Vec<u8>,
    /// Everything it wrote to stderr (empty unless stderr was piped).
    pub stderr: Vec<u8>,
}

/// Waits at most `timeout` for `child` to exit; a child still running then is killed, reaped
/// and reported as `None`. Does not touch its pipes.
pub fn wait_deadline(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("waiting for a child process") {
            return Some(status);
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(POLL);
    }
}

/// Like [`wait_deadline`], and also collects the child's piped stdout and stderr. Both are
/// drained on their own threads while it runs, so a child writing more than a pipe holds never
/// blocks.
pub fn wait_with_output(child: &mut Child, timeout: Duration) -> Finished {
    let stdout = child.stdout.take().map(drain);
    let stderr = child.stderr.take().map(drain);
    let status = wait_deadline(child, timeout);
    let collect = |h: Option<JoinHandle<Vec<u8>>>| {
        h.map(|h| h.join().unwrap_or_default()).unwrap_or_default()
    };
    Finished {
        status,
        stdout: collect(stdout),
        stderr: collect(stderr),
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Command, Stdio};

    #[test]
    fn collects_large_output_and_the_exit_code() {
        let mut child = Command::new("sh")
            .args(["-c", "head -c 1000000 /dev/zero; echo oops >&2; exit 3"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let done = wait_with_output(&mut child, Duration::from_secs(30));
        assert_eq!(done.status.and_then(|s| s.code()), Some(3));
        assert_eq!(done.stdout.len(), 1_000_000);
        assert_eq!(done.stderr, b"oops\n");
    }

    #[test]
    fn kills_a_child_past_its_deadline() {
        let mut child = Command::new("sleep").arg("30").spawn().unwrap();
        let start = Instant::now();
        assert!(wait_deadline(&mut child, Duration::from_millis(100)).is_none());
        assert!(start.elapsed() < Duration::from_secs(10));
        assert!(child.try_wait().unwrap().is_some(), "reaped");
    }
}
