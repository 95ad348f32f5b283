//! The host target as artifacts name it: the target triple and the CPU features, spelled as
//! the code generator's ISA flags (`has_avx2`, `has_lse`, …), detected with the standard
//! library alone, so that a runtime without a compiler checks an artifact's requirements
//! exactly as one with Cranelift does.
//!
//! The table below must list every flag the compiler's host detection can enable
//! (`cranelift-native`); a test in `wasmedge-cranelift` compares the two on the machine it runs
//! on. This module only detects; deciding what an artifact needs is the artifact check's job.

use std::sync::OnceLock;

/// The target triple of this build, as the compiler prints it (e.g.
/// `x86_64-unknown-linux-gnu`).
pub fn host_triple() -> String {
    target_lexicon::HOST.to_string()
}

/// `(ISA flag name, present on this CPU)` for every flag host detection knows.
fn detect() -> Vec<(&'static str, bool)> {
    #[cfg(target_arch = "x86_64")]
    {
        use std::is_x86_feature_detected as has;
        vec![
            ("has_cmpxchg16b", has!("cmpxchg16b")),
            ("has_sse3", has!("sse3")),
            ("has_ssse3", has!("ssse3")),
            ("has_sse41", has!("sse4.1")),
            ("has_sse42", has!("sse4.2")),
            ("has_popcnt", has!("popcnt")),
            ("has_avx", has!("avx")),
            ("has_avx2", has!("avx2")),
            ("has_fma", has!("fma")),
            ("has_avx_vnni", has!("avxvnni")),
            ("has_avx512vnni", has!("avx512vnni")),
            ("has_bmi1", has!("bmi1")),
            ("has_bmi2", has!("bmi2")),
            ("has_avx512bitalg", has!("avx512bitalg")),
            ("has_avx512dq", has!("avx512dq")),
            ("has_avx512f", has!("avx512f")),
            ("has_avx512vl", has!("avx512vl")),
            ("has_avx512vbmi", has!("avx512vbmi")),
            ("has_lzcnt", has!("lzcnt")),
        ]
    }
    #[cfg(target_arch = "aarch64")]
    {
        use std::arch::is_aarch64_feature_detected as has;
        let mut flags = vec![
            ("has_lse", has!("lse")),
            ("has_pauth", has!("paca")),
            ("has_fp16", has!("fp16")),
            ("has_dotprod", has!("dotprod")),
            ("has_i8mm", has!("i8mm")),
        ];
        if cfg!(target_os = "macos") {
            flags.push(("sign_return_address", true));
            flags.push(("sign_return_address_with_bkey", true));
        }
        flags
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        Vec::new()
    }
}

/// The ISA flags this CPU has, in the table's order.
pub fn host_flags() -> &'static [String] {
    static FLAGS: OnceLock<Vec<String>> = OnceLock::new();
    FLAGS.get_or_init(|| {
        detect()
            .into_iter()
            .filter(|(_, present)| *present)
            .map(|(name, _)| name.to_string())
            .collect()
    })
}

/// Every flag name host detection knows (present or not).
pub fn known_flags() -> Vec<&'static str> {
    detect().into_iter().map(|(name, _)| name).collect()
}

/// The first of `needed` this CPU lacks.
pub fn first_missing(needed: &[String]) -> Option<&str> {
    let host = host_flags();
    needed
        .iter()
        .find(|f| !host.contains(f))
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_is_stable_and_named() {
        assert_eq!(host_flags(), host_flags());
        for f in host_flags() {
            assert!(known_flags().contains(&f.as_str()));
        }
        assert!(!host_triple().is_empty());
        #[cfg(target_arch = "x86_64")]
        assert!(first_missing(&["has_no_such_feature".into()]).is_some());
    }
}
