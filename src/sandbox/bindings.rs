//! The one `bindgen!` site: Rust types and host traits for the `wasi:cli/command` world.
//!
//! `wasi:io` is not generated here: it maps to the `wasmtime-wasi-io` crate's bindings so that its
//! stream and pollable resources are the ones every family in `host/` hands out. Every other
//! import is synchronous (nothing in the sandbox waits on the outside world); only `wasi:io` has
//! async functions, and they wait on the virtual clock alone.

wasmtime::component::bindgen!({
    path: "wit",
    world: "wasi:cli/command",
    imports: { default: trappable },
    exports: { default: async },
    require_store_data_send: true,
    with: {
        "wasi:io": wasmtime_wasi_io::bindings::wasi::io,
        "wasi:sockets/network.network": crate::sandbox::host::sockets::Network,
    },
});
