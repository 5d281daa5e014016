//! The per-run executor: drives one guest call to completion on the virtual clock.
//!
//! A guest future that returns `Pending` is waiting for virtual time (a timer registered a
//! deadline with the clock), for interactive input (stdin asked its source for a chunk), or for
//! something that can never happen. In the first case the executor jumps the clock to the
//! earliest deadline and polls again: timers come first, so the clock never waits for input. In
//! the second it blocks the thread until the input arrives (the clock does not move meanwhile)
//! or the budget is spent; in the third the run is deadlocked and ends.
//!
//! A future may also yield and wake itself at once (wasmtime does while it collects the GC heap
//! that holds exception objects): then it is polled again at once, with no clock move.
//!
//! Deliberately not here: task queues, threads. There is exactly one future per run and it is
//! polled again after every clock jump, every arrival of input and every wake-up it gave itself,
//! so the waker is only a flag.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

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
    let woken = Arc::new(Woken::default());
    let waker = Waker::from(Arc::clone(&woken));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return Ok(output);
        }
        if woken.0.swap(false, Ordering::Relaxed) {
            continue;
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

/// Set when the future wakes itself (a yield), so that it is polled again at once.
#[derive(Default)]
struct Woken(AtomicBool);

impl Wake for Woken {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.store(true, Ordering::Relaxed);
    }
}
