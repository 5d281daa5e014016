//! The inode arena: every file, directory and symlink of one [`Vfs`](super::Vfs), keyed by
//! inode number, with the byte accounting that enforces the filesystem limit.
//!
//! All changes to directory entries go through [`Arena::insert_entry`] and
//! [`Arena::remove_entry`], so link counts, sub-directory counts, parent pointers and the byte
//! count can only move together. Inodes are freed by [`Arena::maybe_free`] once no entry names
//! them and no handle holds them.
//!
//! It deliberately does not resolve paths (see `path.rs`) nor check permissions or limits
//! before a change: callers check [`Arena::ensure_room`] first, so a failed call changes nothing.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{DIRENT_OVERHEAD, FsError, INODE_OVERHEAD, Ino, Kind, ROOT};

/// One inode.
pub(crate) struct Node {
    pub(crate) data: Data,
    /// Directory entries naming this inode (hard links). The root counts as named once.
    pub(crate) links: u64,
    /// Handles held by the descriptor layers (see `Vfs::retain`).
    pub(crate) handles: u64,
    pub(crate) atime: u64,
    pub(crate) mtime: u64,
    pub(crate) ctime: u64,
    /// Part of a read-only mount: its data, times and entries never change.
    pub(crate) read_only: bool,
    /// A mount point or a directory leading to one: its name is never removed or moved.
    pub(crate) pinned: bool,
    /// Created by a mount (its files and directories, and the directories leading to it): not
    /// charged to the budget and not exported.
    pub(crate) mounted: bool,
}

/// What an inode holds.
pub(crate) enum Data {
    /// Shared with the seed it came from until its first change (see `Entry::File`).
    File(Arc<Vec<u8>>),
    Dir(DirData),
    Symlink(String),
}

/// A directory's entries. A `BTreeMap` keeps iteration in name-byte order, which is what makes
/// `read_dir` and `export` deterministic.
pub(crate) struct DirData {
    pub(crate) entries: BTreeMap<String, Ino>,
    /// The directory holding this one's entry; the root is its own parent. Stale once the
    /// directory is removed (`links == 0`), which callers check first.
    pub(crate) parent: Ino,
    /// How many entries are directories, for POSIX `nlink`.
    pub(crate) subdirs: u64,
    /// Length of this directory's exported path plus its trailing `/` (0 for the root): what
    /// each of its entries' paths adds to its name. Stale once the directory is removed.
    pub(crate) prefix: u64,
}

impl DirData {
    /// An empty directory; `insert_entry` sets its parent and prefix when it is named.
    pub(crate) fn empty() -> Self {
        DirData {
            entries: BTreeMap::new(),
            parent: ROOT,
            subdirs: 0,
            prefix: 0,
        }
    }
}

impl Node {
    pub(crate) fn kind(&self) -> Kind {
        match self.data {
            Data::File(_) => Kind::File,
            Data::Dir(_) => Kind::Dir,
            Data::Symlink(_) => Kind::Symlink,
        }
    }

    /// How many copies of the payload are charged: one per name, and one for an inode that no
    /// entry names (held open, or not linked yet). Charging hard links per name bounds what the
    /// exported tree, which holds a copy per name, can cost the host.
    pub(crate) fn copies(&self) -> u64 {
        self.links.max(1)
    }

    /// Content bytes charged to the limit: file data or symlink target; directories charge
    /// their entries instead.
    pub(crate) fn payload(&self) -> u64 {
        match &self.data {
            Data::File(v) => v.len() as u64,
            Data::Dir(_) => 0,
            Data::Symlink(t) => t.len() as u64,
        }
    }
}

/// All inodes plus the byte budget. A `BTreeMap` rather than a `HashMap`: std's `HashMap` is
/// randomly seeded, and numbers are never reused, so a `Vec` would grow without bound. Nodes are
/// boxed so that the map's nodes stay small: unboxed, the first one a run allocates (for the
/// root, on every run) is over a kilobyte, past the allocator's fast path.
pub(crate) struct Arena {
    nodes: BTreeMap<Ino, Box<Node>>,
    next_ino: Ino,
    /// Every node and entry, mounted ones included (what `audit.rs` recomputes).
    used: u64,
    /// What the mounted nodes and entries account for in `used`: fixed once they are made,
    /// since nothing mounted is ever changed, removed or moved.
    mounted: u64,
    limit: u64,
}

impl Arena {
    /// An arena holding only an empty root directory. The root is free: an empty tree uses 0
    /// bytes, so a limit of 0 means "nothing may be created".
    pub(crate) fn new(limit: u64, now: u64) -> Self {
        let root = Node {
            data: Data::Dir(DirData::empty()),
            links: 1,
            handles: 0,
            atime: now,
            mtime: now,
            ctime: now,
            read_only: false,
            pinned: false,
            mounted: false,
        };
        // Not `BTreeMap::from([..])`, which sorts through a `Vec` first: every run builds one.
        let mut nodes = BTreeMap::new();
        nodes.insert(ROOT, Box::new(root));
        Arena {
            nodes,
            next_ino: ROOT + 1,
            used: 0,
            mounted: 0,
            limit,
        }
    }

    /// Bytes charged to the budget: everything but what mounts made.
    pub(crate) fn used(&self) -> u64 {
        self.used - self.mounted
    }

    /// Everything, mounted nodes included: what `audit.rs` recomputes.
    pub(crate) fn used_with_mounts(&self) -> u64 {
        self.used
    }

    /// Takes what was added to `used` since it was `before` (the nodes a mount just made) off
    /// the budget.
    pub(crate) fn exempt_since(&mut self, before: u64) {
        self.mounted += self.used - before;
    }

    pub(crate) fn limit(&self) -> u64 {
        self.limit
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&Ino, &Node)> {
        self.nodes.iter().map(|(ino, node)| (ino, &**node))
    }

    pub(crate) fn get(&self, ino: Ino) -> Result<&Node, FsError> {
        self.nodes
            .get(&ino)
            .map(|node| &**node)
            .ok_or(FsError::BadDescriptor)
    }

    pub(crate) fn get_mut(&mut self, ino: Ino) -> Result<&mut Node, FsError> {
        self.nodes
            .get_mut(&ino)
            .map(|node| &mut **node)
            .ok_or(FsError::BadDescriptor)
    }

    pub(crate) fn dir(&self, ino: Ino) -> Result<&DirData, FsError> {
        match &self.get(ino)?.data {
            Data::Dir(d) => Ok(d),
            _ => Err(FsError::NotDirectory),
        }
    }

    fn dir_mut(&mut self, ino: Ino) -> Result<&mut DirData, FsError> {
        match &mut self.get_mut(ino)?.data {
            Data::Dir(d) => Ok(d),
            _ => Err(FsError::NotDirectory),
        }
    }

    pub(crate) fn is_dir(&self, ino: Ino) -> bool {
        matches!(self.nodes.get(&ino).map(|n| &n.data), Some(Data::Dir(_)))
    }

    /// Bytes charged for an entry named `name` in directory `dir`: [`DIRENT_OVERHEAD`] plus
    /// its full path as exported (`a/b/name`), which is what the exported tree's key costs.
    /// Charging the whole path, not just the name, is what stops a deep tree of short names
    /// from exporting far more key bytes than the budget allows.
    pub(crate) fn entry_cost(&self, dir: Ino, name: &str) -> u64 {
        debug_assert!(self.is_dir(dir), "entries live in directories");
        let prefix = self.dir(dir).map_or(0, |d| d.prefix);
        DIRENT_OVERHEAD + prefix + name.len() as u64
    }

    /// How many entries the subtree under directory `dir` holds, at any depth (a hard-linked
    /// file counts once per name). O(size of the subtree).
    pub(crate) fn subtree_entries(&self, dir: Ino) -> u64 {
        let mut count = 0;
        let mut pending = vec![dir];
        while let Some(dir) = pending.pop() {
            let Ok(d) = self.dir(dir) else { continue };
            count += d.entries.len() as u64;
            pending.extend(d.entries.values().filter(|&&ino| self.is_dir(ino)));
        }
        count
    }

    /// Fails with `InsufficientSpace` unless `extra` more bytes fit under the limit.
    pub(crate) fn ensure_room(&self, extra: u64) -> Result<(), FsError> {
        match self.used().checked_add(extra) {
            Some(total) if total <= self.limit => Ok(()),
            _ => Err(FsError::InsufficientSpace),
        }
    }

    /// Records that a file's payload changed from `old` to `new` bytes (after `ensure_room`).
    pub(crate) fn recharge(&mut self, old: u64, new: u64) {
        self.used = self.used - old + new;
    }

    /// Adds an unnamed inode and charges it; numbers are handed out in creation order and never
    /// reused, so the same sequence of calls always yields the same numbers.
    pub(crate) fn alloc(&mut self, data: Data, now: u64) -> Ino {
        let ino = self.next_ino;
        self.next_ino += 1;
        let node = Node {
            data,
            links: 0,
            handles: 0,
            atime: now,
            mtime: now,
            ctime: now,
            read_only: false,
            pinned: false,
            mounted: false,
        };
        self.used += INODE_OVERHEAD + node.payload();
        self.nodes.insert(ino, Box::new(node));
        ino
    }

    /// Names `ino` as `name` in directory `parent`, which must not have that name yet. A second
    /// or later name of the same inode (a hard link) is charged the inode's payload again, as
    /// the exported tree holds a copy per name (see [`Node::copies`]). A directory moved here
    /// from elsewhere has its whole subtree recharged for its new path (see `reprefix`).
    pub(crate) fn insert_entry(&mut self, parent: Ino, name: String, ino: Ino) {
        self.used += self.entry_cost(parent, &name);
        let prefix = self.dir(parent).expect("parent is a directory").prefix;
        let child_prefix = prefix + name.len() as u64 + 1;
        let child = self.nodes.get_mut(&ino).expect("inserted inode exists");
        if child.links > 0 {
            self.used += child.payload();
        }
        child.links += 1;
        let is_dir = if let Data::Dir(d) = &mut child.data {
            d.parent = parent;
            true
        } else {
            false
        };
        let dir = self.dir_mut(parent).expect("parent is a directory");
        dir.subdirs += u64::from(is_dir);
        let previous = dir.entries.insert(name, ino);
        debug_assert!(previous.is_none(), "insert_entry over an existing name");
        if is_dir {
            self.reprefix(ino, child_prefix);
        }
    }

    /// Gives directory `dir` the path prefix length `prefix`, and every directory beneath it
    /// the matching one, recharging each entry in the subtree for its new path length.
    /// Iterative: a guest can build trees deeper than any call stack.
    fn reprefix(&mut self, dir: Ino, prefix: u64) {
        let mut pending = vec![(dir, prefix)];
        while let Some((dir, prefix)) = pending.pop() {
            let d = self.dir(dir).expect("reprefixed inode is a directory");
            if d.prefix == prefix {
                continue;
            }
            let old = d.prefix;
            let count = d.entries.len() as u64;
            for (name, &child) in &d.entries {
                if self.is_dir(child) {
                    pending.push((child, prefix + name.len() as u64 + 1));
                }
            }
            // The subtraction cannot underflow: `used` includes `old` for each entry.
            self.used = self.used - old * count + prefix * count;
            self.dir_mut(dir)
                .expect("reprefixed inode is a directory")
                .prefix = prefix;
        }
    }

    /// Removes entry `name` from `parent` and returns the inode it named; the caller frees it
    /// with `maybe_free` once it is done with it.
    pub(crate) fn remove_entry(&mut self, parent: Ino, name: &str) -> Ino {
        self.used -= self.entry_cost(parent, name);
        let dir = self.dir_mut(parent).expect("parent is a directory");
        let ino = dir.entries.remove(name).expect("removed entry exists");
        let child = self.nodes.get_mut(&ino).expect("named inode exists");
        child.links -= 1;
        if child.links > 0 {
            self.used -= child.payload();
        }
        if matches!(child.data, Data::Dir(_)) {
            self.dir_mut(parent).expect("parent is a directory").subdirs -= 1;
        }
        ino
    }

    /// Frees `ino` if nothing names or holds it, returning its bytes to the budget.
    pub(crate) fn maybe_free(&mut self, ino: Ino) {
        let Some(node) = self.nodes.get(&ino) else {
            return;
        };
        if ino == ROOT || node.links > 0 || node.handles > 0 {
            return;
        }
        // Only empty directories lose their last name (rmdir and rename check), so freeing one
        // never orphans entries.
        debug_assert!(!matches!(&node.data, Data::Dir(d) if !d.entries.is_empty()));
        self.used -= INODE_OVERHEAD + node.payload();
        self.nodes.remove(&ino);
    }

    /// Marks a directory's entries as changed.
    pub(crate) fn touch_dir(&mut self, ino: Ino, now: u64) {
        if let Some(n) = self.nodes.get_mut(&ino) {
            n.mtime = now;
            n.ctime = now;
        }
    }

    /// Marks an inode's metadata as changed, if it still exists.
    pub(crate) fn touch_ctime(&mut self, ino: Ino, now: u64) {
        if let Some(n) = self.nodes.get_mut(&ino) {
            n.ctime = now;
        }
    }

    /// Whether a directory still has a name (removed directories accept no new entries).
    pub(crate) fn is_linked(&self, ino: Ino) -> bool {
        self.nodes.get(&ino).is_some_and(|n| n.links > 0)
    }

    /// Whether directory `ancestor` is `ino` or one of its ancestors. `ino` must be linked.
    pub(crate) fn is_ancestor(&self, ancestor: Ino, mut ino: Ino) -> bool {
        // Iterative: a guest can build trees deeper than any call stack.
        loop {
            if ino == ancestor {
                return true;
            }
            if ino == ROOT {
                return false;
            }
            match self.dir(ino) {
                Ok(d) => ino = d.parent,
                Err(_) => return false,
            }
        }
    }
}
