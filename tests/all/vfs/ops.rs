//! Name operations: open, mkdir, rmdir, unlink, rename, links, symlinks, readdir.

use super::*;

fn names(vfs: &Vfs, dir: Ino) -> Vec<(String, Kind)> {
    let list = vfs.read_dir(dir).unwrap();
    list.into_iter().map(|(n, _, k)| (n, k)).collect()
}

#[test]
fn open_flags() {
    let mut vfs = tree(&[
        ("f", file("data")),
        ("d/x", file("")),
        ("dl", link("d")),
        ("fl", link("f")),
    ]);
    let excl = OpenOptions {
        create: true,
        exclusive: true,
        ..Default::default()
    };
    let trunc = OpenOptions {
        truncate: true,
        ..Default::default()
    };
    let f = vfs.resolve(ROOT, "f", false).unwrap();
    assert_eq!(
        vfs.open_at(ROOT, "f", false, OpenOptions::default(), T0),
        Ok(f)
    );
    assert_eq!(vfs.open_at(ROOT, "f", false, create(), T0), Ok(f));
    assert_eq!(vfs.open_at(ROOT, "f", false, excl, T0), Err(FsError::Exist));
    assert_eq!(vfs.open_at(ROOT, "fl", true, excl, T0), Err(FsError::Exist));
    assert_eq!(
        vfs.open_at(ROOT, "f", false, directory(), T0),
        Err(FsError::NotDirectory)
    );
    assert_eq!(
        vfs.open_at(ROOT, "missing", false, OpenOptions::default(), T0),
        Err(FsError::NoEntry)
    );
    assert_eq!(
        vfs.open_at(ROOT, "nodir/new", false, create(), T0),
        Err(FsError::NoEntry)
    );
    assert_eq!(
        vfs.open_at(ROOT, "new/", false, create(), T0),
        Err(FsError::IsDirectory)
    );
    for p in ["d/", "f/", "dl/", "fl/"] {
        let r = vfs.open_at(ROOT, p, false, create(), T0);
        assert_eq!(r, Err(FsError::IsDirectory), "{p}");
    }
    let r = vfs.open_at(ROOT, "nodir/new/", false, create(), T0);
    assert_eq!(r, Err(FsError::NoEntry));
    assert_eq!(
        vfs.open_at(ROOT, "d", false, trunc, T0),
        Err(FsError::IsDirectory)
    );
    assert_eq!(
        vfs.open_at(ROOT, "d", false, create(), T0),
        Err(FsError::IsDirectory)
    );
    // wasmtime rejects `directory` with create/exclusive/truncate before resolving anything.
    for bad in [
        OpenOptions {
            create: true,
            directory: true,
            ..Default::default()
        },
        OpenOptions {
            exclusive: true,
            directory: true,
            ..Default::default()
        },
        OpenOptions {
            truncate: true,
            directory: true,
            ..Default::default()
        },
    ] {
        assert_eq!(
            vfs.open_at(ROOT, "d", false, bad, T0),
            Err(FsError::Invalid)
        );
    }
    // Final symlinks without follow (`nofollow_errors.rs`, `dangling_symlink.rs`).
    assert_eq!(
        vfs.open_at(ROOT, "dl", false, directory(), T0),
        Err(FsError::NotDirectory)
    );
    assert_eq!(
        vfs.open_at(ROOT, "dl", false, OpenOptions::default(), T0),
        Err(FsError::Loop)
    );
    assert_eq!(
        vfs.open_at(ROOT, "fl", false, create(), T0),
        Err(FsError::Loop)
    );
    let d = vfs.resolve(ROOT, "d", false).unwrap();
    assert_eq!(vfs.open_at(ROOT, "dl", true, directory(), T0), Ok(d));
    assert_eq!(vfs.open_at(ROOT, "dl/", false, directory(), T0), Ok(d));
    assert_eq!(
        vfs.open_at(ROOT, "fl", true, directory(), T0),
        Err(FsError::NotDirectory)
    );
    assert_eq!(
        vfs.open_at(ROOT, "fl", true, OpenOptions::default(), T0),
        Ok(f)
    );
    assert_eq!(vfs.open_at(ROOT, ".", false, directory(), T0), Ok(ROOT));
    // Truncation (`file_truncation.rs`) stamps the file.
    let t = OpenOptions {
        create: true,
        truncate: true,
        ..Default::default()
    };
    assert_eq!(vfs.open_at(ROOT, "f", false, t, T0 + 5), Ok(f));
    assert_eq!(vfs.read(f, 0, 100), Ok(vec![]));
    assert_eq!(vfs.stat(f).unwrap().mtime_ns, T0 + 5);
}

#[test]
fn create_through_a_dangling_symlink_creates_its_target() {
    let mut vfs = tree(&[
        ("d", Entry::Dir),
        ("l", link("d/new")),
        ("bad", link("nodir/new")),
    ]);
    let ino = vfs.open_at(ROOT, "l", true, create(), T0).unwrap();
    assert_eq!(vfs.resolve(ROOT, "d/new", false), Ok(ino));
    assert_eq!(
        vfs.open_at(ROOT, "bad", true, create(), T0),
        Err(FsError::NoEntry)
    );
}

#[test]
fn create_through_a_symlink_to_a_directory_path_is_refused() {
    // A target ending in `/` names a directory, which O_CREAT cannot make: EISDIR, as Linux,
    // whether the target is missing, a file, or reached through a chain of links.
    let mut vfs = tree(&[
        ("f", file("x")),
        ("to-new", link("new/")),
        ("to-file", link("f/")),
        ("chain", link("to-new")),
    ]);
    let before = vfs.export();
    for name in ["to-new", "to-file", "chain"] {
        assert_eq!(
            vfs.open_at(ROOT, name, true, create(), T0),
            Err(FsError::IsDirectory),
            "{name}"
        );
    }
    assert_eq!(vfs.export(), before, "nothing was created");
    // O_EXCL's EEXIST comes first, for a directory named with a trailing slash too.
    let excl = OpenOptions {
        exclusive: true,
        ..create()
    };
    for name in ["./", "f/./", "to-file"] {
        let expected = match name {
            "f/./" => FsError::NotDirectory,
            _ => FsError::Exist,
        };
        assert_eq!(
            vfs.open_at(ROOT, name, true, excl, T0),
            Err(expected),
            "{name}"
        );
    }
    // Without O_CREAT the lookups fail as Linux's do.
    let open = |vfs: &mut Vfs, name| vfs.open_at(ROOT, name, true, OpenOptions::default(), T0);
    assert_eq!(open(&mut vfs, "to-new"), Err(FsError::NoEntry));
    assert_eq!(open(&mut vfs, "to-file"), Err(FsError::NotDirectory));
}

#[test]
fn mkdir_rmdir_unlink() {
    let mut vfs = tree(&[
        ("f", file("")),
        ("d/inner/x", file("")),
        ("l", link("d")),
        ("e", Entry::Dir),
    ]);
    assert_eq!(vfs.create_dir_at(ROOT, "f", T0), Err(FsError::Exist));
    assert_eq!(vfs.create_dir_at(ROOT, "l", T0), Err(FsError::Exist));
    assert_eq!(vfs.create_dir_at(ROOT, ".", T0), Err(FsError::Exist));
    assert_eq!(vfs.create_dir_at(ROOT, "d/..", T0), Err(FsError::Exist));
    assert_eq!(vfs.create_dir_at(ROOT, "", T0), Err(FsError::NoEntry));
    assert!(vfs.create_dir_at(ROOT, "new/", T0).is_ok());
    assert_eq!(vfs.remove_dir_at(ROOT, "d", T0), Err(FsError::NotEmpty));
    assert_eq!(
        vfs.remove_dir_at(ROOT, "d/inner/..", T0),
        Err(FsError::NotEmpty)
    );
    assert_eq!(vfs.remove_dir_at(ROOT, ".", T0), Err(FsError::Invalid));
    assert_eq!(vfs.remove_dir_at(ROOT, "f", T0), Err(FsError::NotDirectory));
    assert_eq!(
        vfs.remove_dir_at(ROOT, "f/", T0),
        Err(FsError::NotDirectory)
    );
    assert_eq!(vfs.remove_dir_at(ROOT, "l", T0), Err(FsError::NotDirectory));
    assert_eq!(
        vfs.remove_dir_at(ROOT, "l/", T0),
        Err(FsError::NotDirectory)
    );
    assert_eq!(
        vfs.remove_dir_at(ROOT, "missing", T0),
        Err(FsError::NoEntry)
    );
    assert_eq!(vfs.remove_dir_at(ROOT, "e/", T0), Ok(()));
    assert_eq!(vfs.unlink_file_at(ROOT, "d", T0), Err(FsError::IsDirectory));
    assert_eq!(
        vfs.unlink_file_at(ROOT, "d/", T0),
        Err(FsError::IsDirectory)
    );
    assert_eq!(vfs.unlink_file_at(ROOT, ".", T0), Err(FsError::IsDirectory));
    assert_eq!(
        vfs.unlink_file_at(ROOT, "f/", T0),
        Err(FsError::NotDirectory)
    );
    assert_eq!(
        vfs.unlink_file_at(ROOT, "l/", T0),
        Err(FsError::IsDirectory)
    );
    assert_eq!(
        vfs.unlink_file_at(ROOT, "missing", T0),
        Err(FsError::NoEntry)
    );
    // Unlinking a symlink removes the link, not its target.
    assert_eq!(vfs.unlink_file_at(ROOT, "l", T0), Ok(()));
    assert_eq!(vfs.unlink_file_at(ROOT, "f", T0), Ok(()));
    assert_eq!(
        names(&vfs, ROOT),
        [("d".into(), Kind::Dir), ("new".into(), Kind::Dir)]
    );
    vfs.check_invariants().unwrap();
}

#[test]
fn rename_rules() {
    let mut vfs = tree(&[
        ("f", file("F")),
        ("g", file("G")),
        ("empty", Entry::Dir),
        ("full/x", file("")),
        ("src/sub", Entry::Dir),
        ("l", link("f")),
    ]);
    let mv = |vfs: &mut Vfs, a: &str, b: &str| vfs.rename_at(ROOT, a, ROOT, b, T0 + 1);
    assert_eq!(mv(&mut vfs, "f", "empty"), Err(FsError::IsDirectory));
    assert_eq!(mv(&mut vfs, "src", "f"), Err(FsError::NotDirectory));
    assert_eq!(mv(&mut vfs, "src", "full"), Err(FsError::NotEmpty));
    assert_eq!(mv(&mut vfs, "src", "src/sub/inside"), Err(FsError::Invalid));
    assert_eq!(mv(&mut vfs, "src", "src/sub"), Err(FsError::Invalid));
    assert_eq!(mv(&mut vfs, "f", "g/"), Err(FsError::NotDirectory));
    assert_eq!(mv(&mut vfs, "f/", "h"), Err(FsError::NotDirectory));
    assert_eq!(mv(&mut vfs, ".", "h"), Err(FsError::Busy));
    assert_eq!(mv(&mut vfs, "f", "."), Err(FsError::Busy));
    assert_eq!(mv(&mut vfs, "missing", "h"), Err(FsError::NoEntry));
    assert_eq!(mv(&mut vfs, "f", "nodir/h"), Err(FsError::NoEntry));
    // Same inode: a no-op that changes no timestamp.
    assert_eq!(mv(&mut vfs, "f", "f"), Ok(()));
    assert_eq!(vfs.stat(ROOT).unwrap().mtime_ns, T0);
    // File over file replaces; the old target is gone.
    let g = vfs.resolve(ROOT, "g", false).unwrap();
    assert_eq!(mv(&mut vfs, "f", "g"), Ok(()));
    assert_eq!(contents(&vfs, "g"), b"F");
    assert_eq!(vfs.stat(g), Err(FsError::BadDescriptor));
    // Directory over empty directory, then directories with trailing slashes.
    assert_eq!(mv(&mut vfs, "src", "empty"), Ok(()));
    assert_eq!(mv(&mut vfs, "empty/", "moved/"), Ok(()));
    assert!(vfs.resolve(ROOT, "moved/sub", false).is_ok());
    // A symlink is moved, not followed.
    assert_eq!(mv(&mut vfs, "l", "full/l"), Ok(()));
    assert_eq!(vfs.readlink_at(ROOT, "full/l"), Ok("f".into()));
    let st = vfs.stat(ROOT).unwrap();
    assert_eq!((st.mtime_ns, st.ctime_ns), (T0 + 1, T0 + 1));
    let expected = [
        ("full".into(), Kind::Dir),
        ("g".into(), Kind::File),
        ("moved".into(), Kind::Dir),
    ];
    assert_eq!(names(&vfs, ROOT), expected);
    vfs.check_invariants().unwrap();
}

#[test]
fn hard_links_share_data_and_identity() {
    let mut vfs = tree(&[
        ("a", file("one")),
        ("b", file("one")),
        ("d", Entry::Dir),
        ("s", link("gone")),
    ]);
    vfs.link_at(ROOT, "a", false, ROOT, "d/a2", T0 + 1).unwrap();
    let a = vfs.resolve(ROOT, "a", false).unwrap();
    assert_eq!(vfs.resolve(ROOT, "d/a2", false), Ok(a));
    vfs.append(a, b"+two", T0 + 2).unwrap();
    assert_eq!(contents(&vfs, "d/a2"), b"one+two");
    assert_eq!(vfs.stat(a).unwrap().nlink, 2);
    assert_eq!(vfs.stat_at(ROOT, "d/a2", false), vfs.stat(a));
    let b = vfs.resolve(ROOT, "b", false).unwrap();
    assert_eq!(
        vfs.metadata_hash(a),
        vfs.metadata_hash(vfs.resolve(ROOT, "d/a2", false).unwrap())
    );
    assert_ne!(vfs.metadata_hash(a), vfs.metadata_hash(b));
    assert_ne!(vfs.metadata_hash(a), vfs.metadata_hash(ROOT));
    // Errors (`path_link.rs`, `filesystem-hard-links.rs`).
    let ln =
        |vfs: &mut Vfs, a: &str, follow: bool, b: &str| vfs.link_at(ROOT, a, follow, ROOT, b, T0);
    assert_eq!(ln(&mut vfs, "a", false, "b"), Err(FsError::Exist));
    assert_eq!(ln(&mut vfs, "a", false, "a"), Err(FsError::Exist));
    assert_eq!(ln(&mut vfs, "a", false, "d"), Err(FsError::Exist));
    assert_eq!(ln(&mut vfs, "a", false, "s"), Err(FsError::Exist));
    assert_eq!(ln(&mut vfs, "d", false, "x"), Err(FsError::NotPermitted));
    assert_eq!(ln(&mut vfs, ".", false, "x"), Err(FsError::NotPermitted));
    assert_eq!(ln(&mut vfs, "a", false, "x/"), Err(FsError::NoEntry));
    assert_eq!(ln(&mut vfs, "a", false, ""), Err(FsError::NoEntry));
    assert_eq!(ln(&mut vfs, "s", true, "x"), Err(FsError::NoEntry));
    // Without follow, a (dangling) symlink itself gets a second name.
    assert_eq!(ln(&mut vfs, "s", false, "s2"), Ok(()));
    assert_eq!(vfs.readlink_at(ROOT, "s2"), Ok("gone".into()));
    assert_eq!(vfs.stat_at(ROOT, "s", false).unwrap().nlink, 2);
    // Unlinking one name keeps the data under the other.
    vfs.unlink_file_at(ROOT, "a", T0 + 3).unwrap();
    assert_eq!(contents(&vfs, "d/a2"), b"one+two");
    let st = vfs.stat(a).unwrap();
    assert_eq!((st.nlink, st.ctime_ns), (1, T0 + 3));
    vfs.check_invariants().unwrap();
}

#[test]
fn symlinks_and_readlink() {
    let mut vfs = tree(&[("target", file("t")), ("d", Entry::Dir)]);
    let s = vfs.symlink_at(ROOT, "target", "symlink", T0).unwrap();
    assert_eq!(vfs.readlink_at(ROOT, "symlink"), Ok("target".into()));
    assert_eq!(vfs.stat(s).unwrap().size, 6);
    assert_eq!(vfs.readlink_at(ROOT, "target"), Err(FsError::Invalid));
    assert_eq!(
        vfs.readlink_at(ROOT, "symlink/"),
        Err(FsError::NotDirectory)
    );
    assert_eq!(vfs.symlink_at(ROOT, "", "e", T0), Err(FsError::NoEntry));
    assert_eq!(vfs.symlink_at(ROOT, "a\0", "e", T0), Err(FsError::Invalid));
    // `path_symlink_trailing_slashes.rs`, Linux codes.
    assert_eq!(
        vfs.symlink_at(ROOT, "source", "new/", T0),
        Err(FsError::NoEntry)
    );
    assert_eq!(
        vfs.symlink_at(ROOT, "source", "d/", T0),
        Err(FsError::Exist)
    );
    assert_eq!(vfs.symlink_at(ROOT, "source", "d", T0), Err(FsError::Exist));
    assert_eq!(
        vfs.symlink_at(ROOT, "source", "target/", T0),
        Err(FsError::NotDirectory)
    );
    assert_eq!(
        vfs.symlink_at(ROOT, "source", "target", T0),
        Err(FsError::Exist)
    );
    assert_eq!(
        vfs.symlink_at(ROOT, "source", "symlink", T0),
        Err(FsError::Exist)
    );
    // A symlink to `..` may be created (the wasip3 tests rely on it).
    assert!(vfs.symlink_at(ROOT, "..", "parent", T0).is_ok());
}

#[test]
fn read_dir_is_sorted_by_name_bytes() {
    let vfs = tree(&[
        ("b", file("")),
        ("B", Entry::Dir),
        ("a", link("b")),
        ("é", file("")),
        ("a-", file("")),
    ]);
    let expected = [
        ("B", Kind::Dir),
        ("a", Kind::Symlink),
        ("a-", Kind::File),
        ("b", Kind::File),
        ("é", Kind::File),
    ];
    assert_eq!(names(&vfs, ROOT), expected.map(|(n, k)| (n.to_string(), k)));
    let (_, ino, _) = vfs.read_dir(ROOT).unwrap()[0].clone();
    assert_eq!(vfs.parent(ino), Ok(ROOT));
    assert_eq!(vfs.parent(ROOT), Ok(ROOT));
    let f = vfs.resolve(ROOT, "b", false).unwrap();
    assert_eq!(vfs.read_dir(f), Err(FsError::NotDirectory));
    assert_eq!(vfs.parent(f), Err(FsError::NotDirectory));
    // Resuming after a name lists what sorts after it, whether or not that name exists.
    let after = |name: Option<&str>| -> Vec<String> {
        let entries = vfs.read_dir_from(ROOT, name).unwrap();
        entries.map(|(n, _, _)| n.to_owned()).collect()
    };
    assert_eq!(after(None), ["B", "a", "a-", "b", "é"]);
    assert_eq!(after(Some("a")), ["a-", "b", "é"]);
    assert_eq!(after(Some("a0")), ["b", "é"]);
    assert_eq!(after(Some("é")), Vec::<String>::new());
    assert!(vfs.read_dir_from(f, None).is_err());
}
