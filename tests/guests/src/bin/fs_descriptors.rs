//! Descriptor-level semantics through `wasi:filesystem` directly: flags, open modes, the error
//! code of each misuse, directory listings, identity, and files unlinked while open.
use wasip2::filesystem::preopens::get_directories;
use wasip2::filesystem::types::{
    Datetime, Descriptor, DescriptorFlags, ErrorCode, NewTimestamp, OpenFlags, PathFlags,
};

/// Prints `label: value`, with error codes by name.
fn show<T: std::fmt::Debug>(label: &str, result: Result<T, ErrorCode>) {
    println!("{label}: {:?}", result.map_err(|e| e.name()));
}

fn open(dir: &Descriptor, path: &str, o: OpenFlags, f: DescriptorFlags) -> Result<Descriptor, ErrorCode> {
    dir.open_at(PathFlags::empty(), path, o, f)
}

fn main() {
    let root = get_directories().into_iter().next().unwrap().0;
    let none = OpenFlags::empty();
    let (read, write) = (DescriptorFlags::READ, DescriptorFlags::WRITE);
    show("root flags", root.get_flags());
    show("root type", root.get_type());

    let ro = open(&root, "abc.txt", none, read).unwrap();
    show("read-only flags", ro.get_flags());
    show("read-only read(2, 0)", ro.read(2, 0));
    show("read-only read(10, 0)", ro.read(10, 0));
    show("read-only read(1, 5)", ro.read(1, 5));
    show("read-only write", ro.write(b"x", 0));
    show("read-only write-via-stream", ro.write_via_stream(0).map(|_| ()));
    show("read-only set-size", ro.set_size(0));
    show("read-only read-directory", ro.read_directory().map(|_| ()));

    let wo = open(&root, "abc.txt", none, write).unwrap();
    show("write-only flags", wo.get_flags());
    show("write-only read", wo.read(1, 0));
    show("write-only read-via-stream", wo.read_via_stream(0).map(|_| ()));
    show("write-only write", wo.write(b"ABC", 0));
    show("create flags", open(&root, "new.txt", OpenFlags::CREATE, DescriptorFlags::empty()).and_then(|d| d.get_flags()));

    show("sync flag", open(&root, "abc.txt", none, read | DescriptorFlags::FILE_INTEGRITY_SYNC).map(|_| ()));
    show("directory|create", open(&root, "d", OpenFlags::DIRECTORY | OpenFlags::CREATE, read).map(|_| ()));
    show("directory on a file", open(&root, "abc.txt", OpenFlags::DIRECTORY, read).map(|_| ()));
    show("write a directory", open(&root, "d", none, write).map(|_| ()));
    show("nofollow symlink", open(&root, "link", none, read).map(|_| ()));
    show("missing", open(&root, "missing", none, read).map(|_| ()));

    let d = open(&root, "d", OpenFlags::DIRECTORY, read).unwrap();
    show("subdir flags", d.get_flags());
    show("subdir read-via-stream", d.read_via_stream(0).map(|_| ()));
    show("subdir write", d.write(b"x", 0));
    show("subdir create-directory-at", d.create_directory_at("made"));
    show("subdir stat-at ..", d.stat_at(PathFlags::empty(), "..").map(|s| s.type_));

    let entries = root.read_directory().unwrap();
    let mut names = Vec::new();
    while let Some(entry) = entries.read_directory_entry().unwrap() {
        names.push(format!("{}:{:?}", entry.name, entry.type_));
    }
    println!("root entries: {}", names.join(" "));

    show("stat-at link", root.stat_at(PathFlags::empty(), "link").map(|s| (s.type_, s.size, s.link_count)));
    show("stat-at link followed", root.stat_at(PathFlags::SYMLINK_FOLLOW, "link").map(|s| (s.type_, s.size)));
    show("readlink-at file", root.readlink_at("abc.txt"));
    show("link-at follow", root.link_at(PathFlags::SYMLINK_FOLLOW, "abc.txt", &root, "hard"));
    show("link-at", root.link_at(PathFlags::empty(), "abc.txt", &root, "hard"));
    let same = |a: &str, b: &str| {
        let hash = |p: &str| root.metadata_hash_at(PathFlags::empty(), p).map(|h| (h.lower, h.upper));
        hash(a).unwrap() == hash(b).unwrap()
    };
    println!("hash abc.txt == hard: {}, abc.txt == link: {}", same("abc.txt", "hard"), same("abc.txt", "link"));
    let root2 = get_directories().into_iter().next().unwrap().0;
    println!("same object: root/root2 {}, root/d {}", root.is_same_object(&root2), root.is_same_object(&d));

    let big = NewTimestamp::Timestamp(Datetime { seconds: u64::MAX, nanoseconds: 0 });
    show("set-times overflow", root.set_times_at(PathFlags::empty(), "abc.txt", big, NewTimestamp::NoChange));
    let carry = NewTimestamp::Timestamp(Datetime { seconds: 1, nanoseconds: 2_500_000_000 });
    show("set-times carry", root.set_times_at(PathFlags::empty(), "abc.txt", carry, NewTimestamp::NoChange));
    show("atime after carry", root.stat_at(PathFlags::empty(), "abc.txt").map(|s| s.data_access_timestamp));

    let kept = open(&root, "doomed.txt", OpenFlags::CREATE, read | write).unwrap();
    kept.write(b"still here", 0).unwrap();
    root.unlink_file_at("doomed.txt").unwrap();
    show("unlinked read", kept.read(100, 0));
    show("unlinked stat", kept.stat().map(|s| (s.link_count, s.size)));
    show("unlinked stat-at", root.stat_at(PathFlags::empty(), "doomed.txt").map(|_| ()));
    show("rename over a directory", root.rename_at("abc.txt", &root, "d"));
    show("remove non-empty", root.remove_directory_at("d"));
    show("unlink a directory", root.unlink_file_at("d"));
    show("mkdir existing", root.create_directory_at("d"));

    // A listing resumes after the last name it returned: of the entries changed while it is
    // read, it sees those that sort after that name and still exist.
    root.create_directory_at("walk").unwrap();
    let walk = open(&root, "walk", OpenFlags::DIRECTORY, read).unwrap();
    for name in ["b", "c", "e"] {
        open(&walk, name, OpenFlags::CREATE, write).unwrap();
    }
    let entries = walk.read_directory().unwrap();
    let unread = walk.read_directory().unwrap();
    let first = entries.read_directory_entry().unwrap().unwrap().name;
    walk.create_directory_at("a").unwrap();
    walk.create_directory_at("d").unwrap();
    walk.unlink_file_at("c").unwrap();
    drop(walk);
    let mut rest = Vec::new();
    while let Some(entry) = entries.read_directory_entry().unwrap() {
        rest.push(entry.name);
    }
    show("listing after its end", entries.read_directory_entry());
    println!("listing while changing: {first} then {}", rest.join(" "));
    for name in ["a", "d"] {
        root.remove_directory_at(&format!("walk/{name}")).unwrap();
    }
    for name in ["b", "e"] {
        root.unlink_file_at(&format!("walk/{name}")).unwrap();
    }
    root.remove_directory_at("walk").unwrap();
    show("listing a removed directory", unread.read_directory_entry());
}
