//! Memory accounting: pygrade's global allocator counts live heap bytes, and a worker sets a limit.
//!
//! RustPython never raises `MemoryError` for a real allocation failure: Rust aborts the process.
//! Counting lets a worker stop at a precise, deterministic limit and exit with a code the grader
//! reads as `memory_limit` instead of dying with an ambiguous SIGABRT. An allocation the system
//! refuses (for example under `RLIMIT_AS`) takes the same exit.
//!
//! The fork server also turns on *scrubbing*: every block it frees is zeroed first. Workers are
//! forked from it, so without scrubbing a worker's heap would still hold, in freed blocks, the
//! inputs of the tests the fork server ran before (and the results workers reported): a VM bug
//! that reads stray memory could find a hidden test's input there.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::child::EXIT_MEMORY;

/// The global allocator: the system allocator plus a byte count and an optional limit.
pub struct CountingAllocator;

static USED: AtomicUsize = AtomicUsize::new(0);
static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);
static SCRUB: AtomicBool = AtomicBool::new(false);

/// Live heap bytes allocated through Rust.
pub(crate) fn used() -> usize {
    USED.load(Ordering::Relaxed)
}

/// From now on, exceeding `bytes` of live heap ends the process with [`EXIT_MEMORY`].
pub(crate) fn set_limit(bytes: usize) {
    LIMIT.store(bytes, Ordering::Relaxed);
}

/// From now on, zero every block before it is freed (or moved by `realloc`).
pub(crate) fn set_scrub(on: bool) {
    SCRUB.store(on, Ordering::Relaxed);
}

fn exhausted() -> ! {
    // SAFETY: `_exit` ends the process at once without touching the heap; always sound.
    unsafe { libc::_exit(EXIT_MEMORY) }
}

fn reserve(size: usize) {
    let before = USED.fetch_add(size, Ordering::Relaxed);
    if before.saturating_add(size) > LIMIT.load(Ordering::Relaxed) {
        exhausted();
    }
}

// SAFETY: every method forwards to `System` with the caller's layout; the counting around it does
// not touch the memory handed out.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        reserve(layout.size());
        // SAFETY: forwarded unchanged from our caller.
        let ptr = unsafe { System.alloc(layout) };
        if ptr.is_null() {
            exhausted();
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        reserve(layout.size());
        // SAFETY: forwarded unchanged from our caller.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if ptr.is_null() {
            exhausted();
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        USED.fetch_sub(layout.size(), Ordering::Relaxed);
        if SCRUB.load(Ordering::Relaxed) {
            // SAFETY: the caller owns the `layout.size()` bytes at `ptr` until this call returns.
            unsafe { std::ptr::write_bytes(ptr, 0, layout.size()) };
        }
        // SAFETY: forwarded unchanged from our caller.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if SCRUB.load(Ordering::Relaxed) {
            // SAFETY: forwarded from our caller, whose contract `scrubbed_realloc` shares.
            return unsafe { self.scrubbed_realloc(ptr, layout, new_size) };
        }
        if new_size > layout.size() {
            reserve(new_size - layout.size());
        } else {
            USED.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: forwarded unchanged from our caller.
        let ptr = unsafe { System.realloc(ptr, layout, new_size) };
        if ptr.is_null() {
            exhausted();
        }
        ptr
    }
}

impl CountingAllocator {
    /// `realloc` as allocate, copy, free (which zeroes): the system's `realloc` would free the old
    /// block without zeroing it.
    ///
    /// # Safety
    /// The contract of [`GlobalAlloc::realloc`].
    unsafe fn scrubbed_realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `realloc`'s contract guarantees `new_size` is valid with this alignment.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: a non-zero size, as `realloc` guarantees.
        let new = unsafe { self.alloc(new_layout) };
        // SAFETY: both blocks are live and distinct; the copy stays within the smaller one.
        unsafe { std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size)) };
        // SAFETY: `ptr` was allocated by this allocator with `layout`.
        unsafe { self.dealloc(ptr, layout) };
        new
    }
}
