//! The optional on-disk cache of compiled code, so that a fresh process runs a
//! program it compiled before without compiling it again.
//!
//! This is the host's cache, never visible to guests. One file per program and codegen (plain
//! code, which the pooled and on-demand engines share, or metered code), named by the SHA-256
//! of the wasm bytes, the codegen and a digest of wasmtime's compatibility hash (its version and
//! every setting that affects compiled code): `<sha256>-<codegen>-<engine>.cwasm`. A file holds
//! a magic line, the SHA-256 of its name and payload, then the payload: the serialized code the
//! compiler made (`compiler.rs`). The name is in the checksum so that a file copied or renamed to another program's
//! name is not loaded as that program.
//!
//! **Never trusted blindly.** Loading native code from disk is only safe if the file is what we
//! wrote. A file is used only if its magic, length and checksum match and wasmtime accepts its
//! header (same version, same settings); a truncated, corrupted, foreign or stale file is
//! recompiled and replaced. Files are written to a temporary name and renamed, so a reader never
//! sees half a file. The checksum catches accidents, not an attacker: anyone who can write the
//! directory can plant code, so it must be writable only by the user running the host (as for any
//! directory of executables).
//!
//! **Nothing but regular files is read.** An entry is opened without following symlinks and
//! without blocking on a FIFO, and read only if it is a regular file of at most 1 GiB, so a
//! symlink to `/dev/zero` or a FIFO planted at an entry's name costs a recompile, not a hang or
//! unbounded memory. A directory that users other than its owner may write is refused
//! ([`check_dir`]), and a directory the cache creates is writable by its owner only.
//!
//! The cache is best-effort: a directory that cannot be created or written leaves the program
//! compiled in memory, as without a cache.

use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};
use wasmtime::Engine;

use super::error::{CacheDirProblem, InvalidOption};

/// The first bytes of every cache file; bumped when the format changes, or what a compiler
/// checks before it writes code (`04`: the instantiation footprint), so that code from an older
/// build is compiled again rather than trusted to have passed checks it never made.
const MAGIC: &[u8; 8] = b"hwasi04\n";

/// The compiled code tagged `tag` (which code generation made it) for `wasm` stored in `dir`,
/// if a valid entry is there.
/// Nothing is read from a directory that fails [`check_dir`] now: it is checked at every use,
/// not only when the program was made, since a directory may be opened to others later and
/// code for the fuel and on-demand engines is loaded on a later run.
pub fn read_code(engine: &Engine, tag: &str, wasm: &[u8], dir: &Path) -> Option<Vec<u8>> {
    check_dir(dir).ok()?;
    let name = file_name(engine, tag, wasm);
    // The checksum catches damage; wasmtime's header check catches a payload that is not
    // serialized code at all (the version and settings are in the name).
    read(&dir.join(&name), &name).filter(|code| Engine::detect_precompiled(code).is_some())
}

/// Stores `code`, compiled from `wasm` by `engine`'s settings with the code generation named
/// `tag`, in `dir`. Best-effort: a
/// cache that cannot be written is a cache miss next time.
pub fn store_code(engine: &Engine, tag: &str, wasm: &[u8], dir: &Path, code: &[u8]) {
    if check_dir(dir).is_err() {
        return;
    }
    let name = file_name(engine, tag, wasm);
    let _ = write(dir, &dir.join(&name), &checksum(&name, code), code);
}

fn file_name(engine: &Engine, tag: &str, wasm: &[u8]) -> String {
    let mut settings = DigestHasher(Sha256::new());
    engine.precompile_compatibility_hash().hash(&mut settings);
    let settings = settings.0.finalize();
    format!(
        "{}-{tag}-{}.cwasm",
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
/// The largest cache file read: compiled code is about twice the size of its wasm (the 19 MB
/// CPython component compiles to 36 MB), so this holds a program of several hundred MB.
const MAX_ENTRY_BYTES: u64 = 1 << 30;

/// The payload of the cache file at `path`, if it is a regular file of at most
/// [`MAX_ENTRY_BYTES`] whose magic and checksum match. Anything else planted at the name (a
/// symlink, a FIFO, a device, a directory, a huge file) is not read: the program is compiled
/// and the entry replaced.
fn read(path: &Path, name: &str) -> Option<Vec<u8>> {
    let file = open_entry(path).ok()?;
    let metadata = file.metadata().ok()?;
    if !metadata.is_file() || metadata.len() > MAX_ENTRY_BYTES {
        return None;
    }
    let mut bytes = Vec::new();
    bytes.try_reserve_exact(metadata.len() as usize).ok()?;
    // Bounded even if the file grows while it is read.
    file.take(MAX_ENTRY_BYTES + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    let header = MAGIC.len() + 32;
    if bytes.len() as u64 > MAX_ENTRY_BYTES || bytes.len() < header || !bytes.starts_with(MAGIC) {
        return None;
    }
    let payload = bytes.split_off(header);
    (checksum(name, &payload)[..] == bytes[MAGIC.len()..]).then_some(payload)
}

/// Opens a cache entry for reading without following a symlink at its name (`O_NOFOLLOW`) and
/// without waiting for a writer if it is a FIFO (`O_NONBLOCK`, which regular files ignore).
#[cfg(unix)]
fn open_entry(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_entry(path: &Path) -> std::io::Result<File> {
    if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(std::io::ErrorKind::InvalidInput.into());
    }
    File::open(path)
}

/// Refuses a cache directory that users other than its owner may write, or that another user
/// (not root) owns: whoever can write it can plant native code that this process would run.
/// A directory that does not exist yet is fine: it is created writable by its owner only.
pub fn check_dir(dir: &Path) -> Result<(), InvalidOption> {
    let refused = |problem| InvalidOption::CacheDir {
        dir: dir.to_owned(),
        problem,
    };
    #[cfg(unix)]
    if let Ok(metadata) = std::fs::metadata(dir) {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if metadata.uid() != me && metadata.uid() != 0 {
            return Err(refused(CacheDirProblem::OtherOwner));
        }
        if metadata.mode() & 0o022 != 0 {
            return Err(refused(CacheDirProblem::WritableByOthers));
        }
    }
    #[cfg(not(unix))]
    let _ = (dir, refused);
    Ok(())
}

fn write(dir: &Path, path: &Path, checksum: &[u8], payload: &[u8]) -> std::io::Result<()> {
    // A name no other writer uses at the same time: this process and a counter.
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    create_private_dir(dir)?;
    // Again after creating it: another user may have made the directory first.
    check_dir(dir).map_err(std::io::Error::other)?;
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

/// Creates `dir` and its missing parents writable by their owner only, as [`check_dir`] wants.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
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
