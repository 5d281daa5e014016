//! Tries every way out of the tree it knows and prints how each one failed. Built for both
//! wasm32-wasip2 and wasm32-wasip1: std does the same on both, and the two things std cannot do
//! (name the preopen, create a symlink) go to each target's own WASI calls.
use std::fs;

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
    println!("preopen: {:?}", wasi::preopen());
    let made = wasi::symlink("/etc/hostname", "new-abs-link");
    println!("symlink to /etc/hostname: {made:?}");
    wasi::symlink("../../../etc/hostname", "sub/climb").unwrap();
    attempt("sub/climb", fs::read("sub/climb"));
    match fs::write("../outside.txt", b"x") {
        Ok(()) => println!("write ../outside.txt: written"),
        Err(e) => println!("write ../outside.txt: {:?} (errno {:?})", e.kind(), e.raw_os_error()),
    }
    std::env::set_current_dir("sub").unwrap();
    attempt("cd sub; ../inside.txt", fs::read("../inside.txt"));
    attempt("cd sub; ../../etc/passwd", fs::read("../../etc/passwd"));
}

/// The preopened root through `wasi:filesystem`; errors by WASI name.
#[cfg(target_env = "p2")]
mod wasi {
    use wasip2::filesystem::preopens::get_directories;
    use wasip2::filesystem::types::Descriptor;

    fn root() -> (Descriptor, String) {
        get_directories().into_iter().next().unwrap()
    }

    pub fn preopen() -> String {
        root().1
    }

    pub fn symlink(target: &str, path: &str) -> Result<(), String> {
        root().0.symlink_at(target, path).map_err(|e| e.name().to_owned())
    }
}

/// The preopened root (fd 3) through `wasi_snapshot_preview1`; errors by errno.
#[cfg(target_env = "p1")]
mod wasi {
    const ROOT: u32 = 3;

    #[link(wasm_import_module = "wasi_snapshot_preview1")]
    unsafe extern "C" {
        fn fd_prestat_get(fd: u32, prestat: *mut u32) -> u16;
        fn fd_prestat_dir_name(fd: u32, path: *mut u8, len: usize) -> u16;
        fn path_symlink(old: *const u8, old_len: usize, fd: u32, new: *const u8, new_len: usize) -> u16;
    }

    pub fn preopen() -> String {
        // A prestat is a tag (0: directory) and the name's length.
        let mut prestat = [0u32; 2];
        assert_eq!(unsafe { fd_prestat_get(ROOT, prestat.as_mut_ptr()) }, 0);
        let mut name = vec![0u8; prestat[1] as usize];
        assert_eq!(unsafe { fd_prestat_dir_name(ROOT, name.as_mut_ptr(), name.len()) }, 0);
        String::from_utf8(name).unwrap()
    }

    pub fn symlink(target: &str, path: &str) -> Result<(), String> {
        let errno = unsafe { path_symlink(target.as_ptr(), target.len(), ROOT, path.as_ptr(), path.len()) };
        if errno == 0 { Ok(()) } else { Err(format!("errno {errno}")) }
    }
}
