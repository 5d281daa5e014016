//! Live output of async runs (`onOutput`): each write of the guest is queued on the thread that
//! runs it and delivered on the JS thread, in order, through `glue.js`'s `live`.
//!
//! A threadsafe function only wakes the JS thread, which then delivers the writes waiting at that
//! moment and returns to its event loop; the queue is ours, so that what is still in it when the
//! run ends is delivered before the promise settles (the promise is settled through another
//! threadsafe function, and libuv does not order the two). When [`MAX_PENDING`] writes or
//! [`MAX_PENDING_BYTES`] wait for the JS thread, the guest waits too: a slow callback slows the
//! guest down rather than filling the host's memory. An exit of the environment cancels the run
//! (see `glue.js`), which stops a waiting guest. The first exception of the caller's function stops the delivery
//! and cancels the run, and the promise rejects with it (see `task.rs`).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::Duration;

use napi::bindgen_prelude::{BigInt, FunctionRef, JsObjectValue, Object, ToNapiValue, Unknown};
use napi::{Env, sys};

use super::error::{JsResult, invalid_options};
use super::glue;
use crate::sandbox::config::OnOutput;
use crate::sandbox::sync::lock;
use crate::sandbox::wasi::stdio::Channel;

/// How many writes, and how many bytes, may wait for the JS thread before the guest waits for
/// it (a single write of any size may always wait).
const MAX_PENDING: usize = 1024;
const MAX_PENDING_BYTES: usize = 1 << 20;

/// How often a waiting guest looks again whether its run was cancelled.
const WAIT_STEP: Duration = Duration::from_millis(50);

/// One write, waiting for the JS thread.
struct Write {
    channel: Channel,
    bytes: Vec<u8>,
    time_ns: u64,
}

#[derive(Default)]
struct Queue {
    writes: VecDeque<Write>,
    /// The bytes of `writes`.
    bytes: usize,
    /// Whether the JS thread was woken and has not started taking the writes yet.
    rung: bool,
    /// Set when the JS side can take no more: the run settled, or the environment is closing.
    closed: bool,
}

/// One run's live output, shared by the thread running the guest and the JS thread.
pub struct Live {
    queue: Mutex<Queue>,
    drained: Condvar,
    /// `glue.js`'s functions around the caller's `onOutput`; called on the JS thread only.
    deliver: FunctionRef<(), ()>,
    failure: FunctionRef<(), ()>,
    /// The run's cancel flag, set when the caller's function throws.
    cancel: Arc<AtomicBool>,
    /// Set when the caller's function has thrown: nothing more is delivered.
    stopped: AtomicBool,
    /// A JS function that drains again, for a later turn of the event loop.
    again: OnceLock<FunctionRef<(), ()>>,
}

impl Live {
    /// Delivers the writes waiting now, on the JS thread, then returns to the event loop (the
    /// guest's next writes wake it again); after the caller's function has thrown, only empties
    /// the queue.
    pub fn drain(&self, env: &Env) {
        self.deliver_waiting(env);
        let mut queue = lock(&self.queue);
        if queue.writes.is_empty() {
            // The guest's next write wakes the JS thread again.
            queue.rung = false;
            return;
        }
        drop(queue);
        // More came meanwhile: taken on a later turn of the event loop (a threadsafe function's
        // calls would be taken in the same turn, up to a thousand of them).
        let later = self.again.get().map(|again| glue::later(env, again));
        if !matches!(later, Some(Ok(_))) {
            lock(&self.queue).rung = false;
        }
    }

    fn deliver_waiting(&self, env: &Env) {
        let writes = {
            let mut queue = lock(&self.queue);
            queue.bytes = 0;
            std::mem::take(&mut queue.writes)
        };
        self.drained.notify_all();
        for write in writes {
            if self.stopped.load(Ordering::Relaxed) {
                continue;
            }
            if !self.deliver_one(env, write).unwrap_or(false) {
                self.stopped.store(true, Ordering::Relaxed);
                self.cancel.store(true, Ordering::Relaxed);
            }
        }
    }

    /// Delivers every write still waiting, once the run has ended, and takes no more.
    pub fn finish(&self, env: &Env) {
        self.deliver_waiting(env);
        self.close();
    }

    /// Delivers one write; `false` if the caller's function threw.
    fn deliver_one(&self, env: &Env, write: Write) -> napi::Result<bool> {
        // Each delivery in a handle scope of its own: the values made for it (the event, its
        // Buffer) are not held until the whole batch is delivered.
        let mut scope = std::ptr::null_mut();
        // SAFETY: `env` is the live environment of the JS thread.
        unsafe { sys::napi_open_handle_scope(env.raw(), &mut scope) };
        let delivered = self.deliver_in_scope(env, write);
        // SAFETY: `scope` was opened just above, and nothing made in it is used after.
        unsafe { sys::napi_close_handle_scope(env.raw(), scope) };
        delivered
    }

    fn deliver_in_scope(&self, env: &Env, write: Write) -> napi::Result<bool> {
        let stream = match write.channel {
            Channel::Stdout => 0,
            Channel::Stderr => 1,
        };
        // SAFETY: `env` is the live environment of the JS thread; the values are used at once.
        let args = unsafe {
            [
                u32::to_napi_value(env.raw(), stream)?,
                super::result::stream(env, &write.bytes)?,
                BigInt::to_napi_value(env.raw(), BigInt::from(write.time_ns))?,
            ]
        };
        let returned = glue::call(env, &self.deliver, &args)?;
        // SAFETY: `deliver` returns a boolean.
        unsafe { returned.cast::<bool>() }
    }

    /// The exception the caller's function threw, if it did.
    pub fn thrown<'env>(&self, env: &'env Env) -> Option<Unknown<'env>> {
        let failure = glue::call(env, &self.failure, &[]).ok()?;
        if failure.get_type().ok() != Some(napi::ValueType::Object) {
            return None;
        }
        // SAFETY: `failure` returns undefined or a one-element array.
        let failure = unsafe { failure.cast::<Object>() }.ok()?;
        failure.get_element::<Unknown>(0).ok()
    }

    /// Ends the delivery: nothing more is queued, and a guest waiting for room goes on.
    pub fn close(&self) {
        lock(&self.queue).closed = true;
        self.drained.notify_all();
    }

    /// Queues a write (on the thread running the guest); `true` if the JS thread must be woken.
    fn push(&self, write: Write) -> bool {
        let mut queue = lock(&self.queue);
        while (queue.writes.len() >= MAX_PENDING || queue.bytes >= MAX_PENDING_BYTES)
            && !queue.closed
            && !self.cancel.load(Ordering::Relaxed)
        {
            queue = match self.drained.wait_timeout(queue, WAIT_STEP) {
                Ok((queue, _)) => queue,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        if queue.closed {
            return false;
        }
        queue.bytes += write.bytes.len();
        queue.writes.push_back(write);
        !std::mem::replace(&mut queue.rung, true)
    }
}

/// The engine's listener for `on_output`, a function (checked here), and what the JS side of the
/// run keeps. Called on the JS thread, as the options are read; `cancel` is the run's.
pub fn watch(
    env: &Env,
    on_output: &Unknown<'_>,
    cancel: &Arc<AtomicBool>,
) -> JsResult<(OnOutput, Arc<Live>)> {
    if on_output.get_type().ok() != Some(napi::ValueType::Function) {
        return Err(invalid_options(format!(
            "options.onOutput must be a function, got {}",
            super::js::describe(on_output)
        )));
    }
    let internal = |e: napi::Error| invalid_options(format!("options.onOutput: {}", e.reason));
    let (deliver, failure) = glue::live(env, on_output).map_err(internal)?;
    let live = Arc::new(Live {
        queue: Mutex::default(),
        drained: Condvar::new(),
        deliver,
        failure,
        cancel: Arc::clone(cancel),
        stopped: AtomicBool::new(false),
        again: OnceLock::new(),
    });
    let weak = Arc::downgrade(&live);
    let again = env
        .create_function_from_closure::<(), (), _>("drain", move |ctx| {
            if let Some(live) = weak.upgrade() {
                live.drain(ctx.env);
            }
            Ok(())
        })
        .and_then(|again| again.create_ref())
        .map_err(internal)?;
    let _ = live.again.set(again);
    let drains = Arc::clone(&live);
    let doorbell = glue::doorbell(env, move |env| drains.drain(env)).map_err(internal)?;
    let queues = Arc::clone(&live);
    let listener = move |channel, bytes: &[u8], time_ns| {
        let write = Write {
            channel,
            bytes: bytes.to_vec(),
            time_ns,
        };
        if queues.push(write) && !doorbell.ring() {
            // The environment is closing: nobody will take the output.
            queues.close();
        }
    };
    Ok((OnOutput(Arc::new(listener)), live))
}
