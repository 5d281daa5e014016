//! The compiler process's side: answer compilation requests on stdin, under a memory cap.

use std::io::{self, Read, Write};

use super::{INTERNAL, INVALID, LIMIT, OK, codegen_of};
use crate::sandbox::engine::Codegen;
use crate::sandbox::error::SandboxError;

/// The compiler process's main loop: compiles a small module first (which starts the engine and
/// Cranelift's thread pool with the host's memory), caps its own memory at `memory_bytes`, then
/// answers requests on stdin until it closes. Panics are replied as internal errors (and the
/// host then replaces the process); an allocation past the cap aborts the process, which the
/// host reads as [`SandboxError::CompileLimit`].
pub fn serve(memory_bytes: u64) -> io::Result<()> {
    // A thread pool that failed to start under the cap would fail every later compilation.
    let warm = wat::parse_str("(module (func (export \"_start\")))").map_err(io::Error::other)?;
    super::precompile(Codegen::Plain, &warm).map_err(io::Error::other)?;
    limit_memory(memory_bytes)?;
    die_with_host();
    let mut input = io::stdin().lock();
    let mut output = io::stdout().lock();
    loop {
        let mut header = [0u8; 9];
        match input.read_exact(&mut header) {
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
            other => other?,
        }
        let codegen = codegen_of(header[0]);
        let len = u64::from_le_bytes(header[1..9].try_into().unwrap_or_default());
        let mut wasm = Vec::new();
        (&mut input).take(len).read_to_end(&mut wasm)?;
        let compiled = std::panic::catch_unwind(|| super::precompile(codegen, &wasm));
        let (status, payload) = match compiled {
            Ok(Ok(code)) => (OK, code),
            Ok(Err(SandboxError::InvalidWasm(message))) => (INVALID, message.into_bytes()),
            Ok(Err(SandboxError::CompileLimit(message))) => (LIMIT, message.into_bytes()),
            Ok(Err(other)) => (INTERNAL, other.to_string().into_bytes()),
            Err(_) => (INTERNAL, b"the compiler panicked".to_vec()),
        };
        output.write_all(&[status])?;
        output.write_all(&(payload.len() as u64).to_le_bytes())?;
        output.write_all(&payload)?;
        output.flush()?;
    }
}

/// Caps this process's data (heap and private writable mappings) at what it holds now plus
/// `bytes`, soft and hard limit alike, never above what it was ([`effective_memory`]). Counting
/// from what it holds keeps the cap a budget for compiling on every Node: Node 26 starts with
/// 560 MiB of data mappings, where Node 20 starts with 47 MiB.
#[cfg(unix)]
fn limit_memory(bytes: u64) -> io::Result<()> {
    let bytes = effective_memory(own_data().saturating_add(bytes));
    let limit = libc::rlimit {
        rlim_cur: bytes as libc::rlim_t,
        rlim_max: bytes as libc::rlim_t,
    };
    // SAFETY: a valid rlimit, read during the call only.
    if unsafe { libc::setrlimit(libc::RLIMIT_DATA, &limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// This process's data mappings now, in bytes (`VmData` in `/proc/self/status`; 0 where there is
/// no such file).
#[cfg(unix)]
fn own_data() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|line| line.starts_with("VmData:"))?;
            let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kib * 1024)
        })
        .unwrap_or(0)
}

#[cfg(not(unix))]
fn limit_memory(_bytes: u64) -> io::Result<()> {
    Ok(())
}

/// The cap a compiler process asked for `bytes` gets: no more than this process's own data
/// limit (`ulimit -d`), which a child inherits and may not raise.
pub fn effective_memory(bytes: u64) -> u64 {
    #[cfg(unix)]
    {
        let mut current = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: `current` is writable for the call.
        #[allow(clippy::unnecessary_cast, reason = "rlim_t is not u64 on every target")]
        if unsafe { libc::getrlimit(libc::RLIMIT_DATA, &mut current) } == 0
            && current.rlim_cur != libc::RLIM_INFINITY
        {
            return bytes.min(current.rlim_cur as u64);
        }
    }
    bytes
}

/// Has the kernel kill this process when the thread of the host that started it ends (Linux),
/// so that a compilation nobody waits for any more does not run on after the host died.
/// Elsewhere it ends when it writes its reply to the closed pipe.
fn die_with_host() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain syscalls with integer arguments.
    unsafe {
        let host = libc::getppid();
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
        // The host died before the call: this process was handed to another parent.
        if libc::getppid() != host {
            libc::_exit(1);
        }
    }
}
