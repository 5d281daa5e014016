//! The preview1 descriptor table: what each `fd` number names.
//!
//! A run starts with stdin, stdout and stderr at 0, 1 and 2, and, if the run was given files,
//! the root of its filesystem preopened as `/` at [`PREOPEN_FD`]. A run without files sees no
//! filesystem at all (no preopen, as before the vfs existed, and as the WASI test suite expects
//! of a test without a `root`). New descriptors take the lowest free number, as
//! POSIX `open` does, so numbering depends only on what the guest did. Every file or directory
//! descriptor holds a [`Handle`] on its inode, so a file unlinked while open stays readable
//! until it is closed (`wasi/fs.rs`).
//!
//! It deliberately does not keep preview1 "rights": wasmtime ignores them too (beyond deriving
//! read and write access at `path_open`), and the test suite accepts that.

use std::collections::BTreeMap;

use super::bindings::types::{Errno, Fd};
use crate::sandbox::vfs::{Ino, ROOT};
use crate::sandbox::wasi::fs::{Handle, SharedFs};

/// The preopened root directory's descriptor.
pub const PREOPEN_FD: u32 = 3;

/// The name the root is preopened under.
pub const PREOPEN_NAME: &str = "/";

/// Most descriptors a run may hold open at once (Linux's default `RLIMIT_NOFILE`); one more is
/// `EMFILE`. Each costs host memory, so a guest may not open them without bound.
pub const MAX_FDS: usize = 1024;

/// An open regular file.
#[derive(Debug)]
pub struct OpenFile {
    /// The handle on the file's inode.
    pub node: Handle,
    /// The cursor of `fd_read`, `fd_write` and `fd_seek`.
    pub pos: u64,
    /// Opened for reading.
    pub read: bool,
    /// Opened for writing.
    pub write: bool,
    /// Every write goes to the end (`O_APPEND`).
    pub append: bool,
    /// `FDFLAGS_NONBLOCK` was asked for; recorded for `fd_fdstat_get`, never needed: nothing in
    /// the sandbox blocks.
    pub nonblock: bool,
}

impl OpenFile {
    /// The file's inode.
    pub fn ino(&self) -> Ino {
        self.node.ino()
    }
}

/// What a descriptor names.
#[derive(Debug)]
pub enum Desc {
    /// Standard input.
    Stdin,
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
    /// A directory; `preopen` is its name if it was preopened.
    Dir {
        /// The handle on the directory's inode.
        node: Handle,
        /// The name it was preopened under, if it was.
        preopen: Option<String>,
        /// Cookies `fd_readdir` handed out last, with the names they follow (at most three,
        /// see `io::readdir`).
        listed: Vec<(u64, String)>,
    },
    /// A regular file.
    File(OpenFile),
}

impl Desc {
    /// The inode of a file or directory; `EBADF` for stdio.
    pub fn ino(&self) -> Result<Ino, Errno> {
        match self {
            Self::Dir { node, .. } | Self::File(OpenFile { node, .. }) => Ok(node.ino()),
            Self::Stdin | Self::Stdout | Self::Stderr => Err(Errno::Badf),
        }
    }
}

/// One run's descriptors.
pub struct FdTable {
    fds: BTreeMap<u32, Desc>,
}

impl FdTable {
    /// No descriptors at all: the table of a component's run, which never uses it.
    pub fn unused() -> Self {
        Self {
            fds: BTreeMap::new(),
        }
    }

    /// The table a run starts with: stdio and, if `fs` is preopened, its root as `/`.
    pub fn new(fs: &SharedFs) -> Self {
        let mut fds = BTreeMap::new();
        fds.insert(0, Desc::Stdin);
        fds.insert(1, Desc::Stdout);
        fds.insert(2, Desc::Stderr);
        // The root always exists, so the handle cannot fail.
        if let Some(node) = fs.preopened().then(|| fs.handle(ROOT).ok()).flatten() {
            let preopen = Some(PREOPEN_NAME.to_owned());
            let listed = Vec::new();
            let root = Desc::Dir {
                node,
                preopen,
                listed,
            };
            fds.insert(PREOPEN_FD, root);
        }
        Self { fds }
    }

    /// What `fd` names; `EBADF` if nothing.
    pub fn get(&self, fd: Fd) -> Result<&Desc, Errno> {
        self.fds.get(&u32::from(fd)).ok_or(Errno::Badf)
    }

    /// The open file `fd` names; `EBADF` for anything else.
    pub fn file(&self, fd: Fd) -> Result<&OpenFile, Errno> {
        match self.get(fd)? {
            Desc::File(file) => Ok(file),
            _ => Err(Errno::Badf),
        }
    }

    /// The open file `fd` names, to move its cursor or change its flags.
    pub fn file_mut(&mut self, fd: Fd) -> Result<&mut OpenFile, Errno> {
        match self.fds.get_mut(&u32::from(fd)) {
            Some(Desc::File(file)) => Ok(file),
            _ => Err(Errno::Badf),
        }
    }

    /// The `fd_readdir` cookies of directory `fd` (see `io::readdir`); `EBADF` for anything else.
    pub fn listed_mut(&mut self, fd: Fd) -> Result<&mut Vec<(u64, String)>, Errno> {
        match self.fds.get_mut(&u32::from(fd)) {
            Some(Desc::Dir { listed, .. }) => Ok(listed),
            _ => Err(Errno::Badf),
        }
    }

    /// The directory `fd` names, as the base of a `path_*` call; `EBADF` for anything else.
    pub fn dir(&self, fd: Fd) -> Result<Ino, Errno> {
        match self.get(fd)? {
            Desc::Dir { node, .. } => Ok(node.ino()),
            _ => Err(Errno::Badf),
        }
    }

    /// `EMFILE` when the table is full, checked before an open changes anything.
    pub fn ensure_room(&self) -> Result<(), Errno> {
        if self.fds.len() >= MAX_FDS {
            return Err(Errno::Mfile);
        }
        Ok(())
    }

    /// Adds `desc` at the lowest free number.
    pub fn push(&mut self, desc: Desc) -> Result<Fd, Errno> {
        if self.fds.len() >= MAX_FDS {
            return Err(Errno::Mfile);
        }
        // The keys are sorted, so the first gap in 0, 1, 2, ... is the lowest free number.
        let fd = (0..)
            .zip(self.fds.keys())
            .find(|(want, have)| want != *have)
            .map_or(self.fds.len() as u32, |(want, _)| want);
        self.fds.insert(fd, desc);
        Ok(Fd::from(fd))
    }

    /// Closes `fd`, releasing its inode (the caller must not hold the tree's lock).
    pub fn close(&mut self, fd: Fd) -> Result<(), Errno> {
        self.fds.remove(&u32::from(fd)).ok_or(Errno::Badf)?;
        Ok(())
    }

    /// Moves `from` to number `to`, closing what `to` named. Both must be open.
    pub fn renumber(&mut self, from: Fd, to: Fd) -> Result<(), Errno> {
        self.get(from)?;
        self.get(to)?;
        if u32::from(from) == u32::from(to) {
            return Ok(());
        }
        self.close(to)?;
        let desc = self.fds.remove(&u32::from(from)).ok_or(Errno::Badf)?;
        self.fds.insert(u32::from(to), desc);
        Ok(())
    }
}
