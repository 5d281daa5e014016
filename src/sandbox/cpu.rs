//! The one CPU feature set guest code is compiled for, so that compiled code, and with it every
//! frame's size, is the same on every x86-64 machine.
//!
//! Left to itself, Cranelift uses every feature the host CPU has (AVX, FMA, BMI...). Results do
//! not change with them, but frame sizes do: the recursive function of the C guest
//! `tests/guests/c/recursion.c` had a 0x40-byte frame with BMI and 0x50 without, so it
//! overflowed the fixed wasm stack at 13,089 levels on one CPU and 10,907 on another. Here every
//! x86-64 host that has the x86-64-v2 level (Nehalem, 2008, and every x86-64 CPU since) compiles
//! for exactly that level and nothing above it. Measured, the features left out cost nothing:
//! the CPU-bound benchmark even ran faster without them (BENCHMARKS.md).
//!
//! A host below that level (a Core 2 or older) keeps Cranelift's own detection: its code is
//! still correct and computes the same values, but its frames may differ in size. Other
//! architectures (aarch64) also keep the detected features; their frames differ from x86-64's
//! in any case.

use wasmtime::Config;

/// The x86-64-v2 features, enabled; every feature above them, disabled.
#[cfg(target_arch = "x86_64")]
const X86_64_V2: &[(&str, bool)] = &[
    ("has_sse3", true),
    ("has_ssse3", true),
    ("has_cmpxchg16b", true),
    ("has_sse41", true),
    ("has_sse42", true),
    ("has_popcnt", true),
    ("has_avx", false),
    ("has_avx2", false),
    ("has_fma", false),
    ("has_avx_vnni", false),
    ("has_avx512bitalg", false),
    ("has_avx512dq", false),
    ("has_avx512vl", false),
    ("has_avx512vbmi", false),
    ("has_avx512f", false),
    ("has_avx512vnni", false),
    ("has_bmi1", false),
    ("has_bmi2", false),
    ("has_lzcnt", false),
];

/// Whether this host runs code compiled for [`X86_64_V2`].
#[cfg(target_arch = "x86_64")]
fn host_has_baseline() -> bool {
    std::is_x86_feature_detected!("sse3")
        && std::is_x86_feature_detected!("ssse3")
        && std::is_x86_feature_detected!("cmpxchg16b")
        && std::is_x86_feature_detected!("sse4.1")
        && std::is_x86_feature_detected!("sse4.2")
        && std::is_x86_feature_detected!("popcnt")
}

/// Has `config` compile for the fixed feature set, where the host has it.
pub fn fix_features(config: &mut Config) {
    #[cfg(target_arch = "x86_64")]
    if host_has_baseline() {
        for (flag, enabled) in X86_64_V2 {
            // SAFETY: every feature enabled here was detected on this host just above, and
            // disabling a feature only makes Cranelift use plainer instructions.
            unsafe {
                config.cranelift_flag_set(flag, if *enabled { "true" } else { "false" });
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = config;
}
