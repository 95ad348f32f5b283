//! Per-file results of a spec-test run: pass/fail counts, kept failure messages, and the
//! one-line summaries the `spec-runner` binary and the integration tests print.
//!
//! Pure bookkeeping and formatting: must not parse `.wast` text or touch the runtime.

use std::fmt;

/// How many failure messages a [`FileReport`] keeps (the first ones: later failures in a file
/// are usually consequences of the first).
pub const MAX_KEPT_FAILURES: usize = 50;

/// One failed check of a `.wast` script.
#[derive(Clone, Debug)]
pub struct Failure {
    /// 1-based line of the directive.
    pub line: usize,
    /// 1-based column of the directive.
    pub col: usize,
    /// The directive, e.g. `assert_return`.
    pub directive: &'static str,
    /// What was expected and what happened.
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.line, self.col, self.directive, self.message
        )
    }
}

/// The outcome of running one `.wast` file.
#[derive(Clone, Debug, Default)]
pub struct FileReport {
    /// The file's name (relative to the suite or directory it came from).
    pub name: String,
    /// Checks that passed (every directive counts as one check).
    pub passed: usize,
    /// Checks that failed.
    pub failed: usize,
    /// The first [`MAX_KEPT_FAILURES`] failures.
    pub failures: Vec<Failure>,
    /// The directive being run (line, column, keyword), if the run is in progress; used to
    /// locate a panic.
    pub position: Option<(usize, usize, &'static str)>,
}

impl FileReport {
    /// An empty report for the file `name`.
    pub fn new(name: impl Into<String>) -> FileReport {
        FileReport {
            name: name.into(),
            ..FileReport::default()
        }
    }

    /// Records a passed check.
    pub fn pass(&mut self) {
        self.passed += 1;
    }

    /// Records a failed check at 1-based `line`:`col`.
    pub fn fail(&mut self, line: usize, col: usize, directive: &'static str, message: String) {
        self.failed += 1;
        if self.failures.len() < MAX_KEPT_FAILURES {
            self.failures.push(Failure {
                line,
                col,
                directive,
                message,
            });
        }
    }

    /// Total number of checks.
    pub fn total(&self) -> usize {
        self.passed + self.failed
    }

    /// True when nothing failed.
    pub fn ok(&self) -> bool {
        self.failed == 0
    }

    /// `PASS name (N assertions)` or `FAIL name: N of M failed`.
    pub fn summary_line(&self) -> String {
        if self.ok() {
            format!("PASS {} ({} assertions)", self.name, self.total())
        } else {
            format!(
                "FAIL {}: {} of {} failed",
                self.name,
                self.failed,
                self.total()
            )
        }
    }

    /// The summary line followed by up to `max_failures` indented failure messages
    /// (`name:line:col: directive: message`), one per line, no trailing newline.
    pub fn render(&self, max_failures: usize) -> String {
        let mut out = self.summary_line();
        for failure in self.failures.iter().take(max_failures) {
            out.push_str(&format!("\n    {}:{failure}", self.name));
        }
        let hidden = self
            .failed
            .saturating_sub(max_failures.min(self.failures.len()));
        if hidden > 0 {
            out.push_str(&format!("\n    ... and {hidden} more"));
        }
        out
    }
}

/// Assertion counts over many files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub passed: usize,
    pub failed: usize,
    pub files_failed: usize,
}

impl Totals {
    /// Adds one file's counts.
    pub fn add(&mut self, report: &FileReport) {
        self.passed += report.passed;
        self.failed += report.failed;
        if !report.ok() {
            self.files_failed += 1;
        }
    }

    /// `N passed, N failed`.
    pub fn line(&self) -> String {
        format!("{} passed, {} failed", self.passed, self.failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_lines() {
        let mut r = FileReport::new("i32.wast");
        r.pass();
        r.pass();
        assert_eq!(r.summary_line(), "PASS i32.wast (2 assertions)");
        r.fail(3, 1, "assert_return", "expected i32 1, got i32 2".into());
        assert_eq!(r.summary_line(), "FAIL i32.wast: 1 of 3 failed");
        assert_eq!(
            r.render(5),
            "FAIL i32.wast: 1 of 3 failed\n    i32.wast:3:1: assert_return: expected i32 1, got i32 2"
        );
        let mut t = Totals::default();
        t.add(&r);
        assert_eq!(t.line(), "2 passed, 1 failed");
    }

    #[test]
    fn render_mentions_hidden_failures() {
        let mut r = FileReport::new("x.wast");
        for i in 0..4 {
            r.fail(i, 1, "invoke", "boom".into());
        }
        assert!(r.render(2).ends_with("... and 2 more"));
    }
}
