//! How much heap a piece of host work keeps: every allocation of the addon goes through a
//! counting wrapper of the system allocator, which keeps a net count per thread, and
//! [`measured`] reads it around a call. Loading a program is measured this way (its types and
//! metadata, which its serialized size does not bound: 5 KB of nested components once loaded
//! as 184 MB), so the program cache counts what programs really hold and a compiler process can
//! refuse a program that would hold too much.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The system allocator, counting.
pub struct Counting;

#[global_allocator]
static COUNTING: Counting = Counting;

thread_local! {
    /// Bytes allocated minus bytes freed by this thread while any thread measures.
    static NET: Cell<isize> = const { Cell::new(0) };
}

/// How many threads are measuring now. Allocations are counted only then, so that a run (which
/// allocates on every call) pays one shared load per allocation, not a thread-local update.
static MEASURING: AtomicUsize = AtomicUsize::new(0);

fn add(delta: isize) {
    if MEASURING.load(Ordering::Relaxed) == 0 {
        return;
    }
    // `try_with`: an allocation while the thread's locals are torn down is simply not counted.
    let _ = NET.try_with(|net| net.set(net.get().wrapping_add(delta)));
}

// SAFETY: every call is passed to `System` unchanged; the count has no effect on allocation.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's promises, passed on.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            add(layout.size() as isize);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as above.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            add(layout.size() as isize);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) };
        add(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as above.
        let moved = unsafe { System.realloc(ptr, layout, new_size) };
        if !moved.is_null() {
            add((new_size as isize).wrapping_sub(layout.size() as isize));
        }
        moved
    }
}

/// Runs `work` and returns its value with the heap it left allocated, in bytes: what this
/// thread allocated during the call and did not free (0 if it freed more).
pub fn measured<T>(work: impl FnOnce() -> T) -> (T, usize) {
    MEASURING.fetch_add(1, Ordering::SeqCst);
    let before = NET.with(Cell::get);
    let value = opaque(work);
    let after = NET.with(Cell::get);
    MEASURING.fetch_sub(1, Ordering::SeqCst);
    (
        value,
        usize::try_from(after.wrapping_sub(before)).unwrap_or(0),
    )
}

/// Calls `work` through a pointer the optimizer cannot see through. The compiler assumes an
/// allocation changes no memory but its own, so with `work` inlined it could read the count
/// once for both ends; a call it cannot see into may change anything, the count included.
fn opaque<T>(work: impl FnOnce() -> T) -> T {
    let mut work = Some(work);
    let mut value = None;
    let mut call = || value = work.take().map(|work| work());
    let call: &mut dyn FnMut() = std::hint::black_box(&mut call);
    call();
    value.expect("the work was called once")
}
