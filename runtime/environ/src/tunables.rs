//! `Tunables`: the engine settings that change generated code. An AOT artifact records them
//! and is only valid for an engine with the same ones.
//!
//! Plain data; deciding the settings (e.g. whether guard pages are available) is the runtime's
//! job, using them is the compiler's.

/// The settings that change generated code; an artifact is only valid for the same ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Tunables {
    /// Memories rely on guard pages (no explicit bounds checks).
    pub guard_pages: bool,
    /// Fuel (gas) metering is compiled in.
    pub fuel: bool,
    /// Epoch-interruption checks are compiled in.
    pub epochs: bool,
}

impl Tunables {
    /// The settings as the bits an artifact stores: guard pages 1, fuel 2, epochs 4.
    pub fn to_bits(self) -> u8 {
        u8::from(self.guard_pages) | (u8::from(self.fuel) << 1) | (u8::from(self.epochs) << 2)
    }

    /// The settings from an artifact's bits (unknown bits are ignored by the caller's
    /// comparison, which compares bits).
    pub fn from_bits(bits: u8) -> Tunables {
        Tunables {
            guard_pages: bits & 1 != 0,
            fuel: bits & 2 != 0,
            epochs: bits & 4 != 0,
        }
    }

    /// A readable summary, for refusal messages.
    pub fn describe(self) -> String {
        let on = |b: bool| if b { "on" } else { "off" };
        format!(
            "guard-page memories {}, gas metering {}, interruption {}",
            on(self.guard_pages),
            on(self.fuel),
            on(self.epochs)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_round_trip() {
        for bits in 0..8u8 {
            assert_eq!(Tunables::from_bits(bits).to_bits(), bits);
        }
    }
}
