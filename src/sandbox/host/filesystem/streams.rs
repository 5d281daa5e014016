//! File streams (`read-via-stream`, `write-via-stream`, `append-via-stream`) and the
//! `directory-entry-stream` of `read-directory`.
//!
//! Everything is in memory, so no stream is ever "not ready": a read returns what the file
//! holds at once, and a write lands in the tree before `write` returns. A failed write (e.g.
//! `insufficient-space`) is `last-operation-failed` carrying the [`FsError`], which
//! `filesystem-error-code` turns back into the `error-code`; the stream is closed after it, as
//! the WIT requires.
//!
//! Streams hold their own handle on the inode, so they keep working after their descriptor is
//! dropped or the file is unlinked. They deliberately do not share a cursor with anything:
//! each stream starts at the offset it was created with.

use wasmtime_wasi_io::bytes::Bytes;
use wasmtime_wasi_io::poll::Pollable;
use wasmtime_wasi_io::streams::{InputStream, OutputStream, StreamError, StreamResult};

use super::descriptor_type;
use crate::sandbox::bindings::wasi::filesystem::types::DirectoryEntry;
use crate::sandbox::vfs::FsError;
use crate::sandbox::wasi::fs::Handle;

/// The most bytes one `write` may carry, as reported by `check-write`.
const WRITE_BUDGET: usize = 1 << 20;

/// The most bytes one `read` returns: the guest asks for as much as its buffer holds, and a
/// bounded copy keeps one call's host allocation bounded too.
const READ_CHUNK: u64 = 1 << 20;

fn failed(error: FsError) -> StreamError {
    StreamError::LastOperationFailed(error.into())
}

/// An input stream reading a file from an offset.
pub(super) struct FileReader {
    node: Handle,
    position: u64,
    closed: bool,
}

impl FileReader {
    pub(super) fn new(node: Handle, position: u64) -> Self {
        Self {
            node,
            position,
            closed: false,
        }
    }
}

#[wasmtime_wasi_io::async_trait]
impl Pollable for FileReader {
    async fn ready(&mut self) {}
}

impl InputStream for FileReader {
    fn read(&mut self, size: usize) -> StreamResult<Bytes> {
        if self.closed {
            return Err(StreamError::Closed);
        }
        if size == 0 {
            return Ok(Bytes::new());
        }
        let len = (size as u64).min(READ_CHUNK);
        let read = self
            .node
            .fs()
            .vfs()
            .read(self.node.ino(), self.position, len);
        let bytes = read.map_err(|e| {
            self.closed = true;
            failed(e)
        })?;
        if bytes.is_empty() {
            return Err(StreamError::Closed);
        }
        self.position += bytes.len() as u64;
        Ok(Bytes::from(bytes))
    }
}

/// An output stream writing a file from an offset (`None`: at its end, whatever it is).
pub(super) struct FileWriter {
    node: Handle,
    position: Option<u64>,
    closed: bool,
}

impl FileWriter {
    /// Writes from `position`, or appends when it is `None`.
    pub(super) fn new(node: Handle, position: Option<u64>) -> Self {
        Self {
            node,
            position,
            closed: false,
        }
    }

    fn check_open(&self) -> StreamResult<()> {
        match self.closed {
            true => Err(StreamError::Closed),
            false => Ok(()),
        }
    }
}

#[wasmtime_wasi_io::async_trait]
impl Pollable for FileWriter {
    async fn ready(&mut self) {}
}

impl OutputStream for FileWriter {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.check_open()?;
        if bytes.is_empty() {
            return Ok(());
        }
        let ino = self.node.ino();
        let written = self.node.fs().change(|vfs, now| match self.position {
            Some(at) => vfs.write(ino, at, &bytes, now),
            None => vfs.append(ino, &bytes, now),
        });
        let written = written.map_err(|limit| StreamError::Trap(limit.into()))?;
        match written {
            Ok(n) => {
                if let Some(at) = &mut self.position {
                    *at += n;
                }
                Ok(())
            }
            Err(e) => {
                self.closed = true;
                Err(failed(e))
            }
        }
    }

    fn flush(&mut self) -> StreamResult<()> {
        self.check_open()
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        self.check_open()?;
        Ok(WRITE_BUDGET)
    }
}

/// A `directory-entry-stream`: the entries of a directory in name-byte order, without `.` and
/// `..`. It copies nothing up front: each read finds the first entry after the last name
/// returned, so a guest holding many streams over a large directory costs the host only their
/// last names. Entries added or removed while it is read appear or not by where they sort, as
/// POSIX allows; once it has ended it stays ended.
pub struct DirectoryEntries {
    dir: Handle,
    last: Option<String>,
    ended: bool,
}

impl DirectoryEntries {
    pub(super) fn new(dir: Handle) -> Self {
        Self {
            dir,
            last: None,
            ended: false,
        }
    }

    /// The next entry, or `None` at the end.
    pub fn next_entry(&mut self) -> Option<DirectoryEntry> {
        if self.ended {
            return None;
        }
        let vfs = self.dir.fs().vfs();
        // A removed directory is empty, so an error (none is expected) ends the listing too.
        let next = vfs
            .read_dir_from(self.dir.ino(), self.last.as_deref())
            .ok()
            .and_then(|mut entries| entries.next());
        let Some((name, _, kind)) = next else {
            self.ended = true;
            return None;
        };
        self.last = Some(name.to_owned());
        Some(DirectoryEntry {
            type_: descriptor_type(kind),
            name: name.to_owned(),
        })
    }
}
