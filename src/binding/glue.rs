//! The JS halves of the hot path (`glue.js`): reading a run's options and building its result,
//! compiled once per JS environment (the main thread and each worker have their own) and kept
//! in its instance data.

use napi::bindgen_prelude::{Function, FunctionRef, JsObjectValue, Object, Unknown};
use napi::{Env, JsValue, sys};

use super::result::OUTCOME_NAMES;

const SOURCE: &str = include_str!("glue.js");

/// One environment's helpers.
struct Glue {
    options: FunctionRef<(), ()>,
    result: FunctionRef<(), ()>,
    live: FunctionRef<(), ()>,
    failed: FunctionRef<(), ()>,
    rejection: FunctionRef<(), ()>,
    unboxing: FunctionRef<(), ()>,
    noop: FunctionRef<(), ()>,
}

/// The helpers of `env`, compiled on its first run.
fn glue(env: &Env) -> napi::Result<&'static Glue> {
    if let Some(glue) = env.get_instance_data::<Glue>()? {
        return Ok(&*glue);
    }
    let make: Function<Vec<&str>, Object> = env.run_script(SOURCE)?;
    let helpers = make.call(OUTCOME_NAMES.to_vec())?;
    let reference = |name| {
        helpers
            .get_named_property::<Function<(), ()>>(name)
            .and_then(|f| f.create_ref())
    };
    let glue = Glue {
        options: reference("options")?,
        result: reference("result")?,
        live: reference("live")?,
        failed: reference("failed")?,
        rejection: reference("rejection")?,
        unboxing: reference("unboxing")?,
        noop: reference("noop")?,
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
pub const OPTIONS: usize = 11;

/// The run options set in `object` (neither `undefined` nor `null`), in the order of `glue.js`'s
/// `options`, read as JS reads properties (inherited ones and getters included).
pub fn options<'env>(
    env: &'env Env,
    object: &Unknown<'_>,
) -> napi::Result<[Option<Unknown<'env>>; OPTIONS]> {
    let set = call(env, &glue(env)?.options, &[object.raw()])?;
    // SAFETY: `options` returns an array: a mask, then the values it marks.
    let set = unsafe { set.cast::<Object>() }?;
    let mask: u32 = set.get_element(0)?;
    let mut values: [Option<Unknown<'env>>; OPTIONS] = Default::default();
    let mut next = 1;
    for (i, value) in values.iter_mut().enumerate() {
        if mask & (1 << i) != 0 {
            *value = Some(set.get_element(next)?);
            next += 1;
        }
    }
    Ok(values)
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

/// A function that does nothing, for a threadsafe function that only wakes the JS thread.
pub fn noop<'env>(env: &'env Env) -> napi::Result<Function<'env, (), ()>> {
    glue(env)?.noop.borrow_back(env)
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
