//! `wasi:clocks/monotonic-clock` and `wall-clock`: the run's clocks (`wasi/clocks.rs`), each
//! read of either one ticking both. Timers are [`Deadline`]s, which the executor fast-forwards
//! to.

use wasmtime::component::Resource;
use wasmtime_wasi_io::poll::{DynPollable, Pollable, subscribe};

use crate::sandbox::bindings::wasi::clocks::{monotonic_clock, wall_clock};
use crate::sandbox::clock::{Deadline, NANOS_PER_SECOND};
use crate::sandbox::store::StoreData;

/// A `pollable` for a monotonic-clock deadline.
struct Timer(Deadline);

#[wasmtime_wasi_io::async_trait]
impl Pollable for Timer {
    async fn ready(&mut self) {
        self.0.clone().await
    }
}

impl StoreData {
    fn timer(&mut self, deadline: u64) -> wasmtime::Result<Resource<DynPollable>> {
        let timer = self.table.push(Timer(self.clocks.until(deadline)))?;
        subscribe(&mut self.table, timer)
    }
}

impl monotonic_clock::Host for StoreData {
    fn now(&mut self) -> wasmtime::Result<monotonic_clock::Instant> {
        Ok(self.clocks.monotonic_now()?)
    }

    fn resolution(&mut self) -> wasmtime::Result<monotonic_clock::Duration> {
        Ok(1)
    }

    fn subscribe_instant(
        &mut self,
        when: monotonic_clock::Instant,
    ) -> wasmtime::Result<Resource<DynPollable>> {
        self.timer(when)
    }

    fn subscribe_duration(
        &mut self,
        duration: monotonic_clock::Duration,
    ) -> wasmtime::Result<Resource<DynPollable>> {
        let deadline = self.clocks.elapsed().saturating_add(duration);
        self.timer(deadline)
    }
}

impl wall_clock::Host for StoreData {
    fn now(&mut self) -> wasmtime::Result<wall_clock::Datetime> {
        let now = self.clocks.wall_now()?;
        Ok(wall_clock::Datetime {
            seconds: u64::try_from(now / u128::from(NANOS_PER_SECOND))?,
            nanoseconds: (now % u128::from(NANOS_PER_SECOND)) as u32,
        })
    }

    fn resolution(&mut self) -> wasmtime::Result<wall_clock::Datetime> {
        Ok(wall_clock::Datetime {
            seconds: 0,
            nanoseconds: 1,
        })
    }
}
