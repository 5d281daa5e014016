//! Works on the sandbox's filesystem through std: reads `in.txt`, writes `out/copy.txt` with its
//! contents upper-cased, renames `old` to `new` and a directory `tmp` to `moved`, lists `/`,
//! then tries to write `big` with the number of bytes in its first argument and reports what
//! happened.
use std::fs;

fn main() {
    let input = fs::read_to_string("/in.txt").unwrap();
    println!("read {input:?}");
    fs::create_dir("/out").unwrap();
    fs::write("/out/copy.txt", input.to_uppercase()).unwrap();
    fs::rename("/old", "/new").unwrap();
    fs::create_dir_all("/tmp/a").unwrap();
    fs::write("/tmp/a/f.txt", "moved with its directory").unwrap();
    fs::rename("/tmp", "/moved").unwrap();
    println!("moved/a/f.txt: {:?}", fs::read_to_string("/moved/a/f.txt").unwrap());
    let mut names: Vec<_> = fs::read_dir("/")
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    println!("ls / {names:?}");
    let meta = fs::metadata("/out/copy.txt").unwrap();
    println!("copy.txt: {} bytes, modified {:?}", meta.len(), meta.modified().unwrap());
    let big: usize = std::env::args().nth(1).unwrap().parse().unwrap();
    match fs::write("/big", vec![b'x'; big]) {
        Ok(()) => println!("wrote {big} bytes"),
        Err(e) => println!("writing {big} bytes failed: {e}"),
    }
    println!("still running");
}
