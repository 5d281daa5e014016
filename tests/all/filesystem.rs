//! wasi:filesystem over the in-memory tree: seeding, what the guest sees and does, the tree
//! the run hands back, the `fsBytes` limit and escapes.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use hermetic_wasi::sandbox::config::DEFAULT_FS_BYTES;
use hermetic_wasi::sandbox::error::InvalidOption;
use hermetic_wasi::sandbox::vfs::{Entry, Vfs};
use hermetic_wasi::sandbox::{Limits, Outcome, RunOptions, SandboxError};

use crate::{assert_result, program, run};

fn file(contents: &str) -> Entry {
    Entry::File(contents.as_bytes().to_vec().into())
}

fn link(target: &str) -> Entry {
    Entry::Symlink(target.to_owned())
}

fn tree(entries: &[(&str, Entry)]) -> Vec<(String, Entry)> {
    entries
        .iter()
        .map(|(path, entry)| (path.to_string(), entry.clone()))
        .collect()
}

fn seeded(entries: &[(&str, Entry)]) -> RunOptions {
    RunOptions {
        files: Some(tree(entries)),
        ..Default::default()
    }
}

fn roundtrip_seed() -> RunOptions {
    seeded(&[
        ("data/input.txt", file("hello, tree\n")),
        ("data/remove-me.txt", file("bye")),
        ("data/empty", Entry::Dir),
    ])
}

#[test]
fn fs_roundtrip() {
    let options = roundtrip_seed();
    let before = options.clone();
    let result = run("fs_roundtrip", &options);
    assert_eq!(options, before, "the caller's options are not changed");
    let stdout = "read data/input.txt: \"hello, tree\\n\"\n\
                  ls /: data/\n\
                  wrote out/upper.txt\n\
                  appended out/log.txt: \"one\\ntwo\\n\"\n\
                  renamed tmp -> moved: tmp exists: false\n\
                  ls moved/a/b: deep.txt\n\
                  readlink out/upper-sym: \"upper.txt\"\n\
                  via symlink: \"HELLO, TREE\\n\"\n\
                  out/upper.txt link count: 2\n\
                  remove_dir moved: Uncategorized (errno Some(55))\n\
                  out/sized.bin len: 5\n\
                  ls /: data/ moved/ out/\n\
                  ls out: log.txt sized.bin upper-link.txt upper-sym@ upper.txt\n";
    assert_result(&result, Outcome::Exited(0), stdout, "");
    // Hard links come back as copies; the removed file and directory are gone.
    let expected = tree(&[
        ("data", Entry::Dir),
        ("data/input.txt", file("hello, tree\n")),
        ("moved", Entry::Dir),
        ("moved/a", Entry::Dir),
        ("moved/a/b", Entry::Dir),
        ("moved/a/b/deep.txt", file("deep")),
        ("out", Entry::Dir),
        ("out/log.txt", file("one\ntwo\n")),
        ("out/sized.bin", Entry::File(vec![0; 5].into())),
        ("out/upper-link.txt", file("HELLO, TREE\n")),
        ("out/upper-sym", link("upper.txt")),
        ("out/upper.txt", file("HELLO, TREE\n")),
    ]);
    assert_eq!(result.files, expected);
}

/// A run's `files`, passed back as `files`, is the same tree: the next run sees it and, changing
/// nothing, hands it back unchanged.
#[test]
fn fs_tree_round_trip() {
    let first = run("fs_roundtrip", &roundtrip_seed());
    let options = RunOptions {
        files: Some(first.files.clone()),
        ..Default::default()
    };
    let second = run("fs_tree", &options);
    let stdout = "/data/\n/data/input.txt: \"hello, tree\\n\"\n/moved/\n/moved/a/\n/moved/a/b/\n\
                  /moved/a/b/deep.txt: \"deep\"\n/out/\n/out/log.txt: \"one\\ntwo\\n\"\n\
                  /out/sized.bin: \"\\0\\0\\0\\0\\0\"\n/out/upper-link.txt: \"HELLO, TREE\\n\"\n\
                  /out/upper-sym -> upper.txt\n/out/upper.txt: \"HELLO, TREE\\n\"\n";
    assert_result(&second, Outcome::Exited(0), stdout, "");
    assert_eq!(second.files, first.files);
    let rebuilt = Vfs::new(first.files.clone(), u64::MAX, 0).expect("exported trees re-seed");
    assert_eq!(rebuilt.export(), first.files);
}

/// `files: Some(vec![])` is an empty root; no `files` is no filesystem at all (no preopen).
#[test]
fn fs_tree_empty_root_and_none() {
    let result = run("fs_tree", &seeded(&[]));
    assert_result(&result, Outcome::Exited(0), "", "");
    assert_eq!(result.files, Vec::new());
    let result = run("fs_tree", &RunOptions::default());
    assert!(
        matches!(result.outcome, Outcome::Trapped { .. }),
        "{result:?}"
    );
    assert_eq!(result.files, Vec::new());
}

/// The tree is handed back however the run ends: after a trap, and after a limit.
#[test]
fn fs_tree_after_trap_and_limit() {
    let note = |text: &str| tree(&[("note.txt", file(text))]);
    let options = RunOptions {
        args: vec!["write-then-panic".into()],
        files: Some(Vec::new()),
        ..Default::default()
    };
    let result = run("fs_tree", &options);
    assert!(matches!(result.outcome, Outcome::Trapped { .. }));
    assert_eq!(result.files, note("written before the panic"));

    let options = RunOptions {
        args: vec!["write-then-spin".into()],
        files: Some(Vec::new()),
        limits: Limits {
            fuel: Some(5_000_000),
            ..Default::default()
        },
        ..Default::default()
    };
    let result = run("fs_tree", &options);
    assert_eq!(result.outcome, Outcome::FuelExhausted);
    assert_eq!(result.files, note("written before spinning"));
}

/// A run cancelled before it starts hands back the seeded tree, in export order.
#[test]
fn cancelled_run_returns_the_seed() {
    let options = seeded(&[("b", file("2")), ("a/x", file("1"))]);
    let cancel = Arc::new(AtomicBool::new(true));
    let result = program("fs_tree")
        .run_cancellable(&options, cancel)
        .expect("valid options");
    assert_eq!(result.outcome, Outcome::Cancelled);
    let expected = tree(&[("a", Entry::Dir), ("a/x", file("1")), ("b", file("2"))]);
    assert_eq!(result.files, expected);
}

#[test]
fn bad_files_are_invalid_options() {
    let cases = [
        (
            seeded(&[("/etc/passwd", file("x"))]),
            "files: seed path \"/etc/passwd\" is absolute; use a path relative to the root",
        ),
        (
            seeded(&[("a/../b", file("x"))]),
            "files: seed path \"a/../b\" has a \".\" or \"..\" component",
        ),
        (
            seeded(&[("a", file("x")), ("a/b", file("y"))]),
            "files: seed path \"a/b\" needs \"a\" to be a directory, but it is listed as a file or symlink",
        ),
        (
            RunOptions {
                files: Some(tree(&[("big", Entry::File(vec![0; 1000].into()))])),
                limits: Limits {
                    fs_bytes: Some(1000),
                    ..Default::default()
                },
                ..Default::default()
            },
            "files: seeded tree needs 1195 bytes but the filesystem limit is 1000 bytes",
        ),
    ];
    for (options, message) in cases {
        let error = program("fs_tree").run(&options).unwrap_err();
        assert_eq!(error.to_string(), message);
        assert!(matches!(
            error,
            SandboxError::InvalidOptions(InvalidOption::Files(_))
        ));
    }
}

#[test]
fn fs_bytes_default() {
    assert_eq!(DEFAULT_FS_BYTES, 64 << 20);
    assert_eq!(Limits::default().fs_bytes, Some(DEFAULT_FS_BYTES));
}

/// Filling the tree fails the write with `insufficient-space` and the run goes on. Each file
/// costs 128 + 64 + its name's length besides its bytes, so 10,000 bytes hold one 7-byte name
/// and 9,801 bytes of data: nine 1000-byte writes.
#[test]
fn fs_limits() {
    let options = RunOptions {
        files: Some(Vec::new()),
        limits: Limits {
            fs_bytes: Some(10_000),
            ..Default::default()
        },
        ..Default::default()
    };
    let result = run("fs_limits", &options);
    let stdout = "raw stream: wrote 9000 bytes, then error code Some(ErrorCode { code: 23, \
                  name: \"insufficient-space\", message: \"No space left on device, similar to \
                  `ENOSPC` in POSIX.\" })\n\
                  raw stream after the error: closed = Some(true)\n\
                  raw write at 9000: Err(\"insufficient-space\")\n\
                  raw write of 1 byte: Ok(1)\n\
                  std: wrote 9000 bytes, then: Uncategorized (errno Some(29))\n\
                  big.bin is 9000 bytes\n\
                  set_len 1 TiB: StorageFull (errno Some(51))\n\
                  created 4 directories, then: StorageFull (errno Some(51))\n\
                  after removing big.bin, another.txt: written\n";
    assert_result(&result, Outcome::Exited(0), stdout, "");
    let mut expected = tree(&[("another.txt", Entry::File(vec![1; 5000].into()))]);
    expected.extend((0..4).map(|i| (format!("d{i}"), Entry::Dir)));
    assert_eq!(result.files, expected);
}

/// Nothing outside the tree is reachable: not by `..`, absolute paths, absolute symlinks or
/// symlinks that climb; inside it, `..` works. The same guest built for wasm32-wasip2 and for
/// wasm32-wasip1 meets the same walls; only the symlink error is spelled each layer's way.
#[test]
fn fs_escape() {
    let seed = tree(&[
        ("inside.txt", file("inside")),
        ("abs-link", link("/etc/hostname")),
        ("up-link", link("../etc/hostname")),
        ("sub/up-link", link("../../etc/hostname")),
        ("sub/inside-link", link("../inside.txt")),
    ]);
    let options = RunOptions {
        files: Some(seed.clone()),
        ..Default::default()
    };
    let mut expected = Vfs::new(seed, u64::MAX, 0).unwrap().export();
    expected.push(("sub/climb".into(), link("../../../etc/hostname")));
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    for (guest, symlink_error) in [("fs_escape", "not-permitted"), ("p1/fs_escape", "errno 63")] {
        let result = run(guest, &options);
        let denied = "PermissionDenied (errno Some(63))";
        let stdout = format!(
            "../../etc/passwd: {denied}\n\
             /etc/passwd: NotFound (errno Some(44))\n\
             /../etc/passwd: {denied}\n\
             abs-link: {denied}\n\
             up-link: {denied}\n\
             sub/up-link: {denied}\n\
             sub/inside-link: read \"inside\"\n\
             ls ..: {denied}\n\
             preopen: \"/\"\n\
             symlink to /etc/hostname: Err(\"{symlink_error}\")\n\
             sub/climb: {denied}\n\
             write ../outside.txt: {denied}\n\
             cd sub; ../inside.txt: read \"inside\"\n\
             cd sub; ../../etc/passwd: {denied}\n"
        );
        assert_result(&result, Outcome::Exited(0), &stdout, "");
        assert_eq!(result.files, expected, "{guest}");
    }
}

/// Seeded files carry the start time; changes are stamped with the virtual wall clock, which
/// each change reads once (moving it 1 µs); `set-times` sets exact nanoseconds.
#[test]
fn fs_times() {
    let result = run("fs_times", &seeded(&[("seeded.txt", file("s"))]));
    let stdout = "seeded: atime 1257894000.000000000 mtime 1257894000.000000000 ctime 1257894000.000000000\n\
                  now: 1257894000000000000\n\
                  created: atime 1257894000.000001000 mtime 1257894000.000002000 ctime 1257894000.000002000\n\
                  rewritten after 2 s: atime 1257894000.000001000 mtime 1257894002.000004000 ctime 1257894002.000004000\n\
                  set_times: atime 1000000000.123456789 mtime 1000000001.123456789 ctime 1257894002.000005000\n\
                  modified(): 1000000001123456789\n\
                  now: 1257894002000006000\n";
    assert_result(&result, Outcome::Exited(0), stdout, "");
    assert_eq!(result.virtual_time_ns, 2_000_007_000);
}

/// Descriptor-level checks and error codes, as wasmtime-wasi gives them on Linux (except
/// `mutate-directory`, reported on every directory the tree may be changed through).
#[test]
fn fs_descriptors() {
    let options = seeded(&[
        ("abc.txt", file("abc")),
        ("d/x", file("x")),
        ("link", link("abc.txt")),
    ]);
    let result = run("fs_descriptors", &options);
    let stdout = r#"root flags: Ok(DescriptorFlags(READ | MUTATE_DIRECTORY))
root type: Ok(DescriptorType::Directory)
read-only flags: Ok(DescriptorFlags(READ))
read-only read(2, 0): Ok(([97, 98], false))
read-only read(10, 0): Ok(([97, 98, 99], true))
read-only read(1, 5): Ok(([], true))
read-only write: Err("bad-descriptor")
read-only write-via-stream: Err("bad-descriptor")
read-only set-size: Err("invalid")
read-only read-directory: Err("not-directory")
write-only flags: Ok(DescriptorFlags(WRITE))
write-only read: Err("bad-descriptor")
write-only read-via-stream: Err("bad-descriptor")
write-only write: Ok(3)
create flags: Ok(DescriptorFlags(READ | WRITE))
sync flag: Err("unsupported")
directory|create: Err("invalid")
directory on a file: Err("not-directory")
write a directory: Err("is-directory")
nofollow symlink: Err("loop")
missing: Err("no-entry")
subdir flags: Ok(DescriptorFlags(READ | MUTATE_DIRECTORY))
subdir read-via-stream: Err("is-directory")
subdir write: Err("bad-descriptor")
subdir create-directory-at: Ok(())
subdir stat-at ..: Err("not-permitted")
root entries: abc.txt:DescriptorType::RegularFile d:DescriptorType::Directory link:DescriptorType::SymbolicLink new.txt:DescriptorType::RegularFile
stat-at link: Ok((DescriptorType::SymbolicLink, 7, 1))
stat-at link followed: Ok((DescriptorType::RegularFile, 3))
readlink-at file: Err("invalid")
link-at follow: Err("invalid")
link-at: Ok(())
hash abc.txt == hard: true, abc.txt == link: false
same object: root/root2 true, root/d false
set-times overflow: Err("overflow")
set-times carry: Ok(())
atime after carry: Ok(Some(Datetime { seconds: 3, nanoseconds: 500000000 }))
unlinked read: Ok(([115, 116, 105, 108, 108, 32, 104, 101, 114, 101], true))
unlinked stat: Ok((0, 10))
unlinked stat-at: Err("no-entry")
rename over a directory: Err("is-directory")
remove non-empty: Err("not-empty")
unlink a directory: Err("is-directory")
mkdir existing: Err("exist")
listing after its end: Ok(None)
listing while changing: b then d e
listing a removed directory: Ok(None)
"#;
    assert_result(&result, Outcome::Exited(0), stdout, "");
    let expected = tree(&[
        ("abc.txt", file("ABC")),
        ("d", Entry::Dir),
        ("d/made", Entry::Dir),
        ("d/x", file("x")),
        ("hard", file("ABC")),
        ("link", link("abc.txt")),
        ("new.txt", file("")),
    ]);
    assert_eq!(result.files, expected);
}
