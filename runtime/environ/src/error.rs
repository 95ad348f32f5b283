//! Errors of every phase (loading, validation, compilation, instantiation, execution) and traps.
//!
//! An error names its phase, a machine-readable [`ErrorCode`] (what programs branch on), a
//! message for people and, where there is one, the byte offset. This module only describes
//! failures; it must not decide policy (exit codes belong to the CLI).

use std::fmt;

/// Why WebAssembly execution stopped abnormally.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TrapCode {
    /// The wasm call stack exceeded its limit (unbounded recursion).
    StackOverflow,
    /// A load or store outside the linear memory.
    MemoryOutOfBounds,
    /// A table access outside the table (e.g. `call_indirect` index too large).
    TableOutOfBounds,
    /// `call_indirect` or `call_ref` to a null element.
    IndirectCallToNull,
    /// `call_indirect` to a function of the wrong type.
    BadSignature,
    /// Signed integer overflow in division, or float-to-int out of range.
    IntegerOverflow,
    /// Integer division or remainder by zero.
    IntegerDivisionByZero,
    /// Float-to-int conversion of NaN.
    BadConversionToInteger,
    /// The `unreachable` instruction was executed.
    UnreachableCodeReached,
    /// Execution was interrupted (time limit or an interrupt request).
    Interrupt,
    /// The fuel (gas) budget ran out.
    OutOfFuel,
    /// An unaligned atomic access.
    HeapMisaligned,
    /// A null reference was dereferenced.
    NullReference,
    /// A host function reported an error (the message is in [`Trap::message`]).
    HostError,
    /// `memory.atomic.wait` on a memory that is not shared.
    AtomicWaitNonSharedMemory,
}

impl TrapCode {
    /// The message the WebAssembly specification's test suite uses for this trap.
    pub fn message(self) -> &'static str {
        match self {
            TrapCode::StackOverflow => "call stack exhausted (stack overflow)",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::TableOutOfBounds => "undefined element: out of bounds table access",
            TrapCode::IndirectCallToNull => "uninitialized element",
            TrapCode::BadSignature => "indirect call type mismatch",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::IntegerDivisionByZero => "integer divide by zero",
            TrapCode::BadConversionToInteger => "invalid conversion to integer",
            TrapCode::UnreachableCodeReached => "unreachable",
            TrapCode::Interrupt => "interrupted (time limit reached)",
            TrapCode::OutOfFuel => "cost limit exceeded (gas limit): all fuel consumed",
            TrapCode::HeapMisaligned => "unaligned atomic",
            TrapCode::NullReference => "null reference",
            TrapCode::HostError => "host function error",
            TrapCode::AtomicWaitNonSharedMemory => "expected shared memory",
        }
    }
}

impl fmt::Display for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// A trap: execution stopped abnormally.
#[derive(Clone, Debug)]
pub struct Trap {
    /// What happened.
    pub code: TrapCode,
    /// The wasm function it happened in (its name from the name section or export, or
    /// `func[N]`), when it happened inside compiled code.
    pub function: Option<String>,
    /// Extra detail (for host errors: the host's message).
    pub message: Option<String>,
}

impl Trap {
    /// A trap of the given kind with no location.
    pub fn new(code: TrapCode) -> Trap {
        Trap {
            code,
            function: None,
            message: None,
        }
    }

    /// A trap raised by a host function with a message.
    pub fn host(message: impl Into<String>) -> Trap {
        Trap {
            code: TrapCode::HostError,
            function: None,
            message: Some(message.into()),
        }
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.message, self.code) {
            (Some(m), TrapCode::HostError) => write!(f, "{m}")?,
            (Some(m), code) => write!(f, "{code}: {m}")?,
            (None, code) => write!(f, "{code}")?,
        }
        if let Some(func) = &self.function {
            write!(f, " (in wasm function {func})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Trap {}

/// The phase in which an [`Error`] happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Decoding the binary (malformed module).
    Loading,
    /// Validating the decoded module (invalid module).
    Validation,
    /// Translating to native code.
    Compilation,
    /// Resolving imports (unknown import, incompatible import type).
    Linking,
    /// Creating the instance: allocating, initialising segments, running the start function.
    Instantiation,
    /// Running a function.
    Execution,
}

impl Phase {
    /// The word WasmEdge prints before "failed".
    pub fn name(self) -> &'static str {
        match self {
            Phase::Loading => "loading",
            Phase::Validation => "validation",
            Phase::Compilation => "compilation",
            Phase::Linking => "instantiation",
            Phase::Instantiation => "instantiation",
            Phase::Execution => "execution",
        }
    }
}

/// What kind of failure an [`Error`] is. Programs decide on this, never on message text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The bytes are not a well-formed module (or text module, or artifact container).
    Malformed,
    /// The module is well-formed but does not validate.
    Invalid,
    /// The module needs a feature that is switched off, or that this runtime does not implement.
    Unsupported,
    /// Code generation failed.
    Compile,
    /// This build has no compiler (the lean runtime): modules come only from AOT artifacts.
    NoCompiler,
    /// An AOT artifact was refused: damaged, or made for another build, host or configuration.
    Artifact,
    /// An import has no definition.
    UnknownImport,
    /// An import's definition has the wrong kind or type.
    IncompatibleImport,
    /// Other linking failures (objects of different engines or stores combined).
    Link,
    /// Instantiation failed before running any code (other than a trap or a resource limit).
    Instantiate,
    /// A resource could not be had: memory reservation, an allocation, a size limit.
    Resource,
    /// Execution trapped with this code.
    Trap(TrapCode),
    /// The guest asked to exit (WASI `proc_exit`).
    Exit,
    /// A host function (WASI, a plug-in, the embedder's) reported an error.
    Host,
    /// The embedding API was used wrongly: wrong argument count or types, a handle of another
    /// store, a missing export.
    Usage,
}

impl ErrorCode {
    /// The code an error of `phase` has unless its constructor says otherwise.
    pub fn default_for(phase: Phase) -> ErrorCode {
        match phase {
            Phase::Loading => ErrorCode::Malformed,
            Phase::Validation => ErrorCode::Invalid,
            Phase::Compilation => ErrorCode::Compile,
            Phase::Linking => ErrorCode::Link,
            Phase::Instantiation => ErrorCode::Instantiate,
            Phase::Execution => ErrorCode::Host,
        }
    }
}

/// What went wrong, in which phase.
#[derive(Debug)]
pub enum ErrorKind {
    /// A message with an optional byte offset into the module.
    Message {
        message: String,
        offset: Option<u64>,
    },
    /// Execution trapped.
    Trap(Trap),
    /// The guest asked to exit (WASI `proc_exit`) with this status.
    Exit(i32),
}

/// An error from any phase of the runtime.
#[derive(Debug)]
pub struct Error {
    phase: Phase,
    code: ErrorCode,
    kind: ErrorKind,
}

impl Error {
    /// An error with a message and an optional byte offset; its code is the phase's default
    /// ([`ErrorCode::default_for`]) unless set with [`Error::with_code`].
    pub fn new(phase: Phase, message: impl Into<String>, offset: Option<u64>) -> Error {
        Error {
            phase,
            code: ErrorCode::default_for(phase),
            kind: ErrorKind::Message {
                message: message.into(),
                offset,
            },
        }
    }

    /// An error with an explicit code.
    pub fn coded(
        code: ErrorCode,
        phase: Phase,
        message: impl Into<String>,
        offset: Option<u64>,
    ) -> Error {
        Error::new(phase, message, offset).with_code(code)
    }

    /// The same error with another code.
    pub fn with_code(mut self, code: ErrorCode) -> Error {
        self.code = code;
        self
    }

    /// A trap in the given phase (execution, or instantiation for a trapping start function).
    pub fn trap(phase: Phase, trap: Trap) -> Error {
        Error {
            phase,
            code: ErrorCode::Trap(trap.code),
            kind: ErrorKind::Trap(trap),
        }
    }

    /// A guest exit request (WASI `proc_exit`).
    pub fn exit(status: i32) -> Error {
        Error {
            phase: Phase::Execution,
            code: ErrorCode::Exit,
            kind: ErrorKind::Exit(status),
        }
    }

    /// The same error attributed to another phase (e.g. a trap of a start function belongs to
    /// instantiation).
    pub fn in_phase(mut self, phase: Phase) -> Error {
        self.phase = phase;
        self
    }

    /// The phase this error happened in.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// What kind of failure this is.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The byte offset into the module, when the error has one.
    pub fn offset(&self) -> Option<u64> {
        match &self.kind {
            ErrorKind::Message { offset, .. } => *offset,
            _ => None,
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The trap, if this error is one.
    pub fn as_trap(&self) -> Option<&Trap> {
        match &self.kind {
            ErrorKind::Trap(t) => Some(t),
            _ => None,
        }
    }

    /// The exit status, if the guest called `proc_exit`.
    pub fn exit_status(&self) -> Option<i32> {
        match &self.kind {
            ErrorKind::Exit(s) => Some(*s),
            _ => None,
        }
    }

    /// The message without the phase prefix.
    pub fn message(&self) -> String {
        match &self.kind {
            ErrorKind::Message { message, .. } => message.clone(),
            ErrorKind::Trap(t) => t.to_string(),
            ErrorKind::Exit(s) => format!("exited with status {s}"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed: ", self.phase.name())?;
        match &self.kind {
            ErrorKind::Message { message, offset } => {
                write!(f, "{message}")?;
                if let Some(o) = offset {
                    write!(f, " (at offset 0x{o:x})")?;
                }
                Ok(())
            }
            ErrorKind::Trap(t) => write!(f, "{t}"),
            ErrorKind::Exit(s) => write!(f, "exited with status {s}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<Trap> for Error {
    fn from(t: Trap) -> Error {
        Error::trap(Phase::Execution, t)
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
