//! The one `bindgen!` site: Rust types and host traits for the `wasi:cli/command` world.
//!
//! `wasi:io` is not generated here: it maps to the `wasmtime-wasi-io` crate's bindings so that its
//! stream and pollable resources are the ones every family in `host/` hands out. Every other
//! import is synchronous (nothing in the sandbox waits on the outside world); only `wasi:io` has
//! async functions, and they wait on the virtual clock alone.
//!
//! `wasi:filesystem`'s `error-code` is a trappable error type, so its host functions can fail
//! either with a code or with a trap through one `?` (see `host/filesystem.rs`).

wasmtime::component::bindgen!({
    path: "wit",
    world: "wasi:cli/command",
    imports: { default: trappable },
    exports: { default: async },
    require_store_data_send: true,
    with: {
        "wasi:io": wasmtime_wasi_io::bindings::wasi::io,
        "wasi:sockets/network.network": crate::sandbox::host::sockets::Network,
        "wasi:filesystem/types.descriptor": crate::sandbox::host::filesystem::Descriptor,
        "wasi:filesystem/types.directory-entry-stream":
            crate::sandbox::host::filesystem::DirectoryEntries,
    },
    trappable_error_type: {
        "wasi:filesystem/types.error-code" => crate::sandbox::host::filesystem::Fail,
    },
});
