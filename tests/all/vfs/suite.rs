//! Replays of the WASI test suite's filesystem cases (WebAssembly/wasi-testsuite,
//! `tests/rust/wasm32-wasip3/src/bin/filesystem-*.rs` and the preview1 tests named in each
//! test), asserting the single code wasmtime returns on Linux where the suite accepts several.
//! The fixture is the suite's `fs-tests.dir` plus the `parent.cleanup -> ..` symlink the
//! tests create first.

use super::*;

const NP: Option<FsError> = Some(FsError::NotPermitted);

#[test]
fn filesystem_mkdir_rmdir() {
    let mut vfs = suite_tree();
    let mkdir = |vfs: &mut Vfs, p: &str| vfs.create_dir_at(ROOT, p, T0).err();
    let rmdir = |vfs: &mut Vfs, p: &str| vfs.remove_dir_at(ROOT, p, T0).err();
    assert_eq!(mkdir(&mut vfs, ""), Some(FsError::NoEntry));
    assert_eq!(mkdir(&mut vfs, "."), Some(FsError::Exist));
    for p in [
        "..",
        "parent.cleanup/foo",
        "/",
        "../q.cleanup",
        "parent.cleanup/q.cleanup",
    ] {
        assert_eq!(mkdir(&mut vfs, p), NP, "{p}");
    }
    assert_eq!(mkdir(&mut vfs, "a.txt"), Some(FsError::Exist));
    assert_eq!(mkdir(&mut vfs, "q.cleanup"), None);
    for p in [
        "../q.cleanup",
        "parent.cleanup/q.cleanup",
        "q.cleanup/../../q.cleanup",
    ] {
        assert_eq!(rmdir(&mut vfs, p), NP, "{p}");
    }
    assert_eq!(rmdir(&mut vfs, "q.cleanup"), None);
    assert_eq!(mkdir(&mut vfs, "q.cleanup/"), None);
    // wasmtime fails this one (wasmtime#11524); Linux and we succeed.
    assert_eq!(rmdir(&mut vfs, "q.cleanup/"), None);
    assert_eq!(mkdir(&mut vfs, "q.cleanup/////"), None);
    assert_eq!(rmdir(&mut vfs, "q.cleanup////////////"), None);
    assert_eq!(rmdir(&mut vfs, ""), Some(FsError::NoEntry));
    assert_eq!(rmdir(&mut vfs, "."), Some(FsError::Invalid));
    assert_eq!(rmdir(&mut vfs, ".."), NP);
    assert_eq!(rmdir(&mut vfs, "/"), NP);
    assert_eq!(rmdir(&mut vfs, "a.txt"), Some(FsError::NotDirectory));
    assert_eq!(rmdir(&mut vfs, "z.txt"), Some(FsError::NoEntry));
    assert_eq!(
        rmdir(&mut vfs, "parent.cleanup"),
        Some(FsError::NotDirectory)
    );
    assert_eq!(rmdir(&mut vfs, "parent.cleanup/"), NP);
    // From a child descriptor, its parent is out of reach.
    let child = vfs.create_dir_at(ROOT, "child.cleanup", T0).unwrap();
    vfs.create_dir_at(ROOT, "sibling.cleanup", T0).unwrap();
    assert!(vfs.create_dir_at(child, "z.cleanup", T0).is_ok());
    assert!(vfs.remove_dir_at(child, "z.cleanup", T0).is_ok());
    for p in ["../z.cleanup", "../sibling.cleanup/z.cleanup"] {
        assert_eq!(vfs.create_dir_at(child, p, T0).err(), NP);
        assert_eq!(vfs.remove_dir_at(child, p, T0).err(), NP);
    }
    assert_eq!(vfs.remove_dir_at(child, "../sibling.cleanup", T0).err(), NP);
}

#[test]
fn filesystem_unlink_and_open_errors() {
    let mut vfs = suite_tree();
    let rm = |vfs: &mut Vfs, p: &str| vfs.unlink_file_at(ROOT, p, T0).err();
    assert_eq!(rm(&mut vfs, ""), Some(FsError::NoEntry));
    assert_eq!(rm(&mut vfs, "."), Some(FsError::IsDirectory));
    for p in ["..", "../", "/", "/etc/passwd", "parent.cleanup/z.txt"] {
        assert_eq!(rm(&mut vfs, p), NP, "{p}");
    }
    assert_eq!(rm(&mut vfs, "z.txt"), Some(FsError::NoEntry));
    let open = |vfs: &mut Vfs, p: &str, follow| {
        vfs.open_at(ROOT, p, follow, OpenOptions::default(), T0)
            .err()
    };
    assert_eq!(open(&mut vfs, "", false), Some(FsError::NoEntry));
    assert_eq!(open(&mut vfs, "..", false), NP);
    assert_eq!(open(&mut vfs, "parent.cleanup", true), NP);
    assert_eq!(open(&mut vfs, "/", false), NP);
    // `filesystem-dotdot.rs`: a child descriptor cannot reach its sibling through `..`.
    let child = vfs.create_dir_at(ROOT, "child.cleanup", T0).unwrap();
    touch(&mut vfs, "x.cleanup");
    let r = vfs.open_at(child, "../x.cleanup", false, OpenOptions::default(), T0);
    assert_eq!(r.err(), NP);
}

#[test]
fn filesystem_hard_links() {
    let mut vfs = suite_tree();
    let ln = |vfs: &mut Vfs, a: &str, b: &str| vfs.link_at(ROOT, a, false, ROOT, b, T0).err();
    assert_eq!(ln(&mut vfs, ".", "foo"), NP);
    assert_eq!(ln(&mut vfs, "", "foo"), Some(FsError::NoEntry));
    assert_eq!(ln(&mut vfs, "", ""), Some(FsError::NoEntry));
    assert_eq!(ln(&mut vfs, "a.txt", ""), Some(FsError::NoEntry));
    assert_eq!(ln(&mut vfs, "a.txt", "a.txt"), Some(FsError::Exist));
    for (a, b) in [
        ("/", "a.txt"),
        ("a.txt", "/"),
        ("a.txt", "/a.txt"),
        ("..", "a.txt"),
        ("a.txt", ".."),
        ("parent.cleanup/foo", "a.txt"),
        ("a.txt", "parent.cleanup/foo"),
    ] {
        assert_eq!(ln(&mut vfs, a, b), NP, "{a} {b}");
    }
    assert_eq!(ln(&mut vfs, "a.txt", "c.cleanup"), None);
    vfs.create_dir_at(ROOT, "d.cleanup", T0).unwrap();
    assert_eq!(ln(&mut vfs, "a.txt", "d.cleanup/q.txt"), None);
    assert_eq!(ln(&mut vfs, "d.cleanup", "e.cleanup"), NP);
    // `filesystem-metadata-hash.rs`, `filesystem-is-same-object.rs`.
    let a = vfs.resolve(ROOT, "a.txt", false).unwrap();
    let c = vfs.resolve(ROOT, "c.cleanup", false).unwrap();
    assert_eq!(vfs.metadata_hash(a), vfs.metadata_hash(c));
    assert_eq!(vfs.stat(a), vfs.stat(c));
}

#[test]
fn filesystem_rename() {
    let mut vfs = suite_tree();
    let child = vfs.create_dir_at(ROOT, "child.cleanup", T0).unwrap();
    let mv = |vfs: &mut Vfs, a: &str, b: &str| vfs.rename_at(ROOT, a, ROOT, b, T0).err();
    assert_eq!(mv(&mut vfs, "a.txt", "a.txt"), None);
    vfs.symlink_at(ROOT, "a.txt", "c.cleanup", T0).unwrap();
    assert_eq!(mv(&mut vfs, "a.txt", "c.cleanup"), None);
    assert_eq!(mv(&mut vfs, "a.txt", "a.txt"), Some(FsError::NoEntry));
    assert_eq!(mv(&mut vfs, "c.cleanup", "a.txt"), None);
    assert_eq!(mv(&mut vfs, "c.cleanup", "a.txt"), Some(FsError::NoEntry));
    assert_eq!(
        mv(&mut vfs, "does-not-exist.txt", "q.txt"),
        Some(FsError::NoEntry)
    );
    assert_eq!(mv(&mut vfs, ".", "q.txt"), Some(FsError::Busy));
    assert_eq!(mv(&mut vfs, "a.txt", "../q.txt"), NP);
    assert_eq!(mv(&mut vfs, "a.txt", "parent.cleanup/q.txt"), NP);
    assert_eq!(mv(&mut vfs, "a.txt", "/tmp/q.txt"), NP);
    assert_eq!(vfs.rename_at(ROOT, "a.txt", child, "whatever", T0), Ok(()));
    assert_eq!(mv(&mut vfs, "a.txt", "whatever"), Some(FsError::NoEntry));
    assert_eq!(vfs.rename_at(child, "whatever", ROOT, "a.txt", T0), Ok(()));
    let again = vfs.rename_at(child, "whatever", ROOT, "a.txt", T0);
    assert_eq!(again, Err(FsError::NoEntry));
    assert_eq!(contents(&vfs, "a.txt"), b"test-a\n");
}

#[test]
fn filesystem_stat() {
    let mut vfs = suite_tree();
    let a = vfs.resolve(ROOT, "a.txt", false).unwrap();
    assert_eq!(
        vfs.stat_at(a, "z.txt", false).err(),
        Some(FsError::NotDirectory)
    );
    assert_eq!(
        vfs.stat_at(a, ".", false).err(),
        Some(FsError::NotDirectory)
    );
    assert_eq!(vfs.stat_at(ROOT, "", false).err(), Some(FsError::NoEntry));
    for (p, follow) in [
        ("..", false),
        ("parent.cleanup", true),
        ("parent.cleanup/fs-tests.dir", true),
        ("/", false),
        ("/etc/passwd", false),
    ] {
        assert_eq!(vfs.stat_at(ROOT, p, follow).err(), NP, "{p}");
    }
    assert_eq!(vfs.stat_at(ROOT, ".", false), vfs.stat(ROOT));
    assert_eq!(
        vfs.stat_at(ROOT, "z.txt", false).err(),
        Some(FsError::NoEntry)
    );
    let at = |s: u64| SetTime::At(s * 1_000_000_000);
    let set =
        |vfs: &mut Vfs, p: &str, follow| vfs.set_times_at(ROOT, p, follow, at(42), at(69), T0);
    assert_eq!(set(&mut vfs, "z.txt", false).err(), Some(FsError::NoEntry));
    assert_eq!(set(&mut vfs, "", true).err(), Some(FsError::NoEntry));
    for (p, follow) in [
        ("/", false),
        ("..", false),
        ("parent.cleanup", true),
        ("../foo", false),
        ("parent.cleanup/foo", false),
    ] {
        assert_eq!(set(&mut vfs, p, follow).err(), NP, "{p}");
    }
    assert_eq!(set(&mut vfs, "a.txt", false), Ok(()));
    let st = vfs.stat(a).unwrap();
    assert_eq!((st.atime_ns, st.mtime_ns), (42_000_000_000, 69_000_000_000));
}

#[test]
fn filesystem_set_size_on_unlinked_file() {
    let mut vfs = suite_tree();
    let c = vfs
        .open_at(
            ROOT,
            "c.cleanup",
            false,
            OpenOptions {
                create: true,
                exclusive: true,
                ..Default::default()
            },
            T0,
        )
        .unwrap();
    vfs.retain(c).unwrap();
    vfs.set_size(c, 42, T0).unwrap();
    assert_eq!(vfs.stat(c).unwrap().size, 42);
    let trunc = OpenOptions {
        truncate: true,
        ..Default::default()
    };
    assert_eq!(vfs.open_at(ROOT, "c.cleanup", false, trunc, T0), Ok(c));
    assert_eq!(vfs.stat(c).unwrap().size, 0);
    assert_eq!(vfs.set_size(c, u64::MAX, T0), Err(FsError::FileTooLarge));
    vfs.unlink_file_at(ROOT, "c.cleanup", T0).unwrap();
    vfs.set_size(c, 42, T0).unwrap();
    assert_eq!(vfs.stat(c).unwrap().size, 42);
    vfs.release(c).unwrap();
    vfs.check_invariants().unwrap();
}

#[test]
fn filesystem_read_directory() {
    let vfs = suite_tree();
    let entries: Vec<(String, Kind)> = vfs
        .read_dir(ROOT)
        .unwrap()
        .into_iter()
        .map(|(n, _, k)| (n, k))
        .collect();
    let expected = [
        ("a.txt", Kind::File),
        ("b.txt", Kind::File),
        ("parent.cleanup", Kind::Symlink),
    ];
    assert_eq!(entries, expected.map(|(n, k)| (n.to_string(), k)));
}
