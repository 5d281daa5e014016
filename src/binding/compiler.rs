//! The compiler process (`sandbox/compiler/`): this addon, loaded by the Node executable
//! that runs the host, serving compilations on its stdin and stdout.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::OnceLock;

use napi_derive::napi;

use super::error::{JsResult, invalid_options};
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

/// The smallest memory cap [`MEMORY_ENV`] may set: the compiler's threads and a small module's
/// compilation need tens of MB beyond what Node holds (the cap counts from there).
const MIN_MEMORY_BYTES: u64 = 256 << 20;

/// Has the engine compile in compiler processes from now on: the Node executable running this
/// process (Electron's too, as Node), loading this addon and calling `__compilerProcess`. Where
/// the addon's file cannot be found, in a Node single-executable application (which runs its
/// own script, not `-e`), or when [`IN_PROCESS_ENV`] is `1`, code is compiled in this process.
/// An invalid [`MEMORY_ENV`] is `ERR_INVALID_OPTIONS`, on every call that compiles.
pub fn use_processes() -> JsResult<()> {
    static SET_UP: OnceLock<Result<(), String>> = OnceLock::new();
    SET_UP.get_or_init(set_up).clone().map_err(invalid_options)
}

#[allow(
    clippy::disallowed_methods,
    reason = "the host's own settings, read once, never shown to a guest"
)]
fn set_up() -> Result<(), String> {
    let requested = match std::env::var(MEMORY_ENV) {
        Err(_) => compiler::MEMORY_BYTES,
        Ok(value) => value
            .parse::<u64>()
            .ok()
            .filter(|bytes| *bytes >= MIN_MEMORY_BYTES)
            .ok_or_else(|| {
                format!(
                    "{MEMORY_ENV} must be a number of bytes of at least {MIN_MEMORY_BYTES}, \
                     got {value:?}"
                )
            })?,
    };
    if std::env::var_os(IN_PROCESS_ENV).is_some_and(|v| v == "1") || single_executable() {
        return Ok(());
    }
    let (Ok(node), Some(addon)) = (std::env::current_exe(), addon_path()) else {
        return Ok(());
    };
    let memory_bytes = compiler::effective_memory(requested);
    let (node, addon_paths) = pinned(node, addon);
    let mut args: Vec<OsString> = vec!["-e".into(), CHILD_SCRIPT.into()];
    args.extend(addon_paths);
    args.push(memory_bytes.to_string().into());
    compiler::use_processes(CompilerCommand {
        program: node,
        args,
        env: vec![
            ("ELECTRON_RUN_AS_NODE".into(), OsString::from("1")),
            (CHILD_ENV.into(), OsString::from("1")),
        ],
        memory_bytes,
    });
    Ok(())
}

/// What a compiler process runs: load this addon from the first path that opens (by
/// `process.dlopen`, whatever the file's name), then serve with the memory cap that follows.
const CHILD_SCRIPT: &str = "const a = process.argv, m = { exports: {} }; \
     try { process.dlopen(m, a[1]) } catch { process.dlopen(m, a[2]) } \
     m.exports.__compilerProcess(Number(a[3]))";

/// The executable and the addon as this process loaded them, even if their files are replaced
/// or removed later (an upgrade in place): on Linux, `/proc/self/exe` (which the child resolves
/// before it runs anything of its own) and this process's open descriptor of the addon, then the
/// addon's path as a fallback.
#[cfg(target_os = "linux")]
fn pinned(node: PathBuf, addon: PathBuf) -> (PathBuf, [OsString; 2]) {
    use std::os::fd::AsRawFd;
    static ADDON: OnceLock<Option<std::fs::File>> = OnceLock::new();
    let exe = PathBuf::from("/proc/self/exe");
    let node = if exe.exists() { exe } else { node };
    let pinned = ADDON.get_or_init(|| std::fs::File::open(&addon).ok());
    let first = match pinned {
        Some(file) => format!("/proc/{}/fd/{}", std::process::id(), file.as_raw_fd()).into(),
        None => addon.clone().into_os_string(),
    };
    (node, [first, addon.into_os_string()])
}

#[cfg(not(target_os = "linux"))]
fn pinned(node: PathBuf, addon: PathBuf) -> (PathBuf, [OsString; 2]) {
    (
        node,
        [addon.clone().into_os_string(), addon.into_os_string()],
    )
}

/// Whether this process is a Node single-executable application: its executable carries the
/// `NODE_SEA_BLOB` note that Node itself looks for (in the main program's `PT_NOTE`
/// segments, already mapped), and it would run its own script instead of `-e`.
#[cfg(target_os = "linux")]
fn single_executable() -> bool {
    use std::ffi::{c_int, c_void};
    unsafe extern "C" fn main_program(
        info: *mut libc::dl_phdr_info,
        _size: usize,
        found: *mut c_void,
    ) -> c_int {
        // SAFETY: the loader passes a valid `info`; the first object is the main program,
        // whose program headers and note segments are mapped.
        unsafe {
            let info = &*info;
            for i in 0..usize::from(info.dlpi_phnum) {
                let header = &*info.dlpi_phdr.add(i);
                if header.p_type != libc::PT_NOTE {
                    continue;
                }
                let start = (info.dlpi_addr as usize + header.p_vaddr as usize) as *const u8;
                let notes = std::slice::from_raw_parts(start, header.p_memsz as usize);
                if has_note(notes, b"NODE_SEA_BLOB\0") {
                    *(found as *mut bool) = true;
                }
            }
        }
        1 // the main program only
    }
    let mut found = false;
    // SAFETY: the callback only reads what the loader hands it and writes `found`.
    unsafe { libc::dl_iterate_phdr(Some(main_program), &mut found as *mut bool as *mut c_void) };
    found
}

#[cfg(not(target_os = "linux"))]
fn single_executable() -> bool {
    false
}

/// Whether the ELF notes in `notes` include one named `name` (NUL included).
#[cfg(target_os = "linux")]
fn has_note(mut notes: &[u8], name: &[u8]) -> bool {
    let word = |bytes: &[u8], at: usize| {
        bytes
            .get(at..at + 4)
            .map_or(0, |b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    let align = |n: usize| (n + 3) & !3;
    while notes.len() >= 12 {
        let (name_size, desc_size) = (word(notes, 0), word(notes, 4));
        if notes.get(12..12 + name_size) == Some(name) {
            return true;
        }
        let next = 12 + align(name_size) + align(desc_size);
        let Some(rest) = notes.get(next..) else {
            return false;
        };
        notes = rest;
    }
    false
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
