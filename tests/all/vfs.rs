//! Integration tests of the in-memory filesystem tree, through its public API only.
//!
//! Each module covers one area; `suite` replays the WASI test-suite cases the layers above
//! will face, with the exact error codes wasmtime gives on Linux.

mod data;
mod lifetime;
mod ops;
mod props;
mod resolve;
mod seed;
mod suite;

pub use hermetic_wasi::sandbox::vfs::{
    DIRENT_OVERHEAD, Entry, FsError, INODE_OVERHEAD, Ino, Kind, OpenOptions, ROOT, SetTime, Stat,
    Vfs,
};

/// A fixed wall-clock time for seeding: 2023-11-14T22:13:20Z.
pub const T0: u64 = 1_700_000_000_000_000_000;

/// A generous budget for tests that are not about the limit.
pub const BIG: u64 = 1 << 30;

/// A file entry with these contents.
pub fn file(contents: &str) -> Entry {
    Entry::File(contents.as_bytes().to_vec().into())
}

/// A symlink entry.
pub fn link(target: &str) -> Entry {
    Entry::Symlink(target.to_owned())
}

/// A tree seeded from `entries` with a big budget.
pub fn tree(entries: &[(&str, Entry)]) -> Vfs {
    let list = entries
        .iter()
        .map(|(p, e)| (p.to_string(), e.clone()))
        .collect();
    let vfs = Vfs::new(list, BIG, T0).expect("seed");
    vfs.check_invariants().expect("seeded tree is consistent");
    vfs
}

/// The fixture of the wasip3 `filesystem-*` tests: `a.txt`, `b.txt` and, as those tests
/// create first, `parent.cleanup -> ..`.
pub fn suite_tree() -> Vfs {
    tree(&[
        ("a.txt", file("test-a\n")),
        ("b.txt", file("test-b\n")),
        ("parent.cleanup", link("..")),
    ])
}

/// Open options with only `create`.
pub fn create() -> OpenOptions {
    OpenOptions {
        create: true,
        ..OpenOptions::default()
    }
}

/// Open options with only `directory`.
pub fn directory() -> OpenOptions {
    OpenOptions {
        directory: true,
        ..OpenOptions::default()
    }
}

/// Creates an empty file at `path` from the root.
pub fn touch(vfs: &mut Vfs, path: &str) -> Ino {
    vfs.open_at(ROOT, path, false, create(), T0)
        .expect("create file")
}

/// The contents of the file at `path`.
pub fn contents(vfs: &Vfs, path: &str) -> Vec<u8> {
    let ino = vfs.resolve(ROOT, path, true).expect("resolve");
    vfs.read(ino, 0, u64::MAX).expect("read")
}
