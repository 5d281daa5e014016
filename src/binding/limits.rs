//! `options.limits`: the bounds of one run, from JS numbers (or bigints, or `Infinity`) into
//! the engine's [`config::Limits`], with the result-sized limits held to what a Buffer holds.

use napi::ValueType;
use napi::bindgen_prelude::{FromNapiValue, JsValue, Unknown};
use napi_derive::napi;

use super::error::{JsResult, invalid_options};
use super::js::{describe, present, u64_value};
use crate::sandbox::config;

/// The bounds of one run. A limit given as `Infinity` is lifted.
#[napi(object, object_to_js = false)]
pub struct RunLimits<'a> {
    /// Deterministic instruction budget (wasmtime fuel) -> outcome `'fuelExhausted'`. Setting it
    /// meters the run (slower code) and reports `fuelConsumed`.
    /// @default Infinity (not metered)
    #[napi(ts_type = "number | bigint")]
    pub fuel: Option<Unknown<'a>>,
    /// Wall-clock budget of the call in milliseconds -> `'timeout'`. Fires inside a guest that
    /// never calls the host. Virtual sleeps cost no wall time. Compiling counts: a call that
    /// compiles its bytes first spends the same budget on compiling and running, so it returns
    /// within `timeoutMs` whatever the bytes.
    /// @default 10000
    #[napi(ts_type = "number")]
    pub timeout_ms: Option<Unknown<'a>>,
    /// Linear memories plus tables of the instance, in bytes -> `'memoryExceeded'`, at the first
    /// growth that would pass it.
    /// @default 268435456 (256 MiB)
    #[napi(ts_type = "number")]
    pub memory_bytes: Option<Unknown<'a>>,
    /// stdout and stderr together, in bytes -> `'outputExceeded'`; the output is cut at exactly
    /// this size. At most 4294967296 (what a Buffer holds); `Infinity` means that much.
    /// @default 16777216 (16 MiB)
    #[napi(ts_type = "number")]
    pub output_bytes: Option<Unknown<'a>>,
    /// How far the virtual clock may move, in milliseconds -> `'virtualTimeExceeded'`.
    /// @default 3600000 (1 hour)
    #[napi(ts_type = "number")]
    pub virtual_time_ms: Option<Unknown<'a>>,
    /// The in-memory filesystem, in bytes: file and symlink contents (once per name: a hard link
    /// costs a copy) plus 128 bytes per file,
    /// directory or link and 64 bytes plus the name per directory entry; the seeded `files`
    /// count. Reaching it does not end the run: the write or create that would pass it fails
    /// with the WASI error `insufficient-space` (ENOSPC) and changes nothing. At most 4294967296
    /// (what a Buffer holds); `Infinity` means that much.
    /// @default 67108864 (64 MiB)
    #[napi(ts_type = "number")]
    pub fs_bytes: Option<Unknown<'a>>,
}

/// The names `options.limits` takes; any other key is `ERR_INVALID_OPTIONS`.
pub const LIMIT_NAMES: [&str; 6] = [
    "fuel",
    "timeoutMs",
    "memoryBytes",
    "outputBytes",
    "virtualTimeMs",
    "fsBytes",
];

/// `options.limits` over the defaults in `out`; each limit given replaces its default.
pub(super) fn run_limits(value: &Unknown<'_>, mut out: config::Limits) -> JsResult<config::Limits> {
    const WHAT: &str = "options.limits";
    if value.get_type().ok() != Some(ValueType::Object) || value.is_array().unwrap_or(false) {
        return Err(invalid_options(format!(
            "{WHAT} must be an object, got {}",
            describe(value)
        )));
    }
    // SAFETY: a live JS object of this call; every field converts from any value.
    let raw = unsafe { RunLimits::from_napi_value(value.value().env, value.raw()) }
        .map_err(|e| invalid_options(format!("{WHAT} could not be read: {}", e.reason)))?;
    let fields = [
        (raw.fuel, "fuel", &mut out.fuel, 1),
        (raw.timeout_ms, "timeoutMs", &mut out.timeout_ms, 1),
        (raw.memory_bytes, "memoryBytes", &mut out.memory_bytes, 1),
        (raw.output_bytes, "outputBytes", &mut out.output_bytes, 1),
        (
            raw.virtual_time_ms,
            "virtualTimeMs",
            &mut out.virtual_time_ns,
            1_000_000,
        ),
        (raw.fs_bytes, "fsBytes", &mut out.fs_bytes, 1),
    ];
    for (value, name, slot, scale) in fields {
        if let Some(value) = present(value) {
            let what = format!("{WHAT}.{name}");
            *slot = limit(&value, &what)?.map(|n| n.saturating_mul(scale));
        }
    }
    for (slot, name) in [
        (&mut out.output_bytes, "outputBytes"),
        (&mut out.fs_bytes, "fsBytes"),
    ] {
        *slot = Some(within_a_buffer(*slot, name)?);
    }
    Ok(out)
}

/// The most bytes a Buffer of the result holds on every supported Node
/// (`buffer.constants.MAX_LENGTH` is 2^32 on Node 20).
const MAX_RESULT_BYTES: u64 = 1 << 32;

/// A limit on what the result returns in Buffers (stdout and stderr; each file), at most
/// [`MAX_RESULT_BYTES`], so the result can always be built; `Infinity` (`None`) is that much.
fn within_a_buffer(limit: Option<u64>, name: &str) -> JsResult<u64> {
    match limit {
        None => Ok(MAX_RESULT_BYTES),
        Some(bytes) if bytes <= MAX_RESULT_BYTES => Ok(bytes),
        Some(_) => Err(invalid_options(format!(
            "options.limits.{name} must be at most {MAX_RESULT_BYTES} (what a Buffer holds), \
             or Infinity for that much"
        ))),
    }
}

/// A limit: a non-negative integer, or `Infinity` for none.
pub(super) fn limit(value: &Unknown<'_>, what: &str) -> JsResult<Option<u64>> {
    if value.get_type().ok() == Some(ValueType::Number) {
        let n = unsafe { value.cast::<f64>() }.map_err(|e| invalid_options(e.reason))?;
        if n == f64::INFINITY {
            return Ok(None);
        }
    }
    u64_value(value, what, u64::MAX)
        .map(Some)
        .map_err(|_| invalid_options(format!("{what} must be a non-negative integer or Infinity")))
}
