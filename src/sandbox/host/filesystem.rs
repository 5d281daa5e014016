//! `wasi:filesystem/types` and `preopens` over the run's in-memory tree ([`Vfs`](crate::sandbox::vfs::Vfs)).
//!
//! The guest gets one preopened directory, the root of the tree, named `/`, when the run was
//! given `files` (none otherwise: then nothing at all is reachable). Everything it can
//! reach is in the tree the caller seeded (`RunOptions::files`); nothing of the host is visible,
//! and path resolution cannot leave the tree (see `vfs/path.rs`: `..` above the starting
//! directory, absolute paths and absolute symlink targets are `not-permitted`).
//!
//! **Descriptors** hold a [`Handle`] on their inode, whether it is a directory and its open
//! mode (read, write), as `wasi/fs.rs` opened it. The checks and error codes follow
//! wasmtime-wasi's p2 implementation on Linux. The tree may be changed through any directory
//! (there is one writable preopen, like wasmtime's per-preopen `FsPerms`, and unlike the WIT's
//! per-descriptor `mutate-directory`, which the preview1 adapter never requests on
//! sub-directories). Time and lifetimes are the core's (`wasi/fs.rs`).
//!
//! **Space.** `Limits::fs_bytes` bounds the tree. A write, resize or create that would pass it
//! fails with `insufficient-space` having written nothing, and the run carries on.
//!
//! It deliberately does not implement `advise`, `sync` or `sync-data` beyond checking the
//! descriptor (everything is in memory), nor read-only trees.

mod descriptor;
mod open;
mod streams;

use wasmtime::component::{Resource, ResourceTableError};

use crate::sandbox::bindings::wasi::filesystem::preopens;
use crate::sandbox::bindings::wasi::filesystem::types::{
    self, Datetime, DescriptorFlags, DescriptorStat, DescriptorType, ErrorCode, NewTimestamp,
};
use crate::sandbox::clock::NANOS_PER_SECOND;
use crate::sandbox::ending::LimitExceeded;
use crate::sandbox::store::StoreData;
use crate::sandbox::vfs::{FsError, Ino, Kind, ROOT, SetTime, Stat};
use crate::sandbox::wasi::fs::{FsFailure, Handle};

pub use streams::DirectoryEntries;

/// A `descriptor` resource: an open file or directory.
pub struct Descriptor {
    node: Handle,
    dir: bool,
    /// Opened for reading.
    read: bool,
    /// Opened for writing (files only).
    write: bool,
}

impl Descriptor {
    /// The file's inode, or `bad-descriptor` for a directory (as wasmtime).
    fn file(&self) -> Result<Ino, Fail> {
        match self.dir {
            false => Ok(self.node.ino()),
            true => Err(ErrorCode::BadDescriptor.into()),
        }
    }

    /// The directory's inode, or `not-directory` for a file.
    fn dir(&self) -> Result<Ino, Fail> {
        match self.dir {
            true => Ok(self.node.ino()),
            false => Err(ErrorCode::NotDirectory.into()),
        }
    }

    /// `get-flags`: the open mode, and `mutate-directory` on every directory, since the tree may
    /// be changed through any (wasmtime reports it on preopens only, though it allows the change
    /// through any directory opened from them; here the flag tells what is allowed).
    fn flags(&self) -> DescriptorFlags {
        let pick = |set: bool, flag: DescriptorFlags| match set {
            true => flag,
            false => DescriptorFlags::empty(),
        };
        pick(self.read, DescriptorFlags::READ)
            | pick(self.write, DescriptorFlags::WRITE)
            | pick(self.dir, DescriptorFlags::MUTATE_DIRECTORY)
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

impl From<FsFailure> for Fail {
    fn from(error: FsFailure) -> Self {
        match error {
            FsFailure::Fs(error) => error.into(),
            FsFailure::Unsupported => ErrorCode::Unsupported.into(),
            FsFailure::Limit(limit) => limit.into(),
        }
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
        FsError::CrossDevice => ErrorCode::CrossDevice,
        FsError::ReadOnly => ErrorCode::ReadOnly,
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
        if !self.fs.preopened() {
            return Ok(Vec::new());
        }
        let root = Descriptor {
            node: self.fs.handle(ROOT)?,
            dir: true,
            read: true,
            write: false,
        };
        Ok(vec![(self.table.push(root)?, "/".to_owned())])
    }
}
