//! `open-at`: opening (and creating) files and directories, with wasmtime's checks in
//! wasmtime's order.
//!
//! 1. the descriptor is a directory (`not-directory`);
//! 2. any `*-sync` descriptor flag is `unsupported` (wasmtime does not implement them);
//! 3. `directory` with `create`, `exclusive` or `truncate` is `invalid`;
//! 4. `create`, `truncate` or `write` through a descriptor that may not change the tree is
//!    `not-permitted`;
//! 5. the tree opens the path (`vfs::Vfs::open_at`: Linux `openat` rules, no escapes);
//! 6. a directory opened for writing is `is-directory`, as Linux `open(2)`.
//!
//! The open mode is wasmtime's: `create`, `truncate` and the `write` flag open for writing;
//! the `read` flag, or the absence of `write`, opens for reading. `mutate-directory` asks for
//! nothing more: the right to change the tree is inherited from the directory opened from.

use wasmtime::component::Resource;

use super::{Descriptor, Fail, Handle};
use crate::sandbox::bindings::wasi::filesystem::types::{DescriptorFlags, ErrorCode, OpenFlags};
use crate::sandbox::store::StoreData;
use crate::sandbox::vfs::{Kind, OpenOptions};

impl StoreData {
    /// `open-at` of `path` from directory `fd`.
    pub(super) fn open(
        &mut self,
        fd: Resource<Descriptor>,
        follow: bool,
        path: &str,
        oflags: OpenFlags,
        flags: DescriptorFlags,
    ) -> Result<Resource<Descriptor>, Fail> {
        let parent = self.table.get(&fd)?;
        let dir = parent.dir()?;
        let mutate = parent.mutate;
        let sync = DescriptorFlags::FILE_INTEGRITY_SYNC
            | DescriptorFlags::DATA_INTEGRITY_SYNC
            | DescriptorFlags::REQUESTED_WRITE_SYNC;
        if flags & sync != DescriptorFlags::empty() {
            return Err(ErrorCode::Unsupported.into());
        }
        let opts = OpenOptions {
            create: oflags.contains(OpenFlags::CREATE),
            exclusive: oflags.contains(OpenFlags::EXCLUSIVE),
            truncate: oflags.contains(OpenFlags::TRUNCATE),
            directory: oflags.contains(OpenFlags::DIRECTORY),
        };
        if opts.directory && (opts.create || opts.exclusive || opts.truncate) {
            return Err(ErrorCode::Invalid.into());
        }
        let write = opts.create || opts.truncate || flags.contains(DescriptorFlags::WRITE);
        let read = flags.contains(DescriptorFlags::READ) || !flags.contains(DescriptorFlags::WRITE);
        if write && !mutate {
            return Err(ErrorCode::NotPermitted.into());
        }
        // Only `create` and `truncate` stamp anything, so only they read the clock; the time
        // passed otherwise is never used.
        let now = match opts.create || opts.truncate {
            true => self.fs.now()?,
            false => 0,
        };
        let mut vfs = self.fs.vfs();
        let ino = vfs.open_at(dir, path, follow, opts, now)?;
        let is_dir = vfs.stat(ino)?.kind == Kind::Dir;
        if is_dir && write {
            return Err(ErrorCode::IsDirectory.into());
        }
        let node = Handle::new(&self.fs, &mut vfs, ino)?;
        drop(vfs);
        let descriptor = Descriptor {
            node,
            dir: is_dir,
            read,
            write,
            mutate,
        };
        Ok(self.table.push(descriptor)?)
    }
}
