//! Prints timestamps: the seeded file's, a new file's as it is written, and set explicitly.
use std::fs::{self, FileTimes};

use wasip2::filesystem::preopens::get_directories;
use wasip2::filesystem::types::{Datetime, PathFlags};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn ns(t: SystemTime) -> u128 {
    t.duration_since(UNIX_EPOCH).unwrap().as_nanos()
}

fn show(what: &str, path: &str) {
    let root = get_directories().into_iter().next().unwrap().0;
    let stat = root.stat_at(PathFlags::SYMLINK_FOLLOW, path).unwrap();
    let t = |d: Option<Datetime>| d.map(|d| format!("{}.{:09}", d.seconds, d.nanoseconds));
    println!(
        "{what}: atime {} mtime {} ctime {}",
        t(stat.data_access_timestamp).unwrap(),
        t(stat.data_modification_timestamp).unwrap(),
        t(stat.status_change_timestamp).unwrap(),
    );
}

fn main() {
    show("seeded", "seeded.txt");
    println!("now: {}", ns(SystemTime::now()));
    fs::write("new.txt", b"a").unwrap();
    show("created", "new.txt");
    std::thread::sleep(Duration::from_secs(2));
    fs::write("new.txt", b"bb").unwrap();
    show("rewritten after 2 s", "new.txt");
    let file = fs::File::options().write(true).open("new.txt").unwrap();
    let at = UNIX_EPOCH + Duration::new(1_000_000_000, 123_456_789);
    file.set_times(FileTimes::new().set_accessed(at).set_modified(at + Duration::from_secs(1)))
        .unwrap();
    show("set_times", "new.txt");
    let m = fs::metadata("new.txt").unwrap();
    println!("modified(): {}", ns(m.modified().unwrap()));
    println!("now: {}", ns(SystemTime::now()));
}
