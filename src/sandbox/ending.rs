//! How a run ends before its guest returns: the errors that unwind the guest, which
//! `report.rs` turns into outcomes. A leaf: both ABIs, the limits, the clock and the report
//! use these, and it uses nothing of theirs.

/// The guest called `wasi:cli/exit` (or preview1 `proc_exit`): unwinds the guest and carries
/// its exit code. preview1 exit codes are 32-bit, so the code is too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuestExit(pub u32);

impl std::fmt::Display for GuestExit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "guest exited with code {}", self.0)
    }
}

impl std::error::Error for GuestExit {}

/// Which bound a run hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitExceeded {
    /// The wall-clock budget ([`Limits::timeout_ms`](super::Limits::timeout_ms)) ran out.
    Timeout,
    /// A memory or table growth would exceed [`Limits::memory_bytes`](super::Limits::memory_bytes).
    Memory,
    /// stdout plus stderr reached [`Limits::output_bytes`](super::Limits::output_bytes).
    Output,
    /// The virtual clock would pass [`Limits::virtual_time_ns`](super::Limits::virtual_time_ns).
    VirtualTime,
    /// The run was cancelled by its caller.
    Cancelled,
}

impl std::fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Timeout => "the run exceeded its wall-clock budget",
            Self::Memory => "the run exceeded its memory limit",
            Self::Output => "the run exceeded its output limit",
            Self::VirtualTime => "the run exceeded its virtual time limit",
            Self::Cancelled => "the run was cancelled",
        })
    }
}

impl std::error::Error for LimitExceeded {}

/// The host could not provide memory the run was entitled to: a growth within every limit
/// that the operating system refused, or a memory it could not map. Not the guest's doing, so
/// the run ends rather than handing the guest a failure that depends on the host's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostOutOfMemory;

impl std::fmt::Display for HostOutOfMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the host could not allocate memory the run was entitled to")
    }
}

impl std::error::Error for HostOutOfMemory {}
