//! The WebAssembly proposal switches of the command line (`--enable-<proposal>`,
//! `--disable-<proposal>`, `--enable-all`) and how they map onto `wasmparser::WasmFeatures`.
//!
//! One table drives both the clap arguments and the feature bits, so a switch cannot be parsed
//! without having a meaning. This file must not decide what the runtime implements (that is
//! `wasmedge_environ::loader::features`); it only reports which requested proposals fall outside
//! that set so the caller can warn.

use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};
use wasmedge_runtime::WasmFeatures;

/// One WebAssembly proposal as named by WasmEdge's `--enable-*` / `--disable-*` switches.
pub struct Proposal {
    /// WasmEdge's name, e.g. `"multi-value"`.
    pub name: &'static str,
    /// The argument id and long name of the enabling switch.
    enable: &'static str,
    /// The argument id and long name of the disabling switch.
    disable: &'static str,
    /// Hidden extra long names of the enabling switch (spellings used by other tools and by
    /// the loader's error hints).
    enable_aliases: &'static [&'static str],
    /// The feature bits the proposal stands for.
    pub bits: WasmFeatures,
}

macro_rules! proposal {
    ($name:literal, [$($alias:literal),*], $bits:expr) => {
        Proposal {
            name: $name,
            enable: concat!("enable-", $name),
            disable: concat!("disable-", $name),
            enable_aliases: &[$($alias),*],
            bits: $bits,
        }
    };
}

/// Every proposal the command line knows, in WasmEdge's order.
pub const PROPOSALS: &[Proposal] = &[
    proposal!(
        "import-export-mut-globals",
        ["enable-mutable-globals"],
        WasmFeatures::MUTABLE_GLOBAL
    ),
    proposal!(
        "non-trap-float-to-int",
        ["enable-saturating-float-to-int"],
        WasmFeatures::SATURATING_FLOAT_TO_INT
    ),
    proposal!(
        "sign-extension-operators",
        ["enable-sign-extension"],
        WasmFeatures::SIGN_EXTENSION
    ),
    proposal!("multi-value", [], WasmFeatures::MULTI_VALUE),
    proposal!("bulk-memory", [], WasmFeatures::BULK_MEMORY),
    proposal!("reference-types", [], WasmFeatures::REFERENCE_TYPES),
    proposal!("simd", [], WasmFeatures::SIMD),
    proposal!("tail-call", [], WasmFeatures::TAIL_CALL),
    proposal!("extended-const", [], WasmFeatures::EXTENDED_CONST),
    proposal!(
        "function-reference",
        ["enable-function-references"],
        WasmFeatures::FUNCTION_REFERENCES
    ),
    proposal!("gc", [], WasmFeatures::GC),
    proposal!("multi-memory", [], WasmFeatures::MULTI_MEMORY),
    proposal!("relaxed-simd", [], WasmFeatures::RELAXED_SIMD),
    proposal!(
        "exception-handling",
        ["enable-exceptions"],
        WasmFeatures::EXCEPTIONS
    ),
    proposal!("memory64", [], WasmFeatures::MEMORY64),
    proposal!("threads", [], WasmFeatures::THREADS),
];

const ENABLE_ALL: &str = "enable-all";

/// The proposal switches given on the command line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FeatureArgs {
    /// `--enable-all` was given.
    pub enable_all: bool,
    /// Names of the proposals given with `--enable-<name>`.
    pub enabled: Vec<&'static str>,
    /// Names of the proposals given with `--disable-<name>`.
    pub disabled: Vec<&'static str>,
}

fn proposal(name: &str) -> &'static Proposal {
    PROPOSALS
        .iter()
        .find(|p| p.name == name)
        .expect("proposal names come from PROPOSALS")
}

impl FeatureArgs {
    /// Applies the switches to `base` (normally `Config::new().features()`): enabling switches
    /// first (`--enable-all` enables every proposal in [`PROPOSALS`]), then disabling ones, so
    /// `--enable-all --disable-simd` means "everything but SIMD". As in WasmEdge, a proposal
    /// that another enabled proposal depends on cannot be disabled (GC needs function
    /// references, which need reference types); such a disable is ignored.
    pub fn apply(&self, base: WasmFeatures) -> WasmFeatures {
        let mut features = base;
        if self.enable_all {
            for p in PROPOSALS {
                features |= p.bits;
            }
        }
        for name in &self.enabled {
            features |= proposal(name).bits;
        }
        for name in &self.disabled {
            features.remove(proposal(name).bits);
        }
        if features.contains(WasmFeatures::GC) {
            features |= WasmFeatures::FUNCTION_REFERENCES;
        }
        if features.contains(WasmFeatures::FUNCTION_REFERENCES) {
            features |= WasmFeatures::REFERENCE_TYPES;
        }
        features
    }
}

/// The proposals enabled in `result` that `implemented` (what the runtime's compiler supports)
/// does not cover: modules using them validate but fail to compile.
pub fn unimplemented(result: WasmFeatures, implemented: WasmFeatures) -> Vec<&'static str> {
    PROPOSALS
        .iter()
        .filter(|p| result.contains(p.bits) && !implemented.contains(p.bits))
        .map(|p| p.name)
        .collect()
}

impl FromArgMatches for FeatureArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut args = FeatureArgs::default();
        args.update_from_arg_matches(matches)?;
        Ok(args)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        let flag = |id: &str| matches!(matches.try_get_one::<bool>(id), Ok(Some(true)));
        self.enable_all |= flag(ENABLE_ALL);
        for p in PROPOSALS {
            if flag(p.enable) && !self.enabled.contains(&p.name) {
                self.enabled.push(p.name);
            }
            if flag(p.disable) && !self.disabled.contains(&p.name) {
                self.disabled.push(p.name);
            }
        }
        Ok(())
    }
}

impl Args for FeatureArgs {
    fn augment_args(mut cmd: Command) -> Command {
        const HEADING: &str = "WebAssembly proposals";
        for p in PROPOSALS {
            cmd = cmd
                .arg(
                    Arg::new(p.enable)
                        .long(p.enable)
                        .aliases(p.enable_aliases.iter().copied())
                        .action(ArgAction::SetTrue)
                        .help_heading(HEADING)
                        .help(format!("Enable the {} proposal", p.name)),
                )
                .arg(
                    Arg::new(p.disable)
                        .long(p.disable)
                        .action(ArgAction::SetTrue)
                        .help_heading(HEADING)
                        .help(format!("Disable the {} proposal", p.name)),
                );
        }
        cmd.arg(
            Arg::new(ENABLE_ALL)
                .long(ENABLE_ALL)
                .action(ArgAction::SetTrue)
                .help_heading(HEADING)
                .help("Enable every proposal listed here"),
        )
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(enabled: &[&'static str], disabled: &[&'static str]) -> FeatureArgs {
        FeatureArgs {
            enable_all: false,
            enabled: enabled.to_vec(),
            disabled: disabled.to_vec(),
        }
    }

    #[test]
    fn toggles_add_and_remove_bits() {
        let base = WasmFeatures::WASM1 | WasmFeatures::MULTI_VALUE;
        let f = args(&["simd", "tail-call"], &["multi-value"]).apply(base);
        assert!(f.contains(WasmFeatures::SIMD | WasmFeatures::TAIL_CALL));
        assert!(!f.contains(WasmFeatures::MULTI_VALUE));
        assert!(f.contains(WasmFeatures::MUTABLE_GLOBAL));
    }

    #[test]
    fn disable_wins_over_enable_all() {
        let a = FeatureArgs {
            enable_all: true,
            enabled: vec![],
            disabled: vec!["simd"],
        };
        let f = a.apply(WasmFeatures::WASM1);
        assert!(!f.contains(WasmFeatures::SIMD));
        assert!(f.contains(WasmFeatures::THREADS | WasmFeatures::RELAXED_SIMD));
    }

    #[test]
    fn dependencies_cannot_be_disabled() {
        let f = args(&["gc"], &["reference-types"]).apply(WasmFeatures::WASM1);
        assert!(f.contains(WasmFeatures::REFERENCE_TYPES | WasmFeatures::FUNCTION_REFERENCES));
    }

    #[test]
    fn unimplemented_lists_enabled_proposals_outside_the_implemented_set() {
        let implemented = WasmFeatures::WASM1 | WasmFeatures::MULTI_VALUE;
        let a = args(&["simd"], &[]);
        let f = a.apply(implemented);
        assert_eq!(unimplemented(f, implemented), vec!["simd"]);
    }

    #[test]
    fn switches_parse_with_clap() {
        let cmd = FeatureArgs::augment_args(Command::new("t"));
        let m = cmd
            .try_get_matches_from([
                "t",
                "--enable-sign-extension",
                "--disable-simd",
                "--enable-all",
            ])
            .unwrap();
        let a = FeatureArgs::from_arg_matches(&m).unwrap();
        assert!(a.enable_all);
        assert_eq!(a.enabled, vec!["sign-extension-operators"]);
        assert_eq!(a.disabled, vec!["simd"]);
    }
}
