//! wasi:random: one seeded ChaCha20 stream shared by all three interfaces.

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

use hermetic_wasi::sandbox::{Outcome, RunOptions};

use crate::run;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the `random` guest must print for `seed`, computed independently of the sandbox.
fn expected(seed: u64) -> String {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let mut bytes = |n: usize| {
        let mut buf = vec![0; n];
        rng.fill_bytes(&mut buf);
        hex(&buf)
    };
    let (a, b) = (bytes(16), bytes(16));
    let u = rng.next_u64();
    let mut insecure = [0; 8];
    rng.fill_bytes(&mut insecure);
    let insecure_u = rng.next_u64();
    let seed = (rng.next_u64(), rng.next_u64());
    format!(
        "bytes {a}\nbytes {b}\nu64 {u}\ninsecure {}\ninsecure u64 {insecure_u}\nseed {seed:?}\n",
        hex(&insecure)
    )
}

#[test]
fn random() {
    for seed in [0, 1, u64::MAX] {
        let result = run(
            "random",
            &RunOptions {
                seed,
                ..Default::default()
            },
        );
        assert_eq!(result.outcome, Outcome::Exited(0));
        assert_eq!(
            String::from_utf8_lossy(&result.stdout),
            expected(seed),
            "seed {seed}"
        );
    }
}

#[test]
fn random_differs_by_seed_and_by_call() {
    let a = run(
        "random",
        &RunOptions {
            seed: 1,
            ..Default::default()
        },
    );
    let b = run(
        "random",
        &RunOptions {
            seed: 2,
            ..Default::default()
        },
    );
    assert_ne!(a.stdout, b.stdout);
    let stdout = String::from_utf8(a.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_ne!(lines[0], lines[1], "successive calls return the same bytes");
}
