//! `Program.compileAsync`: a program compiled (or taken from a cache) on the libuv thread pool,
//! so that the event loop does not wait for a compile that may take seconds (a minute for
//! CPython). Like the async runs, it never throws: bad arguments reject its promise.

use std::path::PathBuf;
use std::sync::Arc;

use napi::{Env, Task};

use super::Program;
use super::error::{ErrorCode, JsError};
use crate::sandbox;

/// What a compile needs, read on the JS thread.
pub struct Request {
    pub wasm: Arc<[u8]>,
    pub cache_dir: Option<PathBuf>,
    pub timeout_ms: Option<u64>,
}

/// One compile on the pool, or the rejection its arguments earned: a coded error, or what a
/// getter of the caller's objects threw while they were read.
pub enum CompileTask {
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
}

impl Task for CompileTask {
    type Output = Compiled;
    type JsValue = Program;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let request = match std::mem::replace(self, Self::Done) {
            Self::Compile(request) => request,
            Self::Refused(error) => return Ok(Compiled::Refused(error)),
            Self::Thrown(error) => return Ok(Compiled::Thrown(error)),
            Self::Done => return Err(napi::Error::from_reason("the compile task ran twice")),
        };
        // A panic must not unwind into libuv's C callback (see task.rs).
        let compiled = std::panic::catch_unwind(|| {
            let budget = sandbox::limits::Budget::new(request.timeout_ms, Arc::default());
            sandbox::cache::program(request.wasm, request.cache_dir, &budget)
        });
        Ok(match compiled {
            Ok(Ok(program)) => Compiled::Program(program),
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
        }
    }
}
