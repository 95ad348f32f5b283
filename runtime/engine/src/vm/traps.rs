//! Entering wasm and getting out of it when it traps.
//!
//! `enter` calls compiled code through a small assembly stub that saves the callee-saved
//! registers and records its stack pointer in the current `Activation`. A trap — a fault in a
//! guard page (SIGSEGV/SIGBUS), a Cranelift `trap` instruction (SIGILL) or a divide fault
//! (SIGFPE) at a registered trap site — is handled by rewriting the interrupted context so that
//! the signal handler *returns* into the stub's landing pad with the saved stack pointer: no
//! `longjmp`, and no Rust frame is skipped (only wasm frames are between the stub and the trap;
//! host functions catch their own errors and panics and trap from wasm). Every signal that is
//! not a trap in our code goes to the previously installed handler. This module must not know
//! about stores or instances.

use std::cell::Cell;
use std::ptr::null_mut;
use std::sync::Once;
use wasmedge_environ::error::TrapCode;

/// Host-side record of one entry into wasm; innermost first through `prev`.
#[repr(C)]
pub(crate) struct Activation {
    /// Stack pointer saved by the entry stub (offset 0: the stub writes it).
    saved_sp: usize,
    /// Trap code and faulting pc, filled in by the signal handler.
    trap: Option<(TrapCode, usize)>,
    prev: *mut Activation,
}

thread_local! {
    static CURRENT: Cell<*mut Activation> = const { Cell::new(null_mut()) };
}

/// How a call into wasm ended abnormally.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TrapRecord {
    pub(crate) code: TrapCode,
    pub(crate) pc: usize,
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
std::arch::global_asm!(
    ".text",
    ".p2align 4",
    ".globl wasmedge_rt_entry",
    ".type wasmedge_rt_entry,@function",
    "wasmedge_rt_entry:",
    // rdi = trampoline, rsi = wasm function, rdx = vmctx, rcx = values, r8 = &saved_sp
    "push rbp",
    "mov rbp, rsp",
    "push rbx",
    "push r12",
    "push r13",
    "push r14",
    "push r15",
    "sub rsp, 8",
    "mov [r8], rsp",
    "mov rax, rdi",
    "mov rdi, rsi",
    "mov rsi, rdx",
    "call rax",
    "xor eax, eax",
    ".globl wasmedge_rt_entry_landing",
    "wasmedge_rt_entry_landing:",
    "add rsp, 8",
    "pop r15",
    "pop r14",
    "pop r13",
    "pop r12",
    "pop rbx",
    "pop rbp",
    "ret",
    ".size wasmedge_rt_entry, .-wasmedge_rt_entry",
);

#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
compile_error!(
    "this runtime currently supports x86_64 Linux hosts only (entry stub and signal context handling)"
);

unsafe extern "C" {
    fn wasmedge_rt_entry(
        trampoline: *const u8,
        wasm_fn: *const u8,
        vmctx: *mut u8,
        values: *mut u128,
        saved_sp: *mut usize,
    ) -> u32;
    fn wasmedge_rt_entry_landing();
}

/// Calls the wasm function `wasm_fn` through `trampoline` with arguments and results in
/// `values`. Returns the trap if execution trapped.
///
/// # Safety
/// `trampoline` must be an array-to-wasm trampoline for the type of `wasm_fn`, `vmctx` the
/// function's live VMContext, and `values` must hold `max(params, results)` slots.
pub(crate) unsafe fn enter(
    trampoline: *const u8,
    wasm_fn: *const u8,
    vmctx: *mut u8,
    values: *mut u128,
) -> Result<(), TrapRecord> {
    install_handlers();
    let mut act = Activation {
        saved_sp: 0,
        trap: None,
        prev: CURRENT.get(),
    };
    CURRENT.set(&mut act);
    // SAFETY: the caller guarantees the trampoline/function/vmctx/values contract; the stub
    // only returns normally or through the landing pad with callee-saved registers restored.
    let rc = unsafe { wasmedge_rt_entry(trampoline, wasm_fn, vmctx, values, &mut act.saved_sp) };
    CURRENT.set(act.prev);
    if rc == 0 {
        return Ok(());
    }
    let (code, pc) = act.trap.unwrap_or((TrapCode::HostError, 0));
    Err(TrapRecord { code, pc })
}

/// `si_code` of an integer-overflow SIGFPE on Linux.
const FPE_INTOVF: libc::c_int = 2;

static INSTALL: Once = Once::new();
const SIGNALS: [libc::c_int; 4] = [libc::SIGSEGV, libc::SIGBUS, libc::SIGILL, libc::SIGFPE];
static mut PREVIOUS: [std::mem::MaybeUninit<libc::sigaction>; 4] =
    [const { std::mem::MaybeUninit::uninit() }; 4];

/// Installs the trap handlers once per process, remembering the previous handlers.
pub(crate) fn install_handlers() {
    INSTALL.call_once(|| {
        for (i, sig) in SIGNALS.iter().enumerate() {
            // SAFETY: a zeroed sigaction is a valid value; we fill the fields we need.
            let mut sa: libc::sigaction = unsafe { std::mem::zeroed() };
            sa.sa_sigaction = trap_handler as *const () as usize;
            sa.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
            // SAFETY: `sa.sa_mask` is a valid sigset_t to initialise.
            unsafe { libc::sigemptyset(&mut sa.sa_mask) };
            // SAFETY: PREVIOUS is written only here, inside `call_once`, before any handler
            // that reads it can run for this signal.
            let prev = unsafe { (&raw mut PREVIOUS).cast::<libc::sigaction>().add(i) };
            // SAFETY: valid pointers to a sigaction to install and one to receive the old one.
            if unsafe { libc::sigaction(*sig, &sa, prev) } != 0 {
                panic!(
                    "cannot install the handler for signal {sig}: {}",
                    std::io::Error::last_os_error()
                );
            }
        }
    });
}

unsafe extern "C" fn trap_handler(
    sig: libc::c_int,
    info: *mut libc::siginfo_t,
    ctx: *mut libc::c_void,
) {
    let act = CURRENT.get();
    // SAFETY: the kernel passes a valid ucontext_t for SA_SIGINFO handlers.
    let uc = unsafe { &mut *(ctx as *mut libc::ucontext_t) };
    let pc = uc.uc_mcontext.gregs[libc::REG_RIP as usize] as usize;
    if let Some(code) = (!act.is_null())
        .then(|| crate::vm::code::trap_code_at(pc))
        .flatten()
    {
        // A divide fault at a division site: x86 raises the same fault for both causes.
        let code = if sig == libc::SIGFPE && code == TrapCode::IntegerDivisionByZero {
            // SAFETY: `info` is valid for SA_SIGINFO handlers.
            if unsafe { (*info).si_code } == FPE_INTOVF {
                TrapCode::IntegerOverflow
            } else {
                code
            }
        } else {
            code
        };
        // SAFETY: `act` points to the live Activation of the innermost `enter` on this thread.
        let act = unsafe { &mut *act };
        act.trap = Some((code, pc));
        uc.uc_mcontext.gregs[libc::REG_RIP as usize] =
            wasmedge_rt_entry_landing as *const () as i64;
        uc.uc_mcontext.gregs[libc::REG_RSP as usize] = act.saved_sp as i64;
        uc.uc_mcontext.gregs[libc::REG_RAX as usize] = 1;
        return;
    }
    // Not ours: hand it to whoever was installed before us.
    let i = SIGNALS.iter().position(|s| *s == sig).unwrap_or(0);
    // SAFETY: PREVIOUS[i] was initialised before this handler was installed.
    let prev = unsafe { &*(&raw const PREVIOUS).cast::<libc::sigaction>().add(i) };
    if prev.sa_sigaction == libc::SIG_DFL || prev.sa_sigaction == libc::SIG_IGN {
        // Restore the default action and return: the faulting instruction runs again and the
        // process ends the way it would have without us.
        // SAFETY: reinstalling a previously valid sigaction.
        unsafe { libc::sigaction(sig, prev, null_mut()) };
    } else if prev.sa_flags & libc::SA_SIGINFO != 0 {
        // SAFETY: the previous handler expects exactly these three arguments.
        let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
            unsafe { std::mem::transmute(prev.sa_sigaction) };
        f(sig, info, ctx);
    } else {
        // SAFETY: the previous handler is a plain `void (*)(int)`.
        let f: extern "C" fn(libc::c_int) = unsafe { std::mem::transmute(prev.sa_sigaction) };
        f(sig);
    }
}

/// The lowest usable address of the current thread's stack, if the OS tells us.
pub(crate) fn thread_stack_low() -> Option<usize> {
    // SAFETY: pthread_getattr_np fills `attr` for the calling thread; we destroy it after use.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return None;
        }
        let mut addr: *mut libc::c_void = null_mut();
        let mut size: libc::size_t = 0;
        let rc = libc::pthread_attr_getstack(&attr, &mut addr, &mut size);
        libc::pthread_attr_destroy(&mut attr);
        (rc == 0).then_some(addr as usize)
    }
}
