//! The optional on-disk cache of compiled code (`cacheDir`), so that a fresh process runs a
//! program it compiled before without compiling it again.
//!
//! This is the host's cache, never visible to guests. One file per program and engine, named
//! by the SHA-256 of the wasm bytes, the engine's flavor and a digest of wasmtime's
//! compatibility hash (its version and every setting that affects compiled code):
//! `<sha256>-<flavor>-<engine>.cwasm`. A file holds a magic line, the SHA-256 of its payload,
//! then the payload, which is `Component::serialize`'s output.
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
use wasmtime::Engine;
use wasmtime::component::Component;

use super::engine::Flavor;

/// The first bytes of every cache file; bumped when the format changes.
const MAGIC: &[u8; 8] = b"hwasi01\n";

/// The compiled component for `wasm`, from `dir` if a valid entry is there, otherwise compiled
/// now and stored there.
pub fn component(
    engine: &Engine,
    flavor: Flavor,
    wasm: &[u8],
    dir: &Path,
) -> wasmtime::Result<Component> {
    let path = dir.join(file_name(engine, flavor, wasm));
    if let Some(payload) = read(&path) {
        // SAFETY: the payload is byte for byte what `Component::serialize` wrote for this
        // engine (checked against the checksum stored with it), and wasmtime checks its header
        // against the engine's version and settings.
        if let Ok(component) = unsafe { Component::deserialize(engine, &payload) } {
            return Ok(component);
        }
    }
    let component = Component::new(engine, wasm)?;
    if let Ok(payload) = component.serialize() {
        // Best-effort: a cache that cannot be written is a cache miss next time.
        let _ = write(dir, &path, &payload);
    }
    Ok(component)
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

/// The verified payload of the cache file at `path`, if there is a valid one.
fn read(path: &Path) -> Option<Vec<u8>> {
    let mut bytes = std::fs::read(path).ok()?;
    let header = MAGIC.len() + 32;
    if bytes.len() < header || !bytes.starts_with(MAGIC) {
        return None;
    }
    let payload = bytes.split_off(header);
    (Sha256::digest(&payload).as_slice() == &bytes[MAGIC.len()..]).then_some(payload)
}

fn write(dir: &Path, path: &Path, payload: &[u8]) -> std::io::Result<()> {
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
        file.write_all(&Sha256::digest(payload))?;
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
