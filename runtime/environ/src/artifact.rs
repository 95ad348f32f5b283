//! The AOT artifact container: byte layout, writing, and checked reading.
//!
//! ```text
//! magic (16) | format version u32 | header length u32 | header | padding to a page |
//! machine code | sha256 of everything before (32)
//! header: runtime version+build, target triple, enabled ISA flags, tunables, wasm features,
//!         optimisation level, code offset/length, function/trampoline/trap tables,
//!         the original wasm module
//! ```
//! Every length and offset read from a file is checked before use; reading never panics.
//! This module only encodes and decodes (no unsafe, no executable memory); deciding whether an
//! artifact fits this host is the runtime's artifact loader's job.

use crate::error::TrapCode;
use std::fmt;

/// Why bytes are not a usable artifact container.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FormatErrorKind {
    /// The bytes do not start with the artifact magic.
    NotAnArtifact,
    /// The file ends early (or has trailing bytes).
    Truncated,
    /// Another version of the container layout.
    Version,
    /// The checksum does not match: the file is damaged.
    Checksum,
    /// A table or offset inside is inconsistent.
    Layout,
}

/// A container-level problem with an artifact, with a message for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError {
    pub kind: FormatErrorKind,
    pub message: String,
}

impl FormatError {
    fn new(kind: FormatErrorKind, message: impl Into<String>) -> FormatError {
        FormatError {
            kind,
            message: message.into(),
        }
    }
    fn layout(message: impl Into<String>) -> FormatError {
        FormatError::new(FormatErrorKind::Layout, message)
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FormatError {}

/// First bytes of every artifact.
pub const MAGIC: &[u8; 16] = b"\x7fWASMEDGE-RS-AOT";
/// Version of this layout.
pub const FORMAT_VERSION: u32 = 1;
/// Code is placed at a multiple of this in the file, so it can be mapped directly.
pub const CODE_ALIGN: usize = 4096;
/// Length of the trailing checksum.
pub const CHECKSUM_LEN: usize = 32;

const TRAP_CODES: &[TrapCode] = &[
    TrapCode::StackOverflow,
    TrapCode::MemoryOutOfBounds,
    TrapCode::TableOutOfBounds,
    TrapCode::IndirectCallToNull,
    TrapCode::BadSignature,
    TrapCode::IntegerOverflow,
    TrapCode::IntegerDivisionByZero,
    TrapCode::BadConversionToInteger,
    TrapCode::UnreachableCodeReached,
    TrapCode::Interrupt,
    TrapCode::OutOfFuel,
    TrapCode::HeapMisaligned,
    TrapCode::NullReference,
    TrapCode::HostError,
    TrapCode::AtomicWaitNonSharedMemory,
];

/// Everything an artifact holds besides the machine code itself.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    pub runtime_version: String,
    pub triple: String,
    /// Names of the ISA flags that were enabled (e.g. `has_avx2`).
    pub isa_flags: Vec<String>,
    /// `Tunables` as bits: guard pages, fuel, epochs.
    pub tunables: u8,
    /// `WasmFeatures` bits the module was validated with.
    pub features: u64,
    pub opt_level: String,
    pub funcs: Vec<(u32, u32)>,
    pub array_trampolines: Vec<u32>,
    pub host_trampolines: Vec<u32>,
    pub traps: Vec<(u32, TrapCode)>,
    pub wasm: Vec<u8>,
}

/// A decoded artifact: header plus where the machine code is in the file.
#[derive(Debug)]
pub struct Parsed {
    pub header: Header,
    pub code_offset: usize,
    pub code_len: usize,
}

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.0.extend_from_slice(b);
    }
    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], FormatError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.data.len())
            .ok_or_else(|| FormatError::new(FormatErrorKind::Truncated, "header is truncated"))?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, FormatError> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, FormatError> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    fn u64(&mut self) -> Result<u64, FormatError> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }
    fn len(&mut self) -> Result<usize, FormatError> {
        usize::try_from(self.u64()?).map_err(|_| FormatError::layout("length out of range"))
    }
    fn bytes(&mut self) -> Result<&'a [u8], FormatError> {
        let n = self.len()?;
        self.take(n)
    }
    fn str(&mut self) -> Result<String, FormatError> {
        String::from_utf8(self.bytes()?.to_vec())
            .map_err(|_| FormatError::layout("string is not UTF-8"))
    }
    fn list<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<T, FormatError>,
    ) -> Result<Vec<T>, FormatError> {
        let n = self.len()?;
        if n > self.data.len() {
            return Err(FormatError::layout("list length out of range"));
        }
        (0..n).map(|_| item(self)).collect()
    }
}

fn trap_to_u8(code: TrapCode) -> u8 {
    TRAP_CODES
        .iter()
        .position(|c| *c == code)
        .expect("every trap code is listed") as u8
}

/// Writes an artifact holding `header` and `code`.
pub fn write(header: &Header, code: &[u8]) -> Vec<u8> {
    let mut h = Writer(Vec::new());
    h.str(&header.runtime_version);
    h.str(&header.triple);
    h.u64(header.isa_flags.len() as u64);
    for f in &header.isa_flags {
        h.str(f);
    }
    h.u8(header.tunables);
    h.u64(header.features);
    h.str(&header.opt_level);
    h.u64(header.funcs.len() as u64);
    for (o, l) in &header.funcs {
        h.u32(*o);
        h.u32(*l);
    }
    for list in [&header.array_trampolines, &header.host_trampolines] {
        h.u64(list.len() as u64);
        for o in list {
            h.u32(*o);
        }
    }
    h.u64(header.traps.len() as u64);
    for (o, c) in &header.traps {
        h.u32(*o);
        h.u8(trap_to_u8(*c));
    }
    h.bytes(&header.wasm);
    let mut out = Writer(Vec::with_capacity(h.0.len() + code.len() + 2 * CODE_ALIGN));
    out.0.extend_from_slice(MAGIC);
    out.u32(FORMAT_VERSION);
    out.u32(h.0.len() as u32);
    out.0.extend_from_slice(&h.0);
    // Code offset and length follow, then padding up to the page where the code starts.
    let code_offset = (out.0.len() + 16).next_multiple_of(CODE_ALIGN);
    out.u64(code_offset as u64);
    out.u64(code.len() as u64);
    out.0.resize(code_offset, 0);
    out.0.extend_from_slice(code);
    let sum = checksum(&out.0);
    out.0.extend_from_slice(&sum);
    out.0
}

/// The SHA-256 of `bytes`.
pub fn checksum(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

/// True if `bytes` starts like an artifact.
pub fn is_artifact(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// Reads and integrity-checks an artifact (magic, size, checksum, format version). Returns
/// a human-readable reason on failure.
pub fn read(bytes: &[u8]) -> Result<Parsed, FormatError> {
    let truncated = |m: String| FormatError::new(FormatErrorKind::Truncated, m);
    if !bytes.is_empty() && bytes.len() < MAGIC.len() && MAGIC.starts_with(bytes) {
        return Err(truncated(format!(
            "the artifact is truncated ({} bytes)",
            bytes.len()
        )));
    }
    if !is_artifact(bytes) {
        return Err(FormatError::new(
            FormatErrorKind::NotAnArtifact,
            "not an artifact of this runtime (bad magic)",
        ));
    }
    let min = MAGIC.len() + 8 + CHECKSUM_LEN;
    if bytes.len() < min {
        return Err(truncated(format!(
            "the artifact is truncated ({} bytes)",
            bytes.len()
        )));
    }
    let (body, sum) = bytes.split_at(bytes.len() - CHECKSUM_LEN);
    let mut r = Reader {
        data: body,
        pos: MAGIC.len(),
    };
    let version = r.u32()?;
    if version != FORMAT_VERSION {
        return Err(FormatError::new(
            FormatErrorKind::Version,
            format!(
                "the artifact has format version {version}, this runtime reads version {FORMAT_VERSION}; recompile it with `wasmedge compile`"
            ),
        ));
    }
    let hlen = r.u32()? as usize;
    // Check the trailer before trusting anything else; a truncated file fails here too.
    let code_meta_at = MAGIC.len() + 8 + hlen;
    let declared_end = body
        .get(code_meta_at..code_meta_at + 16)
        .map(|m| {
            let off = u64::from_le_bytes(m[0..8].try_into().unwrap());
            let len = u64::from_le_bytes(m[8..16].try_into().unwrap());
            off.saturating_add(len)
        })
        .ok_or_else(|| truncated("the artifact is truncated (header cut off)".into()))?;
    if declared_end != body.len() as u64 {
        return Err(truncated(format!(
            "the artifact is truncated or has trailing data (expected {} bytes, found {})",
            declared_end + CHECKSUM_LEN as u64,
            bytes.len()
        )));
    }
    if checksum(body) != sum {
        return Err(FormatError::new(
            FormatErrorKind::Checksum,
            "the artifact's checksum does not match: the file is corrupted",
        ));
    }
    let mut h = Reader {
        data: &body[..code_meta_at],
        pos: MAGIC.len() + 8,
    };
    let header = Header {
        runtime_version: h.str()?,
        triple: h.str()?,
        isa_flags: h.list(|r| r.str())?,
        tunables: h.u8()?,
        features: h.u64()?,
        opt_level: h.str()?,
        funcs: h.list(|r| Ok((r.u32()?, r.u32()?)))?,
        array_trampolines: h.list(|r| r.u32())?,
        host_trampolines: h.list(|r| r.u32())?,
        traps: h.list(|r| {
            let off = r.u32()?;
            let code = *TRAP_CODES
                .get(r.u8()? as usize)
                .ok_or_else(|| FormatError::layout("unknown trap code"))?;
            Ok((off, code))
        })?,
        wasm: h.bytes()?.to_vec(),
    };
    let mut m = Reader {
        data: body,
        pos: code_meta_at,
    };
    let code_offset = m.len()?;
    let code_len = m.len()?;
    if code_offset % CODE_ALIGN != 0 {
        return Err(FormatError::layout("machine code is not page-aligned"));
    }
    let code_end = code_offset
        .checked_add(code_len)
        .filter(|e| *e <= body.len())
        .ok_or_else(|| FormatError::layout("code out of range"))?;
    for &(o, l) in &header.funcs {
        if (o as usize).saturating_add(l as usize) > code_len {
            return Err(FormatError::layout(
                "a function lies outside the machine code",
            ));
        }
    }
    for &o in header
        .array_trampolines
        .iter()
        .chain(&header.host_trampolines)
    {
        if o as usize >= code_len {
            return Err(FormatError::layout(
                "a trampoline lies outside the machine code",
            ));
        }
    }
    let _ = code_end;
    Ok(Parsed {
        header,
        code_offset,
        code_len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Header, Vec<u8>) {
        let header = Header {
            runtime_version: "1.2.3".into(),
            triple: "x86_64-unknown-linux-gnu".into(),
            isa_flags: vec!["has_sse41".into()],
            tunables: 1,
            features: 42,
            opt_level: "speed".into(),
            funcs: vec![(0, 4)],
            array_trampolines: vec![16],
            host_trampolines: vec![32],
            traps: vec![(3, TrapCode::UnreachableCodeReached)],
            wasm: b"\0asm\x01\0\0\0".to_vec(),
        };
        (header, vec![0xcc; 48])
    }

    #[test]
    fn round_trip() {
        let (h, code) = sample();
        let bytes = write(&h, &code);
        let p = read(&bytes).unwrap();
        assert_eq!(p.header, h);
        assert_eq!(p.code_offset % CODE_ALIGN, 0);
        assert_eq!(&bytes[p.code_offset..p.code_offset + p.code_len], &code[..]);
    }

    #[test]
    fn damage_is_detected() {
        let (h, code) = sample();
        let bytes = write(&h, &code);
        for cut in [10, 30, bytes.len() / 2, bytes.len() - 1] {
            let e = read(&bytes[..cut]).unwrap_err();
            assert_eq!(e.kind, FormatErrorKind::Truncated, "cut {cut}: {e}");
        }
        let mut flipped = bytes.clone();
        flipped[CODE_ALIGN + 3] ^= 1;
        assert_eq!(read(&flipped).unwrap_err().kind, FormatErrorKind::Checksum);
        assert_eq!(
            read(b"\0asm\x01\0\0\0").unwrap_err().kind,
            FormatErrorKind::NotAnArtifact
        );
    }
}
