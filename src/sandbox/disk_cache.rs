//! The optional on-disk cache of compiled code, so that a fresh process runs a
//! program it compiled before without compiling it again.
//!
//! This is the host's cache, never visible to guests. One entry per program and codegen (plain
//! code, which the pooled and on-demand engines share, or metered code), named by the SHA-256
//! of the wasm bytes, the codegen and a digest of wasmtime's compatibility hash (its version and
//! every setting that affects compiled code): `<sha256>-<codegen>-<engine>.cwasm`. An entry is
//! two files: that one, holding exactly the serialized code the compiler made (`compiler.rs`),
//! so that wasmtime maps it into memory instead of reading and copying it (a 287 MB CPython
//! loads in tens of milliseconds), and `<name>.sum`: a magic line, whether the code is a module
//! or a component, its length, and the xxh3-128 of the name and the code. The name is in the
//! checksum so that files copied or renamed to another program's name are not loaded as that
//! program.
//!
//! **Never trusted blindly.** Loading native code from disk is only safe if the file is what we
//! wrote. An entry is used only if its sum file's magic matches, its code file has the length
//! the sum says and hashes to the sum (read through a private mapping, before wasmtime sees a
//! byte of it: wasmtime's deserializer trusts its input, and one flipped byte in its metadata
//! made it panic with its type registry's lock held, breaking every later run), and wasmtime
//! accepts its header (same version, same settings); a truncated, corrupted, foreign or stale
//! entry is recompiled and replaced. Files are written to a temporary name and renamed,
//! code first, so a reader never sees half a file, and one that sees a new code file with an old
//! sum recompiles. The checksum catches accidents, not an attacker: anyone who can write the
//! directory can plant code, so it must be writable only by the user running the host (as for any
//! directory of executables). A mapped file must not be changed in place while a process uses
//! it (the cache itself only ever replaces files by renaming): truncating one under a running
//! process would fault it, as for any executable.
//!
//! **Nothing but regular files is read.** An entry is opened without following symlinks and
//! without blocking on a FIFO, and used only if it is a regular file of at most 1 GiB, so a
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
use wasmtime::{Engine, Precompiled};
use xxhash_rust::xxh3::Xxh3;

use super::error::{CacheDirProblem, InvalidOption};

/// The first bytes of every sum file; bumped when the format changes, or what a compiler
/// checks before it writes code (`05`: code and sum in two files; `04`: the instantiation
/// footprint), so that code from an older build is compiled again rather than trusted to have
/// passed checks it never made.
const MAGIC: &[u8; 8] = b"hwasi05\n";

/// A sum file: the magic, the kind byte, the code's length and its checksum.
const SUM_BYTES: usize = MAGIC.len() + 1 + 8 + 16;

/// A cache entry found on disk and checked: its code file, open, for wasmtime to map.
pub struct Entry {
    file: File,
    #[cfg(not(target_os = "linux"))]
    path: PathBuf,
    component: bool,
}

impl Entry {
    /// The code file, open.
    pub fn file(&self) -> &File {
        &self.file
    }

    /// A path that names the open code file itself (on Linux its `/proc/self/fd` link, so a
    /// file renamed over the entry meanwhile is not the one loaded).
    pub fn path(&self) -> PathBuf {
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd;
            PathBuf::from(format!("/proc/self/fd/{}", self.file.as_raw_fd()))
        }
        #[cfg(not(target_os = "linux"))]
        self.path.clone()
    }

    /// Whether the code is a component (otherwise a core module).
    pub fn is_component(&self) -> bool {
        self.component
    }
}

/// The entry named `name` ([`entry_name`]) in `dir`, if one is there whose code matches its
/// sum file.
/// Nothing is read from a directory that fails [`check_dir`] now: it is checked at every use,
/// not only when the program was made, since a directory may be opened to others later and
/// code for the fuel and on-demand engines is loaded on a later run.
pub fn find_code(name: &str, dir: &Path) -> Option<Entry> {
    check_dir(dir).ok()?;
    let sum = read_small(&dir.join(format!("{name}.sum")))?;
    if sum.len() != SUM_BYTES || !sum.starts_with(MAGIC) {
        return None;
    }
    let at = MAGIC.len();
    let component = match sum[at] {
        0 => false,
        1 => true,
        _ => return None,
    };
    let len = u64::from_le_bytes(sum[at + 1..at + 9].try_into().ok()?);
    let checksum = u128::from_le_bytes(sum[at + 9..at + 25].try_into().ok()?);
    let path = dir.join(name);
    let file = open_entry(&path).ok()?;
    #[cfg(target_os = "linux")]
    drop(path);
    let metadata = file.metadata().ok()?;
    if !metadata.is_file() || metadata.len() != len || len > MAX_ENTRY_BYTES {
        return None;
    }
    if file_checksum(name, &file, len)? != checksum {
        return None;
    }
    Some(Entry {
        file,
        #[cfg(not(target_os = "linux"))]
        path,
        component,
    })
}

/// What [`checksum`] gives for the `len` bytes of `file`, read through a private read-only
/// mapping (no copy; the pages stay in the page cache for wasmtime's own mapping next).
#[cfg(unix)]
fn file_checksum(name: &str, file: &File, len: u64) -> Option<u128> {
    use std::os::fd::AsRawFd;
    let len = usize::try_from(len).ok()?;
    if len == 0 {
        return Some(checksum(name, &[]));
    }
    // SAFETY: a new read-only mapping of an open regular file, read only while it exists and
    // unmapped below. (A file truncated meanwhile would fault the process: the cache only ever
    // replaces files by renaming them.)
    let at = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ,
            libc::MAP_PRIVATE,
            file.as_raw_fd(),
            0,
        )
    };
    if at == libc::MAP_FAILED {
        return None;
    }
    // SAFETY: `len` readable bytes at `at`, mapped just above.
    let sum = checksum(name, unsafe {
        std::slice::from_raw_parts(at.cast::<u8>(), len)
    });
    // SAFETY: the mapping made above, no longer borrowed.
    unsafe { libc::munmap(at, len) };
    Some(sum)
}

#[cfg(not(unix))]
fn file_checksum(name: &str, mut file: &File, len: u64) -> Option<u128> {
    let mut bytes = Vec::new();
    bytes.try_reserve_exact(usize::try_from(len).ok()?).ok()?;
    file.take(len).read_to_end(&mut bytes).ok()?;
    Some(checksum(name, &bytes))
}

/// Stores `code` as the entry named `name` ([`entry_name`]) in `dir`; whether it was stored.
/// Best-effort: a cache that cannot be written is a cache miss next time.
pub fn store_code(name: &str, dir: &Path, code: &[u8]) -> bool {
    if check_dir(dir).is_err() {
        return false;
    }
    let component = match Engine::detect_precompiled(code) {
        Some(Precompiled::Module) => 0u8,
        Some(Precompiled::Component) => 1u8,
        None => return false,
    };
    let mut sum = Vec::with_capacity(SUM_BYTES);
    sum.extend_from_slice(MAGIC);
    sum.push(component);
    sum.extend_from_slice(&(code.len() as u64).to_le_bytes());
    sum.extend_from_slice(&checksum(name, code).to_le_bytes());
    write(dir, &dir.join(name), code).is_ok()
        && write(dir, &dir.join(format!("{name}.sum")), &sum).is_ok()
}

/// The name of the entry for `wasm` compiled by `engine`'s settings with the code generation
/// named `tag`. It hashes all of `wasm` (55 ms for CPython's 95 MB), so a caller computes it
/// once for a lookup and the store that may follow.
pub fn entry_name(engine: &Engine, tag: &str, wasm: &[u8]) -> String {
    let mut settings = DigestHasher(Sha256::new());
    engine.precompile_compatibility_hash().hash(&mut settings);
    let settings = settings.0.finalize();
    format!(
        "{}-{tag}-{}.cwasm",
        hex(&Sha256::digest(wasm)),
        hex(&settings[..8])
    )
}

/// What the sum file of the entry named `name` holds for `code`.
fn checksum(name: &str, code: &[u8]) -> u128 {
    let mut hasher = Xxh3::new();
    hasher.update(name.as_bytes());
    hasher.update(code);
    hasher.digest128()
}

/// The largest code file used: compiled code is about three times the size of its wasm (the
/// 95 MB CPython module compiles to 287 MB), so this holds a program of several hundred MB.
const MAX_ENTRY_BYTES: u64 = 1 << 30;

/// The contents of the sum file at `path`, if it is a regular file of the right size.
fn read_small(path: &Path) -> Option<Vec<u8>> {
    let file = open_entry(path).ok()?;
    let metadata = file.metadata().ok()?;
    if !metadata.is_file() || metadata.len() != SUM_BYTES as u64 {
        return None;
    }
    let mut bytes = Vec::with_capacity(SUM_BYTES);
    file.take(SUM_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    Some(bytes)
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

fn write(dir: &Path, path: &Path, payload: &[u8]) -> std::io::Result<()> {
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
