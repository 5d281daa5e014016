//! `poll_oneoff` on the virtual clock.
//!
//! Descriptor subscriptions are ready at once (output is accepted at once, files are in memory,
//! stdin given up front holds all its bytes), but for an interactive stdin waiting for its next
//! chunk. If any subscription is ready (a descriptor, or a timer already due), the call returns
//! at once with every ready one. Otherwise it waits for the earliest timer: the executor jumps
//! the virtual clock there (see `executor.rs`), so a sleep costs no wall time, and a deadline
//! past the virtual-time limit ends the run. Only when no timer is subscribed does it wait for
//! the input. Reading the subscriptions does not tick the clock, as
//! `subscribe-duration` does not in `host/clocks.rs`.
//!
//! As wasmtime: no subscriptions is `EINVAL`, and so is a CPU-time clock; a descriptor that is
//! not open, or cannot be polled in that direction, fails the whole call with `EBADF`. More
//! than [`MAX_SUBSCRIPTIONS`] is `EINVAL` too (as Linux `poll` past its descriptor limit), which
//! bounds what one call makes the host hold.
//! `nbytes` of a read event is what is left to read (with `HANGUP` at the end); of a write
//! event it is 1, as wasmtime (nothing limits a write but the output cap).

use wiggle::{GuestMemory, GuestPtr};

use super::bindings::types::{
    Clockid, Errno, Error, Event, EventFdReadwrite, Eventrwflags, Eventtype, Fd, Size,
    Subclockflags, Subscription, SubscriptionClock, SubscriptionU, Userdata,
};
use super::fds::Desc;
use crate::sandbox::store::StoreData;

/// Most subscriptions one call takes.
pub const MAX_SUBSCRIPTIONS: Size = 4096;

/// What one subscription waits for.
enum Wait {
    /// Ready now, with this event.
    Ready(Event),
    /// A timer due at this virtual time (ns since the start of the run).
    Timer(u64),
    /// An interactive stdin's next chunk.
    Input(Fd),
}

/// `poll_oneoff`: writes the events of the ready subscriptions, in subscription order, and
/// returns their count.
pub async fn poll_oneoff(
    data: &mut StoreData,
    memory: &mut GuestMemory<'_>,
    subs: GuestPtr<Subscription>,
    events: GuestPtr<Event>,
    n: Size,
) -> Result<Size, Error> {
    if n == 0 || n > MAX_SUBSCRIPTIONS {
        return Err(Errno::Inval.into());
    }
    let mut waits = Vec::new();
    for sub in subs.as_array(n).iter() {
        let sub = memory.read(sub?)?;
        let wait = match sub.u {
            SubscriptionU::Clock(clock) => Wait::Timer(deadline(data, &clock)?),
            SubscriptionU::FdRead(r) => read_wait(data, r.file_descriptor)?,
            SubscriptionU::FdWrite(w) => Wait::Ready(write_event(data, w.file_descriptor)?),
        };
        waits.push((sub.userdata, wait));
    }
    let clock = data.clocks.clock().clone();
    let due = |wait: &Wait, now: u64| match wait {
        Wait::Ready(_) => true,
        Wait::Timer(deadline) => *deadline <= now,
        Wait::Input(_) => false,
    };
    if !waits.iter().any(|(_, w)| due(w, clock.elapsed())) {
        let earliest = waits.iter().filter_map(|(_, w)| match w {
            Wait::Timer(deadline) => Some(*deadline),
            Wait::Ready(_) | Wait::Input(_) => None,
        });
        // Timers come first: the virtual clock never waits for input.
        match earliest.min() {
            Some(earliest) => clock.until(earliest).await,
            // Only input is waited for.
            None => data.cli.stdin.readable().await,
        }
        clock.forget_waits();
    }
    let now = clock.elapsed();
    let mut count = 0;
    for (userdata, wait) in waits.into_iter() {
        let event = match wait {
            Wait::Ready(event) => Event { userdata, ..event },
            Wait::Timer(deadline) if deadline <= now => {
                event(userdata, Eventtype::Clock, 0, Eventrwflags::empty())
            }
            Wait::Input(fd) if data.cli.stdin.poll_readable() => Event {
                userdata,
                ..read_event(data, fd)?
            },
            Wait::Timer(_) | Wait::Input(_) => continue,
        };
        memory.write(events.add(count)?, event)?;
        count += 1;
    }
    Ok(count)
}

/// An event without its `userdata` filled in yet.
fn event(userdata: Userdata, type_: Eventtype, nbytes: u64, flags: Eventrwflags) -> Event {
    Event {
        userdata,
        error: Errno::Success,
        type_,
        fd_readwrite: EventFdReadwrite { nbytes, flags },
    }
}

/// When a clock subscription is due, in virtual ns since the start of the run. Relative
/// timeouts count from now; an absolute wall-clock time is converted with the run's start
/// time (a time before the start is due at once).
fn deadline(data: &StoreData, clock: &SubscriptionClock) -> Result<u64, Error> {
    let now = data.clocks.elapsed();
    let absolute = clock
        .flags
        .contains(Subclockflags::SUBSCRIPTION_CLOCK_ABSTIME);
    match (clock.id, absolute) {
        (Clockid::Monotonic | Clockid::Realtime, false) => Ok(now.saturating_add(clock.timeout)),
        (Clockid::Monotonic, true) => Ok(clock.timeout),
        (Clockid::Realtime, true) => Ok(data.clocks.monotonic_at(clock.timeout)),
        (Clockid::ProcessCputimeId | Clockid::ThreadCputimeId, _) => Err(Errno::Inval.into()),
    }
}

/// What a read subscription waits for: nothing, but an interactive stdin without bytes yet.
fn read_wait(data: &StoreData, fd: Fd) -> Result<Wait, Error> {
    if matches!(data.p1.get(fd)?, Desc::Stdin) && !data.cli.stdin.poll_readable() {
        return Ok(Wait::Input(fd));
    }
    read_event(data, fd).map(Wait::Ready)
}

/// Readiness to read: stdin and files, with what is left to read (`HANGUP` at the end).
fn read_event(data: &StoreData, fd: Fd) -> Result<Event, Error> {
    let left = match data.p1.get(fd)? {
        Desc::Stdin => data.cli.stdin.remaining() as u64,
        Desc::File(file) => data.fs.vfs().size(file.ino())?.saturating_sub(file.pos),
        _ => return Err(Errno::Badf.into()),
    };
    let flags = if left == 0 {
        Eventrwflags::FD_READWRITE_HANGUP
    } else {
        Eventrwflags::empty()
    };
    Ok(event(0, Eventtype::FdRead, left, flags))
}

/// Readiness to write: stdout, stderr and files.
fn write_event(data: &StoreData, fd: Fd) -> Result<Event, Error> {
    match data.p1.get(fd)? {
        Desc::Stdout | Desc::Stderr | Desc::File(_) => {
            Ok(event(0, Eventtype::FdWrite, 1, Eventrwflags::empty()))
        }
        _ => Err(Errno::Badf.into()),
    }
}
