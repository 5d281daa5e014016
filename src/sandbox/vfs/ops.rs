//! Operations on names: open/create, mkdir, rmdir, unlink, rename, hard links and symlinks.
//!
//! Error choices follow wasmtime on Linux, as checked by the WASI test suite (preview1
//! `tests/rust/wasm32-wasip1` and the `filesystem-*` tests of `wasm32-wasip3`); where a test
//! accepts several codes, the Linux one is used. Every operation resolves and checks
//! everything first, then mutates, so an error leaves the tree exactly as it was.
//!
//! It deliberately does not handle descriptor rights or open modes (reading or writing a
//! directory, `O_APPEND`): those belong to the descriptor layers.

use super::node::{Data, DirData};
use super::path::check_target;
use super::{FsError, INODE_OVERHEAD, Ino, OpenOptions, Vfs};

/// Where a new entry goes: the directory and the name.
struct Slot {
    dir: Ino,
    name: String,
}

impl Vfs {
    /// Opens (and with `create`, creates) what `path` names from directory `dir`, returning its
    /// inode. Does not take a handle: the caller [`retain`](Self::retain)s it for a descriptor.
    ///
    /// Linux `openat` semantics: `directory` with `create`/`exclusive`/`truncate` is `Invalid`
    /// (wasmtime checks this first); a final symlink not followed is `Loop`, or `NotDirectory`
    /// with `directory` (Linux reports that first; `nofollow_errors.rs` accepts both); `create`
    /// through a followed dangling symlink creates its target; `create` with a path ending in
    /// `/`, or on an existing directory, is `IsDirectory`; so is `truncate` of a directory.
    pub fn open_at(
        &mut self,
        dir: Ino,
        path: &str,
        follow: bool,
        opts: OpenOptions,
        now: u64,
    ) -> Result<Ino, FsError> {
        if opts.directory && (opts.create || opts.exclusive || opts.truncate) {
            return Err(FsError::Invalid);
        }
        let exclusive = opts.create && opts.exclusive;
        let (found, slot, dir_required) = {
            let mut p = self.parent_of(dir, path)?;
            // Linux refuses O_CREAT with a trailing slash before looking the name up.
            if opts.create && p.dir_required && p.name != "." && p.name != ".." {
                return Err(FsError::IsDirectory);
            }
            // O_EXCL never follows a final symlink: the name itself must be free.
            let found = self.resolve_last(&mut p, follow && !exclusive)?;
            let slot = Slot {
                dir: p.dir(),
                name: p.name.to_owned(),
            };
            (found, slot, p.dir_required)
        };
        // A followed symlink whose target ends in `/` asks for a directory too, and O_CREAT
        // cannot make one: Linux says EISDIR whether the target exists or not (after EEXIST
        // for O_EXCL, so `./` with O_CREAT|O_EXCL stays EEXIST).
        let Some(ino) = found else {
            if !opts.create {
                return Err(FsError::NoEntry);
            }
            if dir_required {
                return Err(FsError::IsDirectory);
            }
            return self.create_node(slot, Data::File(Default::default()), now);
        };
        if exclusive {
            return Err(FsError::Exist);
        }
        if opts.create && dir_required {
            return Err(FsError::IsDirectory);
        }
        let is_dir = self.nodes.is_dir(ino);
        match &self.nodes.get(ino)?.data {
            Data::Symlink(_) if opts.directory => return Err(FsError::NotDirectory),
            Data::Symlink(_) => return Err(FsError::Loop),
            _ if (opts.directory || dir_required) && !is_dir => return Err(FsError::NotDirectory),
            _ if is_dir && (opts.create || opts.truncate) => return Err(FsError::IsDirectory),
            _ => {}
        }
        if opts.truncate {
            self.set_size(ino, 0, now)?;
        }
        Ok(ino)
    }

    /// Creates a directory. `path` may end with `/`. `.` and existing names are `Exist`.
    pub fn create_dir_at(&mut self, dir: Ino, path: &str, now: u64) -> Result<Ino, FsError> {
        let slot = self.new_slot(dir, path, true)?;
        let data = Data::Dir(DirData::empty());
        self.create_node(slot, data, now)
    }

    /// Creates a symlink at `path` holding `target` verbatim; the target may dangle. An
    /// absolute target is `NotPermitted` (cap-std refuses them; `symlink_create.rs`), an empty
    /// one `NoEntry` (Linux). `path` ending in `/` is `NoEntry` if free, `NotDirectory` if a
    /// file and `Exist` if a directory (`path_symlink_trailing_slashes.rs`).
    pub fn symlink_at(
        &mut self,
        dir: Ino,
        target: &str,
        path: &str,
        now: u64,
    ) -> Result<Ino, FsError> {
        check_target(target)?;
        let slot = self.new_slot(dir, path, false)?;
        self.create_node(slot, Data::Symlink(target.to_owned()), now)
    }

    /// Adds a hard link `new_path` (from `new_dir`) to what `old_path` names from `old_dir`.
    /// Directories are `NotPermitted`. With `follow` unset a symlink itself is linked, even a
    /// dangling one (`path_link.rs`); with it set the symlink is followed, as Linux `linkat`
    /// with `AT_SYMLINK_FOLLOW` (wasmtime rejects that flag with `Invalid`; the preview1
    /// layer may do the same before calling).
    pub fn link_at(
        &mut self,
        old_dir: Ino,
        old_path: &str,
        follow: bool,
        new_dir: Ino,
        new_path: &str,
        now: u64,
    ) -> Result<(), FsError> {
        let src = self.lookup(old_dir, old_path, follow)?;
        if self.nodes.is_dir(src) {
            return Err(FsError::NotPermitted);
        }
        let slot = self.new_slot(new_dir, new_path, false)?;
        self.check_writable(slot.dir)?;
        if self.is_read_only(src) {
            return Err(FsError::CrossDevice);
        }
        // A named inode's payload is charged once more per name (see `insert_entry`).
        let node = self.nodes.get(src)?;
        let extra = if node.links > 0 { node.payload() } else { 0 };
        self.nodes.ensure_room(
            self.nodes
                .entry_cost(slot.dir, &slot.name)
                .saturating_add(extra),
        )?;
        self.nodes.insert_entry(slot.dir, slot.name, src);
        self.nodes.touch_ctime(src, now);
        self.nodes.touch_dir(slot.dir, now);
        Ok(())
    }

    /// The target of the symlink `path` names (never following it). `Invalid` for anything
    /// else, as Linux `readlinkat`.
    pub fn readlink_at(&self, dir: Ino, path: &str) -> Result<String, FsError> {
        match &self.nodes.get(self.lookup(dir, path, false)?)?.data {
            Data::Symlink(target) => Ok(target.clone()),
            _ => Err(FsError::Invalid),
        }
    }

    /// Removes a non-directory entry. Directories (and `.`) are `IsDirectory`, as Linux;
    /// a path ending in `/` always fails: `IsDirectory` if it names a directory, else
    /// `NotDirectory` (`unlink_file_trailing_slashes.rs`).
    pub fn unlink_file_at(&mut self, dir: Ino, path: &str, now: u64) -> Result<(), FsError> {
        let (parent, name, ino) = {
            let mut p = self.parent_of(dir, path)?;
            if p.name == "." || p.name == ".." {
                self.resolve_last(&mut p, false)?;
                return Err(FsError::IsDirectory);
            }
            let ino = self.child(p.dir(), p.name)?.ok_or(FsError::NoEntry)?;
            if p.dir_required {
                // Follow for the escape and loop checks the rest of resolution makes.
                let target = self.resolve_last(&mut p, true)?.ok_or(FsError::NoEntry)?;
                return Err(self.dir_or_not(target));
            }
            (p.dir(), p.name.to_owned(), ino)
        };
        if self.nodes.is_dir(ino) {
            return Err(FsError::IsDirectory);
        }
        self.check_writable(parent)?;
        self.nodes.remove_entry(parent, &name);
        self.nodes.touch_ctime(ino, now);
        self.nodes.touch_dir(parent, now);
        self.nodes.maybe_free(ino);
        Ok(())
    }

    /// Removes an empty directory. `.` is `Invalid` and `x/..` `NotEmpty` (Linux); files and
    /// symlinks are `NotDirectory`; a trailing `/` is allowed, and a symlink before it is
    /// followed for the escape checks (`filesystem-mkdir-rmdir.rs`) but never removed.
    pub fn remove_dir_at(&mut self, dir: Ino, path: &str, now: u64) -> Result<(), FsError> {
        let (parent, name, ino) = {
            let mut p = self.parent_of(dir, path)?;
            match p.name {
                "." => return Err(FsError::Invalid),
                ".." => {
                    p.up_target()?;
                    return Err(FsError::NotEmpty);
                }
                _ => {}
            }
            let ino = self.child(p.dir(), p.name)?.ok_or(FsError::NoEntry)?;
            if !self.nodes.is_dir(ino) {
                if p.dir_required {
                    self.resolve_last(&mut p, true)?;
                }
                return Err(FsError::NotDirectory);
            }
            (p.dir(), p.name.to_owned(), ino)
        };
        self.check_writable(parent)?;
        self.check_unpinned(ino)?;
        if !self.nodes.dir(ino)?.entries.is_empty() {
            return Err(FsError::NotEmpty);
        }
        self.nodes.remove_entry(parent, &name);
        self.nodes.touch_dir(parent, now);
        self.nodes.maybe_free(ino);
        Ok(())
    }

    /// `IsDirectory` for a directory, `NotDirectory` for anything else.
    fn dir_or_not(&self, ino: Ino) -> FsError {
        if self.nodes.is_dir(ino) {
            FsError::IsDirectory
        } else {
            FsError::NotDirectory
        }
    }

    /// Finds the free slot a new entry named by `path` goes in. Taken names (and `.`, `..`)
    /// are `Exist`; removed directories `NoEntry`. Unless `slash_ok` (mkdir), a path ending in
    /// `/` is `NoEntry` when free and, when taken, reports what following it finds.
    fn new_slot(&self, dir: Ino, path: &str, slash_ok: bool) -> Result<Slot, FsError> {
        let mut p = self.parent_of(dir, path)?;
        let taken = match p.name {
            "." => true,
            ".." => {
                p.up_target()?;
                true
            }
            name => self.child(p.dir(), name)?.is_some(),
        };
        if taken {
            if p.dir_required && !slash_ok {
                return match self.resolve_last(&mut p, true)? {
                    Some(ino) if !self.nodes.is_dir(ino) => Err(FsError::NotDirectory),
                    Some(_) => Err(FsError::Exist),
                    None => Err(FsError::NoEntry),
                };
            }
            return Err(FsError::Exist);
        }
        if p.dir_required && !slash_ok {
            return Err(FsError::NoEntry);
        }
        if !self.nodes.is_linked(p.dir()) {
            return Err(FsError::NoEntry);
        }
        Ok(Slot {
            dir: p.dir(),
            name: p.name.to_owned(),
        })
    }

    /// Allocates a node and names it in `slot`, if the budget allows and the directory has
    /// not been removed.
    fn create_node(&mut self, slot: Slot, data: Data, now: u64) -> Result<Ino, FsError> {
        if !self.nodes.is_linked(slot.dir) {
            return Err(FsError::NoEntry);
        }
        self.check_writable(slot.dir)?;
        let payload = match &data {
            Data::Symlink(t) => t.len() as u64,
            _ => 0,
        };
        self.nodes
            .ensure_room(INODE_OVERHEAD + payload + self.nodes.entry_cost(slot.dir, &slot.name))?;
        let ino = self.nodes.alloc(data, now);
        self.nodes.insert_entry(slot.dir, slot.name, ino);
        self.nodes.touch_dir(slot.dir, now);
        Ok(ino)
    }
}
