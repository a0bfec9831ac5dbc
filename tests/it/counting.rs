//! A global allocator that counts each thread's allocations, for the tests that check a hot
//! loop allocates nothing. The count is per thread, so tests running in parallel in this one
//! test binary do not disturb each other.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Counts allocations made by the calling thread.
struct Counting;

thread_local! {
    /// Allocations made by this thread so far (const-initialised: reading it never allocates).
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

/// Allocations made by the calling thread so far.
pub fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // A thread being torn down has no counter left; its allocations are not ours to count.
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;
