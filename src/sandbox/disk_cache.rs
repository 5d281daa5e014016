//! The optional on-disk cache of compiled code (`cacheDir`), so that a fresh process runs a
//! program it compiled before without compiling it again.
//!
//! This is the host's cache, never visible to guests. One file per program and engine, named
//! by the SHA-256 of the wasm bytes, the engine's flavor and a digest of wasmtime's
//! compatibility hash (its version and every setting that affects compiled code):
//! `<sha256>-<flavor>-<engine>.cwasm`. A file holds a magic line, the SHA-256 of its name and
//! payload, then the payload, which is `Component::serialize`'s (or `Module::serialize`'s)
//! output. The name is in the checksum so that a file copied or renamed to another program's
//! name is not loaded as that program.
//!
//! **Never trusted blindly.** Loading native code from disk is only safe if the file is what we
//! wrote. A file is used only if its magic, length and checksum match and wasmtime accepts its
//! header (same version, same settings); a truncated, corrupted, foreign or stale file is
//! recompiled and replaced. Files are written to a temporary name and renamed, so a reader never
//! sees half a file. The checksum catches accidents, not an attacker: anyone who can write the
//! directory can plant code, so it must be writable only by the user running Node (as for any
//! directory of executables).
//!
//! The cache is best-effort: a directory that cannot be created or written leaves the program
//! compiled in memory, as without a cache.

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};
use wasmtime::component::Component;
use wasmtime::{Engine, Module};

use super::engine::Flavor;

/// The first bytes of every cache file; bumped when the format changes.
const MAGIC: &[u8; 8] = b"hwasi02\n";

/// The compiled component for `wasm`, from `dir` if a valid entry is there, otherwise compiled
/// now and stored there.
pub fn component(
    engine: &Engine,
    flavor: Flavor,
    wasm: &[u8],
    dir: &Path,
) -> wasmtime::Result<Component> {
    cached(
        engine,
        flavor,
        wasm,
        dir,
        Compiled::<Component> {
            // SAFETY: see `cached`: only ever given a verified payload for this engine.
            load: |engine, payload| unsafe { Component::deserialize(engine, payload) },
            compile: |engine, wasm| Component::new(engine, wasm),
            serialize: Component::serialize,
        },
    )
}

/// The compiled core module for `wasm`, from `dir` or compiled now and stored there.
pub fn module(
    engine: &Engine,
    flavor: Flavor,
    wasm: &[u8],
    dir: &Path,
) -> wasmtime::Result<Module> {
    cached(
        engine,
        flavor,
        wasm,
        dir,
        Compiled::<Module> {
            // SAFETY: see `cached`: only ever given a verified payload for this engine.
            load: |engine, payload| unsafe { Module::deserialize(engine, payload) },
            compile: |engine, wasm| Module::new(engine, wasm),
            serialize: Module::serialize,
        },
    )
}

/// How to load, compile and serialize one kind of compiled code.
struct Compiled<T> {
    load: fn(&Engine, &[u8]) -> wasmtime::Result<T>,
    compile: fn(&Engine, &[u8]) -> wasmtime::Result<T>,
    serialize: fn(&T) -> wasmtime::Result<Vec<u8>>,
}

fn cached<T>(
    engine: &Engine,
    flavor: Flavor,
    wasm: &[u8],
    dir: &Path,
    how: Compiled<T>,
) -> wasmtime::Result<T> {
    let name = file_name(engine, flavor, wasm);
    let path = dir.join(&name);
    // `load` deserializes native code, which is only sound for bytes that `serialize` wrote
    // for this engine: the payload is checked against the checksum stored with it, and
    // wasmtime checks its header against the engine's version and settings.
    if let Some(payload) = read(&path, &name)
        && let Ok(compiled) = (how.load)(engine, &payload)
    {
        return Ok(compiled);
    }
    let compiled = (how.compile)(engine, wasm)?;
    if let Ok(payload) = (how.serialize)(&compiled) {
        // Best-effort: a cache that cannot be written is a cache miss next time.
        let _ = write(dir, &path, &checksum(&name, &payload), &payload);
    }
    Ok(compiled)
}

fn file_name(engine: &Engine, flavor: Flavor, wasm: &[u8]) -> String {
    let mut settings = DigestHasher(Sha256::new());
    engine.precompile_compatibility_hash().hash(&mut settings);
    let settings = settings.0.finalize();
    let flavor = match flavor {
        Flavor::Pooled => "pooled",
        Flavor::OnDemand => "ondemand",
        Flavor::Fuel => "fuel",
    };
    format!(
        "{}-{flavor}-{}.cwasm",
        hex(&Sha256::digest(wasm)),
        hex(&settings[..8])
    )
}

/// What a cache file named `name` stores before `payload`.
fn checksum(name: &str, payload: &[u8]) -> [u8; 32] {
    let mut digest = Sha256::new();
    digest.update(name.as_bytes());
    digest.update(payload);
    digest.finalize().into()
}

/// The verified payload of the cache file at `path`, named `name`, if there is a valid one.
fn read(path: &Path, name: &str) -> Option<Vec<u8>> {
    let mut bytes = std::fs::read(path).ok()?;
    let header = MAGIC.len() + 32;
    if bytes.len() < header || !bytes.starts_with(MAGIC) {
        return None;
    }
    let payload = bytes.split_off(header);
    (checksum(name, &payload)[..] == bytes[MAGIC.len()..]).then_some(payload)
}

fn write(dir: &Path, path: &Path, checksum: &[u8], payload: &[u8]) -> std::io::Result<()> {
    // A name no other writer uses at the same time: this process and a counter.
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    std::fs::create_dir_all(dir)?;
    let mut temp = PathBuf::from(path);
    temp.set_extension(format!(
        "tmp{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(MAGIC)?;
        file.write_all(checksum)?;
        file.write_all(payload)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Feeds `Hash` output into SHA-256, for a digest that is the same in every process (unlike
/// std's `DefaultHasher`, whose algorithm may change between Rust versions).
struct DigestHasher(Sha256);

impl Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        0 // unused: the digest is read from the inner hasher
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}
