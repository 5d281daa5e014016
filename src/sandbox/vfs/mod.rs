//! The in-memory filesystem tree behind the sandbox's `wasi:filesystem` and preview1 layers:
//! inodes, directory entries, path resolution that can never escape, and a byte budget.
//!
//! The layers above keep descriptors (an inode number plus flags and a cursor); this module
//! owns only the tree. Every call names its starting directory by inode, and resolution never
//! leaves that directory (see `path.rs`), matching wasmtime's cap-std behaviour on Linux.
//!
//! **Time.** The tree reads no clock. Every call that sets a timestamp takes `now`, wall-clock
//! nanoseconds since the Unix epoch, from the caller. An explicit argument rather than a
//! `set_now` setter: the sandbox's virtual clock advances on every read, so the host layer reads
//! it exactly once per guest call and passes it down, and a forgotten update cannot silently
//! stamp a stale time. Reads never update `atime` (as with `noatime` mounts); `mtime` and
//! `ctime` of a directory change when its entries do; `ctime` changes on any metadata change.
//!
//! **Budget.** [`Vfs::used_bytes`] counts file bytes and symlink target bytes once per name (a
//! hard link is charged a copy, as the exported tree holds one per name),
//! [`INODE_OVERHEAD`] per inode (the root excepted) and [`DIRENT_OVERHEAD`] plus the bytes of
//! the entry's full path (`a/b/name`, as exported) per directory entry, so millions of empty
//! files or hard links cost real budget, and so does a deep tree of short names, whose export
//! would otherwise hold far more key bytes than the budget. Moving a directory recharges its
//! subtree for the new path length. Every
//! call that grows the count checks the limit first and, if it would be exceeded, fails with
//! `InsufficientSpace` having changed nothing and allocated nothing. File data lives in a
//! `Vec`, whose amortised growth can hold up to about twice the counted bytes.
//!
//! **Lifetime.** An inode is freed, and its bytes returned, when no entry names it and no
//! handle holds it ([`Vfs::retain`] / [`Vfs::release`]); so a file unlinked while open stays
//! usable, and a directory removed while open is empty and accepts no new entries (`NoEntry`).
//!
//! It deliberately does not model permissions, ownership, devices, sockets, fifos or rights:
//! the sandbox exposes one writable tree, and descriptor rights belong to the layers.

mod audit;
mod data;
mod error;
mod mount;
mod node;
mod ops;
mod path;
mod rename;
mod seed;

pub use error::{FsError, SeedError};

use std::ops::Bound;
use std::sync::Arc;

use node::{Arena, Data};

/// An inode number. Deterministic: the root is [`ROOT`], seeded entries follow in path order,
/// then inodes are numbered in creation order. Numbers are never reused within a `Vfs`.
pub type Ino = u64;

/// The root directory's inode number.
pub const ROOT: Ino = 1;

/// Bytes charged per inode besides its content: roughly what the node and its map slot cost
/// the host, so empty files are not free.
pub const INODE_OVERHEAD: u64 = 128;

/// Bytes charged per directory entry besides its full path: the map slot and the name's
/// allocation, so hard links and long directories are not free either.
pub const DIRENT_OVERHEAD: u64 = 64;

/// Longest path component, as Linux `NAME_MAX`.
pub const NAME_MAX: usize = 255;

/// Longest path or symlink target in bytes (Linux `PATH_MAX` less the NUL).
pub const MAX_PATH_LEN: usize = 4095;

/// Most symlinks one resolution follows before failing with `Loop` (Linux `MAXSYMLINKS`).
pub const MAX_SYMLINK_HOPS: u32 = 40;

/// Largest file size: a POSIX `off_t` must hold it.
pub const MAX_FILE_SIZE: u64 = i64::MAX as u64;

/// What an inode is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link.
    Symlink,
}

/// An inode's metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stat {
    /// The inode number.
    pub ino: Ino,
    /// What the inode is.
    pub kind: Kind,
    /// POSIX link count: entries naming a file or symlink; `2 + sub-directories` for a
    /// directory, or 0 once it has been removed.
    pub nlink: u64,
    /// File length, symlink target length, or 0 for a directory.
    pub size: u64,
    /// Last access, ns since the Unix epoch; only set explicitly (reads do not update it).
    pub atime_ns: u64,
    /// Last content change, ns since the Unix epoch.
    pub mtime_ns: u64,
    /// Last metadata change, ns since the Unix epoch.
    pub ctime_ns: u64,
}

/// How `set_times` changes one timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetTime {
    /// Leave it as it is.
    NoChange,
    /// Set it to the call's `now`.
    Now,
    /// Set it to this many ns since the Unix epoch.
    At(u64),
}

/// The flags of `open_at`, as in `wasi:filesystem` `open-flags`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenOptions {
    /// Create a regular file if the name is free.
    pub create: bool,
    /// With `create`, fail with `Exist` if the name is taken (never following a final symlink).
    pub exclusive: bool,
    /// Truncate an existing regular file to length 0.
    pub truncate: bool,
    /// Fail with `NotDirectory` unless the result is a directory.
    pub directory: bool,
}

/// One entry of a seed list or an export: what lives at a path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Entry {
    /// A regular file with these contents. Shared, not copied, between a seed list, the trees
    /// built from it and their exports: a tree copies a file's bytes on its first change only.
    File(Arc<Vec<u8>>),
    /// A directory (its contents are listed as separate entries).
    Dir,
    /// A symlink with this target, stored verbatim.
    Symlink(String),
}

/// An in-memory filesystem tree with a byte budget. See the module docs for its rules.
pub struct Vfs {
    nodes: Arena,
}

impl Vfs {
    /// The root directory.
    pub fn root(&self) -> Ino {
        ROOT
    }

    /// Bytes currently charged against the limit (see the module docs for what counts).
    pub fn used_bytes(&self) -> u64 {
        self.nodes.used()
    }

    /// The byte limit given at creation.
    pub fn limit_bytes(&self) -> u64 {
        self.nodes.limit()
    }

    /// The metadata of a live inode; `BadDescriptor` if it was freed.
    pub fn stat(&self, ino: Ino) -> Result<Stat, FsError> {
        let node = self.nodes.get(ino)?;
        let nlink = match &node.data {
            Data::Dir(d) if node.links > 0 => 2 + d.subdirs,
            Data::Dir(_) => 0,
            _ => node.links,
        };
        Ok(Stat {
            ino,
            kind: node.kind(),
            nlink,
            size: node.payload(),
            atime_ns: node.atime,
            mtime_ns: node.mtime,
            ctime_ns: node.ctime,
        })
    }

    /// The metadata of what `path` names from directory `dir`.
    pub fn stat_at(&self, dir: Ino, path: &str, follow: bool) -> Result<Stat, FsError> {
        self.stat(self.resolve(dir, path, follow)?)
    }

    /// Resolves `path`, relative to directory `dir`, to an existing inode. A final symlink is
    /// followed when `follow` is set or the path ends with `/`.
    pub fn resolve(&self, dir: Ino, path: &str, follow: bool) -> Result<Ino, FsError> {
        self.lookup(dir, path, follow)
    }

    /// A stable 128-bit hash of an inode's identity for `metadata-hash`: equal for hard links
    /// (they are one inode), different for different inodes, the same on every run.
    pub fn metadata_hash(&self, ino: Ino) -> Result<(u64, u64), FsError> {
        self.nodes.get(ino)?;
        // splitmix64's finaliser is a bijection, so distinct inodes never collide in either
        // half; the salts only keep the halves from being equal to each other.
        Ok((
            mix(ino ^ 0x6865_726d_6574_6963),
            mix(ino ^ 0x7761_7369_2d76_6673),
        ))
    }

    /// Records one more handle (descriptor) on `ino`, keeping it alive after its last name goes.
    pub fn retain(&mut self, ino: Ino) -> Result<(), FsError> {
        self.nodes.get_mut(ino)?.handles += 1;
        Ok(())
    }

    /// Drops a handle taken with [`retain`](Self::retain); frees the inode if it was the last
    /// thing keeping it. `Invalid` if `ino` holds no handle.
    pub fn release(&mut self, ino: Ino) -> Result<(), FsError> {
        let node = self.nodes.get_mut(ino)?;
        node.handles = node.handles.checked_sub(1).ok_or(FsError::Invalid)?;
        self.nodes.maybe_free(ino);
        Ok(())
    }

    /// A directory's entries, sorted by name bytes, without `.` and `..`. A removed directory
    /// lists nothing.
    pub fn read_dir(&self, dir: Ino) -> Result<Vec<(String, Ino, Kind)>, FsError> {
        let entries = self.read_dir_from(dir, None)?;
        Ok(entries
            .map(|(name, ino, kind)| (name.to_owned(), ino, kind))
            .collect())
    }

    /// A directory's entries whose names sort after `after` (all of them for `None`), in
    /// name-byte order, without `.` and `..`, borrowed rather than copied: the directory
    /// listings above resume from the last name they returned.
    pub fn read_dir_from<'a>(
        &'a self,
        dir: Ino,
        after: Option<&str>,
    ) -> Result<impl Iterator<Item = (&'a str, Ino, Kind)> + 'a, FsError> {
        let d = self.nodes.dir(dir)?;
        let start = match after {
            Some(name) => Bound::Excluded(name),
            None => Bound::Unbounded,
        };
        let entries = d.entries.range::<str, _>((start, Bound::Unbounded));
        Ok(entries.filter_map(move |(name, &ino)| {
            // Every entry names a live inode (see `check_invariants`).
            let kind = self.nodes.get(ino).ok()?.kind();
            Some((name.as_str(), ino, kind))
        }))
    }

    /// What `..` names in a directory listing: the parent directory, the root for the root, or
    /// `NoEntry` for a removed directory.
    pub fn parent(&self, dir: Ino) -> Result<Ino, FsError> {
        let d = self.nodes.dir(dir)?;
        if !self.nodes.is_linked(dir) {
            return Err(FsError::NoEntry);
        }
        Ok(d.parent)
    }
}

/// splitmix64's output function.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
