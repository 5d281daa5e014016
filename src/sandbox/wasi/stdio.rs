//! The guest's output: stdout and stderr, captured in memory (stdin is in `stdin.rs`).
//!
//! Output is capped: stdout and stderr together may hold `Limits::output_bytes`; a write that
//! goes past the cap keeps what fits and ends the run with [`LimitExceeded::Output`]. Both ABIs
//! read and write through these, so the capture is written once.
//!
//! A run can also keep each write's place and virtual time ([`OutputEvent`]), and hand each
//! write to a listener as it happens ([`OutputListener`]). Both read the clock without ticking
//! it, so watching the output never changes it; when neither is asked for, a write does not
//! read the clock at all.

use std::sync::{Arc, Mutex};

use crate::sandbox::clock::VirtualClock;
use crate::sandbox::ending::{HostOutOfMemory, LimitExceeded};
use crate::sandbox::sync::lock;

/// Which captured stream a write goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// One write of the guest (or several at the same virtual time, to the same channel, one after
/// the other): its bytes are `len` bytes of its channel's capture, right after those of the
/// channel's previous events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputEvent {
    /// Where the bytes went.
    pub channel: Channel,
    /// How many bytes (only those kept under the output limit).
    pub len: usize,
    /// The run's virtual monotonic time at the write, in nanoseconds since its start.
    pub time_ns: u64,
}

/// The most events a run keeps (after merging): past it, a run that keeps events ends as if
/// its output were over the limit. Each becomes a JS object and a Buffer view, about 150 bytes
/// of the caller's heap, where the bytes themselves may be one.
pub const MAX_OUTPUT_EVENTS: usize = 100_000;

/// Called with every write as it happens (on the thread running the guest): the channel, the
/// bytes kept, and the virtual time. It must not block for long: the guest waits for it.
pub type OutputListener = Arc<dyn Fn(Channel, &[u8], u64) + Send + Sync>;

/// Everything the guest wrote, per channel.
#[derive(Default)]
pub struct Captured {
    /// The bytes written to stdout.
    pub stdout: Vec<u8>,
    /// The bytes written to stderr.
    pub stderr: Vec<u8>,
    /// Every write in order, when the run keeps them.
    pub events: Option<Vec<OutputEvent>>,
}

/// Who watches a run's writes, if anyone.
pub struct Watchers {
    /// The run's clock, which times each write.
    pub clock: VirtualClock,
    /// Whether to keep every write as an [`OutputEvent`].
    pub keep_events: bool,
    /// Called with each write as it happens.
    pub listener: Option<OutputListener>,
}

/// One run's output capture, shared by every stdout and stderr resource the guest opens.
#[derive(Clone)]
pub struct OutputSink {
    captured: Arc<Mutex<Captured>>,
    limit: u64,
    watchers: Option<Arc<Watchers>>,
}

impl OutputSink {
    /// A sink holding at most `limit` bytes of stdout and stderr together, whose writes are
    /// timed and reported to `watchers` if any.
    pub fn new(limit: Option<u64>, watchers: Option<Watchers>) -> Self {
        let events = watchers
            .as_ref()
            .filter(|w| w.keep_events)
            .map(|_| Vec::new());
        Self {
            captured: Arc::new(Mutex::new(Captured {
                events,
                ..Captured::default()
            })),
            limit: limit.unwrap_or(u64::MAX),
            watchers: watchers.map(Arc::new),
        }
    }

    /// Appends `bytes` to `channel`, keeping what fits under the limit; a write that does not fit
    /// entirely is [`LimitExceeded::Output`], which ends the run, and one the host cannot
    /// allocate room for is [`HostOutOfMemory`] (not an abort of the process). So is a write
    /// that would be the event past [`MAX_OUTPUT_EVENTS`], which keeps nothing.
    pub fn write(&self, channel: Channel, bytes: &[u8]) -> wasmtime::Result<()> {
        let mut captured = lock(&self.captured);
        let Captured {
            stdout,
            stderr,
            events,
        } = &mut *captured;
        let used = (stdout.len() + stderr.len()) as u64;
        let room = self.limit.saturating_sub(used);
        let mut fits = bytes.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let time_ns = self.watchers.as_ref().map(|w| w.clock.elapsed());
        if fits > 0
            && let (Some(events), Some(time_ns)) = (events, time_ns)
            && !record(events, channel, fits, time_ns)?
        {
            fits = 0;
        }
        let buffer = match channel {
            Channel::Stdout => stdout,
            Channel::Stderr => stderr,
        };
        buffer.try_reserve(fits).map_err(|_| HostOutOfMemory)?;
        buffer.extend_from_slice(&bytes[..fits]);
        // Told after the lock is released, so that a listener may take its time.
        drop(captured);
        if fits > 0
            && let (Some(watchers), Some(time_ns)) = (&self.watchers, time_ns)
            && let Some(listener) = &watchers.listener
        {
            listener(channel, &bytes[..fits], time_ns);
        }
        if fits < bytes.len() {
            return Err(LimitExceeded::Output.into());
        }
        Ok(())
    }

    /// Takes the captured bytes (and events) out of the sink, leaving it empty.
    pub fn take(&self) -> Captured {
        std::mem::take(&mut lock(&self.captured))
    }
}

/// Adds a write of `len` bytes to `events`, merged into the last event when that one is of the
/// same channel at the same time; `false` if it would be the event past [`MAX_OUTPUT_EVENTS`].
fn record(
    events: &mut Vec<OutputEvent>,
    channel: Channel,
    len: usize,
    time_ns: u64,
) -> Result<bool, HostOutOfMemory> {
    if let Some(last) = events.last_mut()
        && last.channel == channel
        && last.time_ns == time_ns
    {
        last.len += len;
        return Ok(true);
    }
    if events.len() >= MAX_OUTPUT_EVENTS {
        return Ok(false);
    }
    events.try_reserve(1).map_err(|_| HostOutOfMemory)?;
    events.push(OutputEvent {
        channel,
        len,
        time_ns,
    });
    Ok(true)
}
