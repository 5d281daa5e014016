//! `wasi:random/random`, `insecure` and `insecure-seed`: all three draw from the run's one
//! seeded stream (`wasi/random.rs`).

use crate::sandbox::bindings::wasi::random::{insecure, insecure_seed, random};
use crate::sandbox::store::StoreData;

impl random::Host for StoreData {
    fn get_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        self.random.bytes(len)
    }

    fn get_random_u64(&mut self) -> wasmtime::Result<u64> {
        Ok(self.random.u64())
    }
}

impl insecure::Host for StoreData {
    fn get_insecure_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        self.random.bytes(len)
    }

    fn get_insecure_random_u64(&mut self) -> wasmtime::Result<u64> {
        Ok(self.random.u64())
    }
}

impl insecure_seed::Host for StoreData {
    fn insecure_seed(&mut self) -> wasmtime::Result<(u64, u64)> {
        Ok((self.random.u64(), self.random.u64()))
    }
}
