//! `Mount` (a read-only tree built once, placed in any number of runs) and the `mounts` option.

use napi::Env;
use napi::bindgen_prelude::{ClassInstance, FromNapiValue, JavaScriptClassExt, JsValue, Unknown};
use napi_derive::napi;

use super::error::{self, JsResult, invalid_options};
use super::files;
use super::js::{describe, record};
use crate::sandbox;

/// A read-only tree of files, built once and placed at a path of any number of runs with
/// `RunOptions.mounts`, shared between them (and between threads) without copying. The guest can
/// read it but not change it (`EROFS`); it is not counted in `limits.fsBytes` and is not in
/// `result.files`.
#[napi]
pub struct Mount {
    pub(crate) inner: sandbox::Mount,
}

#[napi]
impl Mount {
    /// A tree of `files`, in the form of `RunOptions.files` (checked by the same rules, and
    /// `ERR_INVALID_OPTIONS` when they fail). Its bytes are copied once, here.
    #[napi(
        constructor,
        catch_unwind,
        ts_args_type = "files: Record<string, Uint8Array | string | { type: 'dir' } | { type: 'symlink', target: string }>"
    )]
    pub fn new(env: Env, files: Unknown<'_>) -> napi::Result<Self> {
        let made = files::from_js(&files).and_then(|entries| {
            let inner = sandbox::Mount::new(entries)
                .map_err(|why| invalid_options(format!("files: {why}")))?;
            Ok(Self { inner })
        });
        error::throw(&env, made)
    }

    /// A tree of the host directory `path` as it is now, read once: files, directories and
    /// symlinks (targets kept verbatim, never followed on the host). Host timestamps, owners and
    /// modes are not kept. `ERR_INVALID_OPTIONS` if it cannot be read, holds anything else (a
    /// socket, a device) or a name that is not UTF-8, or more than 1,000,000 entries or 4 GiB.
    #[napi(factory, catch_unwind)]
    pub fn from_directory(env: Env, path: String) -> napi::Result<Self> {
        let made = sandbox::Mount::from_directory(path.as_ref())
            .map(|inner| Self { inner })
            .map_err(invalid_options);
        error::throw(&env, made)
    }

    /// How many bytes its files hold.
    #[napi(getter)]
    pub fn file_bytes(&self) -> f64 {
        self.inner.file_bytes() as f64
    }

    /// How many entries (files, directories, symlinks) it holds.
    #[napi(getter)]
    pub fn entries(&self) -> u32 {
        u32::try_from(self.inner.entries().len()).unwrap_or(u32::MAX)
    }
}

/// The entries of `options.mounts`: guest paths mapped to `Mount` objects.
pub fn from_js(env: &Env, value: &Unknown<'_>) -> JsResult<Vec<(String, sandbox::Mount)>> {
    record(
        value,
        "options.mounts",
        "an object mapping paths to Mount objects",
        |path, item| {
            let wrong = || {
                invalid_options(format!(
                    "options.mounts[{path:?}] must be a Mount, got {}",
                    describe(item)
                ))
            };
            if !Mount::instance_of(env, item).unwrap_or(false) {
                return Err(wrong());
            }
            // SAFETY: a live value of this call, checked to be a Mount just above.
            let mount = unsafe { ClassInstance::<Mount>::from_napi_value(env.raw(), item.raw()) }
                .map_err(|_| wrong())?;
            Ok(mount.inner.clone())
        },
    )
}
