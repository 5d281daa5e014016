//! `Program.compileAsync`: a program compiled (or taken from a cache) on the libuv thread pool,
//! so that the event loop does not wait for a compile that may take seconds (a minute for
//! CPython). Like the async runs, it never throws: bad arguments reject its promise, and an
//! `AbortSignal` stops it.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use napi::bindgen_prelude::{JsObjectValue, Object, Unknown};
use napi::{Env, Task};

use super::Program;
use super::abort::{self, AbortListener};
use super::error::{ErrorCode, JsError, JsResult};
use super::task;
use crate::sandbox::ending::LimitExceeded;
use crate::sandbox::limits::Budget;
use crate::sandbox::{self, SandboxError};

/// What a compile needs, read on the JS thread.
pub struct Request {
    pub wasm: Arc<[u8]>,
    pub cache_dir: Option<PathBuf>,
    pub timeout_ms: Option<u64>,
}

/// One compile on the pool, or the rejection its arguments earned; with the cancel flag its
/// signal sets, and the signal's listener, removed when the compile ends.
pub struct CompileTask {
    pub work: Work,
    pub cancel: Arc<AtomicBool>,
    pub listener: Option<AbortListener>,
}

/// What the task does: compile, or reject with a coded error, or with what a getter of the
/// caller's objects threw while they were read.
pub enum Work {
    Compile(Request),
    Refused(JsError),
    Thrown(napi::Error),
    Done,
}

/// The task's outcome, made into a `Program` or a rejection on the JS thread.
pub enum Compiled {
    Program(Arc<sandbox::Program>),
    Refused(JsError),
    Thrown(napi::Error),
    Aborted,
}

impl CompileTask {
    /// The compile of `request`, stopped by `signal`; or the rejection its arguments earned,
    /// with what a getter of the caller's objects threw taking precedence.
    pub fn new(env: &Env, request: JsResult<Request>, signal: Option<Unknown<'_>>) -> Self {
        let cancel = Arc::<AtomicBool>::default();
        let listened = request.and_then(|request| {
            abort::listen(env, signal, &cancel, |_| {}).map(|listener| (request, listener))
        });
        let (work, listener) = match (task::take_exception(env), listened) {
            (Some(thrown), _) => (Work::Thrown(napi::Error::from(thrown)), None),
            (None, Ok((request, listener))) => (Work::Compile(request), listener),
            (None, Err(error)) => (Work::Refused(error), None),
        };
        Self {
            work,
            cancel,
            listener,
        }
    }
}

impl Task for CompileTask {
    type Output = Compiled;
    type JsValue = Program;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let request = match std::mem::replace(&mut self.work, Work::Done) {
            // Aborted before it had a thread.
            Work::Compile(_) if self.cancel.load(Ordering::Relaxed) => {
                return Ok(Compiled::Aborted);
            }
            Work::Compile(request) => request,
            Work::Refused(error) => return Ok(Compiled::Refused(error)),
            Work::Thrown(error) => return Ok(Compiled::Thrown(error)),
            Work::Done => return Err(napi::Error::from_reason("the compile task ran twice")),
        };
        // A panic must not unwind into libuv's C callback (see task.rs).
        let budget = Budget::new(request.timeout_ms, Arc::clone(&self.cancel));
        let compiled = std::panic::catch_unwind(|| {
            sandbox::cache::program(request.wasm, request.cache_dir, &budget)
        });
        Ok(match compiled {
            Ok(Ok(program)) => Compiled::Program(program),
            Ok(Err(SandboxError::Stopped(LimitExceeded::Cancelled))) => Compiled::Aborted,
            Ok(Err(error)) => Compiled::Refused(error.into()),
            Err(_) => Compiled::Refused(JsError::new(
                ErrorCode::Internal,
                "the engine panicked during the compile".to_owned(),
            )),
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        match output {
            Compiled::Program(inner) => Ok(Program { inner }),
            // A JS error that carries its `code`, as the sync constructor throws.
            Compiled::Refused(error) => Err(napi::Error::from(
                napi::JsError::from(error).into_unknown(env),
            )),
            Compiled::Thrown(error) => Err(error),
            Compiled::Aborted => Err(napi::Error::from(aborted(&env, self.listener.as_ref())?)),
        }
    }

    fn finally(self, env: Env) -> napi::Result<()> {
        if let Some(listener) = self.listener {
            listener.remove(&env);
        }
        Ok(())
    }
}

/// The rejection of an aborted compile: Node's own, an `Error` named `AbortError` with the
/// code `ABORT_ERR` and the signal's reason as its `cause`, as an aborted `fs.readFile` rejects.
fn aborted<'env>(env: &'env Env, listener: Option<&AbortListener>) -> napi::Result<Unknown<'env>> {
    let error = JsError::new(ErrorCode::Aborted, "the compile was aborted".to_owned());
    let error = napi::JsError::from(error).into_unknown(Env::from_raw(env.raw()));
    // SAFETY: `napi::JsError::into_unknown` makes an `Error` object.
    let mut object = unsafe { error.cast::<Object>() }?;
    object.set_named_property("name", "AbortError")?;
    if let Some(reason) = listener.and_then(|listener| listener.reason(env)) {
        object.set_named_property("cause", reason)?;
    }
    Ok(error)
}
