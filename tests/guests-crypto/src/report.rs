//! Counting checks and printing one line per failure, so the test can report exactly which
//! vector failed and how.

/// The checks of one group.
pub struct Report {
    group: &'static str,
    passed: usize,
    failed: usize,
}

impl Report {
    /// A new group.
    pub fn new(group: &'static str) -> Report {
        Report {
            group,
            passed: 0,
            failed: 0,
        }
    }

    /// Records a check.
    pub fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if ok {
            self.passed += 1;
        } else {
            self.failed += 1;
            println!("FAIL {}: {}", self.group, what());
        }
    }

    /// Records that `got` equals `want`.
    pub fn eq<T: PartialEq + std::fmt::Debug>(&mut self, label: &str, got: T, want: T) {
        let ok = got == want;
        self.check(ok, || format!("{label}: got {got:?}, want {want:?}"));
    }

    /// Prints `<group>: <passed>/<total> checks` and returns the failures.
    pub fn finish(self) -> usize {
        println!(
            "{}: {}/{} checks",
            self.group,
            self.passed,
            self.passed + self.failed
        );
        self.failed
    }
}
