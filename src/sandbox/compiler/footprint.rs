//! What instantiating a program costs, measured from its bytes before it is compiled, so that a
//! program whose instantiation would be too big is refused once, with its bytes, instead of
//! costing every run.
//!
//! Instantiation runs in host code that neither the wall-clock timeout nor an abort can stop
//! (the watchdog interrupts wasm only), and wasmtime charges a run's limiter for its memories
//! and tables only. Two things are left, and both are known statically: a component's core
//! instantiations are a flat list once wasmtime has inlined its nested components, and each
//! instance costs what its module declares.
//! - **State**: each core instance's `vmctx` (its globals, function references, imports and
//!   tables' and memories' definitions) and the component's own. A module of a million globals
//!   has 16 MB of it; instantiated 300 times it took 4.7 GB and 4 s under `memoryBytes: 1 MiB`
//!   and `timeoutMs: 100`.
//! - **Segments**: what the active data and element segments write at every instantiation
//!   (data bytes, and 8 bytes per element), counted whether or not wasmtime maps them in
//!   copy-on-write: a module with a large segment instantiated many times into an imported
//!   memory copies it every time.
//!
//! Both are measured with wasmtime's own translation (the same parsing, inlining and `vmctx`
//! layout that compiling uses), in the compiler process, within the compilation's budget.

use wasmtime_environ::component::{
    ComponentTypesBuilder, GlobalInitializer, InstantiateModule, Translator, VMComponentOffsets,
};
use wasmtime_environ::wasmparser::{
    DataKind, ElementItems, ElementKind, Parser, Payload, Validator, WasmFeatures,
};
use wasmtime_environ::{
    HostPtr, ModuleEnvironment, ModuleTranslation, ModuleTypesBuilder, ScopeVec, StaticModuleIndex,
    Tunables, VMOffsets,
};

use crate::sandbox::error::SandboxError;

/// The most instance state a run may have, in bytes: 64 MiB, four million globals. The 19 MB
/// CPython component has 0.4 MiB in 14 instances.
pub const MAX_STATE_BYTES: u64 = 64 << 20;

/// The most bytes a run's instantiation may write from segments: as much as the code of one
/// program may hold ([`MAX_CODE_BYTES`](super::MAX_CODE_BYTES)), so only a program that
/// instantiates big segments many times reaches it.
pub const MAX_SEGMENT_BYTES: u64 = super::MAX_CODE_BYTES;

/// What wasmtime allocates for a core instance besides its `vmctx` (its `Instance` record),
/// rounded up.
const INSTANCE_BYTES: u64 = 1024;

/// What one element of a segment costs to write: a pointer.
const ELEMENT_BYTES: u64 = 8;

/// What instantiating a program once costs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Footprint {
    /// Core instances created.
    pub instances: u64,
    /// Bytes of instance state.
    pub state_bytes: u64,
    /// Bytes that active segments write.
    pub segment_bytes: u64,
}

impl Footprint {
    fn add(&mut self, other: Footprint) {
        self.instances = self.instances.saturating_add(other.instances);
        self.state_bytes = self.state_bytes.saturating_add(other.state_bytes);
        self.segment_bytes = self.segment_bytes.saturating_add(other.segment_bytes);
    }

    /// The error for a footprint beyond [`MAX_STATE_BYTES`] or [`MAX_SEGMENT_BYTES`].
    pub fn check(&self) -> Result<(), SandboxError> {
        let beyond = |what: &str, bytes: u64, max: u64| {
            SandboxError::CompileLimit(format!(
                "instantiating the program would take {} MiB of {what}, more than the {} MiB a \
                 run may have",
                bytes.div_ceil(1 << 20),
                max >> 20
            ))
        };
        if self.state_bytes > MAX_STATE_BYTES {
            return Err(beyond("instance state", self.state_bytes, MAX_STATE_BYTES));
        }
        if self.segment_bytes > MAX_SEGMENT_BYTES {
            return Err(beyond(
                "data and element segments",
                self.segment_bytes,
                MAX_SEGMENT_BYTES,
            ));
        }
        Ok(())
    }
}

/// The footprint of `wasm`, a binary module or component. An error if wasmtime's translation
/// refuses the bytes (then compiling refuses them too, with its own message).
pub fn measure(wasm: &[u8], core_module: bool) -> wasmtime::Result<Footprint> {
    let tunables = Tunables::default_host();
    // Every feature: the bytes are checked against the engine's own when they are compiled.
    let mut validator = Validator::new_with_features(WasmFeatures::all());
    if core_module {
        let mut types = ModuleTypesBuilder::new(&validator);
        let mut parser = Parser::new(0);
        parser.set_features(*validator.features());
        let translation = ModuleEnvironment::new(
            &tunables,
            &mut validator,
            &mut types,
            StaticModuleIndex::from_u32(0),
        )
        .translate(parser, wasm)?;
        return Ok(instance(&translation));
    }
    let scope = ScopeVec::new();
    let mut types = ComponentTypesBuilder::new(&validator);
    let (component, modules) =
        Translator::new(&tunables, &mut validator, &mut types, &scope).translate(wasm)?;
    let mut footprint = Footprint {
        state_bytes: VMComponentOffsets::new(HostPtr, &component.component)
            .size_of_vmctx()
            .into(),
        ..Footprint::default()
    };
    for initializer in &component.component.initializers {
        // A module the component imports cannot be given: the host provides WASI instances
        // only, so such a program fails to link.
        if let GlobalInitializer::InstantiateModule(InstantiateModule::Static(index, _), _) =
            initializer
        {
            footprint.add(instance(&modules[*index]));
        }
    }
    Ok(footprint)
}

/// What one instance of a translated module costs.
fn instance(translation: &ModuleTranslation<'_>) -> Footprint {
    let vmctx = VMOffsets::new(HostPtr, &translation.module).size_of_vmctx();
    Footprint {
        instances: 1,
        state_bytes: u64::from(vmctx) + INSTANCE_BYTES,
        segment_bytes: segments(translation.wasm),
    }
}

/// The bytes the segments of `module` (valid: it was translated) write or hold per instance.
fn segments(module: &[u8]) -> u64 {
    let mut bytes = 0u64;
    for payload in Parser::new(0).parse_all(module) {
        match payload {
            Ok(Payload::DataSection(section)) => {
                for data in section.into_iter().flatten() {
                    if let DataKind::Active { .. } = data.kind {
                        bytes = bytes.saturating_add(data.data.len() as u64);
                    }
                }
            }
            Ok(Payload::ElementSection(section)) => {
                // Passive ones too: each instance keeps its own copy of their elements.
                for element in section.into_iter().flatten() {
                    if let ElementKind::Declared = element.kind {
                        continue;
                    }
                    let count = match element.items {
                        ElementItems::Functions(items) => items.count(),
                        ElementItems::Expressions(_, items) => items.count(),
                    };
                    bytes = bytes.saturating_add(u64::from(count) * ELEMENT_BYTES);
                }
            }
            _ => {}
        }
    }
    bytes
}
