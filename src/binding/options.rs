//! The options of the API's calls, into engine types, with a precise `ERR_INVALID_OPTIONS`
//! message for every malformed value. The typed [`RunOptions`] object exists for `index.d.ts`;
//! its fields arrive as raw values so that this module (with `js.rs`), not napi's generic
//! conversion, words the errors.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use napi::bindgen_prelude::{FromNapiValue, JsValue, Unknown};
use napi::{Env, JsDate, ValueType};
use napi_derive::napi;

use super::error::{JsResult, invalid_options};
use super::input::{self, Input};
use super::js::{boolean, bytes_or_string, describe, is_nullish, present, string, string_array};
use super::js::{string_record, u64_value, unknown_key};
use super::limits;
use super::live::{self, Live};
use super::{files, glue, mount, names};
use crate::sandbox::config;

/// The latest start time accepted: the largest time a JS `Date` can hold.
const MAX_START_TIME_MS: u64 = 8_640_000_000_000_000;

/// Options of one run. Every field is optional; the same options give the same result.
#[napi(object, object_from_js = false, object_to_js = false)]
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
    /// Bytes on standard input (a string is UTF-8 encoded), followed by end-of-stream. For
    /// `runWasiAsync` and `Program#runAsync`, also an `AsyncIterable<Uint8Array | string>` (a
    /// Node `Readable`, `process.stdin`, an async generator) or a `ReadableStream`: interactive
    /// input, pulled a chunk at a time when the guest reads (see the README).
    /// @default empty
    #[napi(
        ts_type = "string | Uint8Array | AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array | string>"
    )]
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
    /// Read-only trees placed at paths relative to the root, after `files` (e.g.
    /// `{ 'usr/local/lib': stdlib }`): shared between runs without copying, not counted in
    /// `limits.fsBytes`, not in `result.files`; the guest reading them is as fast as reading
    /// `files`, and changing anything in them fails with `EROFS` (`read-only`). A mount gives
    /// the guest a filesystem even without `files`. A path that `files` or another mount
    /// already holds is `ERR_INVALID_OPTIONS`.
    #[napi(ts_type = "Record<string, Mount>")]
    pub mounts: Option<Unknown<'a>>,
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
    /// Whether the result lists every write of the guest, in order, with its virtual time
    /// (`RunResult.events`): what a playground needs to replay the output with the program's
    /// own pauses.
    /// @default false
    #[napi(ts_type = "boolean")]
    pub events: Option<Unknown<'a>>,
    /// For `runWasiAsync` and `Program#runAsync` only: called on the JS thread with each write of
    /// the guest as it happens, in order, all of them before the promise settles (the events of
    /// `RunResult.events`, not merged). While 1024 writes wait for the JS thread, the guest
    /// waits for it. If it throws, nothing more is delivered, the run is cancelled, and the
    /// promise rejects with what it threw, the run's result attached as its `result` property.
    /// A sync call given it throws `ERR_INVALID_OPTIONS`.
    #[napi(ts_type = "(event: OutputEvent) => void")]
    pub on_output: Option<Unknown<'a>>,
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

/// The names `options` takes, in the order `glue.js`'s `options` reads them; any other key is
/// `ERR_INVALID_OPTIONS`.
pub const OPTION_NAMES: [&str; 12] = [
    "args",
    "programName",
    "env",
    "stdin",
    "seed",
    "startTime",
    "files",
    "limits",
    "cacheDir",
    "events",
    "onOutput",
    "mounts",
];

/// The names `new Program`'s options take.
pub const PROGRAM_OPTION_NAMES: [&str; 2] = ["cacheDir", "timeoutMs"];

/// The environment variable naming a default `cacheDir`.
pub const CACHE_DIR_ENV: &str = "HERMETIC_WASI_CACHE_DIR";

/// Which kind of call reads the options: `onOutput` is for async calls only.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// `runWasi`, `Program#run`.
    Sync,
    /// `runWasiAsync`, `Program#runAsync`.
    Async,
}

/// A run's options as the binding reads them.
#[derive(Default)]
pub struct Read {
    /// The engine's options.
    pub options: config::RunOptions,
    /// `options.cacheDir`, if given (see [`or_default_cache_dir`]).
    pub cache_dir: Option<PathBuf>,
    /// The JS side of `options.onOutput`, if given.
    pub live: Option<Arc<Live>>,
    /// The JS side of an interactive `options.stdin`, if given.
    pub input: Option<Arc<Input>>,
    /// The run's cancel flag, shared with `live` and `input`.
    pub cancel: Arc<AtomicBool>,
}

/// The run options of a `call` from its optional `options` argument.
pub fn run_options(options: Option<Unknown<'_>>, call: Call) -> JsResult<Read> {
    let mut out = config::RunOptions::default();
    let Some(options) = options.filter(|o| !is_nullish(o)) else {
        return Ok(Read::default());
    };
    if options.get_type().ok() != Some(ValueType::Object) {
        return Err(invalid_options(format!(
            "options must be an object, got {}",
            describe(&options)
        )));
    }
    let js = Env::from_raw(options.value().env);
    let read = glue::options(&js, &options)
        .map_err(|e| invalid_options(format!("options could not be read: {}", e.reason)))?;
    if let Some((place, tag)) = read.strange {
        return Err(names::not_plain(&place, &tag));
    }
    if let Some((place, key)) = read.unknown {
        return Err(names::unknown(&place, &key));
    }
    let [
        args,
        program_name,
        env,
        stdin,
        seed,
        start_time,
        files,
        limits,
        cache_dir,
        events,
        on_output,
        mounts,
    ] = read.values;
    if let Some(args) = args {
        out.args = string_array(&args, "options.args")?;
    }
    if let Some(name) = program_name {
        out.program_name = string(&name, "options.programName")?;
    }
    if let Some(env) = env {
        out.env = string_record(&env, "options.env")?;
    }
    let cancel = Arc::new(AtomicBool::new(false));
    let mut input = None;
    if let Some(stdin) = stdin {
        match interactive(&js, &stdin, call, &cancel)? {
            Some((interactive, js_side)) => {
                out.interactive_stdin = Some(interactive);
                input = Some(js_side);
            }
            None => out.stdin = bytes_or_string(&stdin, "options.stdin")?,
        }
    }
    if let Some(seed) = seed {
        out.seed = u64_value(&seed, "options.seed", u64::MAX)?;
    }
    if let Some(start) = start_time {
        out.start_time_ms = self::start_time(&start)?;
    }
    if let Some(files) = files {
        out.files = Some(files::from_js(&files)?);
    }
    if let Some(mounts) = mounts {
        out.mounts = mount::from_js(&js, &mounts)?;
    }
    if let Some(events) = events {
        out.events = boolean(&events, "options.events")?;
    }
    if let Some(limits) = limits {
        out.limits = limits::run_limits(&limits, out.limits)?;
    }
    let cache_dir = self::cache_dir(cache_dir)?;
    let live = match (on_output, call) {
        (None, _) => None,
        (Some(_), Call::Sync) => {
            return Err(invalid_options(
                "options.onOutput is for async runs: use runWasiAsync or Program#runAsync",
            ));
        }
        (Some(on_output), Call::Async) => {
            let (listener, live) = live::watch(&js, &on_output, &cancel)?;
            out.on_output = Some(listener);
            Some(live)
        }
    };
    Ok(Read {
        options: out,
        cache_dir,
        live,
        input,
        cancel,
    })
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
    if let Some(key) = unknown_key(&options, &PROGRAM_OPTION_NAMES)? {
        return Err(names::unknown("program", &key));
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

/// An interactive `stdin` (an async iterable or a `ReadableStream`) of an async `call`; `None`
/// for bytes or a string.
fn interactive(
    js: &Env,
    stdin: &Unknown<'_>,
    call: Call,
    cancel: &Arc<AtomicBool>,
) -> JsResult<Option<(config::InteractiveStdin, Arc<Input>)>> {
    if stdin.get_type().ok() == Some(ValueType::String) || stdin.is_typedarray().unwrap_or(false) {
        return Ok(None);
    }
    match call {
        Call::Async => input::watch(js, stdin, cancel),
        Call::Sync if glue::iterate(js, stdin).ok().flatten().is_some() => Err(invalid_options(
            "options.stdin as an async iterable or a ReadableStream is for async runs: \
             use runWasiAsync or Program#runAsync",
        )),
        Call::Sync => Ok(None),
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
