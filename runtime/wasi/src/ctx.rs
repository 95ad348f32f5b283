//! The per-guest WASI state ([`WasiCtx`]) and its builder ([`WasiCtxBuilder`]): arguments,
//! environment, preopened directories, standard streams and handed-in sockets.
//!
//! Nothing is inherited implicitly: the guest sees exactly the arguments and environment given
//! here (never the host's environment) and only the preopened directories. The builder is the
//! only place that uses ambient authority (opening the host directories named by the
//! embedder). This module must not implement WASI functions.

use crate::abi::{filetype, rights};
use crate::fdtable::{self, DirDesc, Entry, FdTable, Kind, Socket};
use crate::net::NetPolicy;
use crate::stdio::{HostStream, Stdio, Stream};
use std::io;
use std::path::Path;

/// The state of one WASI guest.
#[derive(Default)]
pub struct WasiCtx {
    pub(crate) args: Vec<Vec<u8>>,
    pub(crate) env: Vec<Vec<u8>>,
    pub(crate) fds: FdTable,
    /// What networking the guest may do (WasmEdge's socket extension).
    pub(crate) net: NetPolicy,
}

impl WasiCtx {
    /// A builder for a new context.
    pub fn builder() -> WasiCtxBuilder {
        WasiCtxBuilder::new()
    }

    /// The arguments the guest sees (`argv[0]` first).
    pub fn args(&self) -> impl Iterator<Item = &[u8]> {
        self.args.iter().map(Vec::as_slice)
    }

    /// The environment entries (`NAME=VALUE`) the guest sees.
    pub fn env(&self) -> impl Iterator<Item = &[u8]> {
        self.env.iter().map(Vec::as_slice)
    }
}

impl std::fmt::Debug for WasiCtx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasiCtx")
            .field("args", &self.args.len())
            .field("env", &self.env.len())
            .finish_non_exhaustive()
    }
}

struct Preopen {
    dir: cap_std::fs::Dir,
    guest: String,
    readonly: bool,
}

/// Builds a [`WasiCtx`].
///
/// ```no_run
/// use wasmedge_wasi::{OutputBuffer, Stdio, WasiCtx};
///
/// let out = OutputBuffer::new();
/// let mut b = WasiCtx::builder();
/// b.arg("app.wasm").arg("--verbose").env("LANG", "C");
/// b.preopened_dir("/srv/data", "/data", true).unwrap();
/// b.stdout(Stdio::buffer(&out));
/// let ctx = b.build();
/// ```
pub struct WasiCtxBuilder {
    args: Vec<Vec<u8>>,
    env: Vec<Vec<u8>>,
    preopens: Vec<Preopen>,
    stdin: Stdio,
    stdout: Stdio,
    stderr: Stdio,
    sockets: Vec<Socket>,
    net: NetPolicy,
}

impl Default for WasiCtxBuilder {
    fn default() -> Self {
        WasiCtxBuilder::new()
    }
}

impl WasiCtxBuilder {
    /// No arguments, no environment, no preopens, null standard streams.
    pub fn new() -> WasiCtxBuilder {
        WasiCtxBuilder {
            args: Vec::new(),
            env: Vec::new(),
            preopens: Vec::new(),
            stdin: Stdio::Null,
            stdout: Stdio::Null,
            stderr: Stdio::Null,
            sockets: Vec::new(),
            net: NetPolicy::default(),
        }
    }

    /// Appends an argument (the first one is `argv[0]`, the program name).
    pub fn arg(&mut self, arg: impl AsRef<[u8]>) -> &mut Self {
        self.args.push(arg.as_ref().to_vec());
        self
    }

    /// Appends several arguments.
    pub fn args<I, S>(&mut self, args: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        for a in args {
            self.arg(a);
        }
        self
    }

    /// Adds the environment variable `name=value`.
    pub fn env(&mut self, name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> &mut Self {
        let mut entry = name.as_ref().to_vec();
        entry.push(b'=');
        entry.extend_from_slice(value.as_ref());
        self.env.push(entry);
        self
    }

    /// Adds a raw environment entry, normally `NAME=VALUE`, passed to the guest verbatim.
    pub fn env_entry(&mut self, entry: impl AsRef<[u8]>) -> &mut Self {
        self.env.push(entry.as_ref().to_vec());
        self
    }

    /// Preopens the host directory `host` under the guest path `guest` (an empty guest path
    /// becomes `/`). With `readonly`, the guest can read but never change anything below it.
    pub fn preopened_dir(
        &mut self,
        host: impl AsRef<Path>,
        guest: impl Into<String>,
        readonly: bool,
    ) -> io::Result<&mut Self> {
        let dir = cap_std::fs::Dir::open_ambient_dir(host, cap_std::ambient_authority())?;
        Ok(self.preopened_cap_dir(dir, guest, readonly))
    }

    /// Preopens an already open directory capability.
    pub fn preopened_cap_dir(
        &mut self,
        dir: cap_std::fs::Dir,
        guest: impl Into<String>,
        readonly: bool,
    ) -> &mut Self {
        let mut guest = guest.into();
        if guest.is_empty() {
            guest = "/".to_string();
        }
        self.preopens.push(Preopen {
            dir,
            guest,
            readonly,
        });
        self
    }

    /// Hands a socket to the guest; it gets the next descriptor after the preopens.
    pub fn socket(&mut self, socket: impl Into<Socket>) -> &mut Self {
        self.sockets.push(socket.into());
        self
    }

    /// Sets what networking the guest may do through WasmEdge's socket extension (default: IP
    /// networking allowed, AF_UNIX refused, as in WasmEdge).
    pub fn network(&mut self, policy: NetPolicy) -> &mut Self {
        self.net = policy;
        self
    }

    /// Sets the guest's standard input.
    pub fn stdin(&mut self, s: Stdio) -> &mut Self {
        self.stdin = s;
        self
    }

    /// Sets the guest's standard output.
    pub fn stdout(&mut self, s: Stdio) -> &mut Self {
        self.stdout = s;
        self
    }

    /// Sets the guest's standard error.
    pub fn stderr(&mut self, s: Stdio) -> &mut Self {
        self.stderr = s;
        self
    }

    /// Connects all three standard streams to the host process's own.
    pub fn inherit_stdio(&mut self) -> &mut Self {
        self.stdin = Stdio::Inherit;
        self.stdout = Stdio::Inherit;
        self.stderr = Stdio::Inherit;
        self
    }

    /// Builds the context (the builder is left empty).
    pub fn build(&mut self) -> WasiCtx {
        let mut fds = FdTable::default();
        let streams = [
            (
                std::mem::replace(&mut self.stdin, Stdio::Null),
                HostStream::Stdin,
            ),
            (
                std::mem::replace(&mut self.stdout, Stdio::Null),
                HostStream::Stdout,
            ),
            (
                std::mem::replace(&mut self.stderr, Stdio::Null),
                HostStream::Stderr,
            ),
        ];
        for (fd, (stdio, which)) in streams.into_iter().enumerate() {
            let stream = Stream::from_stdio(stdio, which);
            let (base, _) = stream_rights(&stream);
            fds.insert_at(
                fd as u32,
                Entry {
                    kind: Kind::Stream(stream),
                    rights_base: base,
                    rights_inheriting: 0,
                    flags: 0,
                },
            );
        }
        let mut next = 3u32;
        for p in std::mem::take(&mut self.preopens) {
            let (base, inheriting) = fdtable::preopen_rights(p.readonly);
            fds.insert_at(
                next,
                Entry {
                    kind: Kind::Dir(DirDesc {
                        dir: p.dir,
                        readonly: p.readonly,
                        preopen: Some(p.guest),
                        listing: None,
                    }),
                    rights_base: base,
                    rights_inheriting: inheriting,
                    flags: 0,
                },
            );
            next += 1;
        }
        for s in std::mem::take(&mut self.sockets) {
            fds.insert_at(
                next,
                Entry {
                    kind: Kind::Socket(s),
                    rights_base: rights::SOCKET,
                    rights_inheriting: 0,
                    flags: 0,
                },
            );
            next += 1;
        }
        WasiCtx {
            args: std::mem::take(&mut self.args),
            env: std::mem::take(&mut self.env),
            fds,
            net: std::mem::take(&mut self.net),
        }
    }
}

/// The file type and default rights of a standard stream.
pub(crate) fn stream_rights(stream: &Stream) -> (u64, u8) {
    let stat = stream
        .fd()
        .map(|fd| (rustix::fs::fstat(fd).ok(), rustix::termios::isatty(fd)));
    let seekable = rights::STREAM | rights::FD_SEEK | rights::FD_TELL;
    match stat {
        Some((Some(st), tty)) => {
            let ft = rustix::fs::FileType::from_raw_mode(st.st_mode);
            match ft {
                rustix::fs::FileType::RegularFile => (seekable, filetype::REGULAR_FILE),
                rustix::fs::FileType::CharacterDevice if tty => {
                    (rights::STREAM, filetype::CHARACTER_DEVICE)
                }
                rustix::fs::FileType::CharacterDevice => (seekable, filetype::CHARACTER_DEVICE),
                rustix::fs::FileType::Socket => (rights::STREAM, filetype::SOCKET_STREAM),
                _ => (rights::STREAM, filetype::UNKNOWN),
            }
        }
        _ => (rights::STREAM, filetype::UNKNOWN),
    }
}
