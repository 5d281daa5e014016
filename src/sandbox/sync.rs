//! The one poison-tolerant lock. Every mutex of the engine and the binding guards state that
//! stays consistent at every return of the code holding it, so a panic elsewhere (which the
//! binding reports as an error, or which ends a run) leaves it usable.

use std::sync::{Mutex, MutexGuard};

/// Locks `mutex`, ignoring poison: a panic while it was held cannot have left its state
/// half-changed (see the module's note).
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
