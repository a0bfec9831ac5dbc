//! The hot loop allocates nothing: every optimizer steps under a counting allocator.

use downhill::engine::{RunConfig, Runner};
use downhill::optim::OptimizerKind;
use downhill::surfaces::{Surface, SurfaceKind};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts allocations made by the process.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn stepping_allocates_nothing() {
    for kind in OptimizerKind::ALL {
        let hp = kind.defaults();
        let config = RunConfig {
            lr: hp.get("lr").unwrap(),
            noise: 0.1,
            clip: downhill::engine::Clip::Norm(10.0),
            tol_grad: 0.0,
            tol_step: 0.0,
            ..RunConfig::default()
        };
        let mut runner = Runner::new(
            Surface::new(SurfaceKind::Himmelblau),
            kind.build(&hp),
            config,
            &[0.5, 0.5],
        )
        .unwrap();
        runner.step(); // warm-up: nothing should allocate here either, but be lenient
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        for _ in 0..200 {
            runner.step();
        }
        let after = ALLOCATIONS.load(Ordering::Relaxed);
        assert_eq!(
            after - before,
            0,
            "{} allocated while stepping",
            kind.name()
        );
    }
}
