//! Path resolution that can never leave the directory it starts from.
//!
//! This follows cap-std (what wasmtime uses): the directory a call starts from is the root of
//! that call's sandbox. A `..` that would climb above it, an absolute path, and an absolute
//! symlink target all fail with `NotPermitted`, even when the start is a sub-directory of the
//! tree. Symlinks are expanded in place, relative to the directory that holds them, at most
//! [`MAX_SYMLINK_HOPS`] times per call.
//!
//! Resolution keeps the chain of directories from the start to the current one (`stack`), so
//! `..` pops to the directory actually walked through: the same answer as the physical parent,
//! because directories cannot be hard-linked.
//!
//! It deliberately does not mutate anything: operations resolve first, then act.

use super::node::Data;
use super::{FsError, Ino, MAX_PATH_LEN, MAX_SYMLINK_HOPS, NAME_MAX, Vfs};

/// Where resolution of every component but the last ended.
pub(crate) struct Parent<'a> {
    /// Directories from the start (index 0) to the one holding `name`.
    pub(crate) stack: Vec<Ino>,
    /// The last component: a plain name, `.` or `..`.
    pub(crate) name: &'a str,
    /// The path ended with `/`: the result must be a directory and a final symlink is followed.
    pub(crate) dir_required: bool,
    hops: u32,
}

impl Parent<'_> {
    /// The directory holding `name`.
    pub(crate) fn dir(&self) -> Ino {
        *self.stack.last().expect("stack starts non-empty")
    }

    /// What `..` names from the current directory.
    pub(crate) fn up_target(&self) -> Result<Ino, FsError> {
        match self.stack.len() {
            0 | 1 => Err(FsError::NotPermitted),
            n => Ok(self.stack[n - 2]),
        }
    }

    fn up(&mut self) -> Result<(), FsError> {
        self.up_target()?;
        self.stack.pop();
        Ok(())
    }

    fn hop(&mut self) -> Result<(), FsError> {
        self.hops += 1;
        if self.hops > MAX_SYMLINK_HOPS {
            return Err(FsError::Loop);
        }
        Ok(())
    }
}

/// Rejects paths no resolution accepts, in the order Linux reports them.
pub(crate) fn check_path(path: &str) -> Result<(), FsError> {
    if path.is_empty() {
        return Err(FsError::NoEntry);
    }
    if path.len() > MAX_PATH_LEN {
        return Err(FsError::NameTooLong);
    }
    if path.contains('\0') {
        return Err(FsError::Invalid);
    }
    if path.starts_with('/') {
        return Err(FsError::NotPermitted);
    }
    Ok(())
}

/// Rejects symlink targets that can never be followed inside the sandbox. Used both when a
/// symlink is created (cap-std refuses absolute targets there too) and when one is followed.
pub(crate) fn check_target(target: &str) -> Result<&str, FsError> {
    check_path(target)?;
    Ok(target)
}

fn check_name(name: &str) -> Result<(), FsError> {
    if name.len() > NAME_MAX {
        return Err(FsError::NameTooLong);
    }
    Ok(())
}

impl Vfs {
    /// Resolves all but the last component of `path`, starting at directory `start`.
    pub(crate) fn parent_of<'a>(
        &'a self,
        start: Ino,
        path: &'a str,
    ) -> Result<Parent<'a>, FsError> {
        check_path(path)?;
        self.nodes.dir(start)?;
        let mut p = Parent {
            stack: vec![start],
            name: ".",
            dir_required: false,
            hops: 0,
        };
        self.descend(&mut p, path)?;
        Ok(p)
    }

    /// Re-aims `p` at `path`, read relative to `p`'s current directory.
    fn descend<'a>(&'a self, p: &mut Parent<'a>, path: &'a str) -> Result<(), FsError> {
        let mut comps: Vec<&'a str> = path.split('/').filter(|c| !c.is_empty()).collect();
        // `check_path` guarantees a non-empty relative path, so there is a last component.
        let name = comps.pop().ok_or(FsError::NoEntry)?;
        comps.reverse();
        self.walk(p, comps)?;
        check_name(name)?;
        p.name = name;
        p.dir_required |= path.ends_with('/');
        Ok(())
    }

    /// Walks intermediate components; `pending` is reversed so the next one is at the end.
    fn walk<'a>(&'a self, p: &mut Parent<'a>, mut pending: Vec<&'a str>) -> Result<(), FsError> {
        while let Some(comp) = pending.pop() {
            match comp {
                "." => {}
                ".." => p.up()?,
                name => {
                    check_name(name)?;
                    let child = self.child(p.dir(), name)?.ok_or(FsError::NoEntry)?;
                    match &self.nodes.get(child)?.data {
                        Data::Dir(_) => p.stack.push(child),
                        Data::File(_) => return Err(FsError::NotDirectory),
                        Data::Symlink(target) => {
                            p.hop()?;
                            let target = check_target(target)?;
                            pending.extend(target.split('/').filter(|c| !c.is_empty()).rev());
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The inode directory `dir` names `name`, if any.
    pub(crate) fn child(&self, dir: Ino, name: &str) -> Result<Option<Ino>, FsError> {
        Ok(self.nodes.dir(dir)?.entries.get(name).copied())
    }

    /// Resolves the last component of `p`, following symlinks when `follow` or when the path
    /// ended with `/`. `Ok(None)` means the name is free in `p.dir()` (after following), which
    /// is where a create would put it.
    pub(crate) fn resolve_last<'a>(
        &'a self,
        p: &mut Parent<'a>,
        follow: bool,
    ) -> Result<Option<Ino>, FsError> {
        loop {
            let ino = match p.name {
                "." => p.dir(),
                ".." => p.up_target()?,
                name => match self.child(p.dir(), name)? {
                    Some(ino) => ino,
                    None => return Ok(None),
                },
            };
            match &self.nodes.get(ino)?.data {
                Data::Symlink(target) if follow || p.dir_required => {
                    p.hop()?;
                    let target = check_target(target)?;
                    self.descend(p, target)?;
                }
                _ => return Ok(Some(ino)),
            }
        }
    }

    /// Resolves `path` from `start` to an existing inode.
    pub(crate) fn lookup(&self, start: Ino, path: &str, follow: bool) -> Result<Ino, FsError> {
        let mut p = self.parent_of(start, path)?;
        let ino = self.resolve_last(&mut p, follow)?.ok_or(FsError::NoEntry)?;
        if p.dir_required && !self.nodes.is_dir(ino) {
            return Err(FsError::NotDirectory);
        }
        Ok(ino)
    }
}
