//! `wasi:cli/stdin`, `stdout`, `stderr`: stdin is a fixed byte string, output is captured in memory.
//!
//! Output is capped: stdout and stderr together may hold `outputBytes`; a write that goes past
//! the cap keeps what fits and ends the run with [`LimitExceeded::Output`].
//!
//! Every `get-stdin` hands out a new resource over the same shared reader, as the interface
//! requires; likewise for the output streams. Nothing here is ever "not ready": stdin has its
//! bytes and then end-of-stream, and output is accepted at once.

use std::sync::{Arc, Mutex};

use wasmtime::component::Resource;
use wasmtime_wasi_io::bytes::Bytes;
use wasmtime_wasi_io::poll::Pollable;
use wasmtime_wasi_io::streams::{
    DynInputStream, DynOutputStream, InputStream, OutputStream, StreamError, StreamResult,
};

use crate::sandbox::bindings::wasi::cli::{stderr, stdin, stdout};
use crate::sandbox::ending::{HostOutOfMemory, LimitExceeded};
use crate::sandbox::store::StoreData;
use crate::sandbox::sync::lock;

/// The most bytes one `write` may carry, as reported by `check-write`.
const WRITE_BUDGET: usize = 1 << 20;

/// The guest's standard input: the given bytes, then end-of-stream.
#[derive(Clone, Default)]
pub struct Stdin {
    remaining: Arc<Mutex<Bytes>>,
}

impl Stdin {
    /// Standard input that yields `bytes` and then ends.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self {
            remaining: Arc::new(Mutex::new(Bytes::from(bytes))),
        }
    }
}

#[wasmtime_wasi_io::async_trait]
impl Pollable for Stdin {
    async fn ready(&mut self) {}
}

impl Stdin {
    /// Takes up to `size` bytes off the front; empty once the input is used up.
    pub fn take(&self, size: usize) -> Bytes {
        let mut remaining = lock(&self.remaining);
        let n = size.min(remaining.len());
        remaining.split_to(n)
    }

    /// How many bytes are left before end-of-stream.
    pub fn remaining(&self) -> usize {
        lock(&self.remaining).len()
    }
}

impl InputStream for Stdin {
    fn read(&mut self, size: usize) -> StreamResult<Bytes> {
        if self.remaining() == 0 {
            return Err(StreamError::Closed);
        }
        Ok(self.take(size))
    }
}

/// Which captured stream an [`Output`] writes to.
#[derive(Clone, Copy)]
pub enum Channel {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// Everything the guest wrote, per channel.
#[derive(Default)]
pub struct Captured {
    /// The bytes written to stdout.
    pub stdout: Vec<u8>,
    /// The bytes written to stderr.
    pub stderr: Vec<u8>,
}

/// One run's output capture, shared by every stdout and stderr resource the guest opens.
#[derive(Clone)]
pub struct OutputSink {
    captured: Arc<Mutex<Captured>>,
    limit: u64,
}

impl OutputSink {
    /// A sink holding at most `limit` bytes of stdout and stderr together.
    pub fn new(limit: Option<u64>) -> Self {
        Self {
            captured: Arc::default(),
            limit: limit.unwrap_or(u64::MAX),
        }
    }

    /// A stream resource that appends to `channel`.
    pub fn stream(&self, channel: Channel) -> Output {
        Output {
            sink: self.clone(),
            channel,
        }
    }

    /// Appends `bytes` to `channel`, keeping what fits under the limit; a write that does not fit
    /// entirely is [`LimitExceeded::Output`], which ends the run, and one the host cannot
    /// allocate room for is [`HostOutOfMemory`] (not an abort of the process).
    pub fn write(&self, channel: Channel, bytes: &[u8]) -> wasmtime::Result<()> {
        let mut captured = lock(&self.captured);
        let used = (captured.stdout.len() + captured.stderr.len()) as u64;
        let room = self.limit.saturating_sub(used);
        let fits = bytes.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let buffer = match channel {
            Channel::Stdout => &mut captured.stdout,
            Channel::Stderr => &mut captured.stderr,
        };
        buffer.try_reserve(fits).map_err(|_| HostOutOfMemory)?;
        buffer.extend_from_slice(&bytes[..fits]);
        if fits < bytes.len() {
            return Err(LimitExceeded::Output.into());
        }
        Ok(())
    }

    /// Takes the captured bytes out of the sink, leaving it empty.
    pub fn take(&self) -> Captured {
        std::mem::take(&mut lock(&self.captured))
    }
}

/// An output stream writing to one channel of an [`OutputSink`].
pub struct Output {
    sink: OutputSink,
    channel: Channel,
}

#[wasmtime_wasi_io::async_trait]
impl Pollable for Output {
    async fn ready(&mut self) {}
}

impl OutputStream for Output {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.sink
            .write(self.channel, &bytes)
            .map_err(StreamError::Trap)
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(WRITE_BUDGET)
    }
}

impl stdin::Host for StoreData {
    fn get_stdin(&mut self) -> wasmtime::Result<Resource<DynInputStream>> {
        let stream: DynInputStream = Box::new(self.cli.stdin.clone());
        Ok(self.table.push(stream)?)
    }
}

impl stdout::Host for StoreData {
    fn get_stdout(&mut self) -> wasmtime::Result<Resource<DynOutputStream>> {
        let stream: DynOutputStream = Box::new(self.cli.output.stream(Channel::Stdout));
        Ok(self.table.push(stream)?)
    }
}

impl stderr::Host for StoreData {
    fn get_stderr(&mut self) -> wasmtime::Result<Resource<DynOutputStream>> {
        let stream: DynOutputStream = Box::new(self.cli.output.stream(Channel::Stderr));
        Ok(self.table.push(stream)?)
    }
}
