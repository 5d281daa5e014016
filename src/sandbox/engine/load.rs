//! Loading compiled code into an engine and linking it against the host: what a program is
//! once it can be instantiated ([`Pre`]), and the heap its loading keeps.

use wasmtime::component::Component;
use wasmtime::{Engine, ExternType, InstancePre, Module, Precompiled};

use super::{Flavor, Shared, shared};
use crate::sandbox::bindings::CommandPre;
use crate::sandbox::disk_cache;
use crate::sandbox::error::SandboxError;
use crate::sandbox::heap;
use crate::sandbox::report;
use crate::sandbox::store::StoreData;

/// A compiled program whose imports the host satisfies, ready to instantiate.
pub struct Pre {
    /// The program, linked.
    pub linked: Linked,
    /// The heap its loading kept (types and metadata; see `heap.rs`).
    heap_bytes: usize,
}

/// A program linked against the host.
pub enum Linked {
    /// A `wasi:cli/command` component.
    Command(CommandPre<StoreData>),
    /// A preview1 core module exporting `_start`.
    Module(InstancePre<StoreData>),
}

impl Pre {
    /// The engine the program was compiled for.
    pub fn engine(&self) -> &Engine {
        match &self.linked {
            Linked::Command(pre) => pre.engine(),
            Linked::Module(pre) => pre.module().engine(),
        }
    }

    /// What the program holds in memory, in bytes: its compiled code (mapped) and the heap its
    /// loading kept.
    pub fn code_bytes(&self) -> usize {
        let range = match &self.linked {
            Linked::Command(pre) => pre.instance_pre().component().image_range(),
            Linked::Module(pre) => pre.module().image_range(),
        };
        let code = (range.end as usize).saturating_sub(range.start as usize);
        code.saturating_add(self.heap_bytes)
    }
}

/// Compiled code to load: serialized in memory, or a disk cache entry that wasmtime maps.
pub enum Code {
    /// What the compiler returned.
    Compiled(Vec<u8>),
    /// A disk cache entry whose code matched its sum.
    Cached(disk_cache::Entry),
}

/// Where loading a program failed.
pub enum Failure {
    /// Loading the code: for the pooled engine, code beyond the pool's limits.
    Code(SandboxError),
    /// A disk cache entry that wasmtime refuses although its checksum matched: compile again.
    Stale,
    /// Checking the compiled program: not a command, or imports the host does not provide. The
    /// same on every engine, so no other engine is tried.
    Program(SandboxError),
}

impl From<Failure> for SandboxError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Code(e) | Failure::Program(e) => e,
            Failure::Stale => SandboxError::Internal("a cached program is damaged".to_owned()),
        }
    }
}

/// Loads `code`, which [`precompile`](crate::sandbox::compiler::precompile) made for `flavor`'s codegen, into `flavor`'s engine, and
/// checks that it is a `wasi:cli/command` component or a preview1 module whose imports the
/// host satisfies.
///
/// # Safety
/// `code` must be what [`precompile`](crate::sandbox::compiler::precompile) returned, in this process or in a compiler process of
/// this same build (or a disk cache entry whose checksum proves it is): deserializing trusts it
/// to be code wasmtime compiled. wasmtime itself refuses code of another version or settings.
pub unsafe fn load(code: &Code, flavor: Flavor) -> Result<Pre, Failure> {
    // SAFETY: the caller's promise.
    let (linked, heap_bytes) = heap::measured(|| unsafe { link(code, flavor) });
    Ok(Pre {
        linked: linked?,
        heap_bytes,
    })
}

/// [`load`] without the measurement.
///
/// # Safety
/// As for [`load`].
unsafe fn link(code: &Code, flavor: Flavor) -> Result<Linked, Failure> {
    let shared = shared(flavor).map_err(Failure::Code)?.ok_or_else(|| {
        Failure::Code(SandboxError::Internal(
            "the pooling allocator is not available".to_owned(),
        ))
    })?;
    let engine = &shared.engine;
    // A cached entry that no engine accepts is stale; the pooled engine may refuse it only for
    // its limits, and the on-demand engine tries it next.
    let refused = |e: wasmtime::Error| match code {
        Code::Cached(_) if flavor != Flavor::Pooled && !report::out_of_memory(&e) => Failure::Stale,
        _ => Failure::Code(unloadable(e)),
    };
    // SAFETY (each deserialization): the caller's promise; a cached entry's code was checked
    // against its sum when it was found.
    let linked = match code {
        Code::Compiled(code) if Engine::detect_precompiled(code) == Some(Precompiled::Module) => {
            let module = unsafe { Module::deserialize(engine, code) }.map_err(refused)?;
            return link_module(shared, &module).map(Linked::Module);
        }
        Code::Compiled(code) => unsafe { Component::deserialize(engine, code) }.map_err(refused),
        Code::Cached(entry) if !entry.is_component() => {
            let file = entry.file().try_clone().map_err(|_| Failure::Stale)?;
            let module = unsafe { Module::deserialize_open_file(engine, file) }.map_err(refused)?;
            return link_module(shared, &module).map(Linked::Module);
        }
        Code::Cached(entry) => {
            unsafe { Component::deserialize_file(engine, entry.path()) }.map_err(refused)
        }
    };
    let component = linked?;
    let pre = shared.linker.instantiate_pre(&component).map_err(|e| {
        Failure::Program(invalid(
            "the component imports what the sandbox does not provide",
            e,
        ))
    })?;
    CommandPre::new(pre)
        .map(Linked::Command)
        .map_err(|e| Failure::Program(invalid("the component is not a wasi:cli/command", e)))
}

/// Code that compiled but does not load: beyond the pool's limits (the only expected case,
/// tried again on the on-demand engine), or a host out of memory.
fn unloadable(e: wasmtime::Error) -> SandboxError {
    if report::out_of_memory(&e) {
        return SandboxError::Internal(format!("the host ran out of memory loading code: {e:#}"));
    }
    SandboxError::InvalidWasm(format!("the program does not fit this engine: {e:#}"))
}

/// What failed compiling or checking the program: the bytes' fault (`InvalidWasm`, which the
/// program cache keeps), unless the host ran out of memory doing it (`Internal`: not the bytes'
/// fault, so not cached as theirs).
pub(crate) fn invalid(what: &str, e: wasmtime::Error) -> SandboxError {
    if report::out_of_memory(&e) {
        return SandboxError::Internal(format!("the host ran out of memory: {what}: {e:#}"));
    }
    SandboxError::InvalidWasm(format!("{what}: {e:#}"))
}

/// Checks a core module, which must export `_start: func()` and import nothing but
/// `wasi_snapshot_preview1`.
fn link_module(shared: &Shared, module: &Module) -> Result<InstancePre<StoreData>, Failure> {
    match module.get_export("_start") {
        Some(ExternType::Func(ty)) if ty.params().len() == 0 && ty.results().len() == 0 => {}
        _ => {
            return Err(Failure::Program(SandboxError::InvalidWasm(
                "the module does not export `_start` as a function without parameters or \
                 results, so it is not a WASI command"
                    .to_owned(),
            )));
        }
    }
    shared.modules.instantiate_pre(module).map_err(|e| {
        Failure::Program(invalid(
            "the module imports what the sandbox does not provide",
            e,
        ))
    })
}
