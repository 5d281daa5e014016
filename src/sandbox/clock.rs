//! The virtual clock: the only source of time in the engine.
//!
//! Time is a count of nanoseconds since the run started. It moves in exactly two ways:
//! - **Waiting.** When the guest blocks on timers and nothing else can make progress, the
//!   executor jumps the clock to the earliest deadline (see `executor.rs`). Sleeps cost no wall time.
//! - **Reading.** Every read of either clock returns the current time and then advances it by
//!   [`READ_TICK_NS`], so a guest that busy-waits on the clock sees time pass and terminates.
//!
//! Both rules depend only on what the guest does, so the same guest and inputs see the same times
//! on every run. Time never goes backwards. The wall clock is the start time plus elapsed time.
//!
//! The clock never passes the run's virtual-time limit: a read or a jump that would move it past
//! ends the run with [`LimitExceeded::VirtualTime`].
//!
//! The clock is shared (`Arc`) between the store, whose timers register deadlines on it, and the
//! executor that advances it: one per run, never process-global.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use super::ending::LimitExceeded;
use crate::sandbox::sync::lock;

/// How far each read of a clock moves virtual time: one microsecond. A loop waiting for one
/// second of virtual time by reading the clock ends after a million reads.
pub const READ_TICK_NS: u64 = 1_000;

/// Nanoseconds in a second, for the clocks' and timestamps' seconds-and-nanoseconds forms.
pub const NANOS_PER_SECOND: u64 = 1_000_000_000;

/// A virtual clock shared by one run's host state and its executor.
#[derive(Clone)]
pub struct VirtualClock {
    inner: Arc<Mutex<ClockState>>,
}

struct ClockState {
    /// Nanoseconds since the start of the run.
    now: u64,
    /// The furthest the clock may go.
    limit: u64,
    /// Deadlines of the timers that were polled and not yet due since the clock last moved.
    waiting: Vec<u64>,
}

impl VirtualClock {
    /// A clock at time zero with no timers, that may move up to `limit` nanoseconds.
    pub fn new(limit: Option<u64>) -> Self {
        let state = ClockState {
            now: 0,
            limit: limit.unwrap_or(u64::MAX),
            waiting: Vec::new(),
        };
        Self {
            inner: Arc::new(Mutex::new(state)),
        }
    }

    fn state(&self) -> MutexGuard<'_, ClockState> {
        lock(&self.inner)
    }

    /// Nanoseconds elapsed since the start, without the read tick (for the host's own use).
    pub fn elapsed(&self) -> u64 {
        self.state().now
    }

    /// A guest-visible read: the current time, after which the clock ticks by [`READ_TICK_NS`].
    pub fn read(&self) -> Result<u64, LimitExceeded> {
        let mut state = self.state();
        let now = state.now;
        let next = now.saturating_add(READ_TICK_NS);
        if next > state.limit {
            state.now = state.limit;
            return Err(LimitExceeded::VirtualTime);
        }
        state.now = next;
        Ok(now)
    }

    /// Drops every registered deadline. Called when a host wait ends (a `poll` that found a
    /// ready pollable, a readiness check): the timers it polled on the way are no longer waited
    /// for, and must not make the executor jump to their deadlines later. A guest has at most one
    /// wait in progress, so nothing registered before its end is still current.
    pub fn forget_waits(&self) {
        self.state().waiting.clear();
    }

    /// A future that completes once the clock reaches `deadline` (nanoseconds since the start).
    pub fn until(&self, deadline: u64) -> Deadline {
        Deadline {
            clock: self.clone(),
            due: deadline,
        }
    }

    /// Moves the clock to the earliest deadline that a timer is waiting for.
    pub fn advance_to_next_deadline(&self) -> Advance {
        let mut state = self.state();
        let Some(next) = state.waiting.iter().copied().min() else {
            return Advance::NoTimer;
        };
        state.waiting.clear();
        if next > state.limit {
            state.now = state.limit;
            return Advance::PastLimit;
        }
        state.now = state.now.max(next);
        Advance::Moved
    }
}

/// What [`VirtualClock::advance_to_next_deadline`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Advance {
    /// The clock moved to the earliest deadline.
    Moved,
    /// No timer is waiting: nothing but the guest itself could move time forward.
    NoTimer,
    /// The earliest deadline is past the limit; the clock stopped at the limit.
    PastLimit,
}

/// A timer: ready once the virtual clock has reached its deadline.
///
/// While not due, each poll registers the deadline with the clock, which is how the executor
/// learns where to jump next. The executor re-polls everything after every jump, so no waker
/// bookkeeping is needed.
#[derive(Clone)]
pub struct Deadline {
    clock: VirtualClock,
    due: u64,
}

impl Future for Deadline {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.clock.state();
        if state.now >= self.due {
            Poll::Ready(())
        } else {
            state.waiting.push(self.due);
            Poll::Pending
        }
    }
}
