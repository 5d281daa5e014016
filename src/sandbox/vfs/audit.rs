//! A full consistency check of the tree, for tests and fuzzing: every counter the arena keeps
//! incrementally is recomputed from scratch and compared.
//!
//! It deliberately is not called by any operation: it is O(size of the tree).

use std::collections::BTreeMap;

use super::node::Data;
use super::{DIRENT_OVERHEAD, INODE_OVERHEAD, Ino, ROOT, Vfs};

impl Vfs {
    /// Recomputes link counts, sub-directory counts, parent pointers, path prefixes and used
    /// bytes, and checks that every inode is reachable from the root or held by a handle.
    /// Returns a description of the first inconsistency found.
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut names: BTreeMap<Ino, u64> = BTreeMap::new();
        let mut used = 0u64;
        for (&ino, node) in self.nodes.iter() {
            if ino != ROOT {
                used += INODE_OVERHEAD + node.payload() * node.copies();
            }
            let Data::Dir(d) = &node.data else { continue };
            let mut subdirs = 0;
            for (name, &child) in &d.entries {
                used += DIRENT_OVERHEAD + d.prefix + name.len() as u64;
                *names.entry(child).or_default() += 1;
                let child_node = self
                    .nodes
                    .get(child)
                    .map_err(|_| format!("dir {ino} names freed inode {child} as {name:?}"))?;
                if let Data::Dir(cd) = &child_node.data {
                    subdirs += 1;
                    if cd.parent != ino {
                        return Err(format!("dir {child} in {ino} has parent {}", cd.parent));
                    }
                    let prefix = d.prefix + name.len() as u64 + 1;
                    if cd.prefix != prefix {
                        return Err(format!(
                            "dir {child} has prefix {}, not {prefix}",
                            cd.prefix
                        ));
                    }
                }
            }
            if subdirs != d.subdirs {
                return Err(format!(
                    "dir {ino} counts {} subdirs, has {subdirs}",
                    d.subdirs
                ));
            }
        }
        for (&ino, node) in self.nodes.iter() {
            let expected = if ino == ROOT {
                1
            } else {
                names.get(&ino).copied().unwrap_or(0)
            };
            if node.links != expected {
                return Err(format!(
                    "inode {ino} has links {}, named {expected}",
                    node.links
                ));
            }
            if matches!(node.data, Data::Dir(_)) && node.links > 1 {
                return Err(format!("dir {ino} has {} names", node.links));
            }
            if node.links == 0 && node.handles == 0 {
                return Err(format!("inode {ino} is unnamed and unheld but not freed"));
            }
        }
        if used != self.nodes.used_with_mounts() {
            return Err(format!(
                "used_bytes {} but recomputed {used}",
                self.nodes.used_with_mounts()
            ));
        }
        Ok(())
    }
}
