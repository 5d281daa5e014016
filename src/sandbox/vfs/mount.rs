//! Read-only mounts: a tree built once (a language's standard library, say) placed at a path of
//! every run's filesystem without copying its bytes, charging the run's budget or coming back in
//! its export.
//!
//! A mount's files share their bytes with the mount (`Entry::File` holds an `Arc`), so placing
//! one costs a node per entry and no copy. Its nodes are marked (see `node.rs`):
//! - everything under the mount point, the point included, is **read-only**: writing,
//!   truncating, changing times, creating, removing or renaming entries fails with `ReadOnly`
//!   (`read-only`, preview1 `EROFS`), and hard-linking a mounted file elsewhere or renaming
//!   across the boundary fails with `CrossDevice` (`EXDEV`), as on a Linux read-only mount;
//! - the mount point and every directory leading to it are **pinned**: removing or renaming
//!   them fails with `Busy` (`EBUSY`), as for a Linux mount point, so nothing mounted ever moves
//!   and its charge-free accounting stays exact;
//! - what the mount made is **not charged** to the budget and **not exported**. Directories
//!   leading to it that the seeded files had already made stay the guest's, only pinned.
//!
//! Timestamps are the run's start time, like seeded files', so a mount changes nothing in a
//! run's determinism.

use super::seed::{Mark, check_seed_path};
use super::{Entry, FsError, Ino, ROOT, SeedError, Vfs};

impl Vfs {
    /// Places `entries` (a checked, sorted seed list, as [`Vfs::export`] makes) read-only at
    /// `at`, a seed path that must not exist yet and must not lie inside another mount.
    pub fn mount(
        &mut self,
        at: &str,
        entries: &[(String, Entry)],
        now: u64,
    ) -> Result<(), SeedError> {
        check_seed_path(at)?;
        let before = self.nodes.used_with_mounts();
        let (dir, name) = self.seed_parents(ROOT, at, now, Mark::Leading, |vfs, dir| {
            if vfs.is_read_only(dir) {
                return Err(SeedError::MountConflict(at.to_owned()));
            }
            vfs.pin(dir);
            Ok(())
        })?;
        if self.child(dir, name).ok().flatten().is_some() {
            return Err(SeedError::MountConflict(at.to_owned()));
        }
        let point = self.seed_node(dir, name, Entry::Dir, now, Mark::ReadOnly);
        self.pin(point);
        for (path, entry) in entries {
            self.seed_one(point, path, entry.clone(), now, Mark::ReadOnly)?;
        }
        self.nodes.exempt_since(before);
        Ok(())
    }

    /// Whether `ino` is part of a read-only mount (false for a freed inode).
    pub fn is_read_only(&self, ino: Ino) -> bool {
        self.nodes.get(ino).is_ok_and(|node| node.read_only)
    }

    /// `ReadOnly` if `ino` is part of a mount: its data, times and entries are fixed.
    pub(super) fn check_writable(&self, ino: Ino) -> Result<(), FsError> {
        if self.is_read_only(ino) {
            return Err(FsError::ReadOnly);
        }
        Ok(())
    }

    /// `Busy` if `ino` is a mount point or leads to one: its name stays where it is.
    pub(super) fn check_unpinned(&self, ino: Ino) -> Result<(), FsError> {
        if self.nodes.get(ino).is_ok_and(|node| node.pinned) {
            return Err(FsError::Busy);
        }
        Ok(())
    }

    fn pin(&mut self, ino: Ino) {
        if let Ok(node) = self.nodes.get_mut(ino) {
            node.pinned = true;
        }
    }
}
