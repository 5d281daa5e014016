//! Open-handle lifetime: inodes outlive their names while a handle holds them
//! (`dangling_fd.rs`), and removed directories stay empty.

use super::*;

#[test]
fn unlinked_open_file_lives_until_released() {
    let mut vfs = tree(&[]);
    let f = touch(&mut vfs, "file");
    vfs.retain(f).unwrap();
    vfs.write(f, 0, b"kept", T0).unwrap();
    let used = vfs.used_bytes();
    vfs.unlink_file_at(ROOT, "file", T0).unwrap();
    // Still readable and writable through the handle; its name is gone and may be reused.
    assert_eq!(vfs.read(f, 0, 10), Ok(b"kept".to_vec()));
    assert_eq!(vfs.append(f, b"!", T0), Ok(1));
    assert_eq!(vfs.stat(f).unwrap().nlink, 0);
    assert_eq!(vfs.used_bytes(), used - DIRENT_OVERHEAD - 4 + 1);
    let again = touch(&mut vfs, "file");
    assert_ne!(again, f);
    vfs.check_invariants().unwrap();
    vfs.unlink_file_at(ROOT, "file", T0).unwrap();
    vfs.release(f).unwrap();
    assert_eq!(vfs.stat(f), Err(FsError::BadDescriptor));
    assert_eq!(vfs.read(f, 0, 1), Err(FsError::BadDescriptor));
    assert_eq!(vfs.release(f), Err(FsError::BadDescriptor));
    assert_eq!(vfs.used_bytes(), 0);
    // A release without a handle is refused, and a named inode survives its last release.
    let g = touch(&mut vfs, "g");
    assert_eq!(vfs.release(g), Err(FsError::Invalid));
    vfs.retain(g).unwrap();
    vfs.release(g).unwrap();
    assert!(vfs.stat(g).is_ok());
    vfs.check_invariants().unwrap();
}

#[test]
fn removed_open_directory_is_empty_and_frozen() {
    let mut vfs = tree(&[]);
    let d = vfs.create_dir_at(ROOT, "dir", T0).unwrap();
    vfs.retain(d).unwrap();
    vfs.remove_dir_at(ROOT, "dir", T0).unwrap();
    assert_eq!(vfs.stat(d).unwrap().nlink, 0);
    assert_eq!(vfs.read_dir(d), Ok(vec![]));
    assert_eq!(vfs.parent(d), Err(FsError::NoEntry));
    assert_eq!(
        vfs.open_at(d, "x", false, create(), T0),
        Err(FsError::NoEntry)
    );
    assert_eq!(vfs.create_dir_at(d, "x", T0), Err(FsError::NoEntry));
    assert_eq!(vfs.symlink_at(d, "t", "x", T0), Err(FsError::NoEntry));
    assert_eq!(vfs.resolve(d, "..", false), Err(FsError::NotPermitted));
    assert_eq!(vfs.resolve(d, ".", false), Ok(d));
    let f = touch(&mut vfs, "f");
    assert_eq!(vfs.rename_at(ROOT, "f", d, "f", T0), Err(FsError::NoEntry));
    assert_eq!(
        vfs.link_at(ROOT, "f", false, d, "f", T0),
        Err(FsError::NoEntry)
    );
    assert_eq!(vfs.resolve(ROOT, "f", false), Ok(f));
    // `dangling_fd.rs`: the name is free again at once.
    assert!(vfs.create_dir_at(ROOT, "dir", T0).is_ok());
    vfs.release(d).unwrap();
    assert_eq!(vfs.stat(d), Err(FsError::BadDescriptor));
    vfs.check_invariants().unwrap();
}
