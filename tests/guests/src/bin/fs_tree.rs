//! Prints the whole tree under `/`, depth first in name order. With `write-then-panic` or
//! `write-then-spin` it first writes `note.txt`, then prints nothing and panics or spins.
use std::fs;

fn walk(dir: &str) {
    let mut entries: Vec<_> = fs::read_dir(dir).unwrap().map(|e| e.unwrap()).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = format!("{dir}{}", entry.file_name().to_string_lossy());
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            println!("{path}/");
            walk(&format!("{path}/"));
        } else if kind.is_symlink() {
            println!("{path} -> {}", fs::read_link(&path).unwrap().display());
        } else {
            println!("{path}: {:?}", String::from_utf8_lossy(&fs::read(&path).unwrap()));
        }
    }
}

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("write-then-panic") => {
            fs::write("note.txt", "written before the panic").unwrap();
            panic!("on purpose");
        }
        Some("write-then-spin") => {
            fs::write("note.txt", "written before spinning").unwrap();
            #[allow(clippy::empty_loop)]
            loop {}
        }
        _ => walk("/"),
    }
}
