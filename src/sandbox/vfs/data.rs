//! File contents and timestamps: read, write, append, resize and `set_times`.
//!
//! Every size change is checked against [`MAX_FILE_SIZE`] and the byte budget before any
//! allocation, with overflow-free arithmetic, so `set_size(1 << 60)` or a write at offset
//! `u64::MAX` fails cleanly instead of allocating or panicking; a growth the host cannot
//! allocate fails with `InsufficientSpace` too, whatever the budget.
//!
//! It deliberately does not keep cursors or append mode: descriptors belong to the layers,
//! which pass explicit offsets.

use std::sync::Arc;

use super::node::Data;
use super::{FsError, Ino, MAX_FILE_SIZE, SetTime, Vfs};

/// When shrinking leaves a file's buffer more than this many times larger than its contents,
/// the spare capacity is returned to the host.
const SHRINK_FACTOR: usize = 2;

impl Vfs {
    /// Up to `len` bytes of file `ino` from `offset`; fewer at the end of the file, none past
    /// it. `IsDirectory` for a directory, `Invalid` for a symlink.
    pub fn read(&self, ino: Ino, offset: u64, len: u64) -> Result<Vec<u8>, FsError> {
        let data = self.file(ino)?;
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(data.len());
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        let end = start.saturating_add(len).min(data.len());
        Ok(data[start..end].to_vec())
    }

    /// Writes `bytes` at `offset`, zero-filling any gap past the end; returns the count
    /// written. An empty write changes nothing, as POSIX.
    pub fn write(&mut self, ino: Ino, offset: u64, bytes: &[u8], now: u64) -> Result<u64, FsError> {
        let old_len = self.file(ino)?.len() as u64;
        self.check_writable(ino)?;
        if bytes.is_empty() {
            return Ok(0);
        }
        let end = checked_end(offset, bytes.len() as u64)?;
        let copies = self.nodes.get(ino)?.copies();
        self.nodes
            .ensure_room(end.saturating_sub(old_len).saturating_mul(copies))?;
        // Both fit in usize: `end` is within the budget, which was checked against real memory.
        let (start, end_usize) = (to_usize(offset)?, to_usize(end)?);
        let node = self.nodes.get_mut(ino)?;
        let Data::File(data) = &mut node.data else {
            unreachable!("checked by self.file")
        };
        let data = unshared(data, data.len())?;
        if end_usize > data.len() {
            grow(data, end_usize)?;
        }
        data[start..end_usize].copy_from_slice(bytes);
        node.mtime = now;
        node.ctime = now;
        self.nodes
            .recharge(old_len * copies, old_len.max(end) * copies);
        Ok(bytes.len() as u64)
    }

    /// Writes `bytes` at the current end of file `ino`; returns the count written.
    pub fn append(&mut self, ino: Ino, bytes: &[u8], now: u64) -> Result<u64, FsError> {
        let end = self.file(ino)?.len() as u64;
        self.write(ino, end, bytes, now)
    }

    /// Truncates or zero-extends file `ino` to `size` bytes. `FileTooLarge` past
    /// [`MAX_FILE_SIZE`], `InsufficientSpace` past the budget; `IsDirectory` for a directory.
    /// Like Linux `ftruncate`, it stamps `mtime` and `ctime` even when the size is unchanged.
    pub fn set_size(&mut self, ino: Ino, size: u64, now: u64) -> Result<(), FsError> {
        let old_len = self.file(ino)?.len() as u64;
        self.check_writable(ino)?;
        if size > MAX_FILE_SIZE {
            return Err(FsError::FileTooLarge);
        }
        let copies = self.nodes.get(ino)?.copies();
        self.nodes
            .ensure_room(size.saturating_sub(old_len).saturating_mul(copies))?;
        let new_len = to_usize(size)?;
        let node = self.nodes.get_mut(ino)?;
        let Data::File(data) = &mut node.data else {
            unreachable!("checked by self.file")
        };
        // A file still shared with its seed is copied only as far as it is kept.
        let data = unshared(data, new_len)?;
        grow(data, new_len)?;
        data.truncate(new_len);
        if data.capacity() > new_len.saturating_mul(SHRINK_FACTOR) {
            data.shrink_to_fit();
        }
        node.mtime = now;
        node.ctime = now;
        self.nodes.recharge(old_len * copies, size * copies);
        Ok(())
    }

    /// The size [`stat`](Self::stat) reports: file length, symlink target length, 0 for a
    /// directory.
    pub fn size(&self, ino: Ino) -> Result<u64, FsError> {
        Ok(self.nodes.get(ino)?.payload())
    }

    /// Sets the access and modification times of `ino`; `ctime` becomes `now` unless both
    /// are [`SetTime::NoChange`], as Linux `utimensat` with two `UTIME_OMIT`s.
    pub fn set_times(
        &mut self,
        ino: Ino,
        atime: SetTime,
        mtime: SetTime,
        now: u64,
    ) -> Result<(), FsError> {
        self.check_writable(ino)?;
        let node = self.nodes.get_mut(ino)?;
        if atime == SetTime::NoChange && mtime == SetTime::NoChange {
            return Ok(());
        }
        let pick = |t: SetTime, old: u64| match t {
            SetTime::NoChange => old,
            SetTime::Now => now,
            SetTime::At(ns) => ns,
        };
        node.atime = pick(atime, node.atime);
        node.mtime = pick(mtime, node.mtime);
        node.ctime = now;
        Ok(())
    }

    /// [`set_times`](Self::set_times) on what `path` names from directory `dir`; with
    /// `follow` unset a final symlink's own times change (`symlink_filestat.rs`).
    pub fn set_times_at(
        &mut self,
        dir: Ino,
        path: &str,
        follow: bool,
        atime: SetTime,
        mtime: SetTime,
        now: u64,
    ) -> Result<(), FsError> {
        let ino = self.lookup(dir, path, follow)?;
        self.set_times(ino, atime, mtime, now)
    }

    /// The contents of regular file `ino`.
    fn file(&self, ino: Ino) -> Result<&Vec<u8>, FsError> {
        match &self.nodes.get(ino)?.data {
            Data::File(data) => Ok(data),
            Data::Dir(_) => Err(FsError::IsDirectory),
            Data::Symlink(_) => Err(FsError::Invalid),
        }
    }
}

/// `offset + len`, or `FileTooLarge` if it overflows or passes [`MAX_FILE_SIZE`] (Linux
/// `EFBIG`).
fn checked_end(offset: u64, len: u64) -> Result<u64, FsError> {
    match offset.checked_add(len) {
        Some(end) if end <= MAX_FILE_SIZE => Ok(end),
        _ => Err(FsError::FileTooLarge),
    }
}

/// The file's own bytes, to change: a file still shared (with its seed or a result) is copied
/// first, its first `keep` bytes only, fallibly: `InsufficientSpace` if the host cannot
/// allocate the copy, rather than aborting the process.
fn unshared(data: &mut Arc<Vec<u8>>, keep: usize) -> Result<&mut Vec<u8>, FsError> {
    if Arc::get_mut(data).is_none() {
        let kept = &data[..keep.min(data.len())];
        let mut copy = Vec::new();
        copy.try_reserve_exact(kept.len())
            .map_err(|_| FsError::InsufficientSpace)?;
        copy.extend_from_slice(kept);
        *data = Arc::new(copy);
    }
    Ok(Arc::get_mut(data).expect("just made unique"))
}

/// Zero-extends `data` to `len` bytes (if longer); `InsufficientSpace` if the host cannot
/// allocate them, rather than aborting the process as a failed allocation would.
fn grow(data: &mut Vec<u8>, len: usize) -> Result<(), FsError> {
    if let Some(more) = len.checked_sub(data.len()) {
        data.try_reserve(more)
            .map_err(|_| FsError::InsufficientSpace)?;
        data.resize(len, 0);
    }
    Ok(())
}

/// Sizes are checked against the budget first, so this only fails on hosts whose address
/// space is smaller than the budget.
fn to_usize(n: u64) -> Result<usize, FsError> {
    usize::try_from(n).map_err(|_| FsError::InsufficientSpace)
}
