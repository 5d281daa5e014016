//! The `AbortSignal` of an async call (`runWasiAsync`, `Program#runAsync`,
//! `Program.compileAsync`): an `abort` listener that sets the call's cancel flag, which the
//! guest's watchdog and the compile's budget check, and whatever else the call does on abort.
//!
//! napi-rs's own `AbortSignal` support is not used: it overwrites the signal's `onabort`, and
//! cannot stop work that has started.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use napi::bindgen_prelude::{
    FnArgs, Function, FunctionRef, JsObjectValue, Object, ObjectRef, Unknown,
};
use napi::{Env, ValueType};

use super::error::{JsResult, invalid_options};
use super::task::take_exception;

/// A call's signal, and the `abort` listener added to it (none when it had aborted already),
/// removed again when the call ends so that a long-lived signal does not collect one listener
/// per call.
pub struct AbortListener {
    signal: ObjectRef<false>,
    listener: Option<FunctionRef<(), ()>>,
}

type EventMethod<'env> =
    Function<'env, FnArgs<(&'static str, Function<'env, (), ()>)>, Unknown<'env>>;

/// Sets `cancel` and calls `on_abort` when `signal` aborts (any nullish value for no signal).
/// An already aborted signal sets `cancel` now, and adds no listener. An object that is not an
/// `AbortSignal` is `ERR_INVALID_OPTIONS`; if one of its getters threw, that exception is left
/// pending for the caller to take.
pub fn listen(
    env: &Env,
    signal: Option<Unknown<'_>>,
    cancel: &Arc<AtomicBool>,
    on_abort: impl Fn(&Env) + 'static,
) -> JsResult<Option<AbortListener>> {
    let Some(signal) =
        signal.filter(|s| !matches!(s.get_type(), Ok(ValueType::Undefined | ValueType::Null)))
    else {
        return Ok(None);
    };
    let not_a_signal = || invalid_options("signal must be an AbortSignal");
    if signal.get_type().ok() != Some(ValueType::Object) {
        return Err(not_a_signal());
    }
    // SAFETY: checked to be an object just above.
    let object = unsafe { signal.cast::<Object>() }.map_err(|_| not_a_signal())?;
    let aborted: Unknown = object
        .get_named_property("aborted")
        .map_err(|_| not_a_signal())?;
    let add: EventMethod = object
        .get_named_property("addEventListener")
        .map_err(|_| not_a_signal())?;
    let _: EventMethod = object
        .get_named_property("removeEventListener")
        .map_err(|_| not_a_signal())?;
    if aborted.get_type().ok() != Some(ValueType::Boolean) {
        return Err(not_a_signal());
    }
    let failed = |e: napi::Error| invalid_options(format!("signal: {}", e.reason));
    // SAFETY: checked to be a boolean just above.
    if unsafe { aborted.cast::<bool>() }.map_err(|_| not_a_signal())? {
        cancel.store(true, Ordering::Relaxed);
        return Ok(Some(AbortListener {
            signal: object.create_ref().map_err(failed)?,
            listener: None,
        }));
    }
    let flag = Arc::clone(cancel);
    let listener = env
        .create_function_from_closure("onabort", move |ctx| {
            flag.store(true, Ordering::Relaxed);
            on_abort(ctx.env);
            Ok(())
        })
        .map_err(failed)?;
    add.apply(object, ("abort", listener).into())
        .map_err(failed)?;
    // Aborted while `addEventListener` ran, before the listener was in: as if aborted already.
    let now: Unknown = object
        .get_named_property("aborted")
        .map_err(|_| not_a_signal())?;
    // SAFETY: cast only when it is a boolean.
    if now.get_type().ok() == Some(ValueType::Boolean)
        && unsafe { now.cast::<bool>() }.unwrap_or(false)
    {
        cancel.store(true, Ordering::Relaxed);
    }
    Ok(Some(AbortListener {
        signal: object.create_ref().map_err(failed)?,
        listener: Some(listener.create_ref().map_err(failed)?),
    }))
}

impl AbortListener {
    /// The signal's `reason` (what `abort(reason)` was given), unless reading it threw.
    pub fn reason<'env>(&self, env: &'env Env) -> Option<Unknown<'env>> {
        let reason = self
            .signal
            .get_value(env)
            .and_then(|signal| signal.get_named_property::<Unknown>("reason"));
        if reason.is_err() {
            let _ = take_exception(env);
        }
        reason.ok()
    }

    /// Removes the listener, best-effort: a signal whose `removeEventListener` throws or has
    /// gone keeps the listener (which only sets a flag), and the exception is dropped rather
    /// than thrown from the completion callback, where nothing could catch it.
    pub fn remove(self, env: &Env) {
        let removed = (|| {
            let Some(listener) = &self.listener else {
                return Ok(());
            };
            let signal = self.signal.get_value(env)?;
            let remove: EventMethod = signal.get_named_property("removeEventListener")?;
            remove.apply(signal, ("abort", listener.borrow_back(env)?).into())?;
            Ok::<_, napi::Error>(())
        })();
        if removed.is_err() {
            let _ = take_exception(env);
        }
        let _ = self.signal.unref(env);
    }
}
