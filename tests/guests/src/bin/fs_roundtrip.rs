//! Reads a seeded file, writes and appends outputs, creates, renames and lists directories,
//! links and unlinks, printing every step.
use std::fs;
use std::io::Write;

use wasip2::filesystem::preopens::get_directories;
use wasip2::filesystem::types::{Descriptor, PathFlags};

/// The preopened root, for what std does not offer (symlinks, link counts).
fn root() -> Descriptor {
    get_directories().into_iter().next().unwrap().0
}

fn list(dir: &str) {
    let names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let kind = e.file_type().unwrap();
            let tag = if kind.is_dir() { "/" } else if kind.is_symlink() { "@" } else { "" };
            format!("{}{tag}", e.file_name().to_string_lossy())
        })
        .collect();
    println!("ls {dir}: {}", names.join(" "));
}

fn main() {
    let input = fs::read_to_string("data/input.txt").unwrap();
    println!("read data/input.txt: {:?}", input);
    list("/");
    fs::create_dir("out").unwrap();
    fs::write("/out/upper.txt", input.to_uppercase()).unwrap();
    println!("wrote out/upper.txt");
    let mut log = fs::OpenOptions::new().append(true).create(true).open("out/log.txt").unwrap();
    log.write_all(b"one\n").unwrap();
    drop(log);
    let mut log = fs::OpenOptions::new().append(true).open("out/log.txt").unwrap();
    log.write_all(b"two\n").unwrap();
    drop(log);
    println!("appended out/log.txt: {:?}", fs::read_to_string("out/log.txt").unwrap());
    fs::create_dir_all("tmp/a/b").unwrap();
    fs::write("tmp/a/b/deep.txt", b"deep").unwrap();
    fs::rename("tmp", "moved").unwrap();
    println!("renamed tmp -> moved: tmp exists: {}", fs::exists("tmp").unwrap());
    list("moved/a/b");
    fs::hard_link("out/upper.txt", "out/upper-link.txt").unwrap();
    root().symlink_at("upper.txt", "out/upper-sym").unwrap();
    println!("readlink out/upper-sym: {:?}", fs::read_link("out/upper-sym").unwrap());
    println!("via symlink: {:?}", fs::read_to_string("out/upper-sym").unwrap());
    let stat = root().stat_at(PathFlags::empty(), "out/upper.txt").unwrap();
    println!("out/upper.txt link count: {}", stat.link_count);
    fs::remove_file("data/remove-me.txt").unwrap();
    fs::remove_dir("data/empty").unwrap();
    match fs::remove_dir("moved") {
        Ok(()) => println!("remove_dir moved: ok"),
        Err(e) => println!("remove_dir moved: {:?} (errno {:?})", e.kind(), e.raw_os_error()),
    }
    let f = fs::File::create("out/sized.bin").unwrap();
    f.set_len(5).unwrap();
    println!("out/sized.bin len: {}", f.metadata().unwrap().len());
    list("/");
    list("out");
}
