//! The host's side of one compiler process: send a request and wait for its reply without ever
//! blocking past the budget, then keep the process or kill it.

use std::io::{self, Read, Write};
use std::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command, Stdio};

use super::{
    CompilerCommand, IDLE, INVALID, LIMIT, MAX_CODE_BYTES, OK, code_too_large, codegen_byte,
};
use crate::sandbox::ending::LimitExceeded;
use crate::sandbox::engine::Codegen;
use crate::sandbox::error::SandboxError;
use crate::sandbox::limits::Budget;

/// How often a waiting compilation checks its budget, in milliseconds: an abort or a timeout
/// ends it within this (plus killing the process).
const POLL_MS: i32 = 10;

/// Why a compilation in a process did not give a reply.
pub enum Broken {
    /// The request could not be written: the process had died.
    Pipe,
    /// The process died while compiling, or sent nonsense.
    Died,
    /// The reply announced more code than the host accepts ([`MAX_CODE_BYTES`]).
    TooLarge,
    /// The host could not allocate room for a reply within [`MAX_CODE_BYTES`].
    NoRoom,
    /// The budget ran out; the process is killed.
    Stopped(LimitExceeded),
}

/// A compiler process.
pub struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: ChildStdout,
    stderr: ChildStderr,
}

impl Worker {
    pub fn start(command: &CompilerCommand) -> Result<Self, SandboxError> {
        let mut child = Command::new(&command.program)
            .args(&command.args)
            .env_clear()
            .envs(command.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                SandboxError::Internal(format!(
                    "cannot start a compiler process ({}): {e}",
                    command.program.display()
                ))
            })?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(SandboxError::Internal(
                "the compiler process has no pipes".into(),
            ));
        };
        set_nonblocking(&stdin).map_err(|e| SandboxError::Internal(e.to_string()))?;
        Ok(Self {
            child,
            stdin,
            stdout,
            stderr,
        })
    }

    /// Sends one request and waits for its reply, as long as `budget` lasts (a process that
    /// stops reading or answering costs the budget, never more).
    pub fn compile(
        &mut self,
        codegen: Codegen,
        wasm: &[u8],
        budget: &Budget,
    ) -> Result<(u8, Vec<u8>), Broken> {
        let mut header = [0u8; 9];
        header[0] = codegen_byte(codegen);
        header[1..].copy_from_slice(&(wasm.len() as u64).to_le_bytes());
        for part in [&header[..], wasm] {
            self.send(part, budget)?;
        }
        let mut reply = Reply::default();
        loop {
            if let Some(spent) = budget.spent() {
                return Err(Broken::Stopped(spent));
            }
            match poll(&self.stdout, ready::IN) {
                Ok(false) => continue,
                Ok(true) => {}
                Err(_) => return Err(Broken::Died),
            }
            if let Some(done) = reply.read_from(&mut self.stdout)? {
                return Ok(done);
            }
        }
    }

    /// Writes `bytes` to the process's stdin (non-blocking), waiting for room within `budget`.
    fn send(&mut self, mut bytes: &[u8], budget: &Budget) -> Result<(), Broken> {
        while !bytes.is_empty() {
            match self.stdin.write(bytes) {
                Ok(0) => return Err(Broken::Pipe),
                Ok(n) => bytes = &bytes[n..],
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if let Some(spent) = budget.spent() {
                        return Err(Broken::Stopped(spent));
                    }
                    poll(&self.stdin, ready::OUT).map_err(|_| Broken::Pipe)?;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Err(Broken::Pipe),
            }
        }
        Ok(())
    }

    /// Turns what [`Worker::compile`] gave into the result, keeping the process for the next
    /// compilation if it answered normally, killing it otherwise (an internal error may have
    /// left it broken: a thread pool that failed to start fails every later compilation).
    pub fn finish(
        mut self,
        done: Result<(u8, Vec<u8>), Broken>,
        memory_bytes: u64,
    ) -> Result<Vec<u8>, SandboxError> {
        let (status, payload) = match done {
            Ok(reply) => reply,
            Err(Broken::Stopped(spent)) => return Err(SandboxError::Stopped(spent)),
            Err(Broken::TooLarge) => return Err(code_too_large()),
            // Not the bytes' fault, so not cached as theirs.
            Err(Broken::NoRoom) => {
                return Err(SandboxError::Internal(
                    "the host ran out of memory receiving the compiled program".to_owned(),
                ));
            }
            Err(Broken::Pipe | Broken::Died) => {
                self.kill();
                return Err(self.death(memory_bytes));
            }
        };
        let result = match status {
            OK => return Ok(self.keep(payload)),
            INVALID => Err(SandboxError::InvalidWasm(text(payload))),
            LIMIT => Err(SandboxError::CompileLimit(text(payload))),
            _ => return Err(SandboxError::Internal(text(payload))),
        };
        self.keep(result)
    }

    /// Puts the process back among the idle ones (if there is room; otherwise it is dropped,
    /// and so killed) and returns `value`.
    fn keep<T>(self, value: T) -> T {
        let mut idle = super::idle();
        if idle.len() < IDLE {
            idle.push(self);
        }
        value
    }

    /// Kills and reaps the process (a no-op for one already reaped).
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Why the (killed and reaped) process gave no reply: Rust's report of a failed
    /// allocation on its stderr is an allocation past its cap of `memory_bytes`; anything else
    /// is a crash.
    fn death(&mut self, memory_bytes: u64) -> SandboxError {
        let status = self.child.try_wait().ok().flatten();
        let mut said = Vec::new();
        let _ = (&mut self.stderr).take(64 << 10).read_to_end(&mut said);
        if String::from_utf8_lossy(&said).contains("memory allocation of") {
            return SandboxError::CompileLimit(format!(
                "compiling the program needs more than {} MiB of memory",
                memory_bytes >> 20
            ));
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

/// A reply being read: header first, then its payload.
#[derive(Default)]
struct Reply {
    header: Vec<u8>,
    payload: Vec<u8>,
}

impl Reply {
    /// Reads what is available; the whole reply once it is complete. A payload longer than
    /// [`MAX_CODE_BYTES`] is refused before anything is allocated for it.
    fn read_from(&mut self, input: &mut impl Read) -> Result<Option<(u8, Vec<u8>)>, Broken> {
        let mut chunk = [0u8; 64 << 10];
        let read = match input.read(&mut chunk) {
            Ok(0) | Err(_) => return Err(Broken::Died),
            Ok(read) => read,
        };
        let mut chunk = &chunk[..read];
        if self.header.len() < 9 {
            let take = chunk.len().min(9 - self.header.len());
            self.header.extend_from_slice(&chunk[..take]);
            chunk = &chunk[take..];
            if self.header.len() == 9 {
                if self.len() > MAX_CODE_BYTES {
                    return Err(Broken::TooLarge);
                }
                self.payload
                    .try_reserve_exact(self.len() as usize)
                    .map_err(|_| Broken::NoRoom)?;
            }
        }
        self.payload.extend_from_slice(chunk);
        if self.header.len() < 9 || (self.payload.len() as u64) < self.len() {
            return Ok(None);
        }
        if self.payload.len() as u64 > self.len() {
            return Err(Broken::Died);
        }
        Ok(Some((self.header[0], std::mem::take(&mut self.payload))))
    }

    fn len(&self) -> u64 {
        u64::from_le_bytes(self.header[1..9].try_into().unwrap_or_default())
    }
}

#[cfg(unix)]
mod ready {
    pub const IN: i16 = libc::POLLIN;
    pub const OUT: i16 = libc::POLLOUT;
}

#[cfg(not(unix))]
mod ready {
    pub const IN: i16 = 1;
    pub const OUT: i16 = 4;
}

/// Whether `pipe` is ready for `events` (or closed) within [`POLL_MS`].
#[cfg(unix)]
fn poll(pipe: &impl std::os::fd::AsRawFd, events: i16) -> io::Result<bool> {
    let mut fd = libc::pollfd {
        fd: pipe.as_raw_fd(),
        events,
        revents: 0,
    };
    // SAFETY: one valid pollfd, for the duration of the call.
    match unsafe { libc::poll(&mut fd, 1, POLL_MS) } {
        -1 if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted => Ok(false),
        -1 => Err(io::Error::last_os_error()),
        0 => Ok(false),
        _ => Ok(true),
    }
}

/// Without `poll`, reads and writes block: only the budget's checks between them apply.
#[cfg(not(unix))]
fn poll<T>(_pipe: &T, _events: i16) -> io::Result<bool> {
    Ok(true)
}

#[cfg(unix)]
fn set_nonblocking(pipe: &ChildStdin) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let fd = pipe.as_raw_fd();
    // SAFETY: fcntl on a descriptor this process owns.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    // SAFETY: as above.
    if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(not(unix))]
fn set_nonblocking(_pipe: &ChildStdin) -> io::Result<()> {
    Ok(())
}
