//! File contents, the byte budget and timestamps.

use super::*;
use hermetic_wasi::sandbox::vfs::MAX_FILE_SIZE;

#[test]
fn read_write_append_and_zero_fill() {
    let mut vfs = tree(&[("f", file("test-a\n"))]);
    let f = vfs.resolve(ROOT, "f", false).unwrap();
    assert_eq!(vfs.read(f, 1, 0), Ok(b"".to_vec()));
    assert_eq!(vfs.read(f, 1, 1), Ok(b"e".to_vec()));
    assert_eq!(vfs.read(f, 6, 17), Ok(b"\n".to_vec()));
    assert_eq!(vfs.read(f, 7, 17), Ok(vec![]));
    assert_eq!(vfs.read(f, u64::MAX, u64::MAX), Ok(vec![]));
    assert_eq!(vfs.write(f, 0, b"byeee", T0), Ok(5));
    assert_eq!(vfs.append(f, b" laters!!", T0), Ok(9));
    assert_eq!(contents(&vfs, "f"), b"byeeea\n laters!!");
    assert_eq!(vfs.write(f, 18, b"x", T0), Ok(1));
    assert_eq!(contents(&vfs, "f"), b"byeeea\n laters!!\0\0x");
    assert_eq!(vfs.size(f), Ok(19));
    assert_eq!(
        vfs.write(f, 1000, b"", T0),
        Ok(0),
        "an empty write never extends"
    );
    assert_eq!(vfs.size(f), Ok(19));
    vfs.set_size(f, 3, T0).unwrap();
    assert_eq!(contents(&vfs, "f"), b"bye");
    vfs.set_size(f, 5, T0).unwrap();
    assert_eq!(contents(&vfs, "f"), b"bye\0\0");
    // Directories and symlinks hold no file data.
    let s = vfs.symlink_at(ROOT, "f", "s", T0).unwrap();
    assert_eq!(vfs.read(ROOT, 0, 1), Err(FsError::IsDirectory));
    assert_eq!(vfs.write(ROOT, 0, b"x", T0), Err(FsError::IsDirectory));
    assert_eq!(vfs.set_size(ROOT, 0, T0), Err(FsError::IsDirectory));
    assert_eq!(vfs.read(s, 0, 1), Err(FsError::Invalid));
    assert_eq!(vfs.append(s, b"x", T0), Err(FsError::Invalid));
}

#[test]
fn seeded_bytes_are_shared_until_written() {
    // Trees built from one seed list share its file bytes and copy a file on its first change,
    // so a run never changes the seed the next run starts from.
    let seed = vec![("f".to_owned(), Entry::File(b"seed".to_vec().into()))];
    let mut first = Vfs::new(seed.clone(), 10_000, T0).unwrap();
    let second = Vfs::new(seed.clone(), 10_000, T0).unwrap();
    let f = first.resolve(ROOT, "f", false).unwrap();
    first.write(f, 0, b"SE", T0).unwrap();
    first.set_size(f, 6, T0).unwrap();
    assert_eq!(contents(&first, "f"), b"SEed\0\0");
    assert_eq!(contents(&second, "f"), b"seed");
    assert_eq!(seed[0].1, Entry::File(b"seed".to_vec().into()));
    let Entry::File(exported) = &second.export()[0].1 else {
        panic!("f is a file")
    };
    let Entry::File(seeded) = &seed[0].1 else {
        panic!("f is a file")
    };
    assert!(
        std::sync::Arc::ptr_eq(exported, seeded),
        "an unchanged file is not copied"
    );
    // Truncating a shared file copies only what it keeps.
    let mut third = Vfs::new(seed.clone(), 10_000, T0).unwrap();
    let f = third.resolve(ROOT, "f", false).unwrap();
    third.set_size(f, 2, T0).unwrap();
    assert_eq!(contents(&third, "f"), b"se");
    assert_eq!(contents(&second, "f"), b"seed");
    third.check_invariants().unwrap();
}

#[test]
fn exact_byte_accounting() {
    let mut vfs = Vfs::new(vec![], 10_000, T0).unwrap();
    assert_eq!(vfs.used_bytes(), 0);
    let f = touch(&mut vfs, "ab");
    let file_cost = INODE_OVERHEAD + DIRENT_OVERHEAD + 2;
    assert_eq!(vfs.used_bytes(), file_cost);
    vfs.write(f, 0, &[7; 10], T0).unwrap();
    assert_eq!(vfs.used_bytes(), file_cost + 10);
    vfs.write(f, 5, &[7; 10], T0).unwrap();
    assert_eq!(vfs.used_bytes(), file_cost + 15);
    vfs.create_dir_at(ROOT, "dir", T0).unwrap();
    let dir_cost = INODE_OVERHEAD + DIRENT_OVERHEAD + 3;
    assert_eq!(vfs.used_bytes(), file_cost + 15 + dir_cost);
    vfs.symlink_at(ROOT, "ab", "dir/s", T0).unwrap();
    // An entry is charged its whole path: "dir/s" is 5 bytes, its target 2.
    let link_cost = INODE_OVERHEAD + DIRENT_OVERHEAD + 5 + 2;
    vfs.link_at(ROOT, "ab", false, ROOT, "dir/hard", T0)
        .unwrap();
    // A hard link is charged the file's 15 bytes again: the exported tree holds a copy per name.
    let hard_cost = DIRENT_OVERHEAD + 8 + 15;
    let total = file_cost + 15 + dir_cost + link_cost + hard_cost;
    assert_eq!(vfs.used_bytes(), total);
    // A rename to a longer name costs the difference; over an existing name it frees.
    vfs.rename_at(ROOT, "dir/hard", ROOT, "dir/hard-link", T0)
        .unwrap();
    assert_eq!(vfs.used_bytes(), total + 5);
    vfs.rename_at(ROOT, "dir/hard-link", ROOT, "ab", T0)
        .unwrap();
    assert_eq!(vfs.used_bytes(), total + 5, "same inode: a no-op");
    // Moving a directory recharges every path under it: "dir", "dir/s" and "dir/hard-link"
    // each grow by 6 bytes as "directory".
    vfs.rename_at(ROOT, "dir", ROOT, "directory", T0).unwrap();
    assert_eq!(vfs.used_bytes(), total + 5 + 3 * 6);
    vfs.check_invariants().unwrap();
    vfs.rename_at(ROOT, "directory", ROOT, "dir", T0).unwrap();
    assert_eq!(vfs.used_bytes(), total + 5);
    vfs.unlink_file_at(ROOT, "dir/hard-link", T0).unwrap();
    assert_eq!(vfs.used_bytes(), total - hard_cost);
    vfs.unlink_file_at(ROOT, "dir/s", T0).unwrap();
    vfs.remove_dir_at(ROOT, "dir", T0).unwrap();
    vfs.unlink_file_at(ROOT, "ab", T0).unwrap();
    assert_eq!(vfs.used_bytes(), 0);
}

#[test]
fn deep_trees_are_charged_their_full_paths() {
    // A chain a/a/a/... built one level at a time, as a guest can through descriptors: the
    // export's keys grow with the square of the depth, and so must the charge.
    let depth = 2000u64;
    let mut vfs = Vfs::new(vec![], u64::MAX, T0).unwrap();
    let mut dir = ROOT;
    for _ in 0..depth {
        dir = vfs.create_dir_at(dir, "a", T0).unwrap();
    }
    let exported = vfs.export();
    let key_bytes: u64 = exported.iter().map(|(k, _)| k.len() as u64).sum();
    // Level i (from 1) is "a" plus i - 1 times "/a": 2i - 1 bytes.
    assert_eq!(key_bytes, depth * depth);
    let entries = exported.len() as u64;
    assert_eq!(entries, depth);
    let used = entries * (INODE_OVERHEAD + DIRENT_OVERHEAD) + key_bytes;
    assert_eq!(vfs.used_bytes(), used);
    vfs.check_invariants().unwrap();
    // Renaming the top moves every path: 2000 entries, 4 bytes longer each.
    vfs.rename_at(ROOT, "a", ROOT, "abcde", T0).unwrap();
    assert_eq!(vfs.used_bytes(), used + 4 * depth);
    vfs.check_invariants().unwrap();
    // Under a limit, moving the subtree deeper fails when the longer paths do not fit, and
    // changes nothing; a move that shortens them always fits.
    let mut vfs = Vfs::new(vfs.export(), used + 4 * depth + 300, T0).unwrap();
    let before = (vfs.export(), vfs.used_bytes());
    assert_eq!(
        vfs.rename_at(ROOT, "abcde", ROOT, "abcdefgh", T0),
        Err(FsError::InsufficientSpace)
    );
    assert_eq!((vfs.export(), vfs.used_bytes()), before);
    vfs.create_dir_at(ROOT, "b", T0).unwrap();
    assert_eq!(
        vfs.rename_at(ROOT, "abcde", ROOT, "b/abcde", T0),
        Err(FsError::InsufficientSpace)
    );
    vfs.rename_at(ROOT, "abcde", ROOT, "b/c", T0).unwrap();
    vfs.check_invariants().unwrap();
    assert_eq!(
        vfs.used_bytes(),
        before.1 + INODE_OVERHEAD + DIRENT_OVERHEAD + 1 - 2 * depth
    );
}

#[test]
fn failures_at_the_limit_change_nothing() {
    let limit = INODE_OVERHEAD + DIRENT_OVERHEAD + 1 + 100;
    let mut vfs = Vfs::new(vec![], limit, T0).unwrap();
    let f = touch(&mut vfs, "f");
    assert_eq!(vfs.write(f, 0, &[1; 100], T0 + 1), Ok(100));
    assert_eq!(vfs.used_bytes(), limit, "exactly at the limit is allowed");
    let snapshot = (vfs.export(), vfs.stat(f), vfs.stat(ROOT), vfs.used_bytes());
    let full = Some(FsError::InsufficientSpace);
    let later = T0 + 2;
    assert_eq!(vfs.write(f, 100, b"x", later).err(), full);
    assert_eq!(vfs.write(f, 99, b"yz", later).err(), full);
    assert_eq!(vfs.append(f, b"x", later).err(), full);
    assert_eq!(vfs.set_size(f, 101, later).err(), full);
    assert_eq!(
        vfs.set_size(f, 1 << 60, later).err(),
        full,
        "checked before allocating"
    );
    assert_eq!(vfs.write(f, 1 << 60, b"x", later).err(), full);
    assert_eq!(vfs.open_at(ROOT, "g", false, create(), later).err(), full);
    assert_eq!(vfs.create_dir_at(ROOT, "d", later).err(), full);
    assert_eq!(vfs.symlink_at(ROOT, "f", "s", later).err(), full);
    assert_eq!(vfs.link_at(ROOT, "f", false, ROOT, "h", later).err(), full);
    assert_eq!(vfs.rename_at(ROOT, "f", ROOT, "longer", later).err(), full);
    assert_eq!(
        (vfs.export(), vfs.stat(f), vfs.stat(ROOT), vfs.used_bytes()),
        snapshot
    );
    // Overwriting in place needs no room.
    assert_eq!(vfs.write(f, 50, &[2; 50], later), Ok(50));
    // Shrinking frees room again.
    vfs.set_size(f, 0, later).unwrap();
    assert_eq!(vfs.used_bytes(), limit - 100);
    vfs.check_invariants().unwrap();
}

#[test]
fn sizes_beyond_a_file_are_refused_without_panicking() {
    let mut vfs = Vfs::new(vec![], u64::MAX, T0).unwrap();
    let f = touch(&mut vfs, "f");
    let too_large = Err(FsError::FileTooLarge);
    assert_eq!(vfs.set_size(f, u64::MAX, T0), too_large);
    assert_eq!(vfs.set_size(f, MAX_FILE_SIZE + 1, T0), too_large);
    assert_eq!(vfs.write(f, u64::MAX, b"x", T0), too_large.map(|()| 0));
    assert_eq!(vfs.write(f, MAX_FILE_SIZE, b"x", T0), too_large.map(|()| 0));
    assert_eq!(
        vfs.write(f, u64::MAX - 1, b"xyz", T0),
        too_large.map(|()| 0)
    );
    assert_eq!(vfs.size(f), Ok(0));
    // Within MAX_FILE_SIZE and an unbounded budget, a size no host can allocate (2^62 bytes) is
    // insufficient space, not an abort of the process; nothing changes.
    let space = Err(FsError::InsufficientSpace);
    assert_eq!(vfs.set_size(f, 1 << 62, T0), space);
    assert_eq!(vfs.write(f, 1 << 62, b"x", T0), space.map(|()| 0));
    assert_eq!(vfs.size(f), Ok(0));
    vfs.check_invariants().unwrap();
}

#[test]
fn timestamps_come_from_now() {
    let mut vfs = tree(&[("d", Entry::Dir)]);
    let f = vfs.open_at(ROOT, "d/f", false, create(), T0 + 10).unwrap();
    let times = |vfs: &Vfs, ino| {
        let st: Stat = vfs.stat(ino).unwrap();
        (st.atime_ns, st.mtime_ns, st.ctime_ns)
    };
    let d = vfs.resolve(ROOT, "d", false).unwrap();
    assert_eq!(times(&vfs, f), (T0 + 10, T0 + 10, T0 + 10));
    assert_eq!(times(&vfs, d), (T0, T0 + 10, T0 + 10), "entries changed");
    assert_eq!(times(&vfs, ROOT), (T0, T0, T0), "grandparent untouched");
    vfs.write(f, 0, b"x", T0 + 20).unwrap();
    assert_eq!(times(&vfs, f), (T0 + 10, T0 + 20, T0 + 20));
    vfs.read(f, 0, 1).unwrap();
    assert_eq!(times(&vfs, f).0, T0 + 10, "reads never update atime");
    vfs.set_times(f, SetTime::At(42), SetTime::NoChange, T0 + 30)
        .unwrap();
    assert_eq!(times(&vfs, f), (42, T0 + 20, T0 + 30));
    vfs.set_times(f, SetTime::NoChange, SetTime::Now, T0 + 40)
        .unwrap();
    assert_eq!(times(&vfs, f), (42, T0 + 40, T0 + 40));
    vfs.set_times(f, SetTime::NoChange, SetTime::NoChange, T0 + 50)
        .unwrap();
    assert_eq!(
        times(&vfs, f),
        (42, T0 + 40, T0 + 40),
        "omitting both changes nothing"
    );
    vfs.link_at(ROOT, "d/f", false, ROOT, "g", T0 + 60).unwrap();
    assert_eq!(
        times(&vfs, f),
        (42, T0 + 40, T0 + 60),
        "a new name is a metadata change"
    );
    assert_eq!(times(&vfs, ROOT), (T0, T0 + 60, T0 + 60));
    vfs.set_size(f, 0, T0 + 70).unwrap();
    assert_eq!(times(&vfs, f), (42, T0 + 70, T0 + 70));
    // `symlink_filestat.rs`: without follow, a symlink's own times change, not its target's.
    let s = vfs.symlink_at(ROOT, "g", "s", T0 + 80).unwrap();
    vfs.set_times_at(ROOT, "s", false, SetTime::NoChange, SetTime::At(7), T0 + 90)
        .unwrap();
    assert_eq!(times(&vfs, s), (T0 + 80, 7, T0 + 90));
    assert_eq!(times(&vfs, f).1, T0 + 70);
    vfs.set_times_at(ROOT, "s", true, SetTime::NoChange, SetTime::At(8), T0 + 95)
        .unwrap();
    assert_eq!(times(&vfs, f), (42, 8, T0 + 95));
}
