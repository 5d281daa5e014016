//! `wasi:random/random`, `insecure` and `insecure-seed`: one seeded ChaCha20 stream.
//!
//! All three interfaces draw from the same generator, so the bytes a guest sees depend only on the
//! seed and on the order of its calls. ChaCha20 is of cryptographic quality, which the `random`
//! interface asks for; it is still fully determined by a 64-bit seed that the caller chose, so it
//! is no secret from the caller.

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

use crate::sandbox::bindings::wasi::random::{insecure, insecure_seed, random};
use crate::sandbox::store::StoreData;

/// The largest `get-random-bytes` request served; larger ones trap, as the allocation they would
/// need is itself an attack on the host.
pub const MAX_RANDOM_BYTES: u64 = 64 << 20;

/// Per-run state of the `wasi:random` family.
pub struct RandomCtx {
    rng: ChaCha20Rng,
}

impl RandomCtx {
    /// A generator whose whole output is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: ChaCha20Rng::seed_from_u64(seed),
        }
    }

    /// The generator itself, for callers that fill their own buffers (preview1 `random_get`
    /// writes straight into guest memory).
    pub fn rng(&mut self) -> &mut ChaCha20Rng {
        &mut self.rng
    }

    fn bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        if len > MAX_RANDOM_BYTES {
            wasmtime::bail!("get-random-bytes asked for {len} bytes (at most {MAX_RANDOM_BYTES})");
        }
        let mut buf = vec![0; len as usize];
        self.rng.fill_bytes(&mut buf);
        Ok(buf)
    }
}

impl random::Host for StoreData {
    fn get_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        self.random.bytes(len)
    }

    fn get_random_u64(&mut self) -> wasmtime::Result<u64> {
        Ok(self.random.rng.next_u64())
    }
}

impl insecure::Host for StoreData {
    fn get_insecure_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        self.random.bytes(len)
    }

    fn get_insecure_random_u64(&mut self) -> wasmtime::Result<u64> {
        Ok(self.random.rng.next_u64())
    }
}

impl insecure_seed::Host for StoreData {
    fn insecure_seed(&mut self) -> wasmtime::Result<(u64, u64)> {
        Ok((self.random.rng.next_u64(), self.random.rng.next_u64()))
    }
}
