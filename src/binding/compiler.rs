//! The compiler process (`sandbox/compiler.rs`): this addon, loaded by the Node executable
//! that runs the host, serving compilations on its stdin and stdout.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Once;

use napi_derive::napi;

use crate::sandbox::compiler::{self, CompilerCommand};

/// The environment variable that, set to `1`, has code compiled in the Node process itself,
/// bounded by nothing (for measuring the compiler process's cost, and for debugging).
pub const IN_PROCESS_ENV: &str = "HERMETIC_WASI_COMPILE_IN_PROCESS";

/// The environment variable that sets the compiler process's memory cap, in bytes (default
/// [`compiler::MEMORY_BYTES`]); read once, at the first compilation.
pub const MEMORY_ENV: &str = "HERMETIC_WASI_COMPILE_MEMORY_BYTES";

/// Set in a compiler process's environment, and nowhere else: `__compilerProcess` refuses to
/// run without it, so a stray call cannot take over the caller's stdin.
const CHILD_ENV: &str = "HERMETIC_WASI_COMPILER_PROCESS";

/// Has the engine compile in compiler processes from now on: the Node executable running this
/// process (Electron's too, as Node), loading this addon and calling `__compilerProcess`. Where
/// the addon's file cannot be found, or [`IN_PROCESS_ENV`] is `1`, code is compiled in this
/// process.
pub fn use_processes() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        #[allow(
            clippy::disallowed_methods,
            reason = "the host's own setting, read once, never shown to a guest"
        )]
        if std::env::var_os(IN_PROCESS_ENV).is_some_and(|v| v == "1") {
            return;
        }
        #[allow(
            clippy::disallowed_methods,
            reason = "the host's own setting, read once, never shown to a guest"
        )]
        let memory_bytes = std::env::var(MEMORY_ENV)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(compiler::MEMORY_BYTES);
        if let (Ok(node), Some(addon)) = (std::env::current_exe(), addon_path()) {
            compiler::use_processes(CompilerCommand {
                program: node,
                args: vec![
                    "-e".into(),
                    "require(process.argv[1]).__compilerProcess(Number(process.argv[2]))".into(),
                    addon.into_os_string(),
                    memory_bytes.to_string().into(),
                ],
                env: vec![
                    ("ELECTRON_RUN_AS_NODE".into(), OsString::from("1")),
                    (CHILD_ENV.into(), OsString::from("1")),
                ],
                memory_bytes,
            });
        }
    });
}

/// The file this addon was loaded from.
#[cfg(unix)]
fn addon_path() -> Option<PathBuf> {
    use std::ffi::CStr;
    use std::os::unix::ffi::OsStrExt;
    let mut info = std::mem::MaybeUninit::<libc::Dl_info>::zeroed();
    let here = use_processes as *const () as *const libc::c_void;
    // SAFETY: `here` is an address in this library and `info` is writable; `dladdr` fills it
    // (names stay valid while the library is loaded, which it is for the process's life).
    let found = unsafe { libc::dladdr(here, info.as_mut_ptr()) };
    // SAFETY: initialized by `dladdr`, which succeeded (non-zero).
    let info = (found != 0).then(|| unsafe { info.assume_init() })?;
    if info.dli_fname.is_null() {
        return None;
    }
    // SAFETY: a NUL-terminated path owned by the dynamic loader.
    let name = unsafe { CStr::from_ptr(info.dli_fname) };
    Some(PathBuf::from(std::ffi::OsStr::from_bytes(name.to_bytes())))
}

#[cfg(not(unix))]
fn addon_path() -> Option<PathBuf> {
    None
}

/// Internal: the main loop of a compiler process, which the addon starts by itself. It reads
/// compilation requests on stdin until it closes; not for use from JS.
#[napi(js_name = "__compilerProcess")]
pub fn compiler_process(memory_bytes: f64) -> napi::Result<()> {
    #[allow(
        clippy::disallowed_methods,
        reason = "the host's own setting, never shown to a guest"
    )]
    if std::env::var_os(CHILD_ENV).is_none() {
        return Err(napi::Error::from_reason(
            "__compilerProcess is internal: only the compiler processes hermetic-wasi starts \
             call it",
        ));
    }
    compiler::serve(memory_bytes as u64)
        .map_err(|e| napi::Error::from_reason(format!("compiler process: {e}")))
}
