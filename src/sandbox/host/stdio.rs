//! `wasi:cli/stdin`, `stdout`, `stderr`: streams over the run's standard streams
//! (`wasi/stdio.rs`).
//!
//! Every `get-stdin` hands out a new resource over the same shared reader, as the interface
//! requires; likewise for the output streams. Output is accepted at once; stdin is ready at once
//! when it was given up front, and an interactive one when its next chunk has arrived.

use wasmtime::component::Resource;
use wasmtime_wasi_io::bytes::Bytes;
use wasmtime_wasi_io::poll::Pollable;
use wasmtime_wasi_io::streams::{
    DynInputStream, DynOutputStream, InputStream, OutputStream, StreamError, StreamResult,
};

use crate::sandbox::bindings::wasi::cli::{stderr, stdin, stdout};
use crate::sandbox::store::StoreData;
use crate::sandbox::wasi::stdin::Stdin;
use crate::sandbox::wasi::stdio::{Channel, OutputSink};

/// The most bytes one `write` may carry, as reported by `check-write`.
const WRITE_BUDGET: usize = 1 << 20;

#[wasmtime_wasi_io::async_trait]
impl Pollable for Stdin {
    async fn ready(&mut self) {
        self.readable().await
    }
}

impl InputStream for Stdin {
    /// What is buffered, up to `size`; empty while an interactive stdin waits for its next
    /// chunk (the guest then waits on `subscribe`, whose `ready` asks for it).
    fn read(&mut self, size: usize) -> StreamResult<Bytes> {
        if self.at_end() {
            return Err(StreamError::Closed);
        }
        Ok(self.take(size))
    }
}

/// An output stream writing to one channel of an [`OutputSink`].
pub struct Output {
    sink: OutputSink,
    channel: Channel,
}

impl Output {
    /// A stream resource that appends to `channel` of `sink`.
    fn new(sink: &OutputSink, channel: Channel) -> Self {
        Self {
            sink: sink.clone(),
            channel,
        }
    }
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
        let stream: DynOutputStream = Box::new(Output::new(&self.cli.output, Channel::Stdout));
        Ok(self.table.push(stream)?)
    }
}

impl stderr::Host for StoreData {
    fn get_stderr(&mut self) -> wasmtime::Result<Resource<DynOutputStream>> {
        let stream: DynOutputStream = Box::new(Output::new(&self.cli.output, Channel::Stderr));
        Ok(self.table.push(stream)?)
    }
}
