//! The per-run executor: drives one guest call to completion on the virtual clock.
//!
//! Nothing in the sandbox waits on the outside world, so a guest future that returns `Pending`
//! is waiting for virtual time (a timer registered a deadline with the clock) or for something
//! that can never happen. In the first case the executor jumps the clock to the earliest
//! deadline and polls again; in the second the run is deadlocked and ends.
//!
//! Deliberately not here: wakers, task queues, threads. There is exactly one future per run and it
//! is polled again after every clock jump, so a no-op waker suffices.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use super::clock::{Advance, VirtualClock};

/// Why the executor gave up on a blocked guest.
#[derive(Debug, PartialEq, Eq)]
pub enum Stall {
    /// The guest waited for something that can never happen: no timer was pending.
    Deadlock,
    /// The guest waited for a timer past the virtual-time limit.
    VirtualTimeExceeded,
}

/// Polls `future` to completion, advancing `clock` whenever it is blocked on timers.
pub fn block_on<F: Future>(clock: &VirtualClock, future: F) -> Result<F::Output, Stall> {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return Ok(output);
        }
        match clock.advance_to_next_deadline() {
            Advance::Moved => {}
            Advance::NoTimer => return Err(Stall::Deadlock),
            Advance::PastLimit => return Err(Stall::VirtualTimeExceeded),
        }
    }
}
