//! The run's filesystem as both ABIs see it: the tree (`vfs/`) shared by every descriptor and
//! stream, the clock that stamps its changes, handles that keep an inode alive while anything
//! holds it, and the one [`SharedFs::open`] that owns the rules of opening a path.
//!
//! **Time.** Every call that can change the tree goes through [`SharedFs::change`] (or
//! [`SharedFs::open`]), which reads the virtual wall clock exactly once and stamps what the call
//! changes with that time (so each such call, like any clock read, moves virtual time by 1 µs).
//! Reads never change `atime`. Timestamps are `u64`
//! nanoseconds, so they saturate in the year 2554 even if the start time is later.
//!
//! **Lifetimes.** A descriptor (of either ABI) or a stream holds a [`Handle`], which retains
//! its inode ([`Vfs::retain`]) until it is dropped, so a file unlinked while open stays
//! readable until the last handle goes.

use std::sync::{Arc, Mutex, MutexGuard};

use super::clocks::Clocks;
use crate::sandbox::ending::LimitExceeded;
use crate::sandbox::sync::lock;
use crate::sandbox::vfs::{Entry, FsError, Ino, Kind, OpenOptions, Vfs};

/// The run's tree and the clocks that stamp it, shared by the store, every descriptor and
/// every stream (streams live in the resource table and reach nothing else).
#[derive(Clone)]
pub struct SharedFs(Arc<FsState>);

struct FsState {
    vfs: Mutex<Vfs>,
    /// Whether the root is preopened (the run was given files).
    preopened: bool,
    clocks: Clocks,
}

impl SharedFs {
    /// Shares `vfs`, preopened as `/` if `preopened`, stamping changes with `clocks`' wall time.
    pub fn new(vfs: Vfs, preopened: bool, clocks: Clocks) -> Self {
        Self(Arc::new(FsState {
            vfs: Mutex::new(vfs),
            preopened,
            clocks,
        }))
    }

    /// The tree. Never hold the guard while dropping a [`Handle`]: its drop takes the lock too.
    pub fn vfs(&self) -> MutexGuard<'_, Vfs> {
        lock(&self.0.vfs)
    }

    /// Whether the run's root is preopened.
    pub fn preopened(&self) -> bool {
        self.0.preopened
    }

    /// The wall-clock time for stamping a change, in ns since the Unix epoch: one guest-visible
    /// read of the virtual clock, so it moves as for any other read.
    fn now(&self) -> Result<u64, LimitExceeded> {
        Ok(u64::try_from(self.0.clocks.wall_now()?).unwrap_or(u64::MAX))
    }

    /// Changes the tree with `change`, given the tree and the time to stamp: the clock is read
    /// once, before the tree is locked. The outer error ends the run (the clock's limit), the
    /// inner one is the tree's answer to the guest.
    pub fn change<T>(
        &self,
        change: impl FnOnce(&mut Vfs, u64) -> Result<T, FsError>,
    ) -> Result<Result<T, FsError>, LimitExceeded> {
        let now = self.now()?;
        Ok(change(&mut self.vfs(), now))
    }

    /// A new handle on `ino`.
    pub fn handle(&self, ino: Ino) -> Result<Handle, FsError> {
        Handle::new(self, &mut self.vfs(), ino)
    }

    /// The tree as it is now, in the form of `RunOptions::files`.
    pub fn export(&self) -> Vec<(String, Entry)> {
        self.vfs().export()
    }

    /// Opens (or creates) `path` from directory `dir`, as `open-at` and `path_open` do:
    /// 1. any sync flag is [`FsFailure::Unsupported`] (wasmtime implements none);
    /// 2. `directory` with `create`, `exclusive` or `truncate` is `Invalid`, before the clock
    ///    is read;
    /// 3. the access is wasmtime's: creating, truncating or asking to write opens for writing;
    ///    asking to read, or not asking to write, opens for reading;
    /// 4. only creating or truncating stamps anything, so only they read the clock;
    /// 5. the tree opens the path (`Vfs::open_at`: Linux `openat` rules, no escapes);
    /// 6. a directory opened for writing is `IsDirectory`, as Linux `open(2)`, and a mounted
    ///    file `ReadOnly` (`EROFS`).
    pub fn open(&self, dir: Ino, path: &str, request: OpenRequest) -> Result<Opened, FsFailure> {
        if request.sync {
            return Err(FsFailure::Unsupported);
        }
        let opts = request.options;
        if opts.directory && (opts.create || opts.exclusive || opts.truncate) {
            return Err(FsError::Invalid.into());
        }
        let write = opts.create || opts.truncate || request.write;
        let read = request.read || !request.write;
        let now = match opts.create || opts.truncate {
            true => self.now()?,
            false => 0,
        };
        let mut vfs = self.vfs();
        let ino = vfs.open_at(dir, path, request.follow, opts, now)?;
        let is_dir = vfs.stat(ino)?.kind == Kind::Dir;
        if is_dir && write {
            return Err(FsError::IsDirectory.into());
        }
        if write && vfs.is_read_only(ino) {
            return Err(FsError::ReadOnly.into());
        }
        Ok(Opened {
            node: Handle::new(self, &mut vfs, ino)?,
            dir: is_dir,
            read,
            write,
        })
    }
}

/// What an open asks for, in either ABI's flags.
#[derive(Debug, Clone, Copy)]
pub struct OpenRequest {
    /// Follow a final symlink.
    pub follow: bool,
    /// Create, exclusively, truncate, or require a directory.
    pub options: OpenOptions,
    /// Asked to read.
    pub read: bool,
    /// Asked to write.
    pub write: bool,
    /// Asked for any kind of synchronous writes.
    pub sync: bool,
}

/// What an open opened.
pub struct Opened {
    /// The handle on the opened inode.
    pub node: Handle,
    /// It is a directory.
    pub dir: bool,
    /// Open for reading.
    pub read: bool,
    /// Open for writing.
    pub write: bool,
}

/// Why an open failed.
#[derive(Debug)]
pub enum FsFailure {
    /// The tree refused it.
    Fs(FsError),
    /// A sync flag was asked for.
    Unsupported,
    /// Reading the clock ended the run.
    Limit(LimitExceeded),
}

impl From<FsError> for FsFailure {
    fn from(error: FsError) -> Self {
        Self::Fs(error)
    }
}

impl From<LimitExceeded> for FsFailure {
    fn from(limit: LimitExceeded) -> Self {
        Self::Limit(limit)
    }
}

/// An inode held open by a descriptor or a stream; released when dropped.
pub struct Handle {
    fs: SharedFs,
    ino: Ino,
}

impl Handle {
    /// Takes a handle on `ino` of `vfs`, which is `fs`'s tree, already locked by the caller.
    pub fn new(fs: &SharedFs, vfs: &mut Vfs, ino: Ino) -> Result<Self, FsError> {
        vfs.retain(ino)?;
        Ok(Self {
            fs: fs.clone(),
            ino,
        })
    }

    /// The inode.
    pub fn ino(&self) -> Ino {
        self.ino
    }

    /// The filesystem the inode is in.
    pub fn fs(&self) -> &SharedFs {
        &self.fs
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        // Cannot fail: this handle's retain keeps the inode alive until now.
        let _ = self.fs.vfs().release(self.ino);
    }
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Handle({})", self.ino)
    }
}
