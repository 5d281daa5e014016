//! Compiling untrusted bytes within the call's budget: in a compiler process that can be killed.
//!
//! Cranelift cannot be interrupted, and small inputs compile for long and big: 200,000 empty
//! functions (1.4 MB) took 40 s, one expression of a million terms 8 s and 700 MB. Structural
//! limits checked before compiling would not bound that (both are far inside the browsers'
//! limits, which wasmparser already enforces), so the bound is a process: when the embedder
//! names a compiler command ([`use_processes`]; the Node binding does), code is compiled in a
//! child process, which is killed when the call's [`Budget`] runs out or the call is cancelled,
//! and whose memory is capped with `RLIMIT_DATA` (by default at [`MEMORY_BYTES`]): an
//! allocation past it aborts the child, never the host. The child sends back the serialized
//! code, which the host loads with `deserialize` ([`engine::load`]); a killed child is all a
//! bomb costs.
//!
//! A compiler process serves one compilation at a time and is kept for the next one (starting
//! one, a Node start-up, costs about 35 ms once): at most [`IDLE`] idle ones are kept, and a call
//! that finds none starts one, so concurrent compilations never wait for each other. An idle
//! process exits when the host does (its stdin closes); one compiling when the host dies ends
//! when it writes its reply to the closed pipe (not killed with the host: the kernel's
//! parent-death signal follows the spawning thread, which may end before the host does).
//!
//! Without a compiler command (the Rust API, the tests), code is compiled in this process,
//! bounded by nothing but the budget checked before it starts.
//!
//! The protocol, over the child's stdin and stdout: a request is `[codegen: u8][len: u64 LE]`
//! and `len` bytes of wasm; a reply is `[status: u8][len: u64 LE]` and `len` bytes of code
//! (status [`OK`]) or of a UTF-8 message.

use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};

use super::engine::{self, Codegen};
use super::error::SandboxError;
use super::limits::{Budget, LimitExceeded};

/// The most memory a compilation may use by default, in bytes: the compiler process's data
/// limit, Node's own heap included (about 45 MB). Compiling the 19 MB CPython component peaks
/// at about 370 MB, a million-term expression at about 700 MB.
pub const MEMORY_BYTES: u64 = 2 << 30;

/// How many idle compiler processes are kept (each holds about 45 MB).
pub const IDLE: usize = 2;

/// The reply statuses.
const OK: u8 = 0;
const INVALID: u8 = 1;
const INTERNAL: u8 = 2;

/// How to start a compiler process: a program and its arguments, run with an empty environment.
#[derive(Debug, Clone)]
pub struct CompilerCommand {
    /// The executable.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<OsString>,
    /// The environment it is given (nothing else of the host's).
    pub env: Vec<(OsString, OsString)>,
    /// The memory cap it sets itself ([`serve`]'s argument), for the error that reports it.
    pub memory_bytes: u64,
}

static COMMAND: OnceLock<CompilerCommand> = OnceLock::new();

/// Compiles in processes started with `command` from now on. The first call wins.
pub fn use_processes(command: CompilerCommand) {
    let _ = COMMAND.set(command);
}

/// Compiles `wasm` to serialized code of `codegen`, within `budget`: in a compiler process if
/// one is configured, otherwise here. A spent budget is [`SandboxError::Stopped`]; a
/// compilation that needs more memory than the compiler process has is
/// [`SandboxError::CompileLimit`].
pub fn compile(codegen: Codegen, wasm: &[u8], budget: &Budget) -> Result<Vec<u8>, SandboxError> {
    if let Some(spent) = budget.spent() {
        return Err(SandboxError::Stopped(spent));
    }
    let Some(command) = COMMAND.get() else {
        return engine::precompile(codegen, wasm);
    };
    // An idle process may have died meanwhile (e.g. the OOM killer): then one fresh try.
    let kept = idle().pop();
    if let Some(mut worker) = kept {
        match worker.compile(codegen, wasm, budget) {
            Err(Broken::Pipe) => drop(worker),
            done => return worker.finish(done, command.memory_bytes),
        }
    }
    let mut worker = Worker::start(command)?;
    let done = worker.compile(codegen, wasm, budget);
    worker.finish(done, command.memory_bytes)
}

fn idle() -> MutexGuard<'static, Vec<Worker>> {
    static IDLE_WORKERS: Mutex<Vec<Worker>> = Mutex::new(Vec::new());
    IDLE_WORKERS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Why a compilation in a process did not give a reply.
enum Broken {
    /// The request could not be written: the process had died.
    Pipe,
    /// The process died while compiling, or sent nonsense.
    Died,
    /// The budget ran out; the process is killed.
    Stopped(LimitExceeded),
}

/// A compiler process.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: ChildStdout,
}

impl Worker {
    fn start(command: &CompilerCommand) -> Result<Self, SandboxError> {
        let mut child = Command::new(&command.program)
            .args(&command.args)
            .env_clear()
            .envs(command.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                SandboxError::Internal(format!(
                    "cannot start a compiler process ({}): {e}",
                    command.program.display()
                ))
            })?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(SandboxError::Internal(
                "the compiler process has no pipes".into(),
            ));
        };
        Ok(Self {
            child,
            stdin,
            stdout,
        })
    }

    /// Sends one request and waits for its reply, as long as `budget` lasts.
    fn compile(
        &mut self,
        codegen: Codegen,
        wasm: &[u8],
        budget: &Budget,
    ) -> Result<(u8, Vec<u8>), Broken> {
        let mut header = [0u8; 9];
        header[0] = codegen_byte(codegen);
        header[1..].copy_from_slice(&(wasm.len() as u64).to_le_bytes());
        let sent = self
            .stdin
            .write_all(&header)
            .and_then(|()| self.stdin.write_all(wasm))
            .and_then(|()| self.stdin.flush());
        if sent.is_err() {
            return Err(Broken::Pipe);
        }
        let mut reply = Reply::default();
        loop {
            if let Some(spent) = budget.spent() {
                return Err(Broken::Stopped(spent));
            }
            match wait_readable(&self.stdout, POLL_MS) {
                Ok(false) => continue,
                Ok(true) => {}
                Err(_) => return Err(Broken::Died),
            }
            match reply.read_from(&mut self.stdout) {
                Ok(Some(done)) => return Ok(done),
                Ok(None) => {}
                Err(_) => return Err(Broken::Died),
            }
        }
    }

    /// Turns what [`Worker::compile`] gave into the result, keeping the process for the next
    /// compilation if it is healthy, killing it otherwise.
    fn finish(
        mut self,
        done: Result<(u8, Vec<u8>), Broken>,
        memory_bytes: u64,
    ) -> Result<Vec<u8>, SandboxError> {
        let (status, payload) = match done {
            Ok(reply) => reply,
            Err(Broken::Stopped(spent)) => return Err(SandboxError::Stopped(spent)),
            Err(Broken::Pipe | Broken::Died) => {
                self.kill();
                return Err(self.death(memory_bytes));
            }
        };
        let result = match status {
            OK => Ok(payload),
            INVALID => Err(SandboxError::InvalidWasm(text(payload))),
            _ => Err(SandboxError::Internal(text(payload))),
        };
        let mut idle = idle();
        if idle.len() < IDLE {
            idle.push(self);
        }
        // Otherwise dropped: killed and reaped.
        result
    }

    /// Kills and reaps the process (a no-op for one already reaped).
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Why the (killed and reaped) process gave no reply: an abort is an allocation past its
    /// cap of `memory_bytes` (panics are caught and replied), anything else a crash.
    fn death(&mut self, memory_bytes: u64) -> SandboxError {
        let status = self.child.try_wait().ok().flatten();
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            if status.and_then(|s| s.signal()) == Some(libc::SIGABRT) {
                return SandboxError::CompileLimit(format!(
                    "compiling the program needs more than {} MiB of memory",
                    memory_bytes >> 20
                ));
            }
        }
        SandboxError::Internal(format!(
            "the compiler process died ({})",
            status.map_or_else(|| "no status".to_owned(), |s| s.to_string())
        ))
    }
}

impl Drop for Worker {
    /// A process dropped for any reason (a spent budget, a crash, a full idle list, a panic)
    /// is killed and reaped, never left running or as a zombie.
    fn drop(&mut self) {
        self.kill();
    }
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// How often a waiting compilation checks its budget, in milliseconds: an abort or a timeout
/// ends it within this (plus killing the process).
const POLL_MS: i32 = 10;

/// The longest reply accepted: more than any compilation within the memory cap could make.
const MAX_REPLY_BYTES: u64 = 1 << 40;

/// A reply being read: header first, then its payload.
#[derive(Default)]
struct Reply {
    header: Vec<u8>,
    payload: Vec<u8>,
}

impl Reply {
    /// Reads what is available; the whole reply once it is complete. A payload longer than a
    /// compilation could make is refused before anything is allocated for it.
    fn read_from(&mut self, input: &mut impl Read) -> io::Result<Option<(u8, Vec<u8>)>> {
        let mut chunk = [0u8; 64 << 10];
        let read = input.read(&mut chunk)?;
        if read == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let mut chunk = &chunk[..read];
        if self.header.len() < 9 {
            let take = chunk.len().min(9 - self.header.len());
            self.header.extend_from_slice(&chunk[..take]);
            chunk = &chunk[take..];
            if self.header.len() == 9 {
                let len = self.len();
                if len > MAX_REPLY_BYTES {
                    return Err(io::ErrorKind::InvalidData.into());
                }
                self.payload
                    .try_reserve_exact(len as usize)
                    .map_err(|_| io::Error::from(io::ErrorKind::OutOfMemory))?;
            }
        }
        self.payload.extend_from_slice(chunk);
        if self.header.len() == 9 && self.payload.len() as u64 >= self.len() {
            if self.payload.len() as u64 > self.len() {
                return Err(io::ErrorKind::InvalidData.into());
            }
            return Ok(Some((self.header[0], std::mem::take(&mut self.payload))));
        }
        Ok(None)
    }

    fn len(&self) -> u64 {
        u64::from_le_bytes(self.header[1..9].try_into().unwrap_or_default())
    }
}

/// Whether `pipe` has something to read (or is closed) within `timeout_ms`.
#[cfg(unix)]
fn wait_readable(pipe: &ChildStdout, timeout_ms: i32) -> io::Result<bool> {
    use std::os::fd::AsRawFd;
    let mut fd = libc::pollfd {
        fd: pipe.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd, for the duration of the call.
    match unsafe { libc::poll(&mut fd, 1, timeout_ms) } {
        -1 if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted => Ok(false),
        -1 => Err(io::Error::last_os_error()),
        0 => Ok(false),
        _ => Ok(true),
    }
}

/// Without `poll`, a read blocks until the reply comes: only the budget's check before the
/// compilation applies.
#[cfg(not(unix))]
fn wait_readable(_pipe: &ChildStdout, _timeout_ms: i32) -> io::Result<bool> {
    Ok(true)
}

fn codegen_byte(codegen: Codegen) -> u8 {
    match codegen {
        Codegen::Plain => 0,
        Codegen::Metered => 1,
    }
}

/// The compiler process's main loop: caps its own memory at `memory_bytes`, then answers
/// requests on stdin until it closes. Panics are replied as internal errors; an allocation
/// past the cap aborts the process, which the host reads as [`SandboxError::CompileLimit`].
pub fn serve(memory_bytes: u64) -> io::Result<()> {
    limit_memory(memory_bytes)?;
    let mut input = io::stdin().lock();
    let mut output = io::stdout().lock();
    loop {
        let mut header = [0u8; 9];
        match input.read_exact(&mut header) {
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
            other => other?,
        }
        let codegen = match header[0] {
            0 => Codegen::Plain,
            _ => Codegen::Metered,
        };
        let len = u64::from_le_bytes(header[1..9].try_into().unwrap_or_default());
        let mut wasm = Vec::new();
        (&mut input).take(len).read_to_end(&mut wasm)?;
        let compiled = std::panic::catch_unwind(|| engine::precompile(codegen, &wasm));
        let (status, payload) = match compiled {
            Ok(Ok(code)) => (OK, code),
            Ok(Err(SandboxError::InvalidWasm(message))) => (INVALID, message.into_bytes()),
            Ok(Err(other)) => (INTERNAL, other.to_string().into_bytes()),
            Err(_) => (INTERNAL, b"the compiler panicked".to_vec()),
        };
        output.write_all(&[status])?;
        output.write_all(&(payload.len() as u64).to_le_bytes())?;
        output.write_all(&payload)?;
        output.flush()?;
    }
}

/// Caps this process's data (heap and private writable mappings) at `bytes`.
#[cfg(unix)]
fn limit_memory(bytes: u64) -> io::Result<()> {
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

#[cfg(not(unix))]
fn limit_memory(_bytes: u64) -> io::Result<()> {
    Ok(())
}
