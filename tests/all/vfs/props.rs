//! A property test: thousands of random operations from a fixed-seed generator, checking after
//! each one that nothing panicked, a failed call changed nothing, the byte count equals a
//! recomputation from the public API, every link count equals the entries naming the inode,
//! and that the same seed always produces the same tree.

use super::*;
use std::collections::BTreeMap;

/// splitmix64: tiny, deterministic, good enough to pick operations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    fn flag(&mut self) -> bool {
        self.below(2) == 0
    }
}

/// Paths over a small alphabet so operations collide often.
fn path(rng: &mut Rng) -> String {
    if rng.below(40) == 0 {
        return rng.pick(&["", "/a", "a\0", "/"]).to_string();
    }
    let depth = [1, 1, 1, 2, 2, 3][rng.below(6) as usize];
    let alphabet = ["a", "b", "c", "d", "l", "a", "b", "c", "l", "..", "."];
    let comps: Vec<&str> = (0..depth).map(|_| rng.pick(&alphabet)).collect();
    let slash = if rng.below(8) == 0 { "/" } else { "" };
    format!("{}{slash}", comps.join("/"))
}

fn time(rng: &mut Rng) -> SetTime {
    match rng.below(3) {
        0 => SetTime::NoChange,
        1 => SetTime::Now,
        _ => SetTime::At(rng.next()),
    }
}

/// Everything observable: the export, every reachable inode's stat by path, held inodes' stats.
type Snapshot = (
    Vec<(String, Entry)>,
    u64,
    Vec<(String, Stat)>,
    Vec<Result<Stat, FsError>>,
);

fn snapshot(vfs: &Vfs, held: &[Ino]) -> Snapshot {
    let mut stats = Vec::new();
    let mut pending = vec![(ROOT, String::new())];
    while let Some((dir, prefix)) = pending.pop() {
        for (name, ino, kind) in vfs.read_dir(dir).unwrap() {
            let p = format!("{prefix}/{name}");
            stats.push((p.clone(), vfs.stat(ino).unwrap()));
            if kind == Kind::Dir {
                pending.push((ino, p));
            }
        }
    }
    let held = held.iter().map(|&i| vfs.stat(i)).collect();
    (vfs.export(), vfs.used_bytes(), stats, held)
}

/// Recomputes used bytes and link counts from the public API alone.
fn check_accounting(vfs: &Vfs, held: &[Ino]) {
    let mut named: BTreeMap<Ino, u64> = BTreeMap::new();
    let mut subdirs: BTreeMap<Ino, u64> = BTreeMap::new();
    let mut used = 0;
    let mut pending = vec![(ROOT, String::new())];
    while let Some((dir, prefix)) = pending.pop() {
        for (name, ino, kind) in vfs.read_dir(dir).unwrap() {
            // Each entry is charged its full path, as exported.
            let path = format!("{prefix}{name}");
            used += DIRENT_OVERHEAD + path.len() as u64;
            *named.entry(ino).or_default() += 1;
            if kind == Kind::Dir {
                *subdirs.entry(dir).or_default() += 1;
                pending.push((ino, format!("{path}/")));
            }
        }
    }
    let root_nlink = 2 + subdirs.get(&ROOT).copied().unwrap_or(0);
    assert_eq!(
        vfs.stat(ROOT).unwrap().nlink,
        root_nlink,
        "the root is free and never unlinked"
    );
    let alive = held
        .iter()
        .copied()
        .filter(|&i| i != ROOT && vfs.stat(i).is_ok());
    let inodes: std::collections::BTreeSet<Ino> = named.keys().copied().chain(alive).collect();
    for &ino in &inodes {
        let st = vfs.stat(ino).unwrap();
        let links = named.get(&ino).copied().unwrap_or(0);
        // The payload is charged once per name (a hard link costs its copy in the export).
        used += INODE_OVERHEAD + st.size * links.max(1);
        let expected = match (st.kind, links) {
            (Kind::Dir, 0) => 0,
            (Kind::Dir, _) => 2 + subdirs.get(&ino).copied().unwrap_or(0),
            _ => links,
        };
        assert_eq!(st.nlink, expected, "nlink of {ino}");
    }
    assert_eq!(vfs.used_bytes(), used, "used bytes");
}

/// Runs one random operation; returns whether it failed.
fn step(vfs: &mut Vfs, rng: &mut Rng, held: &mut Vec<Ino>, now: u64) -> bool {
    let dirs: Vec<Ino> = std::iter::once(ROOT).chain(held.iter().copied()).collect();
    // Mostly the root, sometimes a held inode (which may be a file or a removed directory).
    let dir = if rng.below(3) == 0 {
        dirs[rng.below(dirs.len() as u64) as usize]
    } else {
        ROOT
    };
    let (p, q) = (path(rng), path(rng));
    let follow = rng.flag();
    let target = || vfs.resolve(dir, &p, follow);
    match rng.below(16) {
        0 | 1 => {
            let opts = OpenOptions {
                create: rng.below(4) != 0,
                exclusive: rng.below(4) == 0,
                truncate: rng.below(4) == 0,
                directory: rng.below(6) == 0,
            };
            vfs.open_at(dir, &p, follow, opts, now).is_err()
        }
        2 | 3 => match target() {
            Ok(ino) => {
                let bytes = vec![rng.below(256) as u8; rng.below(40) as usize];
                vfs.write(ino, rng.below(64), &bytes, now).is_err()
            }
            Err(_) => true,
        },
        4 => match target() {
            Ok(ino) => {
                let size = [rng.below(128), 1 << 62, u64::MAX][rng.below(3) as usize];
                vfs.set_size(ino, size, now).is_err()
            }
            Err(_) => true,
        },
        5 => vfs.create_dir_at(dir, &p, now).is_err(),
        6 => vfs.remove_dir_at(dir, &p, now).is_err(),
        7 => vfs.unlink_file_at(dir, &p, now).is_err(),
        8 | 9 => {
            let dir2 = dirs[rng.below(dirs.len() as u64) as usize];
            vfs.rename_at(dir, &p, dir2, &q, now).is_err()
        }
        10 => {
            // Hard links mostly get fresh names, so they succeed often enough to matter.
            let fresh = rng.pick(&["h", "i", "b/h", "b/c/h", "h/", &q]);
            vfs.link_at(dir, &p, follow, ROOT, fresh, now).is_err()
        }
        11 => vfs.symlink_at(dir, &q, &p, now).is_err(),
        12 => match target() {
            Ok(ino) if held.len() < 6 => {
                vfs.retain(ino).unwrap();
                held.push(ino);
                false
            }
            _ => true,
        },
        13 if !held.is_empty() => {
            let ino = held.swap_remove(rng.below(held.len() as u64) as usize);
            vfs.release(ino).unwrap();
            false
        }
        14 => {
            let (a, m) = (time(rng), time(rng));
            vfs.set_times_at(dir, &p, follow, a, m, now).is_err()
        }
        _ => match target() {
            Ok(ino) => vfs.read(ino, rng.below(64), rng.below(64)).is_err(),
            Err(_) => true,
        },
    }
}

/// Runs `ops` random operations from `seed`; returns the final snapshot.
fn run(seed: u64, ops: u64) -> (Snapshot, Vec<(u64, u64)>) {
    run_on(seed, ops, false)
}

/// What the read-only mount at `l` (and at `b/c/m`, under a seeded directory) holds.
fn mounted() -> Vec<(String, Entry)> {
    [
        ("x", file("mounted")),
        ("y", Entry::Dir),
        ("y/z", file("zz")),
        ("s", link("x")),
    ]
    .into_iter()
    .map(|(p, e)| (p.to_string(), e))
    .collect()
}

/// The contents of the mount at `at`, read back through the tree.
fn mount_contents(vfs: &Vfs, at: &str) -> Vec<(String, Vec<u8>)> {
    ["x", "y/z", "s"]
        .iter()
        .map(|p| {
            let ino = vfs
                .resolve(ROOT, &format!("{at}/{p}"), true)
                .expect("mounted");
            (p.to_string(), vfs.read(ino, 0, 100).expect("readable"))
        })
        .collect()
}

/// [`run`], with read-only mounts at `l` and `b/c/m` when `with_mounts`: random operations
/// never change them, and every counter stays exact.
fn run_on(seed: u64, ops: u64, with_mounts: bool) -> (Snapshot, Vec<(u64, u64)>) {
    let mut rng = Rng(seed);
    let seeded = [
        ("a", file("seed")),
        ("b/a", file("")),
        ("b/c", Entry::Dir),
        ("c", file("c")),
    ];
    let seeded = seeded
        .into_iter()
        .map(|(p, e)| (p.to_string(), e))
        .collect();
    let mut vfs = Vfs::new(seeded, 6_000, T0).unwrap();
    let charged = vfs.used_bytes();
    let expected_mount = if with_mounts {
        vfs.mount("l", &mounted(), T0).unwrap();
        vfs.mount("b/c/m", &mounted(), T0).unwrap();
        assert_eq!(vfs.used_bytes(), charged, "mounts are not charged");
        vfs.check_invariants().unwrap();
        Some(mount_contents(&vfs, "l"))
    } else {
        None
    };
    let mut held = Vec::new();
    let mut failures = 0;
    for i in 0..ops {
        let before = snapshot(&vfs, &held);
        let held_before = held.clone();
        if step(&mut vfs, &mut rng, &mut held, T0 + i) && held == held_before {
            failures += 1;
            assert_eq!(
                snapshot(&vfs, &held),
                before,
                "seed {seed} op {i}: a failure changed state"
            );
        }
        vfs.check_invariants()
            .unwrap_or_else(|e| panic!("seed {seed} op {i}: {e}"));
        match &expected_mount {
            Some(contents) => {
                assert_eq!(&mount_contents(&vfs, "l"), contents, "seed {seed} op {i}");
                assert_eq!(
                    &mount_contents(&vfs, "b/c/m"),
                    contents,
                    "seed {seed} op {i}"
                );
            }
            None => check_accounting(&vfs, &held),
        }
        assert!(vfs.used_bytes() <= vfs.limit_bytes());
    }
    assert!(
        failures > ops / 10 && failures < ops * 9 / 10,
        "a useful mix: {failures}"
    );
    while let Some(ino) = held.pop() {
        vfs.release(ino).unwrap();
        vfs.check_invariants().unwrap();
        if expected_mount.is_none() {
            check_accounting(&vfs, &held);
        }
    }
    let hashes = snapshot(&vfs, &[])
        .2
        .iter()
        .map(|(_, st)| vfs.metadata_hash(st.ino).unwrap())
        .collect();
    (snapshot(&vfs, &[]), hashes)
}

#[test]
fn random_operations_keep_every_invariant() {
    for seed in 1..=4 {
        run(seed, 2_500);
    }
}

#[test]
fn random_operations_never_change_a_mount() {
    for seed in 1..=4 {
        let (snapshot, _) = run_on(seed, 2_500, true);
        let exported = &snapshot.0;
        assert!(
            exported
                .iter()
                .all(|(p, _)| p != "l" && !p.starts_with("l/") && !p.starts_with("b/c/m")),
            "mounts are not exported: {exported:?}"
        );
    }
}

#[test]
fn the_same_seed_builds_the_same_tree() {
    let first = run(99, 1_500);
    assert_eq!(run(99, 1_500), first);
    assert!(!first.0.0.is_empty(), "the run built something");
    assert_ne!(run(100, 1_500).0, first.0);
}
