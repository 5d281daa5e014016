//! The two error types of the tree: [`FsError`] for what a guest's call did wrong, named after
//! `wasi:filesystem/types.error-code` so the host layers map them one to one, and [`SeedError`]
//! for a malformed seed list handed in by the embedder.
//!
//! It deliberately does not carry paths or causes in [`FsError`]: the guest only ever sees an
//! error code, and keeping the enum `Copy` keeps the resolution code allocation-free on failure.

use std::fmt;

/// Why a filesystem operation failed. Each variant is the `wasi:filesystem` `error-code` of the
/// same name; the preview1 layer maps them to the matching `errno`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FsError {
    /// The inode handle no longer names a live inode (it was released and freed).
    BadDescriptor,
    /// The entry is the object the operation would move or remove ("." or "..").
    Busy,
    /// The name already exists.
    Exist,
    /// A write or resize would make a file larger than [`MAX_FILE_SIZE`](super::MAX_FILE_SIZE).
    FileTooLarge,
    /// The operation would exceed the filesystem's byte budget.
    InsufficientSpace,
    /// A hard link or rename between a mount and the rest of the tree.
    CrossDevice,
    /// An argument is invalid for this object (e.g. readlink on a non-symlink, a NUL in a path).
    Invalid,
    /// The object is a directory and the operation needs a non-directory.
    IsDirectory,
    /// Too many symlinks were followed, or a final symlink was opened without following it.
    Loop,
    /// A path component or a whole path is too long.
    NameTooLong,
    /// A path component does not exist.
    NoEntry,
    /// A directory was needed and something else was found.
    NotDirectory,
    /// The directory to remove or replace still has entries.
    NotEmpty,
    /// The path leads outside the directory resolution started from, or is absolute, or the
    /// operation is never allowed on this kind of object (e.g. a hard link to a directory).
    NotPermitted,
    /// The operation would change a read-only mount.
    ReadOnly,
}

impl FsError {
    /// The `wasi:filesystem` `error-code` name, in kebab case.
    pub fn code(self) -> &'static str {
        match self {
            Self::BadDescriptor => "bad-descriptor",
            Self::Busy => "busy",
            Self::Exist => "exist",
            Self::FileTooLarge => "file-too-large",
            Self::InsufficientSpace => "insufficient-space",
            Self::CrossDevice => "cross-device",
            Self::Invalid => "invalid",
            Self::IsDirectory => "is-directory",
            Self::Loop => "loop",
            Self::NameTooLong => "name-too-long",
            Self::NoEntry => "no-entry",
            Self::NotDirectory => "not-directory",
            Self::NotEmpty => "not-empty",
            Self::NotPermitted => "not-permitted",
            Self::ReadOnly => "read-only",
        }
    }
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl std::error::Error for FsError {}

/// Why a seed list was rejected by [`Vfs::new`](super::Vfs::new).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeedError {
    /// The path is the empty string.
    EmptyPath,
    /// The path starts with `/`; seed paths are relative to the root.
    AbsolutePath(String),
    /// The path has a `.` or `..` component.
    DotComponent(String),
    /// The path has an empty component (`a//b`) or a trailing `/`.
    EmptyComponent(String),
    /// The path or a symlink target contains a NUL byte.
    NulByte(String),
    /// A path component is longer than [`NAME_MAX`](super::NAME_MAX) bytes, or a symlink target
    /// is longer than [`MAX_PATH_LEN`](super::MAX_PATH_LEN) bytes.
    NameTooLong(String),
    /// A symlink target is empty.
    EmptySymlinkTarget(String),
    /// `parent` is a file or a symlink but `path` is listed beneath it.
    ParentNotDirectory {
        /// The file or symlink.
        parent: String,
        /// The entry that needs it to be a directory.
        path: String,
    },
    /// The same path is listed twice with different contents.
    Conflict(String),
    /// A mount's path is already in the tree (a seeded entry or another mount), or lies inside
    /// another mount.
    MountConflict(String),
    /// The seeded tree needs more bytes than the limit allows.
    OverLimit {
        /// Bytes the seeded tree needs, as [`Vfs::used_bytes`](super::Vfs::used_bytes) counts.
        needed: u64,
        /// The limit it was given.
        limit: u64,
    },
}

impl fmt::Display for SeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyPath => f.write_str("seed path is empty"),
            Self::AbsolutePath(p) => write!(
                f,
                "seed path {p:?} is absolute; use a path relative to the root"
            ),
            Self::DotComponent(p) => write!(f, "seed path {p:?} has a \".\" or \"..\" component"),
            Self::EmptyComponent(p) => write!(f, "seed path {p:?} has an empty component"),
            Self::NulByte(p) => write!(f, "seed entry {p:?} contains a NUL byte"),
            Self::NameTooLong(p) => write!(
                f,
                "seed entry {p:?} has a name longer than 255 bytes or a symlink target longer than 4095 bytes"
            ),
            Self::EmptySymlinkTarget(p) => write!(f, "seed symlink {p:?} has an empty target"),
            Self::ParentNotDirectory { parent, path } => {
                write!(
                    f,
                    "seed path {path:?} needs {parent:?} to be a directory, but it is listed as a file or symlink"
                )
            }
            Self::Conflict(p) => {
                write!(f, "seed path {p:?} is listed twice with different contents")
            }
            Self::MountConflict(p) => write!(
                f,
                "mount path {p:?} is already in the tree (a file, a directory or another mount) \
                 or inside another mount"
            ),
            Self::OverLimit { needed, limit } => {
                write!(
                    f,
                    "seeded tree needs {needed} bytes but the filesystem limit is {limit} bytes"
                )
            }
        }
    }
}

impl std::error::Error for SeedError {}
