//! The JS sides of an async run, settled with it: its live output (`live.rs`) and its
//! interactive input (`input.rs`).

use std::sync::Arc;

use napi::Env;
use napi::bindgen_prelude::Unknown;

use super::input::Input;
use super::live::Live;

/// What an async run has on the JS side besides its promise.
#[derive(Clone, Default)]
pub struct Sides {
    /// The JS side of `onOutput`, if given.
    pub live: Option<Arc<Live>>,
    /// The JS side of an interactive `stdin`, if given.
    pub input: Option<Arc<Input>>,
}

impl Sides {
    /// On the JS thread, once the run has ended: delivers the output still queued, closes the
    /// input, and returns what the caller's `onOutput` or `stdin` threw, if either did.
    pub fn finish<'env>(&self, env: &'env Env) -> Option<Unknown<'env>> {
        let mut thrown = None;
        if let Some(live) = &self.live {
            live.finish(env);
            thrown = live.thrown(env);
        }
        if let Some(input) = &self.input
            && let Some(failure) = input.finish(env)
            && thrown.is_none()
        {
            thrown = Some(failure);
        }
        thrown
    }
}
