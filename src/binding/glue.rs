//! The JS halves of the hot path (`glue.js`): reading a run's options and building its result,
//! compiled once per JS environment (the main thread and each worker have their own) and kept
//! in its instance data.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};

use napi::bindgen_prelude::{FnArgs, Function, FunctionRef, JsObjectValue, Object, Unknown};
use napi::threadsafe_function::{
    ThreadsafeCallContext, ThreadsafeFunction, ThreadsafeFunctionCallMode,
};
use napi::{Env, JsValue, sys};

use super::limits::LIMIT_NAMES;
use super::options::OPTION_NAMES;
use super::result::OUTCOME_NAMES;
use crate::sandbox::sync::lock;

const SOURCE: &str = include_str!("glue.js");

/// The cancel flags of an environment's async runs in flight, cancelled when it exits.
type Runs = Arc<Mutex<Vec<Weak<AtomicBool>>>>;

/// `glue.js`'s function: the names of outcomes, options and limits (JSON) and the exit hook in,
/// the helpers out.
type Make<'env> = Function<'env, FnArgs<(&'env str, Function<'env, (), ()>)>, Object<'env>>;

/// One environment's helpers.
struct Glue {
    runs: Runs,
    options: FunctionRef<(), ()>,
    result: FunctionRef<(), ()>,
    live: FunctionRef<(), ()>,
    failed: FunctionRef<(), ()>,
    rejection: FunctionRef<(), ()>,
    unboxing: FunctionRef<(), ()>,
    noop: FunctionRef<(), ()>,
    later: FunctionRef<(), ()>,
    iterate: FunctionRef<(), ()>,
    puller: FunctionRef<(), ()>,
}

/// The helpers of `env`, compiled on its first run.
fn glue(env: &Env) -> napi::Result<&'static Glue> {
    if let Some(glue) = env.get_instance_data::<Glue>()? {
        return Ok(&*glue);
    }
    let runs = Runs::default();
    let cancelled = Arc::clone(&runs);
    let exiting = env.create_function_from_closure::<(), (), _>("exiting", move |_| {
        cancel_all(&cancelled);
        Ok(())
    })?;
    // Rust's debug format of a list of plain names is JSON.
    let names = format!(
        r#"{{"outcomes":{OUTCOME_NAMES:?},"options":{OPTION_NAMES:?},"limits":{LIMIT_NAMES:?}}}"#
    );
    let make: Make = env.run_script(SOURCE)?;
    let helpers = make.call(FnArgs::from((names.as_str(), exiting)))?;
    let reference = |name| {
        helpers
            .get_named_property::<Function<(), ()>>(name)
            .and_then(|f| f.create_ref())
    };
    let glue = Glue {
        runs,
        options: reference("options")?,
        result: reference("result")?,
        live: reference("live")?,
        failed: reference("failed")?,
        rejection: reference("rejection")?,
        unboxing: reference("unboxing")?,
        noop: reference("noop")?,
        later: reference("later")?,
        iterate: reference("iterate")?,
        puller: reference("puller")?,
    };
    env.set_instance_data(glue, (), |_| {})?;
    env.get_instance_data::<Glue>()?
        .map(|glue| &*glue)
        .ok_or_else(|| napi::Error::from_reason("the binding's helpers were not kept"))
}

/// Calls `function` with `args`. An exception it throws stays pending and is returned as an
/// error with status `PendingException`.
pub fn call<'env>(
    env: &'env Env,
    function: &FunctionRef<(), ()>,
    args: &[sys::napi_value],
) -> napi::Result<Unknown<'env>> {
    let function = function.borrow_back(env)?;
    let mut this = std::ptr::null_mut();
    let mut value = std::ptr::null_mut();
    // SAFETY: `env` is the live environment of the current call, `function` a live function
    // of it, and `args` live values of this call.
    let status = unsafe {
        sys::napi_get_undefined(env.raw(), &mut this);
        sys::napi_call_function(
            env.raw(),
            this,
            function.raw(),
            args.len(),
            args.as_ptr(),
            &mut value,
        )
    };
    if status != sys::Status::napi_ok {
        return Err(napi::Error::from_status(napi::Status::from(status)));
    }
    // SAFETY: on success `value` is a live JS value of this call.
    Ok(unsafe { Unknown::from_raw_unchecked(env.raw(), value) })
}

/// How many options `glue.js`'s `options` reads.
pub const OPTIONS: usize = OPTION_NAMES.len();

/// A run's options as `glue.js`'s `options` reads them.
pub struct Options<'env> {
    /// The options set (neither `undefined` nor `null`), in the order of `glue.js`'s `options`.
    pub values: [Option<Unknown<'env>>; OPTIONS],
    /// The first key that is no option: where (`options` or `limits`) and the key.
    pub unknown: Option<(String, String)>,
    /// The first of `options` (as ""), `env`, `files`, `limits` and `mounts` that is an object
    /// but not a plain one, with its `Object.prototype.toString` tag (`[object Map]`).
    pub strange: Option<(String, String)>,
}

/// The run options in `object`, read as JS reads properties (inherited ones and getters
/// included), with what is wrong with their shape.
pub fn options<'env>(env: &'env Env, object: &Unknown<'_>) -> napi::Result<Options<'env>> {
    let set = call(env, &glue(env)?.options, &[object.raw()])?;
    // SAFETY: `options` returns an array: a mask, every option's value, and, when something is
    // wrong, the unknown key and the object that is not plain, each `[where, what]`.
    let set = unsafe { set.cast::<Object>() }?;
    let mask: u32 = set.get_element(0)?;
    let mut read = Options {
        values: Default::default(),
        unknown: None,
        strange: None,
    };
    if set.get_array_length()? > 2 {
        let pair = |i| -> napi::Result<Option<(String, String)>> {
            let value: Option<Object> = set.get_element(i)?;
            value
                .map(|pair| Ok((pair.get_element(0)?, pair.get_element(1)?)))
                .transpose()
        };
        read.unknown = pair(2)?;
        read.strange = pair(3)?;
    }
    if mask == 0 {
        return Ok(read);
    }
    let all: Object = set.get_element(1)?;
    for (i, value) in read.values.iter_mut().enumerate() {
        if mask & (1 << i) != 0 {
            *value = Some(all.get_element(i as u32)?);
        }
    }
    Ok(read)
}

/// A result object, from the values of `glue.js`'s `result` arguments (converted already).
pub fn result<'env>(env: &'env Env, args: &[sys::napi_value]) -> napi::Result<Unknown<'env>> {
    call(env, &glue(env)?.result, args)
}

/// `glue.js`'s `live` around the caller's `on_output`: its `deliver` and `failure` functions.
pub fn live(
    env: &Env,
    on_output: &Unknown<'_>,
) -> napi::Result<(FunctionRef<(), ()>, FunctionRef<(), ()>)> {
    let pair = call(env, &glue(env)?.live, &[on_output.raw()])?;
    // SAFETY: `live` returns an array of two functions.
    let pair = unsafe { pair.cast::<Object>() }?;
    let deliver: Function<(), ()> = pair.get_element(0)?;
    let failure: Function<(), ()> = pair.get_element(1)?;
    Ok((deliver.create_ref()?, failure.create_ref()?))
}

/// `error`, with `result` attached (see `glue.js`'s `failed`).
pub fn failed<'env>(
    env: &'env Env,
    error: &Unknown<'_>,
    result: &Unknown<'_>,
) -> napi::Result<Unknown<'env>> {
    call(env, &glue(env)?.failed, &[error.raw(), result.raw()])
}

/// A threadsafe function that only wakes the JS thread, to run a callback there: the live
/// output's and the interactive input's way from the guest's thread to JS. Weak: it keeps no
/// event loop alive.
pub struct Doorbell(ThreadsafeFunction<(), (), (), napi::Status, false, true, 0>);

impl Doorbell {
    /// Wakes the JS thread (from any thread, without waiting); `false` if its environment is
    /// closing and will never run the callback.
    pub fn ring(&self) -> bool {
        self.0.call((), ThreadsafeFunctionCallMode::NonBlocking) == napi::Status::Ok
    }
}

/// A doorbell that runs `on_ring` on the JS thread of `env` each time it is rung.
pub fn doorbell(env: &Env, mut on_ring: impl FnMut(&Env) + 'static) -> napi::Result<Doorbell> {
    let noop = glue(env)?.noop.borrow_back(env)?;
    let function = noop
        .build_threadsafe_function::<()>()
        .callee_handled::<false>()
        .weak::<true>()
        .build_callback(move |ctx: ThreadsafeCallContext<()>| {
            on_ring(&ctx.env);
            Ok(())
        })?;
    Ok(Doorbell(function))
}

/// `thrown` as a promise may be rejected with it: itself if an object, else boxed (see
/// `glue.js`'s `rejection`).
pub fn rejection_value<'env>(env: &'env Env, thrown: &Unknown<'_>) -> napi::Result<Unknown<'env>> {
    call(env, &glue(env)?.rejection, &[thrown.raw()])
}

/// A rejection of a promise with `thrown`, whatever it is (see `glue.js`'s `rejection`; the
/// promise must come from [`unboxing`]).
pub fn rejection(env: &Env, thrown: &Unknown<'_>) -> napi::Error {
    match glue(env).and_then(|glue| call(env, &glue.rejection, &[thrown.raw()])) {
        Ok(value) => napi::Error::from(value),
        Err(error) => error,
    }
}

/// The promise an async call returns: `promise`, its boxed rejections unboxed.
pub fn unboxing<'env>(env: &'env Env, promise: &Object<'_>) -> napi::Result<Object<'env>> {
    let value = call(env, &glue(env)?.unboxing, &[promise.raw()])?;
    // SAFETY: `unboxing` returns a promise, an object.
    unsafe { value.cast::<Object>() }
}

/// Cancels every run of `runs` still in flight.
fn cancel_all(runs: &Runs) {
    for run in lock(runs).drain(..) {
        if let Some(cancel) = run.upgrade() {
            cancel.store(true, Ordering::Relaxed);
        }
    }
}

/// Cancels the async run of `cancel` if its environment exits before it ends.
pub fn track(env: &Env, cancel: &Arc<AtomicBool>) -> napi::Result<()> {
    let mut runs = lock(&glue(env)?.runs);
    runs.retain(|run| run.strong_count() > 0);
    runs.push(Arc::downgrade(cancel));
    Ok(())
}

/// Calls `function` on the next turn of the event loop (`setImmediate`).
pub fn later(env: &Env, function: &FunctionRef<(), ()>) -> napi::Result<()> {
    let function = function.borrow_back(env)?;
    call(env, &glue(env)?.later, &[function.raw()]).map(drop)
}

/// The async iterator of `value` (see `glue.js`'s `iterate`), if it is an async iterable.
pub fn iterate<'env>(env: &'env Env, value: &Unknown<'_>) -> napi::Result<Option<Unknown<'env>>> {
    let iterator = call(env, &glue(env)?.iterate, &[value.raw()])?;
    Ok((iterator.get_type()? != napi::ValueType::Undefined).then_some(iterator))
}

/// `glue.js`'s `pull` and `close` for `iterator`, feeding the native `supply`, `end` and `fail`.
pub fn puller(
    env: &Env,
    iterator: &Unknown<'_>,
    supply: Function<(), ()>,
    end: Function<(), ()>,
    fail: Function<(), ()>,
) -> napi::Result<(FunctionRef<(), ()>, FunctionRef<(), ()>)> {
    let args = [iterator.raw(), supply.raw(), end.raw(), fail.raw()];
    let pair = call(env, &glue(env)?.puller, &args)?;
    // SAFETY: `puller` returns an array of two functions.
    let pair = unsafe { pair.cast::<Object>() }?;
    let pull: Function<(), ()> = pair.get_element(0)?;
    let close: Function<(), ()> = pair.get_element(1)?;
    Ok((pull.create_ref()?, close.create_ref()?))
}
