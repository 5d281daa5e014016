//! Interactive stdin for async runs: `stdin` as an `AsyncIterable<Uint8Array | string>` (a Node
//! `Readable`, `process.stdin`, an async generator) or a web `ReadableStream`.
//!
//! The engine pulls (`wasi/stdin.rs`): when the guest wants to read and nothing is buffered, it
//! asks once, and a threadsafe function wakes the JS thread, which takes the iterator's next
//! chunk through `glue.js`'s `pull` and hands it to the run's [`Feed`] (the end of the iterator
//! is end-of-file). Nothing is read ahead of the guest. If the iterator throws or yields
//! something else than bytes or a string, the input ends, the run is cancelled, and the promise
//! rejects with that error (see `task.rs`). When the run ends, the iterator is closed
//! (`return()`), so a `Readable` such as `process.stdin` lets the process exit.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};

use napi::Env;
use napi::JsValue;
use napi::bindgen_prelude::{FunctionRef, Object, ObjectRef, Uint8Array, Unknown};

use super::error::{JsResult, invalid_options};
use super::glue;
use crate::sandbox::config::InteractiveStdin;
use crate::sandbox::sync::lock;
use crate::sandbox::wasi::stdin::{Feed, Stdin};

/// The JS side of one run's interactive stdin.
pub struct Input {
    /// The async iterator and `glue.js`'s bound `pull` and `close` for it.
    pull: FunctionRef<(), ()>,
    close: FunctionRef<(), ()>,
    /// What the iterator threw (or the error for a chunk that is not bytes), as `glue.js`'s
    /// rejection of it: an object, a thrown primitive boxed.
    failure: Mutex<Option<ObjectRef>>,
    feed: Feed,
    cancel: Arc<AtomicBool>,
}

impl Input {
    /// After the run: closes the iterator, and returns what it threw (as a rejection), if it
    /// did.
    pub fn finish<'env>(&self, env: &'env Env) -> Option<Unknown<'env>> {
        self.feed.end();
        let _ = glue::call(env, &self.close, &[]);
        let failure = lock(&self.failure).take()?;
        let value = failure.get_value(env).ok()?;
        Some(value.to_unknown())
    }

    fn failed(&self, env: &Env, thrown: &Unknown<'_>) {
        let mut failure = lock(&self.failure);
        if failure.is_none()
            && let Ok(rejection) = glue::rejection_value(env, thrown)
        {
            // SAFETY: `rejection` returns an object.
            let object = unsafe { rejection.cast::<Object>() };
            *failure = object.and_then(|object| object.create_ref()).ok();
        }
        self.feed.end();
        self.cancel.store(true, Ordering::Relaxed);
    }
}

/// The engine's interactive stdin for `stdin` (an async iterable or a `ReadableStream`), and
/// what the JS side of the run keeps; `None` if `stdin` is neither. `cancel` is the run's.
pub fn watch(
    env: &Env,
    stdin: &Unknown<'_>,
    cancel: &Arc<AtomicBool>,
) -> JsResult<Option<(InteractiveStdin, Arc<Input>)>> {
    let internal = |e: napi::Error| invalid_options(format!("options.stdin: {}", e.reason));
    let Some(iterator) = glue::iterate(env, stdin).map_err(internal)? else {
        return Ok(None);
    };
    let doorbell: Arc<Mutex<Option<Weak<Input>>>> = Arc::default();
    let rings = Arc::clone(&doorbell);
    let wake = glue::doorbell(env, move |env| {
        if let Some(input) = lock(&rings).as_ref().and_then(Weak::upgrade) {
            let _ = glue::call(env, &input.pull, &[]);
        }
    })
    .map_err(internal)?;
    let (stdin, feed) = Stdin::interactive(Arc::new(move || {
        wake.ring();
    }));
    let input: Arc<Mutex<Option<Weak<Input>>>> = Arc::default();
    let (supply, end, fail) = (feed.clone(), feed.clone(), Arc::clone(&input));
    let supply = env
        .create_function_from_closure::<(), (), _>("supply", move |ctx| {
            supply.supply(ctx.get::<Uint8Array>(0)?.to_vec());
            Ok(())
        })
        .map_err(internal)?;
    let end = env
        .create_function_from_closure::<(), (), _>("end", move |_| {
            end.end();
            Ok(())
        })
        .map_err(internal)?;
    let fail = env
        .create_function_from_closure::<(), (), _>("fail", move |ctx| {
            if let Some(input) = lock(&fail).as_ref().and_then(Weak::upgrade) {
                input.failed(ctx.env, &ctx.get::<Unknown>(0)?);
            }
            Ok(())
        })
        .map_err(internal)?;
    let (pull, close) = glue::puller(env, &iterator, supply, end, fail).map_err(internal)?;
    let shared = Arc::new(Input {
        pull,
        close,
        failure: Mutex::new(None),
        feed,
        cancel: Arc::clone(cancel),
    });
    *lock(&doorbell) = Some(Arc::downgrade(&shared));
    *lock(&input) = Some(Arc::downgrade(&shared));
    Ok(Some((InteractiveStdin(stdin), shared)))
}
