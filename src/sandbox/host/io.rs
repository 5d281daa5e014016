//! `wasi:io`: streams and errors come from `wasmtime-wasi-io` unchanged; `poll` is wrapped.
//!
//! Two changes to `wasmtime-wasi-io`'s `poll` make it fit the virtual clock:
//! - `poll([])` waits on nothing, forever. wasmtime traps; here the guest is blocked with nothing
//!   that could ever wake it, which the executor reports as the `deadlock` outcome.
//! - When a wait ends (`poll` or `block` returns, `ready` answers), the deadlines of the timers
//!   it polled on the way are dropped: they are no longer waited for, and must not make the
//!   executor jump to them later.

use wasmtime::Result;
use wasmtime::component::{HasData, Resource, ResourceTable};
use wasmtime_wasi_io::bindings::wasi::io::poll::{self, HostPollable};
use wasmtime_wasi_io::poll::DynPollable;

use crate::sandbox::clock::VirtualClock;
use crate::sandbox::store::StoreData;

/// `HasData` for the interfaces that need only the resource table (`error`, `streams`).
pub struct TableData;

impl HasData for TableData {
    type Data<'a> = &'a mut ResourceTable;
}

/// `HasData` for `wasi:io/poll`.
pub struct PollData;

impl HasData for PollData {
    type Data<'a> = PollView<'a>;
}

/// What `wasi:io/poll` needs of a run: its resources and its clock.
pub struct PollView<'a> {
    table: &'a mut ResourceTable,
    clock: &'a VirtualClock,
}

impl StoreData {
    /// The `wasi:io/poll` view of this run.
    pub fn poll_view(&mut self) -> PollView<'_> {
        PollView {
            table: &mut self.table,
            clock: self.clocks.clock(),
        }
    }
}

impl poll::Host for PollView<'_> {
    async fn poll(&mut self, pollables: Vec<Resource<DynPollable>>) -> Result<Vec<u32>> {
        if pollables.is_empty() {
            return std::future::pending().await;
        }
        let ready = poll::Host::poll(self.table, pollables).await;
        self.clock.forget_waits();
        ready
    }
}

impl HostPollable for PollView<'_> {
    async fn block(&mut self, pollable: Resource<DynPollable>) -> Result<()> {
        let done = HostPollable::block(self.table, pollable).await;
        self.clock.forget_waits();
        done
    }

    async fn ready(&mut self, pollable: Resource<DynPollable>) -> Result<bool> {
        let ready = HostPollable::ready(self.table, pollable).await;
        self.clock.forget_waits();
        ready
    }

    fn drop(&mut self, pollable: Resource<DynPollable>) -> Result<()> {
        HostPollable::drop(self.table, pollable)
    }
}
