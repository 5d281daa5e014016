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
    };
    env.set_instance_data(glue, (), |_| {})?;
    env.get_instance_data::<Glue>()?
        .map(|glue| &*glue)
        .ok_or_else(|| napi::Error::from_reason("the binding's helpers were not kept"))
}

/// Calls `function` with `args`. An exception it throws stays pending and is returned as an
/// error with status `PendingException`.
fn call<'env>(
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
pub const OPTIONS: usize = 10;

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
