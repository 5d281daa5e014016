//! Seeding from a list and exporting back: validation, round trips, inode numbering, budget.

use super::*;
use hermetic_wasi::sandbox::vfs::SeedError;

fn seed(entries: &[(&str, Entry)], limit: u64) -> Result<Vfs, SeedError> {
    let list = entries
        .iter()
        .map(|(p, e)| (p.to_string(), e.clone()))
        .collect();
    Vfs::new(list, limit, T0)
}

fn owned(entries: &[(&str, Entry)]) -> Vec<(String, Entry)> {
    entries
        .iter()
        .map(|(p, e)| (p.to_string(), e.clone()))
        .collect()
}

#[test]
fn export_lists_everything_sorted_with_implied_parents() {
    let vfs = tree(&[
        ("z/deep/file.txt", file("z")),
        ("data/input.txt", file("hello")),
        ("empty", Entry::Dir),
        ("data", Entry::Dir),
        ("data/link", link("input.txt")),
        ("abs", link("/etc/hostname")),
        ("a-b", file("")),
    ]);
    let expected = owned(&[
        ("a-b", file("")),
        ("abs", link("/etc/hostname")),
        ("data", Entry::Dir),
        ("data/input.txt", file("hello")),
        ("data/link", link("input.txt")),
        ("empty", Entry::Dir),
        ("z", Entry::Dir),
        ("z/deep", Entry::Dir),
        ("z/deep/file.txt", file("z")),
    ]);
    assert_eq!(vfs.export(), expected);
    // The export seeds an identical tree, down to inode numbers and byte count.
    let again = Vfs::new(vfs.export(), BIG, T0).unwrap();
    assert_eq!(again.export(), expected);
    assert_eq!(again.used_bytes(), vfs.used_bytes());
    for (path, _) in &expected {
        assert_eq!(
            again.stat_at(ROOT, path, false),
            vfs.stat_at(ROOT, path, false)
        );
    }
}

#[test]
fn export_copies_hard_links_and_skips_unlinked_open_files() {
    let mut vfs = tree(&[("a", file("data")), ("gone", file("x"))]);
    vfs.link_at(ROOT, "a", false, ROOT, "b", T0).unwrap();
    let gone = vfs.resolve(ROOT, "gone", false).unwrap();
    vfs.retain(gone).unwrap();
    vfs.unlink_file_at(ROOT, "gone", T0).unwrap();
    assert_eq!(
        vfs.export(),
        owned(&[("a", file("data")), ("b", file("data"))])
    );
}

#[test]
fn inode_numbers_follow_path_order_then_creation_order() {
    let mut vfs = tree(&[
        ("b/x", file("")),
        ("a", file("")),
        ("b", Entry::Dir),
        ("a-", file("")),
    ]);
    let ino = |vfs: &Vfs, p: &str| vfs.resolve(ROOT, p, false).unwrap();
    assert_eq!(vfs.root(), ROOT);
    assert_eq!(ROOT, 1);
    assert_eq!(
        ["a", "a-", "b", "b/x"].map(|p| ino(&vfs, p)),
        [2, 3, 4, 5],
        "seeded in path byte order"
    );
    assert_eq!(touch(&mut vfs, "new"), 6);
    vfs.unlink_file_at(ROOT, "new", T0).unwrap();
    assert_eq!(
        vfs.create_dir_at(ROOT, "new", T0),
        Ok(7),
        "numbers are never reused"
    );
}

#[test]
fn duplicates_must_agree() {
    let vfs = seed(
        &[("a/b", file("1")), ("a/b", file("1")), ("a", Entry::Dir)],
        BIG,
    )
    .unwrap();
    assert_eq!(
        vfs.export(),
        owned(&[("a", Entry::Dir), ("a/b", file("1"))])
    );
    assert_eq!(
        seed(&[("a", file("1")), ("a", file("2"))], BIG).err(),
        Some(SeedError::Conflict("a".into()))
    );
    assert_eq!(
        seed(&[("a", Entry::Dir), ("a", file(""))], BIG).err(),
        Some(SeedError::Conflict("a".into()))
    );
}

#[test]
fn malformed_seed_paths_are_rejected_precisely() {
    let cases: Vec<(&str, Entry, SeedError)> = vec![
        ("", file(""), SeedError::EmptyPath),
        (
            "/etc/passwd",
            file(""),
            SeedError::AbsolutePath("/etc/passwd".into()),
        ),
        ("a/./b", file(""), SeedError::DotComponent("a/./b".into())),
        ("../x", file(""), SeedError::DotComponent("../x".into())),
        ("a//b", file(""), SeedError::EmptyComponent("a//b".into())),
        ("a/", file(""), SeedError::EmptyComponent("a/".into())),
        ("a\0b", file(""), SeedError::NulByte("a\0b".into())),
        ("s", link("t\0"), SeedError::NulByte("s".into())),
        ("s", link(""), SeedError::EmptySymlinkTarget("s".into())),
    ];
    for (path, entry, expected) in cases {
        assert_eq!(
            seed(&[(path, entry)], BIG).err(),
            Some(expected),
            "{path:?}"
        );
    }
    let long = "n".repeat(256);
    assert_eq!(
        seed(&[(&format!("d/{long}"), file(""))], BIG).err(),
        Some(SeedError::NameTooLong(format!("d/{long}")))
    );
    assert!(seed(&[(&"n".repeat(255), file(""))], BIG).is_ok());
    assert_eq!(
        seed(&[("a/b/c", file("")), ("a/b", file("x"))], BIG).err(),
        Some(SeedError::ParentNotDirectory {
            parent: "a/b".into(),
            path: "a/b/c".into()
        })
    );
    assert_eq!(
        seed(&[("l", link("d")), ("l/x", file(""))], BIG).err(),
        Some(SeedError::ParentNotDirectory {
            parent: "l".into(),
            path: "l/x".into()
        })
    );
    assert_eq!(
        SeedError::ParentNotDirectory {
            parent: "a/b".into(),
            path: "a/b/c".into()
        }
        .to_string(),
        "seed path \"a/b/c\" needs \"a/b\" to be a directory, but it is listed as a file or symlink"
    );
}

#[test]
fn seeded_bytes_count_toward_the_limit() {
    // Inodes: d, d/f, s. Paths: "d", "d/f", "s". Content: 5 file bytes + 3 target bytes.
    let entries = [("d/f", file("12345")), ("s", link("d/f"))];
    let needed = 3 * INODE_OVERHEAD + 3 * DIRENT_OVERHEAD + (1 + 3 + 1) + 5 + 3;
    assert_eq!(seed(&entries, needed).unwrap().used_bytes(), needed);
    assert_eq!(
        seed(&entries, needed - 1).err(),
        Some(SeedError::OverLimit {
            needed,
            limit: needed - 1
        })
    );
    let empty = seed(&[], 0).unwrap();
    assert_eq!(
        (empty.used_bytes(), empty.limit_bytes()),
        (0, 0),
        "the root is free"
    );
    assert!(empty.read_dir(ROOT).unwrap().is_empty());
}

#[test]
fn seeded_timestamps_are_now() {
    let vfs = tree(&[("d/f", file("x"))]);
    for path in [".", "d", "d/f"] {
        let st = vfs.stat_at(ROOT, path, false).unwrap();
        assert_eq!(
            (st.atime_ns, st.mtime_ns, st.ctime_ns),
            (T0, T0, T0),
            "{path}"
        );
    }
}
