//! The methods of `descriptor` and `directory-entry-stream` (all but `open-at`, in `open.rs`).
//!
//! Each method checks, in wasmtime's order, that the descriptor is of the right kind (a file
//! method on a directory is `bad-descriptor`, a directory method on a file `not-directory`,
//! except `read-via-stream` on a directory: `is-directory`), then its open mode as Linux would (reading a descriptor not
//! open for reading, or writing one not open for writing, is `bad-descriptor`; resizing one not
//! open for writing is `invalid`), and only then reads the clock and calls the tree. An unknown
//! resource handle traps, as in wasmtime.

use wasmtime::component::Resource;
use wasmtime_wasi_io::streams::{DynInputStream, DynOutputStream};

use super::streams::{DirectoryEntries, FileReader, FileWriter};
use super::{Descriptor, Fail, descriptor_stat, set_time};
use crate::sandbox::bindings::wasi::filesystem::types::{
    self, Advice, DescriptorFlags, DescriptorStat, DescriptorType, DirectoryEntry, ErrorCode,
    Filesize, MetadataHashValue, NewTimestamp, OpenFlags, PathFlags,
};
use crate::sandbox::store::StoreData;
use crate::sandbox::vfs::Ino;
use crate::sandbox::wasi::fs::Handle;

type Fd = Resource<Descriptor>;

fn follow(flags: PathFlags) -> bool {
    flags.contains(PathFlags::SYMLINK_FOLLOW)
}

impl StoreData {
    /// A new handle on the file of `fd` for a stream, if `fd` is a file open for `write` (or
    /// for reading when `write` is false).
    fn stream_handle(&mut self, fd: &Fd, write: bool) -> Result<Handle, Fail> {
        let d = self.table.get(fd)?;
        if d.dir && !write {
            return Err(ErrorCode::IsDirectory.into());
        }
        let ino = d.file()?;
        if !(if write { d.write } else { d.read }) {
            return Err(ErrorCode::BadDescriptor.into());
        }
        Ok(self.fs.handle(ino)?)
    }

    /// The directory inodes of two descriptors.
    fn dirs(&self, a: &Fd, b: &Fd) -> Result<(Ino, Ino), Fail> {
        Ok((self.table.get(a)?.dir()?, self.table.get(b)?.dir()?))
    }
}

impl types::HostDescriptor for StoreData {
    fn read_via_stream(
        &mut self,
        fd: Fd,
        offset: Filesize,
    ) -> Result<Resource<DynInputStream>, Fail> {
        let node = self.stream_handle(&fd, false)?;
        let stream: DynInputStream = Box::new(FileReader::new(node, offset));
        Ok(self.table.push(stream)?)
    }

    fn write_via_stream(
        &mut self,
        fd: Fd,
        offset: Filesize,
    ) -> Result<Resource<DynOutputStream>, Fail> {
        let node = self.stream_handle(&fd, true)?;
        let stream: DynOutputStream = Box::new(FileWriter::new(node, Some(offset)));
        Ok(self.table.push(stream)?)
    }

    fn append_via_stream(&mut self, fd: Fd) -> Result<Resource<DynOutputStream>, Fail> {
        let node = self.stream_handle(&fd, true)?;
        let stream: DynOutputStream = Box::new(FileWriter::new(node, None));
        Ok(self.table.push(stream)?)
    }

    fn advise(&mut self, fd: Fd, _: Filesize, _: Filesize, _: Advice) -> Result<(), Fail> {
        self.table.get(&fd)?.file()?;
        Ok(())
    }

    fn sync_data(&mut self, fd: Fd) -> Result<(), Fail> {
        self.table.get(&fd)?;
        Ok(())
    }

    fn sync(&mut self, fd: Fd) -> Result<(), Fail> {
        self.table.get(&fd)?;
        Ok(())
    }

    fn get_flags(&mut self, fd: Fd) -> Result<DescriptorFlags, Fail> {
        Ok(self.table.get(&fd)?.flags())
    }

    fn get_type(&mut self, fd: Fd) -> Result<DescriptorType, Fail> {
        Ok(match self.table.get(&fd)?.dir {
            true => DescriptorType::Directory,
            false => DescriptorType::RegularFile,
        })
    }

    fn set_size(&mut self, fd: Fd, size: Filesize) -> Result<(), Fail> {
        let d = self.table.get(&fd)?;
        let ino = d.file()?;
        if !d.write {
            return Err(ErrorCode::Invalid.into());
        }
        Ok(self.fs.change(|vfs, now| vfs.set_size(ino, size, now))??)
    }

    fn set_times(&mut self, fd: Fd, atim: NewTimestamp, mtim: NewTimestamp) -> Result<(), Fail> {
        let d = self.table.get(&fd)?;
        let (atime, mtime) = (set_time(atim)?, set_time(mtim)?);
        let ino = d.node.ino();
        Ok(self
            .fs
            .change(|vfs, now| vfs.set_times(ino, atime, mtime, now))??)
    }

    fn read(&mut self, fd: Fd, len: Filesize, offset: Filesize) -> Result<(Vec<u8>, bool), Fail> {
        let d = self.table.get(&fd)?;
        let ino = d.file()?;
        if !d.read {
            return Err(ErrorCode::BadDescriptor.into());
        }
        let vfs = self.fs.vfs();
        let bytes = vfs.read(ino, offset, len)?;
        let end = offset.saturating_add(bytes.len() as u64) >= vfs.size(ino)?;
        Ok((bytes, end))
    }

    fn write(&mut self, fd: Fd, buf: Vec<u8>, offset: Filesize) -> Result<Filesize, Fail> {
        let d = self.table.get(&fd)?;
        let ino = d.file()?;
        if !d.write {
            return Err(ErrorCode::BadDescriptor.into());
        }
        Ok(self
            .fs
            .change(|vfs, now| vfs.write(ino, offset, &buf, now))??)
    }

    fn read_directory(&mut self, fd: Fd) -> Result<Resource<DirectoryEntries>, Fail> {
        let dir = self.table.get(&fd)?.dir()?;
        let node = self.fs.handle(dir)?;
        Ok(self.table.push(DirectoryEntries::new(node))?)
    }

    fn create_directory_at(&mut self, fd: Fd, path: String) -> Result<(), Fail> {
        let dir = self.table.get(&fd)?.dir()?;
        self.fs
            .change(|vfs, now| vfs.create_dir_at(dir, &path, now))??;
        Ok(())
    }

    fn stat(&mut self, fd: Fd) -> Result<DescriptorStat, Fail> {
        let ino = self.table.get(&fd)?.node.ino();
        Ok(descriptor_stat(self.fs.vfs().stat(ino)?))
    }

    fn stat_at(&mut self, fd: Fd, flags: PathFlags, path: String) -> Result<DescriptorStat, Fail> {
        let dir = self.table.get(&fd)?.dir()?;
        let stat = self.fs.vfs().stat_at(dir, &path, follow(flags))?;
        Ok(descriptor_stat(stat))
    }

    fn set_times_at(
        &mut self,
        fd: Fd,
        flags: PathFlags,
        path: String,
        atim: NewTimestamp,
        mtim: NewTimestamp,
    ) -> Result<(), Fail> {
        let d = self.table.get(&fd)?;
        let dir = d.dir()?;
        let (atime, mtime) = (set_time(atim)?, set_time(mtim)?);
        Ok(self
            .fs
            .change(|vfs, now| vfs.set_times_at(dir, &path, follow(flags), atime, mtime, now))??)
    }

    /// `symlink-follow` is `invalid`, as in wasmtime (Linux `linkat` would follow).
    fn link_at(
        &mut self,
        fd: Fd,
        flags: PathFlags,
        old_path: String,
        new_fd: Fd,
        new_path: String,
    ) -> Result<(), Fail> {
        let (old_dir, new_dir) = self.dirs(&fd, &new_fd)?;
        if follow(flags) {
            return Err(ErrorCode::Invalid.into());
        }
        Ok(self
            .fs
            .change(|vfs, now| vfs.link_at(old_dir, &old_path, false, new_dir, &new_path, now))??)
    }

    fn open_at(
        &mut self,
        fd: Fd,
        path_flags: PathFlags,
        path: String,
        oflags: OpenFlags,
        flags: DescriptorFlags,
    ) -> Result<Fd, Fail> {
        self.open(fd, follow(path_flags), &path, oflags, flags)
    }

    fn readlink_at(&mut self, fd: Fd, path: String) -> Result<String, Fail> {
        let dir = self.table.get(&fd)?.dir()?;
        Ok(self.fs.vfs().readlink_at(dir, &path)?)
    }

    fn remove_directory_at(&mut self, fd: Fd, path: String) -> Result<(), Fail> {
        let dir = self.table.get(&fd)?.dir()?;
        Ok(self
            .fs
            .change(|vfs, now| vfs.remove_dir_at(dir, &path, now))??)
    }

    fn rename_at(
        &mut self,
        fd: Fd,
        old_path: String,
        new_fd: Fd,
        new_path: String,
    ) -> Result<(), Fail> {
        let (old_dir, new_dir) = self.dirs(&fd, &new_fd)?;
        Ok(self
            .fs
            .change(|vfs, now| vfs.rename_at(old_dir, &old_path, new_dir, &new_path, now))??)
    }

    fn symlink_at(&mut self, fd: Fd, target: String, path: String) -> Result<(), Fail> {
        let dir = self.table.get(&fd)?.dir()?;
        self.fs
            .change(|vfs, now| vfs.symlink_at(dir, &target, &path, now))??;
        Ok(())
    }

    fn unlink_file_at(&mut self, fd: Fd, path: String) -> Result<(), Fail> {
        let dir = self.table.get(&fd)?.dir()?;
        Ok(self
            .fs
            .change(|vfs, now| vfs.unlink_file_at(dir, &path, now))??)
    }

    fn is_same_object(&mut self, a: Fd, b: Fd) -> wasmtime::Result<bool> {
        Ok(self.table.get(&a)?.node.ino() == self.table.get(&b)?.node.ino())
    }

    fn metadata_hash(&mut self, fd: Fd) -> Result<MetadataHashValue, Fail> {
        let ino = self.table.get(&fd)?.node.ino();
        let (lower, upper) = self.fs.vfs().metadata_hash(ino)?;
        Ok(MetadataHashValue { lower, upper })
    }

    fn metadata_hash_at(
        &mut self,
        fd: Fd,
        flags: PathFlags,
        path: String,
    ) -> Result<MetadataHashValue, Fail> {
        let dir = self.table.get(&fd)?.dir()?;
        let vfs = self.fs.vfs();
        let (lower, upper) = vfs.metadata_hash(vfs.resolve(dir, &path, follow(flags))?)?;
        Ok(MetadataHashValue { lower, upper })
    }

    fn drop(&mut self, fd: Fd) -> wasmtime::Result<()> {
        // Dropping the descriptor releases its inode (see `Handle`).
        self.table.delete(fd)?;
        Ok(())
    }
}

impl types::HostDirectoryEntryStream for StoreData {
    fn read_directory_entry(
        &mut self,
        stream: Resource<DirectoryEntries>,
    ) -> Result<Option<DirectoryEntry>, Fail> {
        Ok(self.table.get_mut(&stream)?.next_entry())
    }

    fn drop(&mut self, stream: Resource<DirectoryEntries>) -> wasmtime::Result<()> {
        self.table.delete(stream)?;
        Ok(())
    }
}
