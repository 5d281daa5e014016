//! Building a tree from a list of `(path, Entry)` pairs, and exporting one back to such a list.
//!
//! Seeding is strict, since the list comes from the embedder and a typo should fail loudly
//! rather than produce a different tree: paths are relative, `/`-separated, without `.`, `..`
//! or empty components; parents are implied; a path listed twice must say the same thing
//! twice. Entries are created in path order, which fixes the inode numbers.
//!
//! Export lists every reachable file, directory (empty or not) and symlink in path order, so
//! `Vfs::new(vfs.export(), ..)` rebuilds an equal tree. It deliberately does not preserve
//! hard links (each name exports as its own copy), timestamps, or files that are open but
//! unlinked: the list format has no way to say them.

use std::sync::Arc;

use super::node::{Arena, Data, DirData};
use super::{Entry, Ino, MAX_PATH_LEN, NAME_MAX, ROOT, SeedError, Vfs};

impl Vfs {
    /// Builds a tree from `entries` (paths relative to the root, e.g. `"data/input.txt"`),
    /// with a byte budget of `limit_bytes` that the seeded tree counts toward, every
    /// timestamp set to `now` (ns since the Unix epoch). See [`SeedError`] for what is
    /// rejected. Absolute symlink targets are accepted and stored, but can never be followed.
    pub fn new(
        mut entries: Vec<(String, Entry)>,
        limit_bytes: u64,
        now: u64,
    ) -> Result<Vfs, SeedError> {
        for (path, entry) in &entries {
            check_seed_path(path)?;
            if let Entry::Symlink(target) = entry {
                check_seed_target(path, target)?;
            }
        }
        // A stable sort keeps duplicates in list order, so a conflict names the same path
        // however the list was ordered.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries.dedup_by(|later, earlier| later == earlier);
        if let Some(w) = entries.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(SeedError::Conflict(w[0].0.clone()));
        }
        let mut vfs = Vfs {
            nodes: Arena::new(limit_bytes, now),
        };
        for (path, entry) in entries {
            vfs.seed_one(ROOT, &path, entry, now, Mark::Plain)?;
        }
        if vfs.used_bytes() > limit_bytes {
            return Err(SeedError::OverLimit {
                needed: vfs.used_bytes(),
                limit: limit_bytes,
            });
        }
        Ok(vfs)
    }

    /// Creates `path` (already validated) beneath directory `base`, creating missing parents
    /// as directories, each node marked `mark`.
    pub(super) fn seed_one(
        &mut self,
        base: Ino,
        path: &str,
        entry: Entry,
        now: u64,
        mark: Mark,
    ) -> Result<(), SeedError> {
        let (dir, name) = self.seed_parents(base, path, now, mark, |_, _| Ok(()))?;
        match self.child(dir, name).ok().flatten() {
            // An explicit directory that an earlier, deeper entry already implied.
            Some(ino) if entry == Entry::Dir && self.nodes.is_dir(ino) => {}
            Some(_) => return Err(SeedError::Conflict(path.to_owned())),
            None => {
                self.seed_node(dir, name, entry, now, mark);
            }
        }
        Ok(())
    }

    /// Walks the parents of `path` from `base`, creating the missing ones as directories marked
    /// `mark` and handing each to `visit`; returns the last one and the final name.
    pub(super) fn seed_parents<'p>(
        &mut self,
        base: Ino,
        path: &'p str,
        now: u64,
        mark: Mark,
        mut visit: impl FnMut(&mut Vfs, Ino) -> Result<(), SeedError>,
    ) -> Result<(Ino, &'p str), SeedError> {
        let (parents, name) = match path.rsplit_once('/') {
            Some((parents, name)) => (Some(parents), name),
            None => (None, path),
        };
        let mut dir = base;
        let mut walked = 0;
        for comp in parents.into_iter().flat_map(|p| p.split('/')) {
            walked += comp.len() + usize::from(walked > 0);
            dir = match self.child(dir, comp).ok().flatten() {
                Some(ino) if self.nodes.is_dir(ino) => ino,
                Some(_) => {
                    return Err(SeedError::ParentNotDirectory {
                        parent: path[..walked].to_owned(),
                        path: path.to_owned(),
                    });
                }
                None => self.seed_node(dir, comp, Entry::Dir, now, mark),
            };
            visit(self, dir)?;
        }
        Ok((dir, name))
    }

    /// Adds one seeded node; the budget is checked once the whole tree is built.
    pub(super) fn seed_node(
        &mut self,
        dir: Ino,
        name: &str,
        entry: Entry,
        now: u64,
        mark: Mark,
    ) -> Ino {
        let data = match entry {
            Entry::File(bytes) => Data::File(bytes),
            Entry::Symlink(target) => Data::Symlink(target),
            Entry::Dir => Data::Dir(DirData::empty()),
        };
        let ino = self.nodes.alloc(data, now);
        if let Ok(node) = self.nodes.get_mut(ino) {
            node.mounted = mark != Mark::Plain;
            node.read_only = mark == Mark::ReadOnly;
            node.pinned = mark == Mark::Leading;
        }
        self.nodes.insert_entry(dir, name.to_owned(), ino);
        ino
    }

    /// Every reachable entry, sorted by path bytes; the root is not listed. Hard links export
    /// as independent copies. What mounts made is left out (their files, and the directories
    /// leading to them), but not what the guest created beside it.
    pub fn export(&self) -> Vec<(String, Entry)> {
        let mut out = Vec::new();
        // Iterative: a guest can build trees deeper than any call stack.
        let mut pending = vec![(ROOT, String::new())];
        while let Some((dir, prefix)) = pending.pop() {
            let Ok(d) = self.nodes.dir(dir) else { continue };
            for (name, &ino) in &d.entries {
                let path = format!("{prefix}{name}");
                let Ok(node) = self.nodes.get(ino) else {
                    continue;
                };
                if node.read_only {
                    continue;
                }
                let entry = match &node.data {
                    Data::Dir(_) if node.mounted => {
                        pending.push((ino, format!("{path}/")));
                        continue;
                    }
                    Data::File(bytes) => Entry::File(Arc::clone(bytes)),
                    Data::Symlink(target) => Entry::Symlink(target.clone()),
                    Data::Dir(_) => {
                        pending.push((ino, format!("{path}/")));
                        Entry::Dir
                    }
                };
                out.push((path, entry));
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

/// What seeding marks a node as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mark {
    /// A seeded file: the guest's to change, charged and exported.
    Plain,
    /// A directory a mount created on the way to its mount point: pinned, not charged, not
    /// exported, but the guest may add entries to it.
    Leading,
    /// A mount point or what lies under it: read-only, not charged, not exported.
    ReadOnly,
}

pub(super) fn check_seed_path(path: &str) -> Result<(), SeedError> {
    let err = |f: fn(String) -> SeedError| Err(f(path.to_owned()));
    if path.is_empty() {
        return Err(SeedError::EmptyPath);
    }
    if path.starts_with('/') {
        return err(SeedError::AbsolutePath);
    }
    if path.contains('\0') {
        return err(SeedError::NulByte);
    }
    for comp in path.split('/') {
        match comp {
            "" => return err(SeedError::EmptyComponent),
            "." | ".." => return err(SeedError::DotComponent),
            c if c.len() > NAME_MAX => return err(SeedError::NameTooLong),
            _ => {}
        }
    }
    Ok(())
}

fn check_seed_target(path: &str, target: &str) -> Result<(), SeedError> {
    if target.is_empty() {
        return Err(SeedError::EmptySymlinkTarget(path.to_owned()));
    }
    if target.contains('\0') {
        return Err(SeedError::NulByte(path.to_owned()));
    }
    if target.len() > MAX_PATH_LEN {
        return Err(SeedError::NameTooLong(path.to_owned()));
    }
    Ok(())
}
