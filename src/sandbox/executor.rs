//! The per-run executor: drives one guest call to completion on the virtual clock.
//!
//! A guest future that returns `Pending` is waiting for virtual time (a timer registered a
//! deadline with the clock), for interactive input (stdin asked its source for a chunk), or for
//! something that can never happen. In the first case the executor jumps the clock to the
//! earliest deadline and polls again: timers come first, so the clock never waits for input. In
//! the second it blocks the thread until the input arrives (the clock does not move meanwhile)
//! or the budget is spent; in the third the run is deadlocked and ends.
//!
//! Deliberately not here: wakers, task queues, threads. There is exactly one future per run and it
//! is polled again after every clock jump and every arrival of input, so a no-op waker suffices.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use super::clock::{Advance, VirtualClock};
use super::ending::LimitExceeded;
use super::limits::Budget;
use super::wasi::stdin::{Stdin, Waited};

/// Why the executor gave up on a blocked guest.
#[derive(Debug, PartialEq, Eq)]
pub enum Stall {
    /// The guest waited for something that can never happen: no timer was pending.
    Deadlock,
    /// The guest waited for a timer past the virtual-time limit.
    VirtualTimeExceeded,
    /// The budget (timeout or cancellation) was spent while the guest waited for input.
    Spent(LimitExceeded),
}

/// Polls `future` to completion, advancing `clock` whenever it is blocked on timers, and
/// waiting for `stdin` within `budget` when it is blocked on input.
pub fn block_on<F: Future>(
    clock: &VirtualClock,
    stdin: &Stdin,
    budget: &Budget,
    future: F,
) -> Result<F::Output, Stall> {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return Ok(output);
        }
        match clock.advance_to_next_deadline() {
            Advance::Moved => {}
            Advance::NoTimer => match stdin.wait(budget) {
                Waited::Arrived => {}
                Waited::NotWaiting => return Err(Stall::Deadlock),
                Waited::Spent(spent) => return Err(Stall::Spent(spent)),
            },
            Advance::PastLimit => return Err(Stall::VirtualTimeExceeded),
        }
    }
}
