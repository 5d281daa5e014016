//! The run's one seeded random stream: ChaCha20, which `wasi:random/random` asks for, fully
//! determined by a 64-bit seed the caller chose (so it is no secret from the caller). Every
//! random interface of both ABIs draws from it, so the bytes a guest sees depend only on the
//! seed and on the order of its calls.

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

/// The largest request for a host buffer of random bytes served; larger ones trap, as the
/// allocation they would need is itself an attack on the host.
pub const MAX_RANDOM_BYTES: u64 = 64 << 20;

/// The random stream of one run.
pub struct Random {
    rng: ChaCha20Rng,
}

impl Random {
    /// A stream whose whole output is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: ChaCha20Rng::seed_from_u64(seed),
        }
    }

    /// The next `len` bytes, in a new buffer; more than [`MAX_RANDOM_BYTES`] is an error.
    pub fn bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        if len > MAX_RANDOM_BYTES {
            wasmtime::bail!("get-random-bytes asked for {len} bytes (at most {MAX_RANDOM_BYTES})");
        }
        let mut buf = vec![0; len as usize];
        self.rng.fill_bytes(&mut buf);
        Ok(buf)
    }

    /// Fills `buf` (e.g. guest memory, so no host buffer of the request's size is needed).
    pub fn fill(&mut self, buf: &mut [u8]) {
        self.rng.fill_bytes(buf);
    }

    /// The next 64 bits.
    pub fn u64(&mut self) -> u64 {
        self.rng.next_u64()
    }
}
