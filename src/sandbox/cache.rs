//! A bounded cache of compiled programs, so that running the same bytes again (e.g. in a
//! loop) skips compilation.
//!
//! An entry is found by comparing the bytes themselves (length first), with the disk cache
//! directory the program compiles into later (for its metered and on-demand engines): equal
//! bytes and directory share one [`Program`]. Comparing is cheaper than hashing: a memory
//! compare runs at several GB/s and stops at the first difference, where SHA-256 of every
//! call's bytes cost more than the run of a small program.
//!
//! Callers first [`intern`] the bytes they were given, which finds a cached copy of them or
//! makes one, so bytes the caller only borrowed are copied on a miss only; [`program`] then
//! finds the program for those bytes (by pointer, when they came from the cache) or compiles
//! it.
//!
//! Bytes that fail to compile or link (`InvalidWasm`) are cached too, with their error, so a
//! rejected upload costs one compilation, not one per call (a 30k-function module with an
//! unknown import took 2-3 s on every call).
//!
//! The cache keeps the most recently used entries, at most [`CAPACITY`] of them and at most
//! [`MAX_BYTES`] of wasm and compiled code together (the newest entry is kept whatever its
//! size). A program shares its bytes with its entry. Lookups compare bytes outside the lock,
//! and compilation happens outside it too: two threads missing on the same bytes at once may
//! both compile, and the second result is dropped (found by the comparison `insert` makes under
//! the lock, on that rare path only).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use super::limits::Budget;
use super::{Program, SandboxError, disk_cache};
use crate::sandbox::sync::lock;

/// How many programs (or rejected byte strings) the cache keeps.
pub const CAPACITY: usize = 16;

/// How many bytes of wasm and compiled code the cache keeps.
pub const MAX_BYTES: usize = 512 << 20;

/// A compiled program, or why the bytes were rejected.
type Compiled = Result<Arc<Program>, SandboxError>;

/// One cached program and what it was asked for with.
struct Entry {
    wasm: Arc<[u8]>,
    cache_dir: Option<PathBuf>,
    program: Compiled,
}

impl Entry {
    /// What the entry holds in memory: the bytes it was asked for with, and the program: the
    /// same bytes, unless that is another allocation, and the code compiled for it so far.
    fn bytes(&self) -> usize {
        match &self.program {
            Ok(program) if Arc::ptr_eq(&program.wasm, &self.wasm) => program.size_bytes(),
            Ok(program) => self.wasm.len() + program.size_bytes(),
            Err(_) => self.wasm.len(),
        }
    }
}

/// Most recently used first.
static ENTRIES: Mutex<Vec<Arc<Entry>>> = Mutex::new(Vec::new());

fn entries() -> MutexGuard<'static, Vec<Arc<Entry>>> {
    lock(&ENTRIES)
}

/// Whether two byte strings are equal: by pointer when both are the cache's copy.
fn same(a: &Arc<[u8]>, b: &[u8]) -> bool {
    (std::ptr::eq(a.as_ptr(), b.as_ptr()) && a.len() == b.len()) || **a == *b
}

/// The cached entries whose bytes equal `wasm`, compared outside the lock.
fn matching(wasm: &[u8]) -> Vec<Arc<Entry>> {
    let candidates: Vec<Arc<Entry>> = entries()
        .iter()
        .filter(|e| e.wasm.len() == wasm.len())
        .cloned()
        .collect();
    candidates
        .into_iter()
        .filter(|e| same(&e.wasm, wasm))
        .collect()
}

/// The cache's copy of `wasm` if it holds one, otherwise a new copy.
pub fn intern(wasm: &[u8]) -> Arc<[u8]> {
    match matching(wasm).first() {
        Some(entry) => Arc::clone(&entry.wasm),
        None => Arc::from(wasm),
    }
}

fn lookup(wasm: &[u8], cache_dir: &Option<PathBuf>) -> Option<Compiled> {
    let found = matching(wasm)
        .into_iter()
        .find(|e| e.cache_dir == *cache_dir)?;
    // Move it to the front, if no other thread has evicted it meanwhile.
    let mut entries = entries();
    if let Some(at) = entries.iter().position(|e| Arc::ptr_eq(e, &found)) {
        let entry = entries.remove(at);
        entries.insert(0, entry);
    }
    Some(found.program.clone())
}

fn insert(entry: Entry) -> Compiled {
    let mut entries = entries();
    let existing = entries
        .iter()
        .find(|e| e.cache_dir == entry.cache_dir && same(&e.wasm, &entry.wasm));
    if let Some(existing) = existing {
        return existing.program.clone();
    }
    let program = entry.program.clone();
    entries.insert(0, Arc::new(entry));
    // The most recent entries that fit both bounds; the newest one always stays.
    let mut total = 0;
    let keep = entries
        .iter()
        .take(CAPACITY)
        .take_while(|e| {
            total += e.bytes();
            total <= MAX_BYTES
        })
        .count();
    entries.truncate(keep.max(1));
    program
}

/// The compiled program for `wasm`, from the cache or compiled now (and then cached), using
/// the disk cache in `cache_dir` on a miss, compiling within `budget`. Bytes that are not a
/// valid program for the sandbox are cached with their error, which every later call with them gets at once; other errors
/// (an engine that cannot be set up, a refused `cache_dir`) are not cached.
pub fn program(wasm: Arc<[u8]>, cache_dir: Option<PathBuf>, budget: &Budget) -> Compiled {
    // On every call, cached or not: the directory may have been opened to others since.
    if let Some(dir) = &cache_dir {
        disk_cache::check_dir(dir).map_err(SandboxError::InvalidOptions)?;
    }
    if let Some(program) = lookup(&wasm, &cache_dir) {
        return program;
    }
    let program = Program::shared(Arc::clone(&wasm), cache_dir.clone(), budget).map(Arc::new);
    if let Err(e) = &program
        && !matches!(
            e,
            SandboxError::InvalidWasm(_) | SandboxError::CompileLimit(_)
        )
    {
        return program;
    }
    insert(Entry {
        wasm,
        cache_dir,
        program,
    })
}
