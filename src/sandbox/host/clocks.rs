//! `wasi:clocks/monotonic-clock` and `wall-clock`, both views of the one virtual clock.
//!
//! The monotonic clock starts at 0 when the run starts; the wall clock starts at the caller's start
//! time. Both read the same [`VirtualClock`], so each read of either one ticks both (see
//! `clock.rs` for the rules). Timers are [`Deadline`]s, which the executor fast-forwards to.

use wasmtime::component::Resource;
use wasmtime_wasi_io::poll::{DynPollable, Pollable, subscribe};

use crate::sandbox::bindings::wasi::clocks::{monotonic_clock, wall_clock};
use crate::sandbox::clock::{Deadline, NANOS_PER_SECOND, VirtualClock};
use crate::sandbox::store::StoreData;

/// Per-run state of the `wasi:clocks` family.
pub struct ClockCtx {
    /// The run's virtual clock.
    pub clock: VirtualClock,
    /// The wall-clock time at the start of the run, in nanoseconds since the Unix epoch.
    pub wall_start_ns: u128,
}

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
        let timer = self.table.push(Timer(self.clocks.clock.until(deadline)))?;
        subscribe(&mut self.table, timer)
    }
}

impl monotonic_clock::Host for StoreData {
    fn now(&mut self) -> wasmtime::Result<monotonic_clock::Instant> {
        Ok(self.clocks.clock.read()?)
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
        let deadline = self.clocks.clock.elapsed().saturating_add(duration);
        self.timer(deadline)
    }
}

impl wall_clock::Host for StoreData {
    fn now(&mut self) -> wasmtime::Result<wall_clock::Datetime> {
        let now = self.clocks.wall_start_ns + u128::from(self.clocks.clock.read()?);
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
