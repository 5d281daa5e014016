//! Per-run store data: the resource table and one context per WASI family.

use wasmtime::component::ResourceTable;
use wasmtime_wasi_io::IoView;

use super::clock::VirtualClock;
use super::config::RunOptions;
use super::host::cli::CliCtx;
use super::host::clocks::ClockCtx;
use super::host::filesystem::SharedFs;
use super::host::random::RandomCtx;
use super::host::stdio::{OutputSink, Stdin};
use super::limits::{MemoryLimiter, Watchdog};
use super::vfs::Vfs;

/// What a run's `Store` holds. Built fresh for every run from its options; nothing is shared
/// between runs except the clock handle the executor keeps.
pub struct StoreData {
    /// Every resource the guest holds a handle to.
    pub table: ResourceTable,
    /// `wasi:cli`.
    pub cli: CliCtx,
    /// `wasi:clocks`.
    pub clocks: ClockCtx,
    /// `wasi:random`.
    pub random: RandomCtx,
    /// `wasi:filesystem`: the run's tree.
    pub fs: SharedFs,
    /// Caps linear memories and tables.
    pub memory: MemoryLimiter,
    /// Ends the run on timeout or cancellation.
    pub watchdog: Watchdog,
}

impl StoreData {
    /// Fresh state for one run of `options` with the tree `vfs` (built from `options.files`),
    /// on `clock`, watched by `watchdog`.
    pub fn new(options: &RunOptions, vfs: Vfs, clock: VirtualClock, watchdog: Watchdog) -> Self {
        let wall_start_ns = u128::from(options.start_time_ms) * 1_000_000;
        Self {
            table: ResourceTable::new(),
            cli: CliCtx {
                args: options.argv(),
                env: options.env.clone(),
                stdin: Stdin::new(options.stdin.clone()),
                output: OutputSink::new(options.limits.output_bytes),
            },
            fs: SharedFs::new(vfs, clock.clone(), wall_start_ns),
            clocks: ClockCtx {
                clock,
                wall_start_ns,
            },
            random: RandomCtx::new(options.seed),
            memory: MemoryLimiter::new(options.limits.memory_bytes),
            watchdog,
        }
    }
}

impl IoView for StoreData {
    fn table(&mut self) -> &mut ResourceTable {
        &mut self.table
    }
}
