//! The standard streams of a run: stdin is a fixed byte string, output is captured in memory.
//!
//! Output is capped: stdout and stderr together may hold `Limits::output_bytes`; a write that
//! goes past the cap keeps what fits and ends the run with [`LimitExceeded::Output`]. Both ABIs
//! read and write through these, so the capture is written once.

use std::sync::{Arc, Mutex};

use wasmtime_wasi_io::bytes::Bytes;

use crate::sandbox::ending::{HostOutOfMemory, LimitExceeded};
use crate::sandbox::sync::lock;

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

/// Which captured stream a write goes to.
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
