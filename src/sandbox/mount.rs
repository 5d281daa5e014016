//! [`Mount`]: a read-only tree built once and placed at a path of any number of runs'
//! filesystems (`RunOptions::mounts`), shared between runs and threads without copying its
//! bytes (the rules inside a run are `vfs/mount.rs`'s).

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use super::vfs::{Entry, Vfs};

/// The most entries [`Mount::from_directory`] reads: far more than a language's standard
/// library (CPython's unpacked has about 4,000), few enough that mounting `/` by mistake fails
/// quickly.
pub const MAX_DIRECTORY_ENTRIES: usize = 1_000_000;

/// The most file bytes [`Mount::from_directory`] reads.
pub const MAX_DIRECTORY_BYTES: u64 = 4 << 30;

/// A checked, immutable tree: its entries in path order, directories listed, as
/// [`Vfs::export`] gives them. Cloning shares it.
#[derive(Clone)]
pub struct Mount(Arc<Tree>);

struct Tree {
    entries: Vec<(String, Entry)>,
    file_bytes: u64,
}

impl Mount {
    /// A mount of `entries`, in the form of `RunOptions::files` and checked by the same rules;
    /// the message says what is wrong.
    pub fn new(entries: Vec<(String, Entry)>) -> Result<Self, String> {
        let tree = Vfs::new(entries, u64::MAX, 0).map_err(|e| e.to_string())?;
        let entries = tree.export();
        let file_bytes = entries
            .iter()
            .map(|(_, entry)| match entry {
                Entry::File(bytes) => bytes.len() as u64,
                _ => 0,
            })
            .sum();
        Ok(Self(Arc::new(Tree {
            entries,
            file_bytes,
        })))
    }

    /// A mount of the host directory `dir` as it is now, read once: its files, directories and
    /// symlinks (targets verbatim; they are never followed here, and in the sandbox they can
    /// only resolve inside it). Host timestamps, owners and modes are not kept. Anything else
    /// (a socket, a device), a name that is not UTF-8, or more than [`MAX_DIRECTORY_ENTRIES`]
    /// entries or [`MAX_DIRECTORY_BYTES`] of files is refused with a message.
    pub fn from_directory(dir: &Path) -> Result<Self, String> {
        let shown = dir.display();
        let top = std::fs::metadata(dir).map_err(|e| format!("cannot read {shown}: {e}"))?;
        if !top.is_dir() {
            return Err(format!("{shown} is not a directory"));
        }
        let mut entries = Vec::new();
        let mut bytes = 0u64;
        // Iterative, in no particular order: `Mount::new` sorts.
        let mut pending = vec![(dir.to_owned(), String::new())];
        while let Some((host, prefix)) = pending.pop() {
            let listing = std::fs::read_dir(&host)
                .map_err(|e| format!("cannot read {}: {e}", host.display()))?;
            for item in listing {
                let item = item.map_err(|e| format!("cannot read {}: {e}", host.display()))?;
                let path = item.path();
                let name = item
                    .file_name()
                    .into_string()
                    .map_err(|_| format!("{} is not a UTF-8 name", path.display()))?;
                let guest = format!("{prefix}{name}");
                let kind = item
                    .file_type()
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                let entry = if kind.is_dir() {
                    pending.push((path.clone(), format!("{guest}/")));
                    Entry::Dir
                } else if kind.is_symlink() {
                    let target = std::fs::read_link(&path)
                        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                    let target = target.into_os_string().into_string().map_err(|_| {
                        format!("{} points to a path that is not UTF-8", path.display())
                    })?;
                    Entry::Symlink(target)
                } else if kind.is_file() {
                    let data = read_file(&path, MAX_DIRECTORY_BYTES - bytes).ok_or_else(|| {
                        format!(
                            "{shown} holds more than {} GiB of files",
                            MAX_DIRECTORY_BYTES >> 30
                        )
                    })?;
                    let data = data.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                    bytes += data.len() as u64;
                    Entry::File(Arc::new(data))
                } else {
                    return Err(format!(
                        "{} is not a file, a directory or a symlink",
                        path.display()
                    ));
                };
                entries.push((guest, entry));
                if entries.len() > MAX_DIRECTORY_ENTRIES {
                    return Err(format!(
                        "{shown} holds more than {MAX_DIRECTORY_ENTRIES} entries"
                    ));
                }
            }
        }
        Self::new(entries)
    }

    /// Its entries in path order, directories listed.
    pub fn entries(&self) -> &[(String, Entry)] {
        &self.0.entries
    }

    /// How many bytes its files hold.
    pub fn file_bytes(&self) -> u64 {
        self.0.file_bytes
    }
}

/// The contents of the regular file at `path` if they are at most `room` bytes (`None` past
/// it: its size is checked before reading, and the read is bounded too, since files such as
/// `/proc`'s say 0). Opened without blocking, so that a file that would wait for data (like
/// `/proc/kmsg`) fails instead of hanging.
fn read_file(path: &Path, room: u64) -> Option<std::io::Result<Vec<u8>>> {
    let mut open = std::fs::OpenOptions::new();
    open.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut open, libc::O_NONBLOCK | libc::O_NOFOLLOW);
    let file = match open.open(path) {
        Ok(file) => file,
        Err(e) => return Some(Err(e)),
    };
    match file.metadata() {
        Ok(metadata) if metadata.len() > room => return None,
        Ok(_) => {}
        Err(e) => return Some(Err(e)),
    }
    let mut data = Vec::new();
    if let Err(e) = std::io::Read::read_to_end(&mut std::io::Read::take(file, room + 1), &mut data)
    {
        return Some(Err(e));
    }
    (data.len() as u64 <= room).then_some(Ok(data))
}

impl PartialEq for Mount {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Mount {}

impl fmt::Debug for Mount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Mount({} entries, {} bytes)",
            self.0.entries.len(),
            self.0.file_bytes
        )
    }
}
