//! Path resolution: escapes, symlinks, loops, trailing slashes, malformed paths.

use super::*;

fn escape_tree() -> Vfs {
    tree(&[
        ("etc/passwd", file("root:x:0:0")),
        ("sub/inner/file", file("inner")),
        ("sub/up2", link("../../x")),
        ("sub/hostname", link("/etc/hostname")),
        ("sub/climb1", link("inner/../climb2")),
        ("sub/climb2", link("../sub/../../etc/passwd")),
        ("sub/parent", link("..")),
        ("sub/inner/ok", link("../../etc/passwd")),
    ])
}

#[test]
fn every_escape_is_not_permitted() {
    let mut vfs = escape_tree();
    let sub = vfs.resolve(ROOT, "sub", false).unwrap();
    let always = [
        (ROOT, "../../etc/passwd"),
        (ROOT, ".."),
        (ROOT, "../"),
        (ROOT, "etc/../.."),
        (ROOT, "/etc/passwd"),
        (ROOT, "/"),
        (ROOT, "sub/up2/anything"),
        (ROOT, "sub/hostname/"),
        // From a sub-directory, the start is the sandbox: `..` out of it fails even though
        // the target is inside the tree (`filesystem-dotdot.rs`).
        (sub, "../etc/passwd"),
        (sub, "parent/etc/passwd"),
        (sub, "parent/"),
    ];
    for (dir, path) in always {
        for follow in [false, true] {
            let r = vfs.resolve(dir, path, follow);
            assert_eq!(
                r,
                Err(FsError::NotPermitted),
                "{dir} {path:?} follow={follow}"
            );
        }
    }
    // Symlinks whose targets escape: fine as entries, refused when followed.
    let when_followed = [
        (ROOT, "sub/hostname"),
        (ROOT, "sub/up2"),
        (ROOT, "sub/climb1"),
        (sub, "parent"),
        (sub, "inner/ok"),
    ];
    for (dir, path) in when_followed {
        assert_eq!(
            vfs.stat_at(dir, path, false).unwrap().kind,
            Kind::Symlink,
            "{path}"
        );
        assert_eq!(
            vfs.resolve(dir, path, true),
            Err(FsError::NotPermitted),
            "{path}"
        );
    }
    // The same symlinks resolve when their targets stay inside the start.
    let passwd = vfs.resolve(ROOT, "etc/passwd", false).unwrap();
    assert_eq!(vfs.resolve(ROOT, "sub/inner/ok", true), Ok(passwd));
    assert_eq!(vfs.resolve(ROOT, "sub/parent/etc/passwd", true), Ok(passwd));
    assert_eq!(vfs.resolve(ROOT, "sub/../etc/./passwd", false), Ok(passwd));
    // Creating an absolute symlink is refused outright (`symlink_create.rs`).
    assert_eq!(
        vfs.symlink_at(ROOT, "/etc/hostname", "h", T0),
        Err(FsError::NotPermitted)
    );
    assert_eq!(
        vfs.symlink_at(ROOT, "/", "h", T0),
        Err(FsError::NotPermitted)
    );
    // Escaping relative symlinks may be created; they just never resolve.
    let l = vfs.symlink_at(sub, "../../../x", "out", T0).unwrap();
    assert_eq!(vfs.stat(l).unwrap().kind, Kind::Symlink);
    assert_eq!(vfs.resolve(sub, "out", true), Err(FsError::NotPermitted));
    let names: Vec<String> = vfs
        .read_dir(ROOT)
        .unwrap()
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(names, ["etc", "sub"]);
}

#[test]
fn escapes_fail_for_every_operation() {
    let mut vfs = escape_tree();
    let sub = vfs.resolve(ROOT, "sub", false).unwrap();
    let before = vfs.export();
    let np = Some(FsError::NotPermitted);
    let (now, f) = (T0 + 1, false);
    assert_eq!(vfs.open_at(ROOT, "../x", f, create(), now).err(), np);
    assert_eq!(
        vfs.open_at(ROOT, "sub/parent/../x", true, create(), now)
            .err(),
        np
    );
    assert_eq!(vfs.open_at(sub, "hostname", true, create(), now).err(), np);
    assert_eq!(vfs.create_dir_at(sub, "../x", now).err(), np);
    assert_eq!(vfs.create_dir_at(sub, "parent/x", now).err(), np);
    assert_eq!(vfs.remove_dir_at(sub, "../sub", now).err(), np);
    assert_eq!(vfs.unlink_file_at(sub, "../etc/passwd", now).err(), np);
    assert_eq!(
        vfs.rename_at(ROOT, "etc/passwd", sub, "../p", now).err(),
        np
    );
    assert_eq!(
        vfs.rename_at(sub, "../etc/passwd", ROOT, "p", now).err(),
        np
    );
    assert_eq!(
        vfs.link_at(sub, "../etc/passwd", f, ROOT, "p", now).err(),
        np
    );
    assert_eq!(
        vfs.link_at(ROOT, "etc/passwd", f, sub, "parent/p", now)
            .err(),
        np
    );
    assert_eq!(vfs.link_at(sub, "parent", true, ROOT, "p", now).err(), np);
    assert_eq!(vfs.symlink_at(sub, "x", "../y", now).err(), np);
    assert_eq!(vfs.readlink_at(sub, "../sub/up2").err(), np);
    let (t, n) = (SetTime::Now, SetTime::Now);
    assert_eq!(vfs.set_times_at(sub, "parent", true, t, n, now).err(), np);
    assert_eq!(vfs.stat_at(sub, "..", false).err(), np);
    assert_eq!(vfs.export(), before);
    assert_eq!(
        vfs.stat(ROOT).unwrap().mtime_ns,
        T0,
        "no failed call touched the root"
    );
}

#[test]
fn symlink_loops_and_the_hop_limit() {
    let mut vfs = tree(&[("self", link("self")), ("a", link("b")), ("b", link("a"))]);
    for path in ["self", "a", "self/x", "a/"] {
        assert_eq!(vfs.resolve(ROOT, path, true), Err(FsError::Loop), "{path}");
    }
    // Unfollowed, a looping symlink is an ordinary entry.
    assert_eq!(
        vfs.stat_at(ROOT, "self", false).unwrap().kind,
        Kind::Symlink
    );
    // A chain of exactly 40 symlinks resolves; 41 is a loop (Linux MAXSYMLINKS).
    let target = touch(&mut vfs, "target");
    vfs.symlink_at(ROOT, "target", "l40", T0).unwrap();
    for i in (0..40).rev() {
        vfs.symlink_at(ROOT, &format!("l{}", i + 1), &format!("l{i}"), T0)
            .unwrap();
    }
    assert_eq!(vfs.resolve(ROOT, "l1", true), Ok(target));
    assert_eq!(vfs.resolve(ROOT, "l0", true), Err(FsError::Loop));
}

#[test]
fn trailing_slashes() {
    let vfs = tree(&[
        ("dir/nested/file", file("x")),
        ("dirlink", link("dir")),
        ("filelink", link("dir/nested/file")),
        ("dangling", link("nowhere")),
    ]);
    let dir = vfs.resolve(ROOT, "dir", false).unwrap();
    assert_eq!(
        vfs.resolve(ROOT, "dir/nested/file/", false),
        Err(FsError::NotDirectory)
    );
    assert_eq!(
        vfs.resolve(ROOT, "dir/nested/file///", true),
        Err(FsError::NotDirectory)
    );
    assert_eq!(
        vfs.resolve(ROOT, "dir/nested/file/.", true),
        Err(FsError::NotDirectory)
    );
    assert!(vfs.resolve(ROOT, "dir/nested///", false).is_ok());
    // A trailing slash follows a final symlink even without `follow`.
    assert_eq!(vfs.resolve(ROOT, "dirlink/", false), Ok(dir));
    assert_eq!(
        vfs.resolve(ROOT, "dirlink", false).map(|i| i == dir),
        Ok(false)
    );
    assert_eq!(
        vfs.resolve(ROOT, "filelink/", false),
        Err(FsError::NotDirectory)
    );
    assert_eq!(vfs.resolve(ROOT, "dangling/", false), Err(FsError::NoEntry));
}

#[test]
fn malformed_paths() {
    let vfs = tree(&[("dir/nested/file", file("x"))]);
    let f = vfs.resolve(ROOT, "dir/nested/file", false).unwrap();
    assert_eq!(vfs.resolve(ROOT, "", false), Err(FsError::NoEntry));
    assert_eq!(
        vfs.resolve(ROOT, "dir/nested/file\0", false),
        Err(FsError::Invalid)
    );
    assert_eq!(
        vfs.resolve(ROOT, &"n".repeat(256), false),
        Err(FsError::NameTooLong)
    );
    assert_eq!(
        vfs.resolve(ROOT, &"n".repeat(255), false),
        Err(FsError::NoEntry)
    );
    assert_eq!(
        vfs.resolve(ROOT, &"./".repeat(2048), false),
        Err(FsError::NameTooLong)
    );
    assert_eq!(vfs.resolve(ROOT, "missing/x", false), Err(FsError::NoEntry));
    assert_eq!(
        vfs.resolve(ROOT, "dir/nested/file/x", false),
        Err(FsError::NotDirectory)
    );
    // The interesting_paths.rs path.
    let odd = "dir/.//nested/../../dir/nested/../nested///./file";
    assert_eq!(vfs.resolve(ROOT, odd, false), Ok(f));
    assert_eq!(
        vfs.resolve(ROOT, "dir/nested/../../../dir/nested/file", false),
        Err(FsError::NotPermitted)
    );
    // Resolution from a file is NotDirectory, even for "." (`filesystem-stat.rs`).
    assert_eq!(vfs.resolve(f, "z.txt", false), Err(FsError::NotDirectory));
    assert_eq!(vfs.resolve(f, ".", false), Err(FsError::NotDirectory));
    assert_eq!(vfs.resolve(999, ".", false), Err(FsError::BadDescriptor));
    assert_eq!(vfs.resolve(ROOT, ".", false), Ok(ROOT));
}
