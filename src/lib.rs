//! hermetic-wasi: run untrusted WASI programs from Node.js in a sealed, deterministic sandbox.
//!
//! - [`sandbox`]: the engine, free of napi, usable from Rust tests and benchmarks.
//! - `binding` (feature `napi`, on by default): the Node.js API over the engine.

pub mod sandbox;

#[cfg(feature = "napi")]
pub mod binding;
