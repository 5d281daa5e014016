//! A bounded, content-addressed cache of compiled programs, so that running the same bytes again
//! (e.g. `runWasi` in a loop) skips compilation.
//!
//! Keys are SHA-256 digests of the bytes, with the disk cache directory the program compiles
//! into later (for its metered and on-demand engines): equal bytes and directory share one
//! [`Program`]. The cache keeps the
//! [`CAPACITY`] most recently used programs; compiled code is large, so it is bounded by count.
//! Compilation happens outside the lock: two threads missing on the same bytes at once may both
//! compile, and the second result is dropped.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use super::{Program, SandboxError};

/// How many compiled programs the cache keeps.
pub const CAPACITY: usize = 16;

type Key = ([u8; 32], Option<PathBuf>);

/// Most recently used first.
static ENTRIES: Mutex<Vec<(Key, Arc<Program>)>> = Mutex::new(Vec::new());

fn lookup(key: &Key) -> Option<Arc<Program>> {
    let mut entries = ENTRIES.lock().unwrap_or_else(|e| e.into_inner());
    let at = entries.iter().position(|(k, _)| k == key)?;
    let entry = entries.remove(at);
    let program = Arc::clone(&entry.1);
    entries.insert(0, entry);
    Some(program)
}

fn insert(key: Key, program: Arc<Program>) -> Arc<Program> {
    let mut entries = ENTRIES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, existing)) = entries.iter().find(|(k, _)| *k == key) {
        return Arc::clone(existing);
    }
    entries.insert(0, (key, Arc::clone(&program)));
    entries.truncate(CAPACITY);
    program
}

/// The compiled program for `wasm`, from the cache or compiled now (and then cached), using
/// the disk cache in `cache_dir` on a miss. Invalid bytes are not cached: they fail again, with
/// the same error, on every call.
pub fn program(wasm: Vec<u8>, cache_dir: Option<PathBuf>) -> Result<Arc<Program>, SandboxError> {
    let key: Key = (Sha256::digest(&wasm).into(), cache_dir.clone());
    if let Some(program) = lookup(&key) {
        return Ok(program);
    }
    let program = Arc::new(Program::with_cache(wasm, cache_dir)?);
    Ok(insert(key, program))
}
