//! The shared wasmtime engines and linkers, configured once per process for determinism, and
//! compilation of programs against them.
//!
//! A program is either a `wasi:cli/command` component, linked against the WASI 0.2 host in
//! `host/`, or a core module importing `wasi_snapshot_preview1` and exporting `_start`, linked
//! against the preview1 layer in `p1/`. Each engine has one linker for each. Text that looks like
//! the WebAssembly text format is converted to a binary first.
//!
//! There are three engines, one per [`Flavor`]:
//! - **Pooled**, the fast path: instances, memories, tables and fiber stacks come from
//!   wasmtime's pooling allocator, reserved once per process and reused, with copy-on-write
//!   memory images, so a run maps and unmaps nothing. Its slots are bounded ([`POOL_SLOTS`]
//!   concurrent instances, [`POOL_STACKS`] concurrent runs; at most one memory and one table per
//!   core module).
//! - **OnDemand**, the fallback: the same code generation with memory mapped per run, for a
//!   program the pool's limits do not fit (found at compile time), for runs beyond the pool's
//!   concurrency (found at instantiation, then retried here), and for a process that cannot
//!   reserve the pool's address space.
//! - **Fuel**, which meters instructions (metering slows guests down, so only runs with a fuel
//!   limit pay for it); allocated on demand.
//!
//! All three interrupt guests at epoch ticks, which is how the wall-clock timeout fires inside a
//! loop that never calls the host, and all compute the same results: the flavor only changes
//! where memory comes from.
//!
//! Determinism settings: NaNs are canonicalized, relaxed SIMD is off (see `config`), threads
//! and shared memory are off, code is compiled for one fixed CPU feature set (`cpu.rs`),
//! memories and tables are capped alike on every engine (`limits.rs`), and the wasm stack has a
//! fixed size, so the same program computes the same bits on every machine and every engine.
//! The depth at which the fixed stack overflows depends on compiled frame sizes: the same on
//! every x86-64 CPU from Nehalem on, but fuel metering makes frames larger, so a metered run
//! overflows at a smaller depth than an unmetered one (README, "Determinism settings").
//! Backtrace details (file and line from DWARF) are off so that no environment variable changes
//! trap messages.

use std::num::NonZeroUsize;
use std::sync::OnceLock;

use wasmtime::component::Linker;
use wasmtime::{
    Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig,
    WasmBacktraceDetails,
};

use super::cpu;
use super::error::SandboxError;
use super::host;
use super::limits;
use super::p1;
use super::store::StoreData;

mod load;

pub(crate) use load::invalid;
pub use load::{Code, Failure, Linked, Pre, load};

/// The most wasm stack a guest may use before a stack-overflow trap.
pub const MAX_WASM_STACK: usize = 1 << 20;

/// How many wasm frames a trap's backtrace keeps (the innermost ones).
pub const MAX_BACKTRACE_FRAMES: usize = 20;

/// The native stack of the fiber a guest runs on: the wasm stack plus room for host calls.
const ASYNC_STACK: usize = MAX_WASM_STACK + (1 << 20);

/// How many instances of each kind the pool holds at once: component instances, core instances,
/// memories and tables. Each memory slot reserves 4 GiB of address space and each table slot 80
/// MB (no physical memory until used), so the pool reserves about 4.1 TiB of the 128 TiB
/// available.
pub const POOL_SLOTS: u32 = 1000;

/// How many runs at once get a pooled fiber stack (each run uses one); the runs beyond go to the
/// on-demand engine. Every pooled stack costs guard-page set-up when the pool is created (about
/// 3 ms for 1000 of them), which a fresh process pays before its first run; 64 covers a host's
/// main thread plus a thread pool of 63 (Node's libuv pool at its largest).
pub const POOL_STACKS: u32 = 64;

/// How much of a pooled memory, table and fiber stack stays mapped between runs, reset in place
/// instead of being returned to the kernel and faulted in again by the next run. With Linux's
/// `PAGEMAP_SCAN` (6.7+) only the pages a run touched are reset. A Rust hello world touches
/// about 1.1 MiB of memory.
const POOL_KEEP_MEMORY: usize = 2 << 20;
const POOL_KEEP_TABLE: usize = 64 << 10;
const POOL_KEEP_STACK: usize = 128 << 10;

/// How many unused slots keep their resident pages for the program that last used them; this
/// bounds the memory the pool holds when idle (about 16 x 2 MiB).
const POOL_WARM_SLOTS: u32 = 16;

/// Which engine a program is compiled for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// The pooling allocator: the fast path.
    Pooled,
    /// Memory mapped per run: the fallback.
    OnDemand,
    /// Fuel metering, memory mapped per run.
    Fuel,
}

/// An engine and the linkers holding every WASI import for it.
pub struct Shared {
    /// The engine every program is compiled for.
    pub engine: Engine,
    /// Every import of `wasi:cli/command`, defined once.
    pub linker: Linker<StoreData>,
    /// Every `wasi_snapshot_preview1` function, for core modules.
    pub modules: wasmtime::Linker<StoreData>,
}

fn config(flavor: Flavor) -> Config {
    let mut config = Config::new();
    if flavor == Flavor::Pooled {
        let mut pool = PoolingAllocationConfig::new();
        pool.total_component_instances(POOL_SLOTS)
            .total_core_instances(POOL_SLOTS)
            .total_memories(POOL_SLOTS)
            .total_tables(POOL_SLOTS)
            .total_stacks(POOL_STACKS)
            // Slots as large as a table or memory may ever be (`limits.rs`), so the pool never
            // refuses what the other engines grant.
            .table_elements(limits::MAX_TABLE_ELEMENTS)
            .max_memory_size(limits::MAX_MEMORY_BYTES)
            .linear_memory_keep_resident(POOL_KEEP_MEMORY)
            .table_keep_resident(POOL_KEEP_TABLE)
            .async_stack_keep_resident(POOL_KEEP_STACK)
            .max_unused_warm_slots(POOL_WARM_SLOTS)
            .pagemap_scan(Enabled::Auto);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    }
    cpu::fix_features(&mut config);
    config
        .consume_fuel(flavor == Flavor::Fuel)
        .epoch_interruption(true)
        .cranelift_nan_canonicalization(true)
        // Off: without a hardware FMA (x86-64 before Haswell, and the fixed feature set of
        // `cpu.rs`), wasmtime computes `relaxed_madd` in a library call whose NaNs escape
        // canonicalization (`0xffc00000` for `relaxed_madd(0, inf, 1)`), so its bits would
        // depend on the CPU. Programs using relaxed SIMD are refused as invalid.
        .wasm_relaxed_simd(false)
        .shared_memory(false)
        .wasm_exceptions(true)
        .wasm_gc(false)
        .max_wasm_stack(MAX_WASM_STACK)
        .async_stack_size(ASYNC_STACK)
        .wasm_backtrace_details(WasmBacktraceDetails::Disable)
        .wasm_backtrace_max_frames(NonZeroUsize::new(MAX_BACKTRACE_FRAMES));
    config
}

fn build(flavor: Flavor) -> wasmtime::Result<Shared> {
    let engine = Engine::new(&config(flavor))?;
    let mut linker = Linker::new(&engine);
    host::add_to_linker(&mut linker)?;
    let mut modules = wasmtime::Linker::new(&engine);
    p1::add_to_linker(&mut modules)?;
    Ok(Shared {
        engine,
        linker,
        modules,
    })
}

type Built = Result<Option<Shared>, String>;

fn build_watched(flavor: Flavor) -> Built {
    let shared = match build(flavor) {
        Ok(shared) => shared,
        // A pool that cannot be reserved (e.g. under a tight `ulimit -v`) leaves the on-demand
        // engine to do its work.
        Err(_) if flavor == Flavor::Pooled => return Ok(None),
        Err(e) => return Err(format!("{e:#}")),
    };
    limits::watch_engine(&shared.engine).map_err(|e| format!("cannot start the watchdog: {e}"))?;
    Ok(Some(shared))
}

/// The shared engine and linker of `flavor`, each built on first use (a first run in a fresh
/// process builds only the pooled one); `None` for a pool that could not be reserved.
pub fn shared(flavor: Flavor) -> Result<Option<&'static Shared>, SandboxError> {
    static ENGINES: [OnceLock<Built>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let slot = match flavor {
        Flavor::Pooled => 0,
        Flavor::OnDemand => 1,
        Flavor::Fuel => 2,
    };
    let built = ENGINES[slot].get_or_init(|| build_watched(flavor));
    let shared = built
        .as_ref()
        .map_err(|e| SandboxError::Internal(format!("cannot set up the wasm engine: {e}")))?;
    match (flavor, shared) {
        (Flavor::Pooled, shared) => Ok(shared.as_ref()),
        (_, Some(shared)) => Ok(Some(shared)),
        (_, None) => Err(no_engine()),
    }
}

/// Which code a program is compiled to. The pooled and on-demand engines have the same
/// settings but for where memory comes from, so they share one compatibility hash and the same
/// compiled code (`Plain`), which either loads; the fuel engine's code is metered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codegen {
    /// Code for the pooled and on-demand engines.
    Plain,
    /// Fuel-metered code for the fuel engine.
    Metered,
}

impl Codegen {
    /// Its name in file names (the disk cache's).
    pub fn tag(self) -> &'static str {
        match self {
            Self::Plain => "plain",
            Self::Metered => "metered",
        }
    }
}

impl Flavor {
    /// The code this flavor's engine runs.
    pub fn codegen(self) -> Codegen {
        match self {
            Self::Pooled | Self::OnDemand => Codegen::Plain,
            Self::Fuel => Codegen::Metered,
        }
    }
}

/// An engine that only compiles code of `codegen` (it runs nothing, so it has no allocator,
/// linker or watchdog): the compiler process has only these. Built on first use.
pub fn compiler(codegen: Codegen) -> Result<&'static Engine, SandboxError> {
    static ENGINES: [OnceLock<Result<Engine, String>>; 2] = [OnceLock::new(), OnceLock::new()];
    let (slot, flavor) = match codegen {
        Codegen::Plain => (0, Flavor::OnDemand),
        Codegen::Metered => (1, Flavor::Fuel),
    };
    ENGINES[slot]
        .get_or_init(|| Engine::new(&config(flavor)).map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| SandboxError::Internal(format!("cannot set up the wasm compiler: {e}")))
}

/// An engine that runs code of `codegen`: the pooled one (or the on-demand one without a pool)
/// for plain code, the fuel engine for metered code.
pub fn running(codegen: Codegen) -> Result<&'static Engine, SandboxError> {
    let shared = match codegen {
        Codegen::Plain => match shared(Flavor::Pooled)? {
            Some(pooled) => pooled,
            None => shared(Flavor::OnDemand)?.ok_or_else(no_engine)?,
        },
        Codegen::Metered => shared(Flavor::Fuel)?.ok_or_else(no_engine)?,
    };
    Ok(&shared.engine)
}

fn no_engine() -> SandboxError {
    SandboxError::Internal("no engine".to_owned())
}

/// A core module has version 1 and layer 0 in its header; a component has layer 1.
pub(crate) fn is_core_module(wasm: &[u8]) -> bool {
    wasm.get(4..8) == Some(&[1, 0, 0, 0])
}
