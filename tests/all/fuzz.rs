//! Property test over hostile bytes: random bytes and mutations of valid components go through
//! compile and, when they compile, a bounded run. Whatever the bytes, the engine returns an error
//! or a result: it never panics, hangs or crashes. `scripts/fuzz.sh` runs it for longer.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

use hermetic_wasi::sandbox::{Limits, Program, RunOptions};

use crate::guest_bytes;

/// Small guests whose mutations are worth running.
const SEEDS: [&str; 5] = ["hello", "echo", "exit_code", "panic", "spin"];

/// What a fuzzing session did.
#[derive(Debug, Default)]
struct Stats {
    inputs: u64,
    compiled: u64,
}

fn below(rng: &mut ChaCha8Rng, n: usize) -> usize {
    (rng.next_u64() % n.max(1) as u64) as usize
}

/// An input: random bytes (sometimes behind a wasm header) or a mutated valid component.
fn input(rng: &mut ChaCha8Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut bytes = match below(rng, 4) {
        0 => {
            let mut random = vec![0; below(rng, 4096)];
            rng.fill_bytes(&mut random);
            let headers: [&[u8]; 3] = [b"", b"\0asm\x01\0\0\0", b"\0asm\x0d\0\x01\0"];
            [headers[below(rng, 3)], &random].concat()
        }
        _ => seeds[below(rng, seeds.len())].clone(),
    };
    for _ in 0..1 + below(rng, 4) {
        let len = bytes.len();
        match below(rng, 4) {
            0 if len > 0 => bytes[below(rng, len)] = rng.next_u64() as u8,
            1 if len > 0 => bytes.truncate(below(rng, len)),
            2 => {
                let mut extra = vec![0; 1 + below(rng, 64)];
                rng.fill_bytes(&mut extra);
                let at = below(rng, len + 1);
                bytes.splice(at..at, extra);
            }
            _ if len > 1 => {
                let (a, b) = (below(rng, len), below(rng, len));
                let chunk = bytes[a.min(b)..a.max(b)].to_vec();
                let at = below(rng, len);
                bytes.splice(at..at, chunk);
            }
            _ => {}
        }
    }
    bytes
}

/// Feeds inputs from `seed` until `count` inputs or `budget` of time, whichever comes first.
/// Panics, with the input saved to a file, if the engine panics on one.
#[allow(clippy::disallowed_methods, reason = "the fuzzing budget is wall time")]
fn fuzz(seed: u64, count: u64, budget: Duration) -> Stats {
    let seeds: Vec<Vec<u8>> = SEEDS.iter().map(|name| guest_bytes(name)).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let options = RunOptions {
        stdin: b"fuzz".to_vec(),
        limits: Limits {
            timeout_ms: Some(1_000),
            memory_bytes: Some(64 << 20),
            output_bytes: Some(1 << 20),
            ..Limits::default()
        },
        ..RunOptions::default()
    };
    let started = Instant::now();
    let mut stats = Stats::default();
    while stats.inputs < count && started.elapsed() < budget {
        let bytes = input(&mut rng, &seeds);
        let outcome = catch_unwind(AssertUnwindSafe(|| match Program::new(bytes.as_slice()) {
            Ok(program) => program.run(&options).map(|_| true),
            Err(_) => Ok(false),
        }));
        match outcome {
            Ok(Ok(compiled)) => stats.compiled += u64::from(compiled),
            Ok(Err(error)) => panic!("valid options refused: {error}"),
            Err(_) => {
                let path = std::env::temp_dir()
                    .join(format!("hermetic-wasi-crash-{seed}-{}.wasm", stats.inputs));
                std::fs::write(&path, &bytes).unwrap();
                panic!(
                    "the engine panicked on input {} (saved to {})",
                    stats.inputs,
                    path.display()
                );
            }
        }
        stats.inputs += 1;
    }
    stats
}

#[test]
fn fuzz_smoke() {
    let stats = fuzz(1, 200, Duration::MAX);
    assert_eq!(stats.inputs, 200);
    assert!(stats.compiled > 0, "no mutated input compiled: {stats:?}");
}

/// `scripts/fuzz.sh` runs this with FUZZ_SECONDS and FUZZ_SEED set.
#[test]
#[ignore = "long-running; run through scripts/fuzz.sh"]
#[allow(clippy::disallowed_methods, reason = "reads the fuzzing budget")]
fn fuzz_for_a_while() {
    let number = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (seconds, seed) = (number("FUZZ_SECONDS", 60), number("FUZZ_SEED", 1));
    let stats = fuzz(seed, u64::MAX, Duration::from_secs(seconds));
    println!(
        "fuzz: {} inputs ({} compiled and ran) in {seconds} s from seed {seed}, 0 crashes",
        stats.inputs, stats.compiled
    );
}
