//! The guest's standard input: bytes given up front, or chunks that arrive while the run goes on
//! (interactive input), then end-of-stream. Both ABIs read through it.
//!
//! Interactive input is pulled: when the guest wants to read and nothing is buffered, the
//! stream asks its [`InputSource`] for the next chunk, once, and the host answers through the
//! [`Feed`] with bytes or the end. Until then the guest's read is not ready, and when nothing else
//! can move (no timer is pending), the executor blocks the run's thread in [`Stdin::wait`]. The
//! virtual clock does not move while the guest waits for input.

use std::future::Future;
use std::sync::{Arc, Condvar, Mutex};
use std::task::Poll;
use std::time::Duration;

use wasmtime_wasi_io::bytes::Bytes;

use crate::sandbox::ending::LimitExceeded;
use crate::sandbox::limits::Budget;
use crate::sandbox::sync::lock;

/// How often a run waiting for input looks at its budget (timeout and cancellation).
const WAIT_STEP: Duration = Duration::from_millis(5);

/// Asks the host for stdin's next chunk (on the thread running the guest); the host answers
/// later, from any thread, through the [`Feed`]. It must not block.
pub type InputSource = Arc<dyn Fn() + Send + Sync>;

struct State {
    buffered: Bytes,
    ended: bool,
    source: Option<InputSource>,
    /// Whether the source was asked for a chunk that has not arrived yet.
    asked: bool,
    /// Whether the source answered since the executor last waited (an empty chunk included).
    answered: bool,
}

struct Shared {
    state: Mutex<State>,
    arrived: Condvar,
}

/// The guest's standard input, shared by every stdin resource and descriptor of a run.
#[derive(Clone)]
pub struct Stdin {
    shared: Arc<Shared>,
}

/// The host's end of an interactive stdin.
#[derive(Clone)]
pub struct Feed {
    shared: Arc<Shared>,
}

/// What waiting for input came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Waited {
    /// Bytes or the end arrived: the guest can go on.
    Arrived,
    /// The guest is not waiting for input: nothing can arrive for it.
    NotWaiting,
    /// The run's budget was spent while it waited.
    Spent(LimitExceeded),
}

impl Stdin {
    fn with(state: State) -> Self {
        Self {
            shared: Arc::new(Shared {
                state: Mutex::new(state),
                arrived: Condvar::new(),
            }),
        }
    }

    /// Standard input that yields `bytes` and then ends.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self::with(State {
            buffered: Bytes::from(bytes),
            ended: true,
            source: None,
            asked: false,
            answered: false,
        })
    }

    /// Interactive standard input, pulled from `source` one chunk at a time, and the feed that
    /// answers it.
    pub fn interactive(source: InputSource) -> (Self, Feed) {
        let stdin = Self::with(State {
            buffered: Bytes::new(),
            ended: false,
            source: Some(source),
            asked: false,
            answered: false,
        });
        let feed = Feed {
            shared: Arc::clone(&stdin.shared),
        };
        (stdin, feed)
    }

    /// Whether `self` and `other` are the same input.
    pub fn same(&self, other: &Stdin) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// Takes up to `size` buffered bytes off the front: empty at the end, and also while an
    /// interactive input waits for its next chunk (see [`Stdin::poll_readable`]).
    pub fn take(&self, size: usize) -> Bytes {
        let mut state = lock(&self.shared.state);
        let n = size.min(state.buffered.len());
        state.buffered.split_to(n)
    }

    /// How many bytes are buffered.
    pub fn remaining(&self) -> usize {
        lock(&self.shared.state).buffered.len()
    }

    /// Whether the input is over: nothing buffered, and nothing more will come.
    pub fn at_end(&self) -> bool {
        let state = lock(&self.shared.state);
        state.ended && state.buffered.is_empty()
    }

    /// Whether a read would return at once (bytes, or the end). If not, the source is asked for
    /// the next chunk, once.
    pub fn poll_readable(&self) -> bool {
        let source = {
            let mut state = lock(&self.shared.state);
            if state.ended || !state.buffered.is_empty() {
                return true;
            }
            if state.asked {
                return false;
            }
            state.asked = true;
            state.source.clone()
        };
        // Asked outside the lock: the host may answer at once, from this thread.
        if let Some(source) = source {
            source();
        }
        false
    }

    /// Completes once a read would return at once (see [`Stdin::poll_readable`]).
    pub fn readable(&self) -> impl Future<Output = ()> + Send + use<> {
        let stdin = self.clone();
        std::future::poll_fn(move |_| match stdin.poll_readable() {
            true => Poll::Ready(()),
            false => Poll::Pending,
        })
    }

    /// Blocks the run's thread until the chunk the guest waits for arrives, or `budget` is
    /// spent. The executor calls it when the guest is blocked and no timer is pending.
    pub fn wait(&self, budget: &Budget) -> Waited {
        let mut state = lock(&self.shared.state);
        loop {
            // Only an answer counts: input that was there before is not news.
            if std::mem::take(&mut state.answered) {
                return Waited::Arrived;
            }
            if !state.asked {
                return Waited::NotWaiting;
            }
            if let Some(spent) = budget.spent() {
                return Waited::Spent(spent);
            }
            state = match self.shared.arrived.wait_timeout(state, WAIT_STEP) {
                Ok((state, _)) => state,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }
}

impl Feed {
    /// Adds `bytes` after what is buffered (the answer to an ask, or more). An empty chunk
    /// answers the ask too: the guest, still without bytes, asks again.
    pub fn supply(&self, bytes: Vec<u8>) {
        let mut state = lock(&self.shared.state);
        if state.ended {
            return;
        }
        let mut buffered = std::mem::take(&mut state.buffered).to_vec();
        buffered.extend_from_slice(&bytes);
        state.buffered = Bytes::from(buffered);
        state.asked = false;
        state.answered = true;
        self.shared.arrived.notify_all();
    }

    /// Ends the input: what is buffered is still read, then end-of-stream.
    pub fn end(&self) {
        let mut state = lock(&self.shared.state);
        state.ended = true;
        state.asked = false;
        state.answered = true;
        state.source = None;
        self.shared.arrived.notify_all();
    }
}
