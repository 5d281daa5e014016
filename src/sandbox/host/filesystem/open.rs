//! `open-at`: opening (and creating) files and directories, with wasmtime's checks in
//! wasmtime's order: the descriptor must be a directory (`not-directory`); then the core's
//! rules (`wasi/fs.rs`: sync flags are `unsupported`, the access mode, the clock), and the
//! tree's (`vfs::Vfs::open_at`: Linux `openat` rules, no escapes; `directory` with `create`,
//! `exclusive` or `truncate` is `invalid`). `mutate-directory` asks for nothing more: the tree
//! may be changed through any directory.

use wasmtime::component::Resource;

use super::{Descriptor, Fail};
use crate::sandbox::bindings::wasi::filesystem::types::{DescriptorFlags, OpenFlags};
use crate::sandbox::store::StoreData;
use crate::sandbox::vfs::OpenOptions;
use crate::sandbox::wasi::fs::OpenRequest;

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
        let dir = self.table.get(&fd)?.dir()?;
        let sync = DescriptorFlags::FILE_INTEGRITY_SYNC
            | DescriptorFlags::DATA_INTEGRITY_SYNC
            | DescriptorFlags::REQUESTED_WRITE_SYNC;
        let request = OpenRequest {
            follow,
            options: OpenOptions {
                create: oflags.contains(OpenFlags::CREATE),
                exclusive: oflags.contains(OpenFlags::EXCLUSIVE),
                truncate: oflags.contains(OpenFlags::TRUNCATE),
                directory: oflags.contains(OpenFlags::DIRECTORY),
            },
            read: flags.contains(DescriptorFlags::READ),
            write: flags.contains(DescriptorFlags::WRITE),
            sync: flags.intersects(sync),
        };
        let opened = self.fs.open(dir, path, request)?;
        let descriptor = Descriptor {
            node: opened.node,
            dir: opened.dir,
            read: opened.read,
            write: opened.write,
        };
        Ok(self.table.push(descriptor)?)
    }
}
