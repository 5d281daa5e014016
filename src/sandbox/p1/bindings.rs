//! The one `wiggle::from_witx!` site: Rust types, guest-memory glue and the
//! `WasiSnapshotPreview1` trait for the preview1 ABI, generated from the unmodified `.witx` files
//! in `wit/preview1/`.
//!
//! Only `poll_oneoff` and `fd_read` are async: they are the calls that wait (on the virtual clock,
//! or for interactive input). Every other call completes at once, so it is generated as a plain
//! host function. Errors are "trappable":
//! an errno goes back to the guest, anything else (a guest exit, a limit, a bad pointer) unwinds
//! it.

// The generated code is not ours to document or lint; the ABI fixes its argument counts.
#![allow(missing_docs, clippy::too_many_arguments)]

wiggle::from_witx!({
    witx: ["wit/preview1/wasi_snapshot_preview1.witx"],
    async: {
        wasi_snapshot_preview1::{fd_read, poll_oneoff}
    },
    errors: { errno => trappable Error },
});

impl wiggle::GuestErrorType for types::Errno {
    fn success() -> Self {
        Self::Success
    }
}
