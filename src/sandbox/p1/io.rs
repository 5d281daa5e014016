//! Moving bytes: `fd_read`, `fd_pread`, `fd_write`, `fd_pwrite` and `fd_readdir`.
//!
//! stdin is the run's fixed input (a read at its end returns 0 bytes); stdout and stderr go to
//! the run's capture, which ends the run when the output limit is reached; files are the run's
//! vfs. A write the filesystem budget cannot hold fails whole with `ENOSPC` and the run goes on.
//!
//! Every buffer of an iovec list is used (wasmtime uses only the first non-empty one; both are
//! valid). A call takes at most [`IOV_MAX`] buffers (more is `EINVAL`, as Linux) and moves at
//! most [`MAX_IO_BYTES`] (a shorter transfer is valid), so one call cannot make the host copy
//! more than that. Descriptors of the wrong kind are `EBADF`, as wasmtime.

use wiggle::{GuestMemory, GuestPtr, GuestType};

use super::bindings::types::{
    CiovecArray, Dircookie, Errno, Error, Fd, Filesize, Filetype, IovecArray, Size,
};
use super::fds::Desc;
use super::filetype;
use crate::sandbox::store::StoreData;
use crate::sandbox::wasi::stdio::Channel;

/// Most buffers one call takes (Linux `IOV_MAX`).
pub const IOV_MAX: u32 = 1024;

/// Most bytes one read or write moves: 16 MiB.
pub const MAX_IO_BYTES: u32 = 16 << 20;

/// Size of a `dirent` header in guest memory.
const DIRENT_SIZE: usize = 24;

/// The guest buffers of an iovec list, cut so that together they hold at most
/// [`MAX_IO_BYTES`].
fn buffers<T: GuestType>(
    memory: &GuestMemory<'_>,
    list: GuestPtr<[T]>,
    split: impl Fn(T) -> (GuestPtr<u8>, u32),
) -> Result<Vec<GuestPtr<[u8]>>, Error> {
    if list.len() > IOV_MAX {
        return Err(Errno::Inval.into());
    }
    let mut room = MAX_IO_BYTES;
    let mut out = Vec::new();
    for iov in list.iter() {
        let (buf, len) = split(memory.read(iov?)?);
        let len = len.min(room);
        room -= len;
        out.push(buf.as_array(len));
    }
    Ok(out)
}

fn iovecs(memory: &GuestMemory<'_>, iovs: IovecArray) -> Result<Vec<GuestPtr<[u8]>>, Error> {
    buffers(memory, iovs, |iov| (iov.buf, iov.buf_len))
}

/// The bytes a write names, copied out of guest memory.
fn gather(memory: &GuestMemory<'_>, ciovs: CiovecArray) -> Result<Vec<u8>, Error> {
    let bufs = buffers(memory, ciovs, |iov| (iov.buf, iov.buf_len))?;
    let mut bytes = Vec::new();
    for buf in bufs {
        bytes.extend_from_slice(&memory.as_cow(buf)?);
    }
    Ok(bytes)
}

/// Copies `bytes` into the buffers in order; returns the count, as `Size`.
fn scatter(
    memory: &mut GuestMemory<'_>,
    bufs: &[GuestPtr<[u8]>],
    bytes: &[u8],
) -> Result<Size, Error> {
    let mut rest = bytes;
    for buf in bufs {
        let n = rest.len().min(buf.len() as usize);
        let (now, later) = rest.split_at(n);
        let dest = buf.get_range(0..n as u32).ok_or(Errno::Fault)?;
        memory.copy_from_slice(now, dest)?;
        rest = later;
    }
    Ok(Size::try_from(bytes.len())?)
}

/// How many bytes a list of buffers holds.
fn capacity(bufs: &[GuestPtr<[u8]>]) -> u64 {
    bufs.iter().map(|b| u64::from(b.len())).sum()
}

/// Whether `fd` is stdin.
pub fn is_stdin(data: &StoreData, fd: Fd) -> bool {
    matches!(data.p1.get(fd), Ok(Desc::Stdin))
}

/// `fd_read`: from stdin (what is buffered: the caller has waited for it), or from a file
/// readable at its cursor (which moves).
pub fn read(
    data: &mut StoreData,
    memory: &mut GuestMemory<'_>,
    fd: Fd,
    iovs: IovecArray,
) -> Result<Size, Error> {
    let bufs = iovecs(memory, iovs)?;
    let want = capacity(&bufs);
    let bytes = match data.p1.get(fd)? {
        Desc::Stdin => data.cli.stdin.take(want as usize).to_vec(),
        Desc::File(file) if file.read => {
            let bytes = data.fs.vfs().read(file.ino(), file.pos, want)?;
            data.p1.file_mut(fd)?.pos += bytes.len() as u64;
            bytes
        }
        _ => return Err(Errno::Badf.into()),
    };
    scatter(memory, &bufs, &bytes)
}

/// `fd_pread`: from a readable file at `offset`, leaving the cursor; `ESPIPE` on stdin.
pub fn pread(
    data: &mut StoreData,
    memory: &mut GuestMemory<'_>,
    fd: Fd,
    iovs: IovecArray,
    offset: Filesize,
) -> Result<Size, Error> {
    let bufs = iovecs(memory, iovs)?;
    let bytes = match data.p1.get(fd)? {
        Desc::Stdin => return Err(Errno::Spipe.into()),
        Desc::File(file) if file.read => data.fs.vfs().read(file.ino(), offset, capacity(&bufs))?,
        _ => return Err(Errno::Badf.into()),
    };
    scatter(memory, &bufs, &bytes)
}

/// `fd_write`: to stdout or stderr, or to a writable file at its cursor, or at its end in
/// append mode; the cursor ends after what was written.
pub fn write(
    data: &mut StoreData,
    memory: &mut GuestMemory<'_>,
    fd: Fd,
    ciovs: CiovecArray,
) -> Result<Size, Error> {
    let bytes = gather(memory, ciovs)?;
    match data.p1.get(fd)? {
        Desc::Stdout => data
            .cli
            .output
            .write(Channel::Stdout, &bytes)
            .map_err(Error::trap)?,
        Desc::Stderr => data
            .cli
            .output
            .write(Channel::Stderr, &bytes)
            .map_err(Error::trap)?,
        Desc::File(file) if file.write => {
            let (ino, pos, append) = (file.ino(), file.pos, file.append);
            let pos = data.fs.change(|vfs, now| match append {
                true => vfs.append(ino, &bytes, now).and_then(|_| vfs.size(ino)),
                false => Ok(pos + vfs.write(ino, pos, &bytes, now)?),
            })??;
            data.p1.file_mut(fd)?.pos = pos;
        }
        _ => return Err(Errno::Badf.into()),
    }
    Ok(Size::try_from(bytes.len())?)
}

/// `fd_pwrite`: to a writable file at `offset` (at its end in append mode, as Linux), leaving
/// the cursor; `ESPIPE` on stdout and stderr.
pub fn pwrite(
    data: &mut StoreData,
    memory: &mut GuestMemory<'_>,
    fd: Fd,
    ciovs: CiovecArray,
    offset: Filesize,
) -> Result<Size, Error> {
    let bytes = gather(memory, ciovs)?;
    match data.p1.get(fd)? {
        Desc::Stdout | Desc::Stderr => return Err(Errno::Spipe.into()),
        Desc::File(file) if file.write => {
            let (ino, append) = (file.ino(), file.append);
            data.fs.change(|vfs, now| match append {
                true => vfs.append(ino, &bytes, now),
                false => vfs.write(ino, offset, &bytes, now),
            })??;
        }
        _ => return Err(Errno::Badf.into()),
    }
    Ok(Size::try_from(bytes.len())?)
}

/// `fd_readdir`: `.`, `..`, then the entries sorted by name, numbered by cookies 1, 2, 3...
/// in `d_next`. As the ABI says, the last entry is cut at the end of the buffer and a full
/// buffer means "call again" with the cookie of the last entry used.
///
/// A listing resumes by name, not by position: the descriptor remembers the names behind the
/// cookie it resumed from and the last two cookies it handed out, and continues with the first
/// entry after that name. So a program that unlinks what it has read before reading on, as
/// wasi-libc's `readdir` loops do, still sees every entry; by position it would skip as many
/// entries as it had removed. Two suffice: a caller resumes from the last entry it used, which
/// is the last one in the buffer or, when that one was cut off, the one before it (wasi-libc
/// and Rust's std do), or retries the same cookie with a bigger buffer. Any other cookie (an
/// older one, as `seekdir` may pass) falls back to counting entries. Nothing beyond what fits
/// the buffer is copied, and each descriptor keeps at most three names.
pub fn readdir(
    data: &mut StoreData,
    memory: &mut GuestMemory<'_>,
    fd: Fd,
    buf: GuestPtr<u8>,
    len: Size,
    cookie: Dircookie,
) -> Result<Size, Error> {
    let ino = data.p1.dir(fd)?;
    let listed = data.p1.listed_mut(fd)?;
    let resume = listed
        .iter()
        .find(|(c, _)| *c == cookie)
        .map(|(c, name)| (*c, name.clone()));
    let mut out = Vec::new();
    let remembered = {
        let vfs = data.fs.vfs();
        let parent = vfs.parent(ino).unwrap_or(ino);
        let dots = [
            (".", ino, Filetype::Directory),
            ("..", parent, Filetype::Directory),
        ];
        let (after, skip_dots, skip_entries) = match &resume {
            Some((_, name)) => (Some(name.as_str()), 2, 0),
            None => {
                let skip = usize::try_from(cookie).map_err(|_| Errno::Overflow)?;
                (None, skip.min(2), skip.saturating_sub(2))
            }
        };
        let entries = vfs.read_dir_from(ino, after)?.skip(skip_entries);
        let entries = dots
            .into_iter()
            .skip(skip_dots)
            .chain(entries.map(|(name, ino, kind)| (name, ino, filetype(kind))));
        let mut next = cookie;
        let mut last_two = [None, None];
        for (name, ino, kind) in entries {
            if out.len() >= len as usize {
                break;
            }
            next = next.checked_add(1).ok_or(Errno::Overflow)?;
            let mut dirent = [0u8; DIRENT_SIZE];
            dirent[0..8].copy_from_slice(&next.to_le_bytes());
            dirent[8..16].copy_from_slice(&ino.to_le_bytes());
            dirent[16..20].copy_from_slice(&u32::try_from(name.len())?.to_le_bytes());
            dirent[20] = kind as u8;
            out.extend_from_slice(&dirent);
            out.extend_from_slice(name.as_bytes());
            if next > 2 {
                last_two = [last_two[1], Some((next, name))];
            }
        }
        let emitted = last_two.into_iter().flatten();
        let emitted = emitted.map(|(c, name)| (c, name.to_owned()));
        resume.into_iter().chain(emitted).collect()
    };
    *data.p1.listed_mut(fd)? = remembered;
    out.truncate(len as usize);
    memory.copy_from_slice(&out, buf.as_array(u32::try_from(out.len())?))?;
    Ok(Size::try_from(out.len())?)
}
