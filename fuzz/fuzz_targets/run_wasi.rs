//! Coverage-guided fuzzing of compile, instantiate and run, through the engine's public API.
//!
//! The first input byte picks what the rest becomes (`mode = byte & 7`) and whether the run is
//! metered (`byte & 8`: fuel 1,000,000, else no fuel):
//! - 0-3: a wasm-smith core module importing `wasi_snapshot_preview1` and exporting `_start`,
//!   shaped to reach the engine's limits (many functions and globals, up to 200 memories, 64-bit
//!   memories with maximums past 4 GiB, tables of up to 20 million elements, SIMD, and rarely
//!   proposals the engine refuses: relaxed SIMD, GC, exceptions, wide arithmetic, custom page
//!   sizes, invalid function bodies);
//! - 4-6: the bytes themselves, as a binary module or component or as text (the seed corpus
//!   holds the test guests and hand-written modules, so mutations start from real programs);
//! - 7: a component embedding a wasm-smith module and exporting its `run` as `wasi:cli/run`.
//!
//! Whatever the input, `Program::new` must return a program, `InvalidWasm` or `CompileLimit` (or
//! `Internal` for a host out of memory), and `run` must return a result: any other error, panic, crash or hang
//! is a finding. Does not check determinism (`tests/all` and `npm run determinism` do).

#![no_main]

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

use arbitrary::{Result, Unstructured};
use hermetic_wasi::sandbox::{Limits, Outcome, Program, RunOptions, SandboxError};
use libfuzzer_sys::fuzz_target;
use wasm_encoder::{
    Alias, CanonicalFunctionSection, ComponentAliasSection, ComponentExportKind,
    ComponentExportSection, ComponentInstanceSection, ComponentSectionId, ComponentTypeSection,
    ComponentValType, ExportKind, InstanceSection, RawSection,
};
use wasm_smith::{Config, Module};

/// Every preview1 function with its real signature: wasm-smith imports a subset and calls
/// them with arbitrary arguments.
const WASI_IMPORTS: &str = r#"(module
  (import "wasi_snapshot_preview1" "args_get" (func (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_res_get" (func (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_advise" (func (param i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_allocate" (func (param i32 i64 i64) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_datasync" (func (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_flags" (func (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_rights" (func (param i32 i64 i64) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_set_size" (func (param i32 i64) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_set_times" (func (param i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pread" (func (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pwrite" (func (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir" (func (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_renumber" (func (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_sync" (func (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_tell" (func (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory" (func (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get" (func (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_set_times" (func (param i32 i32 i32 i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_link" (func (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_readlink" (func (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_remove_directory" (func (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_rename" (func (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink" (func (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_unlink_file" (func (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
  (import "wasi_snapshot_preview1" "proc_raise" (func (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "sched_yield" (func (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_recv" (func (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_send" (func (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_shutdown" (func (param i32 i32) (result i32)))
)"#;

/// The export shapes of a generated preview1 module: mostly a command with a 32-bit memory for
/// the host to read, sometimes without one, with a 64-bit one, or with a `_start` of the wrong
/// type (refused at compile time).
const COMMAND_EXPORTS: [&str; 4] = [
    r#"(module (func (export "_start")))"#,
    r#"(module (func (export "_start")) (memory (export "memory") 1))"#,
    r#"(module (func (export "_start")) (memory (export "memory") i64 1))"#,
    r#"(module (func (export "_start") (param i32)))"#,
];

/// What a module embedded in a component exports: `run`, lifted as `func() -> result`.
const RUN_EXPORT: &str = r#"(module (func (export "run") (result i32) i32.const 0))"#;

/// Export names for the generated component's run instance: older and current 0.2 versions
/// (semver-compatible with the host's), and, last and rarely chosen, one the host does not know.
const RUN_NAMES: [&str; 4] = [
    "wasi:cli/run@0.2.0",
    "wasi:cli/run@0.2.12",
    "wasi:cli/run@0.2.3",
    "wasi:cli/run@0.3.0",
];

fn binary(text: &str) -> Vec<u8> {
    wat::parse_str(text).expect("the fuzzer's own module text is valid")
}

static WASI: LazyLock<Vec<u8>> = LazyLock::new(|| binary(WASI_IMPORTS));
static EXPORTS: LazyLock<Vec<Vec<u8>>> =
    LazyLock::new(|| COMMAND_EXPORTS.iter().map(|t| binary(t)).collect());
static RUN: LazyLock<Vec<u8>> = LazyLock::new(|| binary(RUN_EXPORT));
static NO_IMPORTS: LazyLock<Vec<u8>> = LazyLock::new(|| binary("(module)"));

/// A wasm-smith configuration aimed at the engine's limits; `u` picks the sizes and the
/// proposals, the engine-supported ones mostly on and the refused ones rarely.
fn smith_config(u: &mut Unstructured<'_>) -> Result<Config> {
    let mut c = Config::default();
    c.max_funcs = u.int_in_range(0..=1000)?;
    c.max_globals = u.int_in_range(0..=1000)?;
    c.max_imports = u.int_in_range(0..=100)?;
    c.max_types = u.int_in_range(0..=200)?;
    c.max_instructions = u.int_in_range(0..=1000)?;
    c.max_data_segments = u.int_in_range(0..=100)?;
    c.max_element_segments = u.int_in_range(0..=100)?;
    c.max_elements = u.int_in_range(0..=1000)?;
    c.max_exports = u.int_in_range(0..=100)?;
    c.max_memories = u.int_in_range(0..=200)?;
    c.max_tables = u.int_in_range(0..=200)?;
    c.max_table_elements = u.int_in_range(0..=20_000_000)?;
    c.memory64_enabled = u.arbitrary()?;
    c.max_memory64_bytes = u.int_in_range(0..=1u128 << 40)?;
    c.memory_max_size_required = u.ratio(1, 4)?;
    c.table_max_size_required = u.ratio(1, 4)?;
    c.min_uleb_size = u.int_in_range(1..=5)?;
    c.disallow_traps = u.ratio(1, 4)?;
    c.threads_enabled = false;
    c.simd_enabled = u.ratio(3, 4)?;
    c.relaxed_simd_enabled = c.simd_enabled && u.ratio(1, 32)?;
    // Rarely: the engine is built without wasmtime's `gc` feature, so it refuses `externref`
    // (which wasm-smith uses freely with reference types) as well as GC and exceptions.
    c.reference_types_enabled = u.ratio(1, 4)?;
    c.gc_enabled = c.reference_types_enabled && u.ratio(1, 8)?;
    c.exceptions_enabled = u.ratio(1, 32)?;
    c.wide_arithmetic_enabled = u.ratio(1, 32)?;
    c.custom_page_sizes_enabled = u.ratio(1, 32)?;
    c.allow_invalid_funcs = u.ratio(1, 32)?;
    c.generate_custom_sections = u.ratio(1, 8)?;
    if !c.reference_types_enabled {
        c.max_tables = c.max_tables.min(1);
    }
    Ok(c)
}

/// A generated module; a fuel counter is added when nothing else would stop a loop before the
/// wall-clock timeout (which would cost a second per input).
fn smith_module(u: &mut Unstructured<'_>, config: Config, metered: bool) -> Result<Vec<u8>> {
    let fuel: u32 = u.int_in_range(1..=100_000)?;
    let invalid_funcs = config.allow_invalid_funcs;
    let mut module = Module::new(config, u)?;
    if !metered && !invalid_funcs {
        let _ = module.ensure_termination(fuel);
    }
    Ok(module.to_bytes())
}

/// A preview1 command: WASI imports, a `_start` export.
fn command_module(u: &mut Unstructured<'_>, metered: bool) -> Result<Vec<u8>> {
    let mut config = smith_config(u)?;
    config.available_imports = Some(WASI.clone());
    let shape = match u.int_in_range(0..=15)? {
        0..=4 => 0,
        5..=12 => 1,
        13..=14 => 2,
        _ => 3,
    };
    config.exports = Some(EXPORTS[shape].clone());
    smith_module(u, config, metered)
}

/// A component embedding a generated module (no imports) and exporting its `run` as the
/// `run` function of a `wasi:cli/run` instance, lifted as `func() -> result`.
fn command_component(u: &mut Unstructured<'_>, metered: bool) -> Result<Vec<u8>> {
    let name = RUN_NAMES[usize::from(u.int_in_range(0..=23u8)?) / 7];
    let mut config = smith_config(u)?;
    config.available_imports = Some(NO_IMPORTS.clone());
    config.exports = Some(RUN.clone());
    let module = smith_module(u, config, metered)?;

    let mut component = wasm_encoder::Component::new();
    component.section(&RawSection {
        id: ComponentSectionId::CoreModule as u8,
        data: &module,
    });
    let mut instances = InstanceSection::new();
    instances.instantiate(0, Vec::<(&str, wasm_encoder::ModuleArg)>::new());
    component.section(&instances);
    let mut aliases = ComponentAliasSection::new();
    aliases.alias(Alias::CoreInstanceExport {
        instance: 0,
        kind: ExportKind::Func,
        name: "run",
    });
    component.section(&aliases);
    let mut types = ComponentTypeSection::new();
    types.defined_type().result(None, None);
    types
        .function()
        .params(Vec::<(&str, ComponentValType)>::new())
        .result(Some(ComponentValType::Type(0)));
    component.section(&types);
    let mut canon = CanonicalFunctionSection::new();
    canon.lift(0, 1, []);
    component.section(&canon);
    let mut run = ComponentInstanceSection::new();
    run.export_items([("run", ComponentExportKind::Func, 0)]);
    component.section(&run);
    let mut exports = ComponentExportSection::new();
    exports.export(name, ComponentExportKind::Instance, 0, None);
    component.section(&exports);
    Ok(component.finish())
}

/// Counts of what the inputs did, printed now and then so a long run shows its mix.
struct Stats {
    inputs: AtomicU64,
    not_generated: AtomicU64,
    invalid: AtomicU64,
    host_oom: AtomicU64,
    ran: AtomicU64,
    exited: AtomicU64,
    trapped: AtomicU64,
    limited: AtomicU64,
    host_oom_run: AtomicU64,
    other: AtomicU64,
}

static STATS: Stats = Stats {
    inputs: AtomicU64::new(0),
    not_generated: AtomicU64::new(0),
    invalid: AtomicU64::new(0),
    host_oom: AtomicU64::new(0),
    ran: AtomicU64::new(0),
    exited: AtomicU64::new(0),
    trapped: AtomicU64::new(0),
    limited: AtomicU64::new(0),
    host_oom_run: AtomicU64::new(0),
    other: AtomicU64::new(0),
};

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

fn report() {
    let n = STATS.inputs.load(Ordering::Relaxed);
    if n.is_power_of_two() || n.is_multiple_of(20_000) {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        eprintln!(
            "run_wasi stats: {n} inputs, {} not generated, {} invalid, {} host-oom at compile, \
             {} ran ({} exited, {} trapped, {} hit a limit, {} host-oom, {} other)",
            get(&STATS.not_generated),
            get(&STATS.invalid),
            get(&STATS.host_oom),
            get(&STATS.ran),
            get(&STATS.exited),
            get(&STATS.trapped),
            get(&STATS.limited),
            get(&STATS.host_oom_run),
            get(&STATS.other),
        );
    }
}

fn options(metered: bool) -> RunOptions {
    RunOptions {
        args: vec!["fuzz".to_owned()],
        env: vec![("FUZZ".to_owned(), "1".to_owned())],
        stdin: b"fuzz input\n".to_vec(),
        files: Some(Vec::new()),
        limits: Limits {
            fuel: metered.then_some(1_000_000),
            timeout_ms: Some(1_000),
            memory_bytes: Some(64 << 20),
            output_bytes: Some(64 << 10),
            virtual_time_ns: Some(1_000_000_000),
            fs_bytes: Some(1 << 20),
        },
        ..RunOptions::default()
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    bump(&STATS.inputs);
    bump(fuzz_one(first, rest));
    report();
});

/// Generates the program `first` asks for from `rest`, compiles it, and runs it; returns the
/// counter of what happened.
fn fuzz_one(first: u8, rest: &[u8]) -> &'static AtomicU64 {
    let metered = first & 8 != 0;
    let mut u = Unstructured::new(rest);
    let wasm = match first & 7 {
        0..=3 => command_module(&mut u, metered),
        4..=6 => Ok(rest.to_vec()),
        _ => command_component(&mut u, metered),
    };
    let Ok(wasm) = wasm else {
        return &STATS.not_generated;
    };
    let program = match Program::new(wasm) {
        Ok(program) => program,
        // Refused bytes: invalid, or beyond what a program may cost (compiled, loaded or
        // instantiated), which the compiler checks without a compiler process too.
        Err(SandboxError::InvalidWasm(_) | SandboxError::CompileLimit(_)) => {
            return &STATS.invalid;
        }
        Err(SandboxError::Internal(message)) if message.contains("ran out of memory") => {
            return &STATS.host_oom;
        }
        Err(error) => panic!("Program::new failed with {error:?}"),
    };
    let result = match program.run(&options(metered)) {
        Ok(result) => result,
        Err(error) => panic!("run failed with {error:?}"),
    };
    bump(&STATS.ran);
    match result.outcome {
        Outcome::Exited(_) => &STATS.exited,
        Outcome::Trapped { .. } => &STATS.trapped,
        Outcome::FuelExhausted
        | Outcome::Timeout
        | Outcome::MemoryExceeded
        | Outcome::OutputExceeded
        | Outcome::VirtualTimeExceeded => &STATS.limited,
        Outcome::HostOutOfMemory => &STATS.host_oom_run,
        Outcome::Deadlock | Outcome::Cancelled => &STATS.other,
    }
}
