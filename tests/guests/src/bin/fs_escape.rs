//! Tries every way out of the tree it knows and prints how each one failed.
use std::fs;

use wasip2::filesystem::preopens::get_directories;

fn attempt(what: &str, result: std::io::Result<Vec<u8>>) {
    match result {
        Ok(bytes) => println!("{what}: read {:?}", String::from_utf8_lossy(&bytes)),
        Err(e) => println!("{what}: {:?} (errno {:?})", e.kind(), e.raw_os_error()),
    }
}

fn main() {
    attempt("../../etc/passwd", fs::read("../../etc/passwd"));
    attempt("/etc/passwd", fs::read("/etc/passwd"));
    attempt("/../etc/passwd", fs::read("/../etc/passwd"));
    attempt("abs-link", fs::read("abs-link"));
    attempt("up-link", fs::read("up-link"));
    attempt("sub/up-link", fs::read("sub/up-link"));
    attempt("sub/inside-link", fs::read("sub/inside-link"));
    match fs::read_dir("..") {
        Ok(entries) => println!("ls ..: {} entries", entries.count()),
        Err(e) => println!("ls ..: {:?} (errno {:?})", e.kind(), e.raw_os_error()),
    }
    let (root, name) = get_directories().into_iter().next().unwrap();
    println!("preopen: {name:?}");
    let made = root.symlink_at("/etc/hostname", "new-abs-link").map_err(|e| e.name());
    println!("symlink to /etc/hostname: {made:?}");
    root.symlink_at("../../../etc/hostname", "sub/climb").unwrap();
    attempt("sub/climb", fs::read("sub/climb"));
    match fs::write("../outside.txt", b"x") {
        Ok(()) => println!("write ../outside.txt: written"),
        Err(e) => println!("write ../outside.txt: {:?} (errno {:?})", e.kind(), e.raw_os_error()),
    }
    std::env::set_current_dir("sub").unwrap();
    attempt("cd sub; ../inside.txt", fs::read("../inside.txt"));
    attempt("cd sub; ../../etc/passwd", fs::read("../../etc/passwd"));
}
