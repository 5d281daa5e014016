//! Descriptor metadata: `fd_fdstat_*`, `fd_filestat_*`, `fd_prestat_*`, `fd_seek`, `fd_tell`,
//! `fd_sync` and `fd_allocate`.
//!
//! Which descriptors each call accepts, and the rights `fd_fdstat_get` reports, follow
//! wasmtime's preview1: file-only calls are `EBADF` on directories, seeking stdio is `ESPIPE`,
//! and rights are reported but never enforced (changing them is `ENOTSUP`).

use wiggle::{GuestMemory, GuestPtr};

use super::bindings::types::{
    Errno, Error, Fd, Fdflags, Fdstat, Filedelta, Filesize, Filestat, Filetype, Fstflags, Prestat,
    PrestatDir, Rights, Size, Timestamp, Whence,
};
use super::fds::{Desc, OpenFile};
use super::filestat;
use crate::sandbox::store::StoreData;
use crate::sandbox::vfs::SetTime;

/// Rights of a preopened directory: the set many userlands expect (wasmtime's).
fn preopen_rights() -> (Rights, Rights) {
    let base = Rights::PATH_CREATE_DIRECTORY
        | Rights::PATH_CREATE_FILE
        | Rights::PATH_LINK_SOURCE
        | Rights::PATH_LINK_TARGET
        | Rights::PATH_OPEN
        | Rights::FD_READDIR
        | Rights::PATH_READLINK
        | Rights::PATH_RENAME_SOURCE
        | Rights::PATH_RENAME_TARGET
        | Rights::PATH_SYMLINK
        | Rights::PATH_REMOVE_DIRECTORY
        | Rights::PATH_UNLINK_FILE
        | Rights::PATH_FILESTAT_GET
        | Rights::PATH_FILESTAT_SET_TIMES
        | Rights::FD_FILESTAT_GET
        | Rights::FD_FILESTAT_SET_TIMES;
    let inheriting = base
        | Rights::FD_DATASYNC
        | Rights::FD_READ
        | Rights::FD_SEEK
        | Rights::FD_FDSTAT_SET_FLAGS
        | Rights::FD_SYNC
        | Rights::FD_TELL
        | Rights::FD_WRITE
        | Rights::FD_ADVISE
        | Rights::FD_ALLOCATE
        | Rights::FD_FILESTAT_GET
        | Rights::FD_FILESTAT_SET_SIZE
        | Rights::FD_FILESTAT_SET_TIMES
        | Rights::POLL_FD_READWRITE;
    (base, inheriting)
}

/// `fd_fdstat_get`. Nothing is a terminal, so stdio reports an unknown file type (as wasmtime
/// without a tty).
pub fn fdstat_get(data: &StoreData, fd: Fd) -> Result<Fdstat, Error> {
    let fdstat = |fs_filetype, fs_flags, fs_rights_base, fs_rights_inheriting| Fdstat {
        fs_filetype,
        fs_flags,
        fs_rights_base,
        fs_rights_inheriting,
    };
    let none = Fdflags::empty();
    Ok(match data.p1.get(fd)? {
        Desc::Stdin => fdstat(Filetype::Unknown, none, Rights::FD_READ, Rights::FD_READ),
        Desc::Stdout | Desc::Stderr => {
            fdstat(Filetype::Unknown, none, Rights::FD_WRITE, Rights::FD_WRITE)
        }
        Desc::Dir {
            preopen: Some(_), ..
        } => {
            let (base, inheriting) = preopen_rights();
            fdstat(Filetype::Directory, none, base, inheriting)
        }
        Desc::Dir { preopen: None, .. } => {
            let rights = Rights::all()
                - Rights::FD_SEEK
                - Rights::FD_FILESTAT_SET_SIZE
                - Rights::PATH_FILESTAT_SET_SIZE;
            fdstat(Filetype::Directory, none, rights, rights)
        }
        Desc::File(file) => {
            let mut rights = Rights::all();
            if !file.read {
                rights -= Rights::FD_READ | Rights::FD_READDIR;
            }
            if !file.write {
                rights -= Rights::FD_WRITE;
            }
            let mut flags = Fdflags::empty();
            flags.set(Fdflags::APPEND, file.append);
            flags.set(Fdflags::NONBLOCK, file.nonblock);
            fdstat(Filetype::RegularFile, flags, rights, rights)
        }
    })
}

/// `fd_fdstat_set_flags`: only `APPEND` and `NONBLOCK` can change, on files.
pub fn fdstat_set_flags(data: &mut StoreData, fd: Fd, flags: Fdflags) -> Result<(), Error> {
    let file = data.p1.file_mut(fd)?;
    if flags.intersects(Fdflags::DSYNC | Fdflags::RSYNC | Fdflags::SYNC) {
        return Err(Errno::Inval.into());
    }
    file.append = flags.contains(Fdflags::APPEND);
    file.nonblock = flags.contains(Fdflags::NONBLOCK);
    Ok(())
}

/// `fd_fdstat_set_rights`: rights are not kept, so they cannot change (`ENOTSUP`, as wasmtime).
pub fn fdstat_set_rights(data: &StoreData, fd: Fd) -> Result<(), Error> {
    match data.p1.get(fd)? {
        Desc::Dir { .. } | Desc::File(_) => Err(Errno::Notsup.into()),
        _ => Err(Errno::Badf.into()),
    }
}

/// `fd_filestat_get`. stdio has no inode: all zeros.
pub fn filestat_get(data: &StoreData, fd: Fd) -> Result<Filestat, Error> {
    let ino = match data.p1.get(fd)? {
        Desc::Dir { node, .. } | Desc::File(OpenFile { node, .. }) => node.ino(),
        Desc::Stdin | Desc::Stdout | Desc::Stderr => {
            return Ok(Filestat {
                dev: 0,
                ino: 0,
                filetype: Filetype::Unknown,
                nlink: 0,
                size: 0,
                atim: 0,
                mtim: 0,
                ctim: 0,
            });
        }
    };
    Ok(filestat(data.fs.vfs().stat(ino)?))
}

/// `fd_filestat_set_size`: files opened for writing only (`EBADF` otherwise, as wasmtime).
pub fn filestat_set_size(data: &mut StoreData, fd: Fd, size: Filesize) -> Result<(), Error> {
    let file = data.p1.file(fd)?;
    if !file.write {
        return Err(Errno::Badf.into());
    }
    let ino = file.ino();
    Ok(data.fs.change(|vfs, now| vfs.set_size(ino, size, now))??)
}

/// The change `fst_flags` asks for one timestamp: `EINVAL` if both a time and "now" are set.
pub fn set_time(time: Timestamp, set: bool, now: bool) -> Result<SetTime, Error> {
    match (set, now) {
        (true, true) => Err(Errno::Inval.into()),
        (true, false) => Ok(SetTime::At(time)),
        (false, true) => Ok(SetTime::Now),
        (false, false) => Ok(SetTime::NoChange),
    }
}

/// The access and modification changes of a `*_filestat_set_times` call.
pub fn set_times(atim: Timestamp, mtim: Timestamp, fst: Fstflags) -> Result<[SetTime; 2], Error> {
    Ok([
        set_time(
            atim,
            fst.contains(Fstflags::ATIM),
            fst.contains(Fstflags::ATIM_NOW),
        )?,
        set_time(
            mtim,
            fst.contains(Fstflags::MTIM),
            fst.contains(Fstflags::MTIM_NOW),
        )?,
    ])
}

/// `fd_filestat_set_times`, on files and directories.
pub fn filestat_set_times(
    data: &mut StoreData,
    fd: Fd,
    atim: Timestamp,
    mtim: Timestamp,
    fst: Fstflags,
) -> Result<(), Error> {
    let [atime, mtime] = set_times(atim, mtim, fst)?;
    let ino = data.p1.get(fd)?.ino()?;
    Ok(data
        .fs
        .change(|vfs, now| vfs.set_times(ino, atime, mtime, now))??)
}

/// `fd_prestat_get`: only the preopened root has a prestat.
pub fn prestat_get(data: &StoreData, fd: Fd) -> Result<Prestat, Error> {
    match data.p1.get(fd)? {
        Desc::Dir {
            preopen: Some(name),
            ..
        } => Ok(Prestat::Dir(PrestatDir {
            pr_name_len: Size::try_from(name.len())?,
        })),
        _ => Err(Errno::Badf.into()),
    }
}

/// `fd_prestat_dir_name`: `ENOTDIR` for anything but a preopen, as wasmtime.
pub fn prestat_dir_name(
    data: &StoreData,
    memory: &mut GuestMemory<'_>,
    fd: Fd,
    buf: GuestPtr<u8>,
    len: Size,
) -> Result<(), Error> {
    let Desc::Dir {
        preopen: Some(name),
        ..
    } = data.p1.get(fd)?
    else {
        return Err(Errno::Notdir.into());
    };
    if name.len() > len as usize {
        return Err(Errno::Nametoolong.into());
    }
    let name = name.as_bytes();
    memory.copy_from_slice(name, buf.as_array(u32::try_from(name.len())?))?;
    Ok(())
}

/// The open file a cursor call works on: `ESPIPE` for stdio, `EBADF` for directories.
fn seekable(data: &mut StoreData, fd: Fd) -> Result<&mut OpenFile, Error> {
    match data.p1.get(fd)? {
        Desc::Stdin | Desc::Stdout | Desc::Stderr => Err(Errno::Spipe.into()),
        _ => Ok(data.p1.file_mut(fd)?),
    }
}

/// `fd_seek`. Offsets before the start are `EINVAL`; past the end are allowed.
pub fn seek(
    data: &mut StoreData,
    fd: Fd,
    offset: Filedelta,
    whence: Whence,
) -> Result<Filesize, Error> {
    let (ino, pos) = {
        let file = seekable(data, fd)?;
        (file.ino(), file.pos)
    };
    let base = match whence {
        Whence::Set => 0,
        Whence::Cur => pos,
        Whence::End => data.fs.vfs().size(ino)?,
    };
    let pos = base.checked_add_signed(offset).ok_or(Errno::Inval)?;
    // A cursor must fit an `off_t`.
    if i64::try_from(pos).is_err() {
        return Err(Errno::Inval.into());
    }
    seekable(data, fd)?.pos = pos;
    Ok(pos)
}

/// `fd_tell`.
pub fn tell(data: &mut StoreData, fd: Fd) -> Result<Filesize, Error> {
    Ok(seekable(data, fd)?.pos)
}

/// `fd_sync` and `fd_datasync`: memory is the storage, so there is nothing to flush; files
/// only, as wasmtime.
pub fn sync(data: &StoreData, fd: Fd) -> Result<(), Error> {
    data.p1.file(fd)?;
    Ok(())
}

/// `fd_allocate`: `ENOTSUP` on files (as wasmtime), `EBADF` on anything else.
pub fn allocate(data: &StoreData, fd: Fd) -> Result<(), Error> {
    data.p1.file(fd)?;
    Err(Errno::Notsup.into())
}
