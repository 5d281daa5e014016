//! The run's two clocks, both views of the one [`VirtualClock`]: monotonic time starts at 0
//! when the run starts, wall time at the run's start time. Every read of either one ticks the
//! virtual clock (see `clock.rs`); both ABIs and the filesystem's timestamps read them here.

use crate::sandbox::clock::{Deadline, VirtualClock};
use crate::sandbox::ending::LimitExceeded;

/// The monotonic and wall clocks of one run.
#[derive(Clone)]
pub struct Clocks {
    clock: VirtualClock,
    wall_start_ns: u128,
}

impl Clocks {
    /// Clocks on `clock`, the wall clock starting at `wall_start_ns` since the Unix epoch.
    pub fn new(clock: VirtualClock, wall_start_ns: u128) -> Self {
        Self {
            clock,
            wall_start_ns,
        }
    }

    /// A guest's read of the monotonic clock, in ns since the start of the run.
    pub fn monotonic_now(&self) -> Result<u64, LimitExceeded> {
        self.clock.read()
    }

    /// A guest's read of the wall clock, in ns since the Unix epoch.
    pub fn wall_now(&self) -> Result<u128, LimitExceeded> {
        Ok(self.wall_start_ns + u128::from(self.clock.read()?))
    }

    /// The monotonic time a wall-clock time `wall_ns` will be, in ns since the start of the run
    /// (0 for a time before the start).
    pub fn monotonic_at(&self, wall_ns: u64) -> u64 {
        let since_start = u128::from(wall_ns).saturating_sub(self.wall_start_ns);
        u64::try_from(since_start).unwrap_or(u64::MAX)
    }

    /// The monotonic time now, without a guest-visible read (no tick): for deadlines.
    pub fn elapsed(&self) -> u64 {
        self.clock.elapsed()
    }

    /// A timer due at monotonic time `deadline`.
    pub fn until(&self, deadline: u64) -> Deadline {
        self.clock.until(deadline)
    }

    /// The virtual clock itself, for waiting on several timers at once.
    pub fn clock(&self) -> &VirtualClock {
        &self.clock
    }
}
