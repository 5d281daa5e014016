//! Per-run store data: the resource table, one context per WASI family, the in-memory
//! filesystem and the preview1 descriptor table.

use wasmtime::component::ResourceTable;
use wasmtime_wasi_io::IoView;

use super::clock::VirtualClock;
use super::config::RunOptions;
use super::limits::{MemoryLimiter, Watchdog};
use super::p1::fds::FdTable;
use super::vfs::Vfs;
use super::wasi::cli::Cli;
use super::wasi::clocks::Clocks;
use super::wasi::fs::SharedFs;
use super::wasi::random::Random;
use super::wasi::stdin::Stdin;
use super::wasi::stdio::{OutputSink, Watchers};

/// The most resources (descriptors, streams, pollables...) a guest may hold at once: host
/// memory no limit counts otherwise. Past it, the call that would create one traps.
pub const MAX_RESOURCES: usize = 1 << 16;

/// What a run's `Store` holds. Built fresh for every run from its options; nothing is shared
/// between runs except the clock handle the executor keeps.
pub struct StoreData {
    /// Every resource the guest holds a handle to.
    pub table: ResourceTable,
    /// The invocation and standard streams.
    pub cli: Cli,
    /// The monotonic and wall clocks.
    pub clocks: Clocks,
    /// The seeded random stream.
    pub random: Random,
    /// The run's filesystem (`wasi:filesystem` and preview1 share it).
    pub fs: SharedFs,
    /// The preview1 descriptor table (empty for components).
    pub p1: FdTable,
    /// Caps linear memories and tables.
    pub memory: MemoryLimiter,
    /// Ends the run on timeout or cancellation.
    pub watchdog: Watchdog,
}

impl StoreData {
    /// Fresh state for one run of `options` with the tree `vfs` (built from `options.files`),
    /// on `clock`, watched by `watchdog`; with preview1's descriptors if `preview1`.
    pub fn new(
        options: &RunOptions,
        vfs: Vfs,
        clock: VirtualClock,
        watchdog: Watchdog,
        preview1: bool,
    ) -> Self {
        let watchers = (options.events || options.on_output.is_some()).then(|| Watchers {
            clock: clock.clone(),
            keep_events: options.events,
            listener: options.on_output.as_ref().map(|on| on.0.clone()),
        });
        let clocks = Clocks::new(clock, options.wall_start_ns());
        let fs = SharedFs::new(vfs, options.has_filesystem(), clocks.clone());
        let p1 = match preview1 {
            true => FdTable::new(&fs),
            false => FdTable::unused(),
        };
        let mut table = ResourceTable::new();
        table.set_max_capacity(MAX_RESOURCES);
        Self {
            table,
            cli: Cli {
                args: options.argv(),
                env: options.env.clone(),
                stdin: match &options.interactive_stdin {
                    Some(interactive) => interactive.0.clone(),
                    None => Stdin::new(options.stdin.clone()),
                },
                output: OutputSink::new(options.limits.output_bytes, watchers),
            },
            fs,
            clocks,
            random: Random::new(options.seed),
            p1,
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
