//! JS arguments into engine types, with a precise `ERR_INVALID_OPTIONS` message for every
//! malformed value. The typed [`RunOptions`] object exists for `index.d.ts`; its fields arrive
//! as raw values so that this module, not napi's generic conversion, words the errors.

use napi::bindgen_prelude::{
    BigInt, FromNapiValue, JsObjectValue, JsValue, KeyCollectionMode, KeyConversion, KeyFilter,
    Object, Uint8ArraySlice, Unknown,
};
use std::path::PathBuf;

use napi::{JsDate, ValueType};
use napi_derive::napi;

use super::error::{JsResult, invalid_options};
use super::files;
use super::limits;
use crate::sandbox::config;

/// The latest start time accepted: the largest time a JS `Date` can hold.
const MAX_START_TIME_MS: u64 = 8_640_000_000_000_000;

/// Options of one run. Every field is optional; the same options give the same result.
#[napi(object, object_to_js = false)]
pub struct RunOptions<'a> {
    /// Arguments after the program name (`argv[1..]`).
    /// @default []
    #[napi(ts_type = "string[]")]
    pub args: Option<Unknown<'a>>,
    /// `argv[0]`.
    /// @default "main"
    #[napi(ts_type = "string")]
    pub program_name: Option<Unknown<'a>>,
    /// Environment variables, in the object's key order. The host's environment is never visible.
    /// @default {}
    #[napi(ts_type = "Record<string, string>")]
    pub env: Option<Unknown<'a>>,
    /// Bytes on standard input (a string is UTF-8 encoded), followed by end-of-stream.
    /// @default empty
    #[napi(ts_type = "string | Uint8Array")]
    pub stdin: Option<Unknown<'a>>,
    /// Seed of the random stream behind every `wasi:random` interface: an integer in
    /// [0, 2^64). Same seed, same bytes.
    /// @default 0
    #[napi(ts_type = "number | bigint")]
    pub seed: Option<Unknown<'a>>,
    /// Wall-clock time at the start of the run, as a `Date` or milliseconds since the Unix epoch
    /// (an integer, not before 1970).
    /// @default 2009-11-10T23:00:00Z
    #[napi(ts_type = "Date | number")]
    pub start_time: Option<Unknown<'a>>,
    /// The guest's filesystem, preopened as `/` and living only in memory: paths relative to the
    /// root (`'data/in.txt'`; parent directories are implied) mapped to a file's contents (a
    /// string is UTF-8), `{ type: 'dir' }` or `{ type: 'symlink', target }`. `{}` is an empty
    /// root. A result's `files` can be passed back here to continue where a run left off.
    /// Never mutated.
    /// @default undefined: no filesystem at all (nothing preopened)
    #[napi(
        ts_type = "Record<string, string | Uint8Array | { type: 'dir' } | { type: 'symlink'; target: string }>"
    )]
    pub files: Option<Unknown<'a>>,
    /// The bounds of the run; each one hit ends the run with its own `outcome`, keeping the
    /// output written until then.
    #[napi(ts_type = "RunLimits")]
    pub limits: Option<Unknown<'a>>,
    /// Directory of the on-disk cache of compiled code, used when `runWasi` or `runWasiAsync`
    /// compile (a `Program` takes it in its constructor). Entries are checked before use and
    /// recompiled if damaged; the directory must be writable only by you.
    /// @default process.env.HERMETIC_WASI_CACHE_DIR, else no disk cache
    #[napi(ts_type = "string")]
    pub cache_dir: Option<Unknown<'a>>,
}

/// Options of `new Program`.
#[napi(object, object_to_js = false)]
pub struct ProgramOptions<'a> {
    /// Directory of the on-disk cache of compiled code; see `RunOptions.cacheDir`.
    /// @default process.env.HERMETIC_WASI_CACHE_DIR, else no disk cache
    #[napi(ts_type = "string")]
    pub cache_dir: Option<Unknown<'a>>,
    /// Wall-clock budget of compiling, in milliseconds: past it the constructor throws
    /// `ERR_COMPILE_LIMIT`. `Infinity` lifts it. (Runs have their own `limits.timeoutMs`; code
    /// a run compiles later, for the fuel engine, counts against that run's.)
    /// @default 60000
    #[napi(ts_type = "number")]
    pub timeout_ms: Option<Unknown<'a>>,
}

/// The environment variable naming a default `cacheDir`.
pub const CACHE_DIR_ENV: &str = "HERMETIC_WASI_CACHE_DIR";

/// The engine's options from the optional `options` argument, and `options.cacheDir` if given
/// (see [`or_default_cache_dir`]).
pub fn run_options(
    options: Option<Unknown<'_>>,
) -> JsResult<(config::RunOptions, Option<PathBuf>)> {
    let mut out = config::RunOptions::default();
    let Some(options) = options.filter(|o| !is_nullish(o)) else {
        return Ok((out, None));
    };
    if options.get_type().ok() != Some(ValueType::Object) {
        return Err(invalid_options(format!(
            "options must be an object, got {}",
            describe(&options)
        )));
    }
    // SAFETY: a live JS object of this call; every field converts from any value.
    let raw = unsafe { RunOptions::from_napi_value(options.value().env, options.raw()) }
        .map_err(|e| invalid_options(format!("options could not be read: {}", e.reason)))?;
    if let Some(args) = present(raw.args) {
        out.args = string_array(&args, "options.args")?;
    }
    if let Some(name) = present(raw.program_name) {
        out.program_name = string(&name, "options.programName")?;
    }
    if let Some(env) = present(raw.env) {
        out.env = string_record(&env, "options.env")?;
    }
    if let Some(stdin) = present(raw.stdin) {
        out.stdin = bytes_or_string(&stdin, "options.stdin")?;
    }
    if let Some(seed) = present(raw.seed) {
        out.seed = u64_value(&seed, "options.seed", u64::MAX)?;
    }
    if let Some(start) = present(raw.start_time) {
        out.start_time_ms = start_time(&start)?;
    }
    if let Some(files) = present(raw.files) {
        out.files = Some(files::from_js(&files)?);
    }
    if let Some(limits) = present(raw.limits) {
        out.limits = limits::run_limits(&limits, out.limits)?;
    }
    Ok((out, cache_dir(present(raw.cache_dir))?))
}

/// `options.cacheDir` of `new Program`, if given (see [`or_default_cache_dir`]), and its
/// compile budget `options.timeoutMs` (`None`: unbounded).
pub fn program_options(options: Option<Unknown<'_>>) -> JsResult<(Option<PathBuf>, Option<u64>)> {
    let default_timeout = Some(config::DEFAULT_COMPILE_TIMEOUT_MS);
    let Some(options) = options.filter(|o| !is_nullish(o)) else {
        return Ok((None, default_timeout));
    };
    if options.get_type().ok() != Some(ValueType::Object) {
        return Err(invalid_options(format!(
            "options must be an object, got {}",
            describe(&options)
        )));
    }
    // SAFETY: a live JS object of this call; every field converts from any value.
    let raw = unsafe { ProgramOptions::from_napi_value(options.value().env, options.raw()) }
        .map_err(|e| invalid_options(format!("options could not be read: {}", e.reason)))?;
    let timeout_ms = match present(raw.timeout_ms) {
        Some(value) => limits::limit(&value, "options.timeoutMs")?,
        None => default_timeout,
    };
    Ok((cache_dir(present(raw.cache_dir))?, timeout_ms))
}

/// `options.cacheDir`, when given: a non-empty path.
fn cache_dir(value: Option<Unknown<'_>>) -> JsResult<Option<PathBuf>> {
    let Some(value) = value else {
        return Ok(None);
    };
    let dir = string(&value, "options.cacheDir")?;
    if dir.is_empty() || dir.contains('\0') {
        return Err(invalid_options(
            "options.cacheDir must be a non-empty path without NUL characters",
        ));
    }
    Ok(Some(PathBuf::from(dir)))
}

/// `dir`, else the directory the environment names, else none. Read only when a program is
/// about to be compiled, so runs of a compiled program never touch the environment.
pub fn or_default_cache_dir(dir: Option<PathBuf>) -> Option<PathBuf> {
    #[allow(
        clippy::disallowed_methods,
        reason = "the host's own setting for the host's cache; guests never see it"
    )]
    dir.or_else(|| {
        std::env::var_os(CACHE_DIR_ENV)
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
    })
}

pub(super) fn is_nullish(value: &Unknown<'_>) -> bool {
    matches!(value.get_type(), Ok(ValueType::Undefined | ValueType::Null))
}

pub(super) fn present(value: Option<Unknown<'_>>) -> Option<Unknown<'_>> {
    value.filter(|v| !is_nullish(v))
}

/// A short description of a JS value's type for error messages.
pub(super) fn describe(value: &Unknown<'_>) -> &'static str {
    match value.get_type() {
        Ok(ValueType::Undefined) => "undefined",
        Ok(ValueType::Null) => "null",
        Ok(ValueType::Boolean) => "a boolean",
        Ok(ValueType::Number) => "a number",
        Ok(ValueType::String) => "a string",
        Ok(ValueType::Symbol) => "a symbol",
        Ok(ValueType::BigInt) => "a bigint",
        Ok(ValueType::Function) => "a function",
        Ok(ValueType::Object) if value.is_array().unwrap_or(false) => "an array",
        Ok(ValueType::Object) if value.is_typedarray().unwrap_or(false) => "a typed array",
        Ok(ValueType::Object) => "an object",
        _ => "an unknown value",
    }
}

/// SAFETY for the casts below: each follows a `get_type` check that matches the target type.
pub(super) fn string(value: &Unknown<'_>, what: &str) -> JsResult<String> {
    if value.get_type().ok() != Some(ValueType::String) {
        return Err(invalid_options(format!(
            "{what} must be a string, got {}",
            describe(value)
        )));
    }
    unsafe { value.cast::<String>() }.map_err(|e| invalid_options(format!("{what}: {}", e.reason)))
}

fn string_array(value: &Unknown<'_>, what: &str) -> JsResult<Vec<String>> {
    if !value.is_array().unwrap_or(false) {
        return Err(invalid_options(format!(
            "{what} must be an array of strings, got {}",
            describe(value)
        )));
    }
    let array = unsafe { value.cast::<Object>() }.map_err(|e| invalid_options(e.reason))?;
    let len = array
        .get_array_length()
        .map_err(|e| invalid_options(e.reason))?;
    (0..len)
        .map(|i| {
            let item: Unknown = array
                .get_element(i)
                .map_err(|e| invalid_options(e.reason))?;
            string(&item, &format!("{what}[{i}]"))
        })
        .collect()
}

fn string_record(value: &Unknown<'_>, what: &str) -> JsResult<Vec<(String, String)>> {
    if value.get_type().ok() != Some(ValueType::Object) || value.is_array().unwrap_or(false) {
        return Err(invalid_options(format!(
            "{what} must be an object of strings, got {}",
            describe(value)
        )));
    }
    let object = unsafe { value.cast::<Object>() }.map_err(|e| invalid_options(e.reason))?;
    let keys = own_string_keys(&object).map_err(|e| invalid_options(e.reason))?;
    keys.into_iter()
        .map(|key| {
            let item: Unknown = object
                .get_named_property(&key)
                .map_err(|e| invalid_options(e.reason))?;
            let value = string(&item, &format!("{what}.{key}"))?;
            Ok((key, value))
        })
        .collect()
}

/// The object's own enumerable string keys, in property order (inherited properties, such as a
/// polluted `Object.prototype`, never reach the guest).
pub(super) fn own_string_keys(object: &Object<'_>) -> napi::Result<Vec<String>> {
    let names = object.get_all_property_names(
        KeyCollectionMode::OwnOnly,
        KeyFilter::Enumerable,
        KeyConversion::NumbersToStrings,
    )?;
    let mut keys = Vec::new();
    for i in 0..names.get_array_length()? {
        let key: Unknown = names.get_element(i)?;
        if key.get_type()? == ValueType::String {
            // SAFETY: checked to be a string just above.
            keys.push(unsafe { key.cast::<String>() }?);
        }
    }
    Ok(keys)
}

pub(super) fn bytes_or_string(value: &Unknown<'_>, what: &str) -> JsResult<Vec<u8>> {
    if value.get_type().ok() == Some(ValueType::String) {
        return Ok(string(value, what)?.into_bytes());
    }
    if value.is_typedarray().unwrap_or(false)
        && let Ok(bytes) = unsafe { value.cast::<Uint8ArraySlice>() }
    {
        return Ok(bytes.to_vec());
    }
    Err(invalid_options(format!(
        "{what} must be a string or a Uint8Array, got {}",
        describe(value)
    )))
}

/// A non-negative integer up to `max`, from a number (a safe integer) or a bigint.
pub(super) fn u64_value(value: &Unknown<'_>, what: &str, max: u64) -> JsResult<u64> {
    let out_of_range = || invalid_options(format!("{what} must be an integer from 0 to {max}"));
    match value.get_type() {
        Ok(ValueType::Number) => {
            let n = unsafe { value.cast::<f64>() }.map_err(|e| invalid_options(e.reason))?;
            const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
            if n.fract() != 0.0 || !(0.0..=MAX_SAFE).contains(&n) || n as u64 > max {
                return Err(out_of_range());
            }
            Ok(n as u64)
        }
        Ok(ValueType::BigInt) => {
            let n = unsafe { value.cast::<BigInt>() }.map_err(|e| invalid_options(e.reason))?;
            match n.get_u64() {
                (false, v, true) if v <= max => Ok(v),
                _ => Err(out_of_range()),
            }
        }
        _ => Err(invalid_options(format!(
            "{what} must be a number or a bigint, got {}",
            describe(value)
        ))),
    }
}

fn start_time(value: &Unknown<'_>) -> JsResult<u64> {
    const WHAT: &str = "options.startTime";
    if value.is_date().unwrap_or(false) {
        let date = unsafe { value.cast::<JsDate>() }.map_err(|e| invalid_options(e.reason))?;
        let ms = date.value_of().map_err(|e| invalid_options(e.reason))?;
        if ms.is_nan() || ms < 0.0 || ms.fract() != 0.0 {
            return Err(invalid_options(format!(
                "{WHAT} must be a valid Date not before 1970"
            )));
        }
        return Ok(ms as u64);
    }
    if value.get_type().ok() != Some(ValueType::Number) {
        return Err(invalid_options(format!(
            "{WHAT} must be a Date or a number, got {}",
            describe(value)
        )));
    }
    u64_value(value, WHAT, MAX_START_TIME_MS)
}
