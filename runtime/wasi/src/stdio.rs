//! Standard streams of a WASI guest: what the embedder chooses ([`Stdio`]) and the stream
//! objects the descriptor table holds for them ([`Stream`]).
//!
//! A stream is the host's own stdin/stdout/stderr (written and read with direct, unbuffered
//! system calls, so bytes written just before `proc_exit` are never lost), a file or pipe the
//! embedder hands in, an in-memory input, an in-memory output buffer the embedder can read
//! back ([`OutputBuffer`]), any `Read`/`Write` object, or nothing (`null`). This module must
//! not know about paths or preopens.

use crate::errno::{Errno, WasiResult};
use std::fmt;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::sync::{Arc, Mutex};

/// A growable byte buffer shared between the embedder and a guest's output stream.
///
/// Clone it, hand one clone to [`Stdio::buffer`], and read the guest's output with
/// [`OutputBuffer::contents`] after (or during) the run.
#[derive(Clone, Default)]
pub struct OutputBuffer(Arc<Mutex<Vec<u8>>>);

impl OutputBuffer {
    /// An empty buffer.
    pub fn new() -> OutputBuffer {
        OutputBuffer::default()
    }

    /// A copy of everything written so far.
    pub fn contents(&self) -> Vec<u8> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Everything written so far, as (lossy) UTF-8.
    pub fn to_string_lossy(&self) -> String {
        String::from_utf8_lossy(&self.contents()).into_owned()
    }

    /// Takes the contents out, leaving the buffer empty.
    pub fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn append(&self, bytes: &[u8]) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(bytes);
    }
}

impl fmt::Debug for OutputBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OutputBuffer({} bytes)", self.contents().len())
    }
}

/// Where one of the guest's standard streams goes (or comes from).
pub enum Stdio {
    /// The host process's own stream.
    Inherit,
    /// Nothing: reads see end-of-file, writes are discarded.
    Null,
    /// An open file, pipe or socket (anything with a file descriptor).
    File(std::fs::File),
    /// Input from memory.
    Bytes(Vec<u8>),
    /// Output appended to a shared buffer the embedder can read back.
    Buffer(OutputBuffer),
    /// Input from any reader.
    Reader(Box<dyn Read + Send>),
    /// Output to any writer (flushed after every guest write).
    Writer(Box<dyn Write + Send>),
}

impl Stdio {
    /// The host process's own stream.
    pub fn inherit() -> Stdio {
        Stdio::Inherit
    }
    /// Nothing (like `/dev/null`).
    pub fn null() -> Stdio {
        Stdio::Null
    }
    /// An open file or pipe.
    pub fn file(file: impl Into<std::fs::File>) -> Stdio {
        Stdio::File(file.into())
    }
    /// Input from memory.
    pub fn bytes(bytes: impl Into<Vec<u8>>) -> Stdio {
        Stdio::Bytes(bytes.into())
    }
    /// Output into `buffer` (a clone of which the embedder keeps).
    pub fn buffer(buffer: &OutputBuffer) -> Stdio {
        Stdio::Buffer(buffer.clone())
    }
    /// Input from any reader.
    pub fn reader(r: impl Read + Send + 'static) -> Stdio {
        Stdio::Reader(Box::new(r))
    }
    /// Output to any writer.
    pub fn writer(w: impl Write + Send + 'static) -> Stdio {
        Stdio::Writer(Box::new(w))
    }
}

impl fmt::Debug for Stdio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stdio::Inherit => "Stdio::Inherit",
            Stdio::Null => "Stdio::Null",
            Stdio::File(_) => "Stdio::File",
            Stdio::Bytes(_) => "Stdio::Bytes",
            Stdio::Buffer(_) => "Stdio::Buffer",
            Stdio::Reader(_) => "Stdio::Reader",
            Stdio::Writer(_) => "Stdio::Writer",
        })
    }
}

/// Which host stream an inherited descriptor stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostStream {
    Stdin,
    Stdout,
    Stderr,
}

/// A handle to one of the host process's standard streams.
pub enum HostHandle {
    Stdin(io::Stdin),
    Stdout(io::Stdout),
    Stderr(io::Stderr),
}

impl HostHandle {
    fn new(which: HostStream) -> HostHandle {
        match which {
            HostStream::Stdin => HostHandle::Stdin(io::stdin()),
            HostStream::Stdout => HostHandle::Stdout(io::stdout()),
            HostStream::Stderr => HostHandle::Stderr(io::stderr()),
        }
    }

    fn fd(&self) -> BorrowedFd<'_> {
        match self {
            HostHandle::Stdin(h) => h.as_fd(),
            HostHandle::Stdout(h) => h.as_fd(),
            HostHandle::Stderr(h) => h.as_fd(),
        }
    }
}

/// A stream in the descriptor table.
pub enum Stream {
    /// The host's own stream, read and written with direct system calls (no buffering).
    Host(HostHandle),
    File(std::fs::File),
    Null,
    Bytes {
        data: Vec<u8>,
        pos: usize,
    },
    Buffer(OutputBuffer),
    Reader(Box<dyn Read + Send>),
    Writer(Box<dyn Write + Send>),
}

impl Stream {
    /// The stream for `stdio` as descriptor `fd` (0, 1 or 2).
    pub fn from_stdio(stdio: Stdio, which: HostStream) -> Stream {
        match stdio {
            Stdio::Inherit => Stream::Host(HostHandle::new(which)),
            Stdio::Null => Stream::Null,
            Stdio::File(f) => Stream::File(f),
            Stdio::Bytes(data) => Stream::Bytes { data, pos: 0 },
            Stdio::Buffer(b) => Stream::Buffer(b),
            Stdio::Reader(r) => Stream::Reader(r),
            Stdio::Writer(w) => Stream::Writer(w),
        }
    }

    /// The underlying OS descriptor, if the stream has one.
    pub fn fd(&self) -> Option<BorrowedFd<'_>> {
        match self {
            Stream::Host(h) => Some(h.fd()),
            Stream::File(file) => Some(file.as_fd()),
            _ => None,
        }
    }

    /// Reads up to `buf.len()` bytes (a single system call for OS streams).
    pub fn read(&mut self, buf: &mut [u8]) -> WasiResult<usize> {
        match self {
            Stream::Host(h) => rustix::io::read(h.fd(), buf).map_err(Errno::from),
            Stream::File(f) => f.read(buf).map_err(Errno::from),
            Stream::Null => Ok(0),
            Stream::Bytes { data, pos } => {
                let n = buf.len().min(data.len() - *pos);
                buf[..n].copy_from_slice(&data[*pos..*pos + n]);
                *pos += n;
                Ok(n)
            }
            Stream::Reader(r) => r.read(buf).map_err(Errno::from),
            Stream::Buffer(_) | Stream::Writer(_) => Err(Errno::Badf),
        }
    }

    /// Writes some of `buf` (a single system call for OS streams), returning the count.
    pub fn write(&mut self, buf: &[u8]) -> WasiResult<usize> {
        match self {
            Stream::Host(h) => rustix::io::write(h.fd(), buf).map_err(Errno::from),
            Stream::File(f) => f.write(buf).map_err(Errno::from),
            Stream::Null => Ok(buf.len()),
            Stream::Buffer(b) => {
                b.append(buf);
                Ok(buf.len())
            }
            Stream::Writer(w) => {
                let n = w.write(buf).map_err(Errno::from)?;
                w.flush().map_err(Errno::from)?;
                Ok(n)
            }
            Stream::Bytes { .. } | Stream::Reader(_) => Err(Errno::Badf),
        }
    }

    /// Bytes that can be read without blocking, if known (`None`: unknown, ready anyway).
    pub fn ready_bytes(&self) -> Option<u64> {
        match self {
            Stream::Bytes { data, pos } => Some((data.len() - pos) as u64),
            Stream::Null => Some(0),
            _ => None,
        }
    }

    /// Flushes an embedder-supplied writer.
    pub fn flush(&mut self) -> WasiResult<()> {
        match self {
            Stream::Writer(w) => w.flush().map_err(Errno::from),
            _ => Ok(()),
        }
    }
}
