//! `rename_at`: moving an entry, possibly over another, with POSIX `rename(2)` rules.
//!
//! Kept apart from the other name operations because it alone resolves two paths and can
//! replace an existing entry. It deliberately does not implement `RENAME_NOREPLACE` or
//! `RENAME_EXCHANGE`: WASI has neither.

use super::{FsError, Ino, Vfs};

/// One side of a rename, resolved.
struct Side {
    dir: Ino,
    name: String,
    /// What the name currently holds.
    ino: Option<Ino>,
}

impl Vfs {
    /// Renames what `old_path` names from `old_dir` to `new_path` from `new_dir`.
    ///
    /// POSIX rules: a file replaces a file or symlink; a directory replaces an empty directory
    /// (`NotEmpty` otherwise); a file over a directory is `IsDirectory`, a directory over a
    /// file `NotDirectory` (`path_rename.rs`); a directory into its own subtree is `Invalid`;
    /// two names of the same inode make it a no-op (`filesystem-rename.rs`). Trailing `/` is
    /// allowed on either side only when moving a directory (`NotDirectory` otherwise). `.` or
    /// `..` as the last component on either side is `Busy`, as Linux.
    pub fn rename_at(
        &mut self,
        old_dir: Ino,
        old_path: &str,
        new_dir: Ino,
        new_path: &str,
        now: u64,
    ) -> Result<(), FsError> {
        let src = self.rename_side(old_dir, old_path, None)?;
        let src_ino = src.ino.ok_or(FsError::NoEntry)?;
        let dst = self.rename_side(new_dir, new_path, Some(src_ino))?;
        if dst.ino == Some(src_ino) {
            return Ok(());
        }
        self.check_mounts(src_ino, &src, &dst)?;
        self.check_replace(src_ino, &dst)?;
        self.nodes
            .ensure_room(self.rename_growth(src_ino, &src, &dst)?)?;
        self.nodes.remove_entry(src.dir, &src.name);
        if let Some(old) = dst.ino {
            self.nodes.remove_entry(dst.dir, &dst.name);
            self.nodes.touch_ctime(old, now);
        }
        self.nodes.insert_entry(dst.dir, dst.name, src_ino);
        self.nodes.touch_ctime(src_ino, now);
        self.nodes.touch_dir(src.dir, now);
        self.nodes.touch_dir(dst.dir, now);
        if let Some(old) = dst.ino {
            self.nodes.maybe_free(old);
        }
        Ok(())
    }

    /// Resolves one side without following its last component. `moving` is the source inode
    /// when resolving the destination.
    fn rename_side(&self, dir: Ino, path: &str, moving: Option<Ino>) -> Result<Side, FsError> {
        let p = self.parent_of(dir, path)?;
        if p.name == "." || p.name == ".." {
            if p.name == ".." {
                p.up_target()?;
            }
            return Err(FsError::Busy);
        }
        let ino = self.child(p.dir(), p.name)?;
        let moving_dir = match (moving, ino) {
            (Some(src), _) => self.nodes.is_dir(src),
            (None, Some(src)) => self.nodes.is_dir(src),
            (None, None) => return Err(FsError::NoEntry),
        };
        if p.dir_required && !moving_dir {
            return Err(FsError::NotDirectory);
        }
        Ok(Side {
            dir: p.dir(),
            name: p.name.to_owned(),
            ino,
        })
    }

    /// How many bytes the rename adds to the budget, at most. Entries are charged their full
    /// path (see `Arena::entry_cost`), so moving a directory recharges every entry beneath it
    /// by the change in its path length: O(size of the subtree), unless the length stays the
    /// same. A replaced entry's name is counted as freed, not its inode, which may stay alive
    /// through a handle.
    fn rename_growth(&self, src_ino: Ino, src: &Side, dst: &Side) -> Result<u64, FsError> {
        let new_prefix = self.nodes.dir(dst.dir)?.prefix + dst.name.len() as u64 + 1;
        let (moved, old_prefix) = match self.nodes.dir(src_ino) {
            Ok(d) if d.prefix != new_prefix => (self.nodes.subtree_entries(src_ino), d.prefix),
            _ => (0, 0),
        };
        let dst_cost = self.nodes.entry_cost(dst.dir, &dst.name);
        let added = dst_cost.saturating_add(new_prefix.saturating_mul(moved));
        let mut freed = self.nodes.entry_cost(src.dir, &src.name) + old_prefix * moved;
        if dst.ino.is_some() {
            freed += dst_cost;
        }
        Ok(added.saturating_sub(freed))
    }

    /// Renames never change a mount: `ReadOnly` inside one, `CrossDevice` out of one (both
    /// directories read-only is a rename inside it), `Busy` for a mount point or a directory
    /// leading to one, moved or replaced.
    fn check_mounts(&self, src_ino: Ino, src: &Side, dst: &Side) -> Result<(), FsError> {
        match (self.is_read_only(src.dir), self.is_read_only(dst.dir)) {
            (true, true) | (false, true) => return Err(FsError::ReadOnly),
            (true, false) => return Err(FsError::CrossDevice),
            (false, false) => {}
        }
        self.check_unpinned(src_ino)?;
        if let Some(old) = dst.ino {
            self.check_unpinned(old)?;
        }
        Ok(())
    }

    /// Whether `src` may take `dst`'s place.
    fn check_replace(&self, src: Ino, dst: &Side) -> Result<(), FsError> {
        // The destination directory may have been removed while a handle kept it.
        if !self.nodes.is_linked(dst.dir) {
            return Err(FsError::NoEntry);
        }
        let src_is_dir = self.nodes.is_dir(src);
        if src_is_dir && self.nodes.is_ancestor(src, dst.dir) {
            return Err(FsError::Invalid);
        }
        let Some(old) = dst.ino else {
            return Ok(());
        };
        match (src_is_dir, self.nodes.is_dir(old)) {
            (true, false) => Err(FsError::NotDirectory),
            (false, true) => Err(FsError::IsDirectory),
            (true, true) if !self.nodes.dir(old)?.entries.is_empty() => Err(FsError::NotEmpty),
            _ => Ok(()),
        }
    }
}
