//! Fills the filesystem twice, through `wasi:filesystem` directly and through std, and shows
//! that the run goes on after `insufficient-space`.
use std::fs;
use std::io::Write;

use wasip2::filesystem::preopens::get_directories;
use wasip2::filesystem::types::{filesystem_error_code, DescriptorFlags, OpenFlags, PathFlags};
use wasip2::io::streams::StreamError;

/// Writes 1000-byte chunks to a stream until it fails; prints what the host says.
fn raw() {
    let root = get_directories().into_iter().next().unwrap().0;
    let file = root
        .open_at(PathFlags::empty(), "raw.bin", OpenFlags::CREATE, DescriptorFlags::WRITE)
        .unwrap();
    let stream = file.write_via_stream(0).unwrap();
    let mut written = 0;
    let error = loop {
        match stream.blocking_write_and_flush(&[7; 1000]) {
            Ok(()) => written += 1000,
            Err(e) => break e,
        }
    };
    let code = match &error {
        StreamError::LastOperationFailed(e) => format!("{:?}", filesystem_error_code(e)),
        StreamError::Closed => "closed".to_owned(),
    };
    println!("raw stream: wrote {written} bytes, then error code {code}");
    let again = stream.check_write().map_err(|e| matches!(e, StreamError::Closed));
    println!("raw stream after the error: closed = {:?}", again.err());
    let at = file.write(&[7; 1000], written);
    println!("raw write at {written}: {:?}", at.map_err(|e| e.name()));
    println!("raw write of 1 byte: {:?}", file.write(&[7], written).map_err(|e| e.name()));
    drop(stream);
    drop(file);
    root.unlink_file_at("raw.bin").unwrap();
}

fn main() {
    raw();
    let mut file = fs::File::create("big.bin").unwrap();
    let chunk = [7u8; 1000];
    let mut written = 0;
    let error = loop {
        match file.write(&chunk) {
            Ok(n) => written += n,
            Err(e) => break e,
        }
    };
    // wasi-libc turns every failed stream write into EIO: it does not ask the host for the
    // filesystem error code.
    println!("std: wrote {written} bytes, then: {:?} (errno {:?})", error.kind(), error.raw_os_error());
    println!("big.bin is {} bytes", fs::metadata("big.bin").unwrap().len());
    match file.set_len(1 << 40) {
        Ok(()) => println!("set_len 1 TiB: ok"),
        Err(e) => println!("set_len 1 TiB: {:?} (errno {:?})", e.kind(), e.raw_os_error()),
    }
    let mut dirs = 0;
    let error = loop {
        match fs::create_dir(format!("d{dirs}")) {
            Ok(()) => dirs += 1,
            Err(e) => break e,
        }
    };
    println!("created {dirs} directories, then: {:?} (errno {:?})", error.kind(), error.raw_os_error());
    drop(file);
    fs::remove_file("big.bin").unwrap();
    fs::write("another.txt", [1u8; 5000]).unwrap();
    println!("after removing big.bin, another.txt: written");
}
