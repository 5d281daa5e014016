//! The generated `WasiSnapshotPreview1` trait, implemented for the store data by delegating each
//! call to its family's module. Nothing else lives here: one trait impl cannot be split across
//! files, so this file is the table of contents.

use wiggle::{GuestMemory, GuestPtr};

use super::bindings::types::{
    Advice, CiovecArray, Clockid, Dircookie, Error, Event, Exitcode, Fd, Fdflags, Fdstat,
    Filedelta, Filesize, Filestat, Fstflags, IovecArray, Lookupflags, Oflags, Prestat, Riflags,
    Rights, Roflags, Sdflags, Siflags, Signal, Size, Subscription, Timestamp, Whence,
};
use super::bindings::wasi_snapshot_preview1::WasiSnapshotPreview1;
use super::{fd, io, path, poll, proc};
use crate::sandbox::store::StoreData;

type Mem<'a, 'b> = &'a mut GuestMemory<'b>;
type Str = GuestPtr<str>;
type Res<T = ()> = Result<T, Error>;

impl WasiSnapshotPreview1 for StoreData {
    fn args_get(&mut self, m: Mem, argv: GuestPtr<GuestPtr<u8>>, buf: GuestPtr<u8>) -> Res {
        proc::write_strings(m, &proc::args(self), argv, buf)
    }

    fn args_sizes_get(&mut self, _: Mem) -> Res<(Size, Size)> {
        proc::sizes(&proc::args(self))
    }

    fn environ_get(&mut self, m: Mem, environ: GuestPtr<GuestPtr<u8>>, buf: GuestPtr<u8>) -> Res {
        proc::write_strings(m, &proc::environ(self), environ, buf)
    }

    fn environ_sizes_get(&mut self, _: Mem) -> Res<(Size, Size)> {
        proc::sizes(&proc::environ(self))
    }

    fn clock_res_get(&mut self, _: Mem, id: Clockid) -> Res<Timestamp> {
        proc::clock_res_get(id)
    }

    fn clock_time_get(&mut self, _: Mem, id: Clockid, _precision: Timestamp) -> Res<Timestamp> {
        proc::clock_time_get(self, id)
    }

    fn fd_advise(&mut self, _: Mem, fd: Fd, _: Filesize, _: Filesize, _: Advice) -> Res {
        // Advice is only a hint; an in-memory file has nothing to prefetch or drop.
        self.p1.file(fd)?;
        Ok(())
    }

    fn fd_allocate(&mut self, _: Mem, fd: Fd, _: Filesize, _: Filesize) -> Res {
        fd::allocate(self, fd)
    }

    fn fd_close(&mut self, _: Mem, fd: Fd) -> Res {
        Ok(self.p1.close(fd)?)
    }

    fn fd_datasync(&mut self, _: Mem, fd: Fd) -> Res {
        fd::sync(self, fd)
    }

    fn fd_fdstat_get(&mut self, _: Mem, fd: Fd) -> Res<Fdstat> {
        fd::fdstat_get(self, fd)
    }

    fn fd_fdstat_set_flags(&mut self, _: Mem, fd: Fd, flags: Fdflags) -> Res {
        fd::fdstat_set_flags(self, fd, flags)
    }

    fn fd_fdstat_set_rights(&mut self, _: Mem, fd: Fd, _: Rights, _: Rights) -> Res {
        fd::fdstat_set_rights(self, fd)
    }

    fn fd_filestat_get(&mut self, _: Mem, fd: Fd) -> Res<Filestat> {
        fd::filestat_get(self, fd)
    }

    fn fd_filestat_set_size(&mut self, _: Mem, fd: Fd, size: Filesize) -> Res {
        fd::filestat_set_size(self, fd, size)
    }

    fn fd_filestat_set_times(
        &mut self,
        _: Mem,
        fd: Fd,
        atim: Timestamp,
        mtim: Timestamp,
        flags: Fstflags,
    ) -> Res {
        fd::filestat_set_times(self, fd, atim, mtim, flags)
    }

    fn fd_pread(&mut self, m: Mem, fd: Fd, iovs: IovecArray, offset: Filesize) -> Res<Size> {
        io::pread(self, m, fd, iovs, offset)
    }

    fn fd_prestat_get(&mut self, _: Mem, fd: Fd) -> Res<Prestat> {
        fd::prestat_get(self, fd)
    }

    fn fd_prestat_dir_name(&mut self, m: Mem, fd: Fd, buf: GuestPtr<u8>, len: Size) -> Res {
        fd::prestat_dir_name(self, m, fd, buf, len)
    }

    fn fd_pwrite(&mut self, m: Mem, fd: Fd, iovs: CiovecArray, offset: Filesize) -> Res<Size> {
        io::pwrite(self, m, fd, iovs, offset)
    }

    async fn fd_read(&mut self, m: Mem<'_, '_>, fd: Fd, iovs: IovecArray) -> Res<Size> {
        // A read of an interactive stdin waits for its next chunk; anything else is there.
        if io::is_stdin(self, fd) {
            self.cli.stdin.readable().await;
        }
        io::read(self, m, fd, iovs)
    }

    fn fd_readdir(
        &mut self,
        m: Mem,
        fd: Fd,
        buf: GuestPtr<u8>,
        len: Size,
        cookie: Dircookie,
    ) -> Res<Size> {
        io::readdir(self, m, fd, buf, len, cookie)
    }

    fn fd_renumber(&mut self, _: Mem, fd: Fd, to: Fd) -> Res {
        Ok(self.p1.renumber(fd, to)?)
    }

    fn fd_seek(&mut self, _: Mem, fd: Fd, offset: Filedelta, whence: Whence) -> Res<Filesize> {
        fd::seek(self, fd, offset, whence)
    }

    fn fd_sync(&mut self, _: Mem, fd: Fd) -> Res {
        fd::sync(self, fd)
    }

    fn fd_tell(&mut self, _: Mem, fd: Fd) -> Res<Filesize> {
        fd::tell(self, fd)
    }

    fn fd_write(&mut self, m: Mem, fd: Fd, iovs: CiovecArray) -> Res<Size> {
        io::write(self, m, fd, iovs)
    }

    fn path_create_directory(&mut self, m: Mem, fd: Fd, p: Str) -> Res {
        path::create_directory(self, m, fd, p)
    }

    fn path_filestat_get(&mut self, m: Mem, fd: Fd, flags: Lookupflags, p: Str) -> Res<Filestat> {
        path::filestat_get(self, m, fd, flags, p)
    }

    fn path_filestat_set_times(
        &mut self,
        m: Mem,
        fd: Fd,
        flags: Lookupflags,
        p: Str,
        atim: Timestamp,
        mtim: Timestamp,
        fst: Fstflags,
    ) -> Res {
        path::filestat_set_times(self, m, fd, flags, p, [atim, mtim], fst)
    }

    fn path_link(&mut self, m: Mem, fd: Fd, flags: Lookupflags, p: Str, to: Fd, q: Str) -> Res {
        path::link(self, m, fd, flags, p, to, q)
    }

    fn path_open(
        &mut self,
        m: Mem,
        fd: Fd,
        dirflags: Lookupflags,
        p: Str,
        oflags: Oflags,
        rights: Rights,
        _inheriting: Rights,
        fdflags: Fdflags,
    ) -> Res<Fd> {
        let how = path::How {
            follow: dirflags.contains(Lookupflags::SYMLINK_FOLLOW),
            oflags,
            rights,
            fdflags,
        };
        path::open(self, m, fd, p, how)
    }

    fn path_readlink(&mut self, m: Mem, fd: Fd, p: Str, buf: GuestPtr<u8>, len: Size) -> Res<Size> {
        path::readlink(self, m, fd, p, buf, len)
    }

    fn path_remove_directory(&mut self, m: Mem, fd: Fd, p: Str) -> Res {
        path::remove_directory(self, m, fd, p)
    }

    fn path_rename(&mut self, m: Mem, fd: Fd, p: Str, to: Fd, q: Str) -> Res {
        path::rename(self, m, fd, p, to, q)
    }

    fn path_symlink(&mut self, m: Mem, target: Str, fd: Fd, p: Str) -> Res {
        path::symlink(self, m, target, fd, p)
    }

    fn path_unlink_file(&mut self, m: Mem, fd: Fd, p: Str) -> Res {
        path::unlink_file(self, m, fd, p)
    }

    async fn poll_oneoff(
        &mut self,
        m: Mem<'_, '_>,
        subs: GuestPtr<Subscription>,
        events: GuestPtr<Event>,
        n: Size,
    ) -> Res<Size> {
        poll::poll_oneoff(self, m, subs, events, n).await
    }

    fn proc_exit(&mut self, _: Mem, code: Exitcode) -> wiggle::error::Error {
        proc::exit(code)
    }

    fn proc_raise(&mut self, _: Mem, _: Signal) -> Res {
        Err(super::Errno::Notsup.into())
    }

    fn sched_yield(&mut self, _: Mem) -> Res {
        // One guest thread on one executor: there is nothing to yield to.
        Ok(())
    }

    fn random_get(&mut self, m: Mem, buf: GuestPtr<u8>, len: Size) -> Res {
        proc::random_get(self, m, buf, len)
    }

    fn sock_accept(&mut self, _: Mem, fd: Fd, _: Fdflags) -> Res<Fd> {
        proc::no_socket(self, fd)
    }

    fn sock_recv(&mut self, _: Mem, fd: Fd, _: IovecArray, _: Riflags) -> Res<(Size, Roflags)> {
        proc::no_socket(self, fd)
    }

    fn sock_send(&mut self, _: Mem, fd: Fd, _: CiovecArray, _: Siflags) -> Res<Size> {
        proc::no_socket(self, fd)
    }

    fn sock_shutdown(&mut self, _: Mem, fd: Fd, _: Sdflags) -> Res {
        proc::no_socket(self, fd)
    }
}
