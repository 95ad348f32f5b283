//! A minimal ELF reader for checking a plug-in file *before* `dlopen` touches it, and for
//! listing the native libraries it needs (`DT_NEEDED`).
//!
//! Why: `dlopen` maps a library's segments as the headers describe them; for a truncated file
//! the mapping extends past the end of the file and the first access kills the process with
//! `SIGBUS`. Checking that every loadable segment lies inside the file turns that into a
//! warning. The machine check gives a precise message for libraries built for another CPU.
//!
//! Reads only headers (a few kilobytes), through `pread`-style reads; never maps the file.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// What is wrong with an ELF file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ElfProblem {
    /// The file does not start with the ELF magic.
    NotElf,
    /// The file is shorter than its headers say (truncated or damaged).
    Truncated(String),
    /// It is an ELF file for another machine or word size.
    WrongMachine {
        /// What the file is built for.
        found: String,
        /// What this runtime is.
        expected: String,
    },
    /// It cannot be read.
    Io(String),
}

impl std::fmt::Display for ElfProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ElfProblem::NotElf => f.write_str("the file is not an ELF shared library"),
            ElfProblem::Truncated(what) => write!(f, "the file is truncated or damaged: {what}"),
            ElfProblem::WrongMachine { found, expected } => {
                write!(
                    f,
                    "it is built for {found}, but this runtime runs on {expected}"
                )
            }
            ElfProblem::Io(e) => write!(f, "it cannot be read: {e}"),
        }
    }
}

struct Reader {
    file: File,
    len: u64,
    little: bool,
    wide: bool,
}

const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const DT_NEEDED: u64 = 1;
const DT_STRTAB: u64 = 5;

impl Reader {
    fn bytes(&mut self, offset: u64, len: usize) -> Result<Vec<u8>, ElfProblem> {
        if offset
            .checked_add(len as u64)
            .is_none_or(|end| end > self.len)
        {
            return Err(ElfProblem::Truncated(format!(
                "{len} bytes at offset {offset} lie past its end ({} bytes)",
                self.len
            )));
        }
        let mut buf = vec![0; len];
        self.file
            .seek(SeekFrom::Start(offset))
            .and_then(|_| self.file.read_exact(&mut buf))
            .map_err(|e| ElfProblem::Io(e.to_string()))?;
        Ok(buf)
    }

    fn uint(&self, b: &[u8], at: usize, size: usize) -> u64 {
        let mut v = 0u64;
        for i in 0..size {
            let byte = b[if self.little {
                at + size - 1 - i
            } else {
                at + i
            }] as u64;
            v = v << 8 | byte;
        }
        v
    }

    /// `word` is 8 bytes in ELF64, 4 in ELF32.
    fn word(&self, b: &[u8], at64: usize, at32: usize) -> u64 {
        if self.wide {
            self.uint(b, at64, 8)
        } else {
            self.uint(b, at32, 4)
        }
    }
}

/// One program header.
struct Segment {
    kind: u32,
    offset: u64,
    vaddr: u64,
    filesz: u64,
}

/// The parsed headers.
pub struct ElfInfo {
    reader: Reader,
    segments: Vec<Segment>,
}

fn machine_name(code: u64) -> String {
    match code {
        3 => "x86 (32-bit)".into(),
        20 => "powerpc".into(),
        21 => "powerpc64".into(),
        22 => "s390x".into(),
        40 => "arm (32-bit)".into(),
        62 => "x86_64".into(),
        183 => "aarch64".into(),
        243 => "riscv".into(),
        258 => "loongarch".into(),
        other => format!("machine {other}"),
    }
}

/// The ELF machine code and word size of this process.
fn host_machine() -> Option<(u64, bool)> {
    let code = match std::env::consts::ARCH {
        "x86" => 3,
        "x86_64" => 62,
        "arm" => 40,
        "aarch64" => 183,
        "powerpc" => 20,
        "powerpc64" => 21,
        "s390x" => 22,
        "riscv64" | "riscv32" => 243,
        "loongarch64" => 258,
        _ => return None,
    };
    Some((code, cfg!(target_pointer_width = "64")))
}

/// Reads and checks the headers of `path`: ELF magic, machine and word size, and every
/// loadable segment inside the file.
pub fn check(path: &Path) -> Result<ElfInfo, ElfProblem> {
    let file = File::open(path).map_err(|e| ElfProblem::Io(e.to_string()))?;
    let len = file
        .metadata()
        .map_err(|e| ElfProblem::Io(e.to_string()))?
        .len();
    let mut r = Reader {
        file,
        len,
        little: true,
        wide: true,
    };
    if len < 16 {
        return Err(ElfProblem::NotElf);
    }
    let ident = r.bytes(0, 16)?;
    if ident[..4] != *b"\x7fELF" {
        return Err(ElfProblem::NotElf);
    }
    r.wide = ident[4] == 2;
    r.little = ident[5] != 2;
    let header = r.bytes(0, if r.wide { 64 } else { 52 })?;
    let machine = r.uint(&header, 18, 2);
    if let Some((expected, wide)) = host_machine()
        && (machine != expected || r.wide != wide)
    {
        let bits = |w: bool| if w { "64-bit" } else { "32-bit" };
        return Err(ElfProblem::WrongMachine {
            found: format!("{} ({})", machine_name(machine), bits(r.wide)),
            expected: format!("{} ({})", machine_name(expected), bits(wide)),
        });
    }
    let phoff = r.word(&header, 32, 28);
    let shoff = r.word(&header, 40, 32);
    let (phentsize, phnum, shentsize, shnum) = if r.wide {
        (
            r.uint(&header, 54, 2),
            r.uint(&header, 56, 2),
            r.uint(&header, 58, 2),
            r.uint(&header, 60, 2),
        )
    } else {
        (
            r.uint(&header, 42, 2),
            r.uint(&header, 44, 2),
            r.uint(&header, 46, 2),
            r.uint(&header, 48, 2),
        )
    };
    // The section headers are the last thing a linker writes: a file cut anywhere usually
    // loses them, even when the loadable segments survive.
    let sh_end = shoff.saturating_add(shentsize * shnum);
    if shoff != 0 && sh_end > len {
        return Err(ElfProblem::Truncated(format!(
            "its section headers end at byte {sh_end}, but the file has {len} bytes"
        )));
    }
    let table = r.bytes(phoff, (phentsize * phnum) as usize)?;
    let mut segments = Vec::new();
    for i in 0..phnum as usize {
        let h = &table[i * phentsize as usize..];
        let (kind, offset, vaddr, filesz) = if r.wide {
            (
                r.uint(h, 0, 4) as u32,
                r.uint(h, 8, 8),
                r.uint(h, 16, 8),
                r.uint(h, 32, 8),
            )
        } else {
            (
                r.uint(h, 0, 4) as u32,
                r.uint(h, 4, 4),
                r.uint(h, 8, 4),
                r.uint(h, 16, 4),
            )
        };
        if kind == PT_LOAD && offset.checked_add(filesz).is_none_or(|end| end > len) {
            return Err(ElfProblem::Truncated(format!(
                "a loadable segment ends at byte {}, but the file has {len} bytes",
                offset.saturating_add(filesz)
            )));
        }
        segments.push(Segment {
            kind,
            offset,
            vaddr,
            filesz,
        });
    }
    Ok(ElfInfo {
        reader: r,
        segments,
    })
}

impl ElfInfo {
    /// The file offset of virtual address `vaddr`.
    fn offset_of(&self, vaddr: u64) -> Option<u64> {
        self.segments
            .iter()
            .filter(|s| s.kind == PT_LOAD)
            .find(|s| vaddr >= s.vaddr && vaddr < s.vaddr + s.filesz)
            .map(|s| vaddr - s.vaddr + s.offset)
    }

    /// The `DT_NEEDED` entries: the shared libraries the file needs, as named in it.
    pub fn needed(&mut self) -> Result<Vec<String>, ElfProblem> {
        let Some(dynamic) = self.segments.iter().find(|s| s.kind == PT_DYNAMIC) else {
            return Ok(Vec::new());
        };
        let (offset, size) = (dynamic.offset, dynamic.filesz);
        let entries = self.reader.bytes(offset, size as usize)?;
        let entsize = if self.reader.wide { 16 } else { 8 };
        let (mut needed, mut strtab) = (Vec::new(), None);
        for e in entries.chunks_exact(entsize) {
            let tag = self.reader.word(e, 0, 0);
            let val = self.reader.word(e, 8, 4);
            match tag {
                0 => break,
                DT_NEEDED => needed.push(val),
                DT_STRTAB => strtab = Some(val),
                _ => {}
            }
        }
        let Some(strtab) = strtab.and_then(|a| self.offset_of(a)) else {
            return Ok(Vec::new());
        };
        let mut names = Vec::new();
        for n in needed {
            let start = strtab + n;
            let avail = self.reader.len.saturating_sub(start).min(4096) as usize;
            let raw = self.reader.bytes(start, avail)?;
            let end = raw.iter().position(|b| *b == 0).unwrap_or(raw.len());
            names.push(String::from_utf8_lossy(&raw[..end]).into_owned());
        }
        Ok(names)
    }
}

/// The native libraries `path` needs (its `DT_NEEDED` entries).
pub fn needed_libraries(path: &Path) -> Result<Vec<String>, ElfProblem> {
    check(path)?.needed()
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn this_test_binary_passes_and_a_truncated_copy_does_not() {
        let exe = std::env::current_exe().unwrap();
        let needed = needed_libraries(&exe).unwrap();
        assert!(
            needed.iter().any(|n| n.starts_with("libc.so")),
            "{needed:?}"
        );
        let dir = std::env::temp_dir().join(format!("plugin-elf-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bytes = std::fs::read(&exe).unwrap();
        let cut = dir.join("cut.so");
        std::fs::write(&cut, &bytes[..8192]).unwrap();
        assert!(matches!(check(&cut), Err(ElfProblem::Truncated(_))));
        std::fs::write(&cut, b"hello, not elf").unwrap();
        assert_eq!(check(&cut).err(), Some(ElfProblem::NotElf));
        // The same headers, claiming another CPU (aarch64, or x86_64 on other hosts).
        let mut other = bytes[..64].to_vec();
        other[18] = if bytes[18] == 62 { 183 } else { 62 };
        other[19] = 0;
        std::fs::write(&cut, &other).unwrap();
        assert!(matches!(check(&cut), Err(ElfProblem::WrongMachine { .. })));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
