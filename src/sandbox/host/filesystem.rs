//! `wasi:filesystem/types` and `preopens` over the run's in-memory tree ([`Vfs`]).
//!
//! The guest gets one preopened directory, the root of the tree, named `/`, when the run was
//! given `files` (none otherwise: then nothing at all is reachable). Everything it can
//! reach is in the tree the caller seeded (`RunOptions::files`); nothing of the host is visible,
//! and path resolution cannot leave the tree (see `vfs/path.rs`: `..` above the starting
//! directory, absolute paths and absolute symlink targets are `not-permitted`).
//!
//! **Descriptors** hold an inode (kept alive with [`Vfs::retain`] until the descriptor and every
//! stream on it are dropped), whether it is a directory, its open mode (read, write) and whether
//! the tree may be changed through it. The checks and error codes follow wasmtime-wasi's p2
//! implementation on Linux: the right to change the tree is inherited from the preopen (like
//! wasmtime's per-preopen `FsPerms`, and unlike the WIT's per-descriptor `mutate-directory`,
//! which the preview1 adapter never requests on sub-directories); the open mode follows
//! wasmtime's `open-at` (`create` and `truncate` imply write, and a descriptor without `write`
//! is readable). The `*-sync` descriptor flags are `unsupported`, as in wasmtime.
//!
//! **Time.** Every call that can change the tree reads the virtual wall clock exactly once and
//! stamps what it changes with that time (so each such call, like any clock read, moves
//! virtual time by 1 µs). Reads never change `atime`. File timestamps are `u64` nanoseconds,
//! so they saturate in the year 2554 even if `startTime` is later.
//!
//! **Space.** `limits.fsBytes` bounds the tree. A write, resize or create that would pass it
//! fails with `insufficient-space` having written nothing, and the run carries on.
//!
//! It deliberately does not implement `advise`, `sync` or `sync-data` beyond checking the
//! descriptor (everything is in memory), nor per-descriptor read-only trees (there is one
//! writable preopen).

mod descriptor;
mod open;
mod streams;

use std::sync::{Arc, Mutex, MutexGuard};

use wasmtime::component::{Resource, ResourceTableError};

use crate::sandbox::bindings::wasi::filesystem::preopens;
use crate::sandbox::bindings::wasi::filesystem::types::{
    self, Datetime, DescriptorFlags, DescriptorStat, DescriptorType, ErrorCode, NewTimestamp,
};
use crate::sandbox::clock::{NANOS_PER_SECOND, VirtualClock};
use crate::sandbox::ending::LimitExceeded;
use crate::sandbox::store::StoreData;
use crate::sandbox::sync::lock;
use crate::sandbox::vfs::{Entry, FsError, Ino, Kind, ROOT, SetTime, Stat, Vfs};

pub use streams::DirectoryEntries;

/// The run's tree and the clock that stamps it, shared by the store's filesystem context, every
/// descriptor and every file stream (streams live in the resource table and reach nothing else).
#[derive(Clone)]
pub struct SharedFs(Arc<FsState>);

struct FsState {
    vfs: Mutex<Vfs>,
    /// Whether the root is preopened (the run was given `files`).
    preopened: bool,
    clock: VirtualClock,
    wall_start_ns: u128,
}

impl SharedFs {
    /// Shares `vfs`, preopened as `/` if `preopened`, stamping changes with the wall clock
    /// `wall_start_ns + clock`.
    pub fn new(vfs: Vfs, preopened: bool, clock: VirtualClock, wall_start_ns: u128) -> Self {
        Self(Arc::new(FsState {
            vfs: Mutex::new(vfs),
            preopened,
            clock,
            wall_start_ns,
        }))
    }

    /// The tree. Never hold the guard while dropping a [`Handle`]: its drop takes the lock too.
    pub(crate) fn vfs(&self) -> MutexGuard<'_, Vfs> {
        lock(&self.0.vfs)
    }

    /// The wall-clock time for stamping a change, in ns since the Unix epoch: one guest-visible
    /// read of the virtual clock, so it moves as for any other read.
    pub(crate) fn now(&self) -> Result<u64, LimitExceeded> {
        let now = self.0.wall_start_ns + u128::from(self.0.clock.read()?);
        Ok(u64::try_from(now).unwrap_or(u64::MAX))
    }

    /// The tree as it is now, in the form of `RunOptions::files`.
    pub fn export(&self) -> Vec<(String, Entry)> {
        self.vfs().export()
    }
}

/// An inode held open by a descriptor or a stream; released when dropped.
pub(crate) struct Handle {
    fs: SharedFs,
    ino: Ino,
}

impl Handle {
    /// Takes a handle on `ino` of `vfs`, which is `fs`'s tree, already locked by the caller.
    fn new(fs: &SharedFs, vfs: &mut Vfs, ino: Ino) -> Result<Self, FsError> {
        vfs.retain(ino)?;
        Ok(Self {
            fs: fs.clone(),
            ino,
        })
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        // Cannot fail: this handle's retain keeps the inode alive until now.
        let _ = self.fs.vfs().release(self.ino);
    }
}

/// A `descriptor` resource: an open file or directory.
pub struct Descriptor {
    node: Handle,
    dir: bool,
    /// Opened for reading.
    read: bool,
    /// Opened for writing (files only).
    write: bool,
    /// The tree may be changed through this descriptor (inherited from the preopen).
    mutate: bool,
}

impl Descriptor {
    /// The file's inode, or `bad-descriptor` for a directory (as wasmtime).
    fn file(&self) -> Result<Ino, Fail> {
        match self.dir {
            false => Ok(self.node.ino),
            true => Err(ErrorCode::BadDescriptor.into()),
        }
    }

    /// The directory's inode, or `not-directory` for a file.
    fn dir(&self) -> Result<Ino, Fail> {
        match self.dir {
            true => Ok(self.node.ino),
            false => Err(ErrorCode::NotDirectory.into()),
        }
    }

    /// The directory's inode if the tree may be changed through it, else `not-permitted`.
    fn mutable_dir(&self) -> Result<Ino, Fail> {
        let ino = self.dir()?;
        self.check_mutate()?;
        Ok(ino)
    }

    fn check_mutate(&self) -> Result<(), Fail> {
        match self.mutate {
            true => Ok(()),
            false => Err(ErrorCode::NotPermitted.into()),
        }
    }

    /// `get-flags`: the open mode, and `mutate-directory` on a directory the tree may be
    /// changed through (wasmtime reports it on preopens only, though it allows the change
    /// through any directory opened from them; here the flag tells what is allowed).
    fn flags(&self) -> DescriptorFlags {
        let pick = |set: bool, flag: DescriptorFlags| match set {
            true => flag,
            false => DescriptorFlags::empty(),
        };
        pick(self.read, DescriptorFlags::READ)
            | pick(self.write, DescriptorFlags::WRITE)
            | pick(self.dir && self.mutate, DescriptorFlags::MUTATE_DIRECTORY)
    }
}

/// Why a filesystem call failed: an error code for the guest, or a trap that ends the run (a
/// bad resource handle, a limit). The `trappable_error_type` of `wasi:filesystem`'s
/// `error-code`, so host functions can use `?` on both.
pub enum Fail {
    /// Returned to the guest.
    Code(ErrorCode),
    /// Ends the run.
    Trap(wasmtime::Error),
}

impl From<ErrorCode> for Fail {
    fn from(code: ErrorCode) -> Self {
        Self::Code(code)
    }
}

impl From<FsError> for Fail {
    fn from(error: FsError) -> Self {
        Self::Code(error_code(error))
    }
}

impl From<ResourceTableError> for Fail {
    fn from(error: ResourceTableError) -> Self {
        Self::Trap(error.into())
    }
}

impl From<LimitExceeded> for Fail {
    fn from(limit: LimitExceeded) -> Self {
        Self::Trap(limit.into())
    }
}

/// The `error-code` of the same name.
pub fn error_code(error: FsError) -> ErrorCode {
    match error {
        FsError::BadDescriptor => ErrorCode::BadDescriptor,
        FsError::Busy => ErrorCode::Busy,
        FsError::Exist => ErrorCode::Exist,
        FsError::FileTooLarge => ErrorCode::FileTooLarge,
        FsError::InsufficientSpace => ErrorCode::InsufficientSpace,
        FsError::Invalid => ErrorCode::Invalid,
        FsError::IsDirectory => ErrorCode::IsDirectory,
        FsError::Loop => ErrorCode::Loop,
        FsError::NameTooLong => ErrorCode::NameTooLong,
        FsError::NoEntry => ErrorCode::NoEntry,
        FsError::NotDirectory => ErrorCode::NotDirectory,
        FsError::NotEmpty => ErrorCode::NotEmpty,
        FsError::NotPermitted => ErrorCode::NotPermitted,
    }
}

fn descriptor_type(kind: Kind) -> DescriptorType {
    match kind {
        Kind::File => DescriptorType::RegularFile,
        Kind::Dir => DescriptorType::Directory,
        Kind::Symlink => DescriptorType::SymbolicLink,
    }
}

fn datetime(ns: u64) -> Datetime {
    Datetime {
        seconds: ns / NANOS_PER_SECOND,
        nanoseconds: (ns % NANOS_PER_SECOND) as u32,
    }
}

fn descriptor_stat(stat: Stat) -> DescriptorStat {
    DescriptorStat {
        type_: descriptor_type(stat.kind),
        link_count: stat.nlink,
        size: stat.size,
        data_access_timestamp: Some(datetime(stat.atime_ns)),
        data_modification_timestamp: Some(datetime(stat.mtime_ns)),
        status_change_timestamp: Some(datetime(stat.ctime_ns)),
    }
}

/// A `new-timestamp` as the tree takes it. Nanoseconds past a second carry into the seconds
/// (as wasmtime); a time the tree cannot hold (past 2554) is `overflow`.
fn set_time(t: NewTimestamp) -> Result<SetTime, Fail> {
    match t {
        NewTimestamp::NoChange => Ok(SetTime::NoChange),
        NewTimestamp::Now => Ok(SetTime::Now),
        NewTimestamp::Timestamp(t) => t
            .seconds
            .checked_mul(NANOS_PER_SECOND)
            .and_then(|ns| ns.checked_add(u64::from(t.nanoseconds)))
            .map(SetTime::At)
            .ok_or(Fail::Code(ErrorCode::Overflow)),
    }
}

impl types::Host for StoreData {
    fn convert_error_code(&mut self, fail: Fail) -> wasmtime::Result<ErrorCode> {
        match fail {
            Fail::Code(code) => Ok(code),
            Fail::Trap(trap) => Err(trap),
        }
    }

    /// Only the errors of file streams carry a code (as wasmtime, whose file streams fail with
    /// the OS error); any other stream error, e.g. of stdout, has none.
    fn filesystem_error_code(
        &mut self,
        err: Resource<types::Error>,
    ) -> wasmtime::Result<Option<ErrorCode>> {
        let err = self.table.get(&err)?;
        Ok(err.downcast_ref::<FsError>().map(|e| error_code(*e)))
    }
}

impl preopens::Host for StoreData {
    /// The root, named `/`, as a new descriptor on every call (as wasmtime).
    fn get_directories(&mut self) -> wasmtime::Result<Vec<(Resource<Descriptor>, String)>> {
        if !self.fs.0.preopened {
            return Ok(Vec::new());
        }
        let node = Handle::new(&self.fs, &mut self.fs.vfs(), ROOT)?;
        let root = Descriptor {
            node,
            dir: true,
            read: true,
            write: false,
            mutate: true,
        };
        Ok(vec![(self.table.push(root)?, "/".to_owned())])
    }
}
