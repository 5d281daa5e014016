//! The `path_*` calls, straight onto the vfs: each resolves its path from a directory
//! descriptor, never above it (see `vfs/path.rs`), and stamps changes with the virtual wall
//! clock.
//!
//! The vfs already picks Linux's error for each case (as wasmtime on Linux reports them); this
//! layer only maps descriptors and flags. A directory descriptor is needed as the base (`EBADF`
//! otherwise, `ENOTDIR` for a file in `path_open`, as wasmtime).

use wiggle::{GuestMemory, GuestPtr};

use super::bindings::types::{
    Errno, Error, Fd, Fdflags, Filestat, Fstflags, Lookupflags, Oflags, Rights, Size, Timestamp,
};
use super::fd::set_times;
use super::fds::{Desc, OpenFile};
use super::{filestat, read_path};
use crate::sandbox::store::StoreData;
use crate::sandbox::vfs::OpenOptions;
use crate::sandbox::wasi::fs::OpenRequest;

/// How `path_open` opens: its flags and rights.
pub struct How {
    /// Follow a final symlink.
    pub follow: bool,
    /// `O_CREAT`, `O_EXCL`, `O_TRUNC`, `O_DIRECTORY`.
    pub oflags: Oflags,
    /// The rights asked for, which decide read and write access.
    pub rights: Rights,
    /// `APPEND`, `NONBLOCK`; the sync flags are `ENOTSUP`.
    pub fdflags: Fdflags,
}

/// `path_open`, by the core's rules (`wasi/fs.rs`): access follows wasmtime (writable with
/// `FD_WRITE`, or when creating or truncating; readable with `FD_READ`, or when not asked to
/// write), and a directory opened for writing is `EISDIR`, as Linux. A full descriptor table
/// fails first, before the path is created or truncated, as Linux.
pub fn open(
    data: &mut StoreData,
    memory: &GuestMemory<'_>,
    fd: Fd,
    path: GuestPtr<str>,
    how: How,
) -> Result<Fd, Error> {
    let dir = match data.p1.get(fd)? {
        Desc::Dir { node, .. } => node.ino(),
        Desc::File(_) => return Err(Errno::Notdir.into()),
        _ => return Err(Errno::Badf.into()),
    };
    let path = read_path(memory, path)?;
    data.p1.ensure_room()?;
    let request = OpenRequest {
        follow: how.follow,
        options: OpenOptions {
            create: how.oflags.contains(Oflags::CREAT),
            exclusive: how.oflags.contains(Oflags::EXCL),
            truncate: how.oflags.contains(Oflags::TRUNC),
            directory: how.oflags.contains(Oflags::DIRECTORY),
        },
        read: how.rights.contains(Rights::FD_READ),
        write: how.rights.contains(Rights::FD_WRITE),
        sync: how
            .fdflags
            .intersects(Fdflags::DSYNC | Fdflags::RSYNC | Fdflags::SYNC),
    };
    let opened = data.fs.open(dir, &path, request)?;
    let desc = match opened.dir {
        true => Desc::Dir {
            node: opened.node,
            preopen: None,
            listed: Vec::new(),
        },
        false => Desc::File(OpenFile {
            node: opened.node,
            pos: 0,
            read: opened.read,
            write: opened.write,
            append: how.fdflags.contains(Fdflags::APPEND),
            nonblock: how.fdflags.contains(Fdflags::NONBLOCK),
        }),
    };
    Ok(data.p1.push(desc)?)
}

/// `path_create_directory`.
pub fn create_directory(
    data: &mut StoreData,
    memory: &GuestMemory<'_>,
    fd: Fd,
    path: GuestPtr<str>,
) -> Result<(), Error> {
    let dir = data.p1.dir(fd)?;
    let path = read_path(memory, path)?;
    data.fs
        .change(|vfs, now| vfs.create_dir_at(dir, &path, now))??;
    Ok(())
}

/// `path_filestat_get`.
pub fn filestat_get(
    data: &StoreData,
    memory: &GuestMemory<'_>,
    fd: Fd,
    flags: Lookupflags,
    path: GuestPtr<str>,
) -> Result<Filestat, Error> {
    let dir = data.p1.dir(fd)?;
    let path = read_path(memory, path)?;
    let follow = flags.contains(Lookupflags::SYMLINK_FOLLOW);
    Ok(filestat(data.fs.vfs().stat_at(dir, &path, follow)?))
}

/// `path_filestat_set_times`; `times` is `[atim, mtim]`.
pub fn filestat_set_times(
    data: &mut StoreData,
    memory: &GuestMemory<'_>,
    fd: Fd,
    flags: Lookupflags,
    path: GuestPtr<str>,
    times: [Timestamp; 2],
    fst: Fstflags,
) -> Result<(), Error> {
    let [atime, mtime] = set_times(times[0], times[1], fst)?;
    let dir = data.p1.dir(fd)?;
    let path = read_path(memory, path)?;
    let follow = flags.contains(Lookupflags::SYMLINK_FOLLOW);
    Ok(data
        .fs
        .change(|vfs, now| vfs.set_times_at(dir, &path, follow, atime, mtime, now))??)
}

/// `path_link`. Following a symlink source is `EINVAL`, as wasmtime.
pub fn link(
    data: &mut StoreData,
    memory: &GuestMemory<'_>,
    fd: Fd,
    flags: Lookupflags,
    path: GuestPtr<str>,
    to: Fd,
    to_path: GuestPtr<str>,
) -> Result<(), Error> {
    let (dir, to_dir) = (data.p1.dir(fd)?, data.p1.dir(to)?);
    let (path, to_path) = (read_path(memory, path)?, read_path(memory, to_path)?);
    if flags.contains(Lookupflags::SYMLINK_FOLLOW) {
        return Err(Errno::Inval.into());
    }
    Ok(data
        .fs
        .change(|vfs, now| vfs.link_at(dir, &path, false, to_dir, &to_path, now))??)
}

/// `path_readlink`: the target, cut to the buffer (as `readlink`, no NUL is added).
pub fn readlink(
    data: &StoreData,
    memory: &mut GuestMemory<'_>,
    fd: Fd,
    path: GuestPtr<str>,
    buf: GuestPtr<u8>,
    len: Size,
) -> Result<Size, Error> {
    let dir = data.p1.dir(fd)?;
    let path = read_path(memory, path)?;
    let target = data.fs.vfs().readlink_at(dir, &path)?;
    let bytes = &target.as_bytes()[..target.len().min(len as usize)];
    let n = u32::try_from(bytes.len())?;
    memory.copy_from_slice(bytes, buf.as_array(n))?;
    Ok(n)
}

/// `path_remove_directory`.
pub fn remove_directory(
    data: &mut StoreData,
    memory: &GuestMemory<'_>,
    fd: Fd,
    path: GuestPtr<str>,
) -> Result<(), Error> {
    let dir = data.p1.dir(fd)?;
    let path = read_path(memory, path)?;
    Ok(data
        .fs
        .change(|vfs, now| vfs.remove_dir_at(dir, &path, now))??)
}

/// `path_rename`.
pub fn rename(
    data: &mut StoreData,
    memory: &GuestMemory<'_>,
    fd: Fd,
    path: GuestPtr<str>,
    to: Fd,
    to_path: GuestPtr<str>,
) -> Result<(), Error> {
    let (dir, to_dir) = (data.p1.dir(fd)?, data.p1.dir(to)?);
    let (path, to_path) = (read_path(memory, path)?, read_path(memory, to_path)?);
    Ok(data
        .fs
        .change(|vfs, now| vfs.rename_at(dir, &path, to_dir, &to_path, now))??)
}

/// `path_symlink`: a link at `path` holding `target` verbatim.
pub fn symlink(
    data: &mut StoreData,
    memory: &GuestMemory<'_>,
    target: GuestPtr<str>,
    fd: Fd,
    path: GuestPtr<str>,
) -> Result<(), Error> {
    let dir = data.p1.dir(fd)?;
    let (target, path) = (read_path(memory, target)?, read_path(memory, path)?);
    data.fs
        .change(|vfs, now| vfs.symlink_at(dir, &target, &path, now))??;
    Ok(())
}

/// `path_unlink_file`.
pub fn unlink_file(
    data: &mut StoreData,
    memory: &GuestMemory<'_>,
    fd: Fd,
    path: GuestPtr<str>,
) -> Result<(), Error> {
    let dir = data.p1.dir(fd)?;
    let path = read_path(memory, path)?;
    Ok(data
        .fs
        .change(|vfs, now| vfs.unlink_file_at(dir, &path, now))??)
}
