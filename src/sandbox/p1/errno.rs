//! How failures become preview1 results: filesystem errors map one to one to an `errno`; bad
//! guest pointers and host limits unwind the guest instead.
//!
//! Guest-memory errors follow the witx rules wasmtime follows: an out-of-bounds or misaligned
//! pointer traps; invalid flags, enums and UTF-8 read from guest memory are `errno`s the guest
//! can handle. A flags or enum value passed directly as an argument (`lseek`'s whence, rights
//! with undefined bits) is converted by wiggle's generated code before any of ours runs, and
//! traps, as in wasmtime.

use wiggle::GuestError;

use super::bindings::types::{Errno, Error};
use crate::sandbox::ending::LimitExceeded;
use crate::sandbox::vfs::FsError;
use crate::sandbox::wasi::fs::FsFailure;

impl From<FsError> for Errno {
    fn from(error: FsError) -> Self {
        match error {
            FsError::BadDescriptor => Errno::Badf,
            FsError::Busy => Errno::Busy,
            FsError::Exist => Errno::Exist,
            FsError::FileTooLarge => Errno::Fbig,
            FsError::InsufficientSpace => Errno::Nospc,
            FsError::Invalid => Errno::Inval,
            FsError::IsDirectory => Errno::Isdir,
            FsError::Loop => Errno::Loop,
            FsError::NameTooLong => Errno::Nametoolong,
            FsError::NoEntry => Errno::Noent,
            FsError::NotDirectory => Errno::Notdir,
            FsError::NotEmpty => Errno::Notempty,
            FsError::NotPermitted => Errno::Perm,
            FsError::CrossDevice => Errno::Xdev,
            FsError::ReadOnly => Errno::Rofs,
        }
    }
}

impl From<FsError> for Error {
    fn from(error: FsError) -> Self {
        Errno::from(error).into()
    }
}

impl From<GuestError> for Error {
    fn from(error: GuestError) -> Self {
        match error {
            GuestError::InvalidFlagValue(_) | GuestError::InvalidEnumValue(_) => {
                Errno::Inval.into()
            }
            GuestError::PtrOverflow
            | GuestError::PtrOutOfBounds(_)
            | GuestError::PtrNotAligned(..) => Error::trap(error.into()),
            GuestError::InvalidUtf8(_) => Errno::Ilseq.into(),
            GuestError::TryFromIntError(_) => Errno::Overflow.into(),
            GuestError::SliceLengthsDiffer => Errno::Fault.into(),
            GuestError::InFunc { err, .. } => Error::from(*err),
        }
    }
}

impl From<std::num::TryFromIntError> for Error {
    fn from(_: std::num::TryFromIntError) -> Self {
        Errno::Overflow.into()
    }
}

impl From<LimitExceeded> for Error {
    fn from(limit: LimitExceeded) -> Self {
        Error::trap(limit.into())
    }
}

impl From<FsFailure> for Error {
    fn from(error: FsFailure) -> Self {
        match error {
            FsFailure::Fs(error) => error.into(),
            FsFailure::Unsupported => Errno::Notsup.into(),
            FsFailure::Limit(limit) => limit.into(),
        }
    }
}
