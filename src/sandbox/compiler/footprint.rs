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
//!   tables' and memories' definitions) and record, the elements of its passive element
//!   segments (which each instance keeps), and the component's own `vmctx`, resource types and
//!   component instances. A module of a million globals has 16 MB of it; instantiated 300
//!   times it took 4.7 GB and 4 s under a 1 MiB `memory_bytes` and a 100 ms `timeout_ms`. Items that
//!   cost host time more than memory are charged by the time: a resource type or a component
//!   instance costs about 40 ns to set up, and is charged [`HOST_ITEM_BYTES`], so the state cap
//!   bounds them at about 10 ms (7.8 million resource types, 8 bytes of `vmctx` each, once took
//!   270 ms).
//! - **Segments**: what the active data and element segments write at every instantiation
//!   (data bytes, and 8 bytes per element), counted whether or not wasmtime maps them in
//!   copy-on-write: a module with a large segment instantiated many times into an imported
//!   memory copies it every time. Passive data costs nothing per instance (it stays in the
//!   code).
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

/// The most bytes a run's instantiation may write from segments, so that only a program that
/// instantiates big segments many times reaches it (CPython with numpy writes 12 MB).
pub const MAX_SEGMENT_BYTES: u64 = 256 << 20;

/// What wasmtime allocates for a core instance besides its `vmctx` (its `Instance` record),
/// rounded up.
const INSTANCE_BYTES: u64 = 1024;

/// What one element of an active segment costs to write: a pointer.
const ELEMENT_BYTES: u64 = 8;

/// What an instance keeps for each passive element segment (its record), and for each of its
/// elements (a value).
const PASSIVE_SEGMENT_BYTES: u64 = 32;
const PASSIVE_ELEMENT_BYTES: u64 = 16;

/// What a resource type, a component instance or another step of a component's instantiation
/// is charged: the state that about 40 ns of host work is worth under [`MAX_STATE_BYTES`].
pub const HOST_ITEM_BYTES: u64 = 256;

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
    let info = &component.component;
    let items = u64::from(info.num_resources)
        + u64::from(info.num_runtime_component_instances)
        + info.initializers.len() as u64;
    let vmctx = VMComponentOffsets::new(HostPtr, info).size_of_vmctx();
    let mut footprint = Footprint {
        state_bytes: u64::from(vmctx).saturating_add(items.saturating_mul(HOST_ITEM_BYTES)),
        ..Footprint::default()
    };
    for initializer in &info.initializers {
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
    let (written, kept) = segments(translation.wasm);
    Footprint {
        instances: 1,
        state_bytes: (u64::from(vmctx) + INSTANCE_BYTES).saturating_add(kept),
        segment_bytes: written,
    }
}

/// What the segments of `module` (valid: it was translated) cost each instance: the bytes
/// active ones write, and the bytes passive element segments keep.
fn segments(module: &[u8]) -> (u64, u64) {
    let (mut written, mut kept) = (0u64, 0u64);
    for payload in Parser::new(0).parse_all(module) {
        match payload {
            Ok(Payload::DataSection(section)) => {
                for data in section.into_iter().flatten() {
                    if let DataKind::Active { .. } = data.kind {
                        written = written.saturating_add(data.data.len() as u64);
                    }
                }
            }
            Ok(Payload::ElementSection(section)) => {
                for element in section.into_iter().flatten() {
                    let count = u64::from(match element.items {
                        ElementItems::Functions(items) => items.count(),
                        ElementItems::Expressions(_, items) => items.count(),
                    });
                    match element.kind {
                        ElementKind::Active { .. } => {
                            written = written.saturating_add(count * ELEMENT_BYTES);
                        }
                        ElementKind::Passive => {
                            let bytes = PASSIVE_SEGMENT_BYTES + count * PASSIVE_ELEMENT_BYTES;
                            kept = kept.saturating_add(bytes);
                        }
                        ElementKind::Declared => {}
                    }
                }
            }
            _ => {}
        }
    }
    (written, kept)
}
