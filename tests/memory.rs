//! The memory check before training is an upper bound on what training allocates, and a
//! close one: a byte-counting allocator watches an experiment being set up and trained.
//!
//! A test binary of its own: its allocator counts the whole process, so no other test may
//! run beside it.

use downhill::data::DatasetKind;
use downhill::models::{Activation, Architecture, Batch, BatchName, ModelKind};
use downhill::optim::OptimizerKind;
use downhill::train::{Experiment, Setup, TrainSettings, memory_need};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

/// Counts the bytes live now and the most live since the last reset.
struct Peak;

static LIVE: AtomicU64 = AtomicU64::new(0);
static PEAK: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Peak {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size() as u64, Ordering::Relaxed) + layout.size() as u64;
        PEAK.fetch_max(live, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size() as u64, Ordering::Relaxed) + layout.size() as u64;
        PEAK.fetch_max(live, Ordering::Relaxed);
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as u64, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        // Counted as a new block beside the old one, as a moving realloc needs both.
        let live = LIVE.fetch_add(new as u64, Ordering::Relaxed) + new as u64;
        PEAK.fetch_max(live, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size() as u64, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new) }
    }
}

#[global_allocator]
static GLOBAL: Peak = Peak;

/// An optimizer with hyperparameter overrides.
fn setup(kind: OptimizerKind, hp: &[(&str, f64)]) -> Setup {
    let hp: Vec<(String, f64)> = hp.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    Setup::new(kind, &hp, Default::default()).unwrap()
}

#[test]
fn the_memory_check_bounds_what_training_allocates_and_closely() {
    let cases = [
        (
            DatasetKind::Digits,
            Architecture::mlp(&[256, 256], Activation::Relu),
            vec![
                setup(OptimizerKind::ADAM, &[]),
                setup(OptimizerKind::LBFGS, &[("history_size", 4.0)]),
                setup(OptimizerKind::GD, &[]),
            ],
            Batch::Size(32),
        ),
        (
            DatasetKind::Iris,
            Architecture::mlp(&[768, 768], Activation::Tanh),
            vec![
                setup(OptimizerKind::LION, &[]),
                setup(OptimizerKind::GD, &[]),
            ],
            Batch::Named(BatchName::Full),
        ),
        (
            DatasetKind::BreastCancer,
            Architecture::of(ModelKind::Logistic),
            vec![setup(OptimizerKind::RMSPROP, &[])],
            Batch::Size(8),
        ),
    ];
    for (kind, arch, optimizers, batch) in cases {
        let data = kind.load(0).unwrap();
        let settings = TrainSettings {
            epochs: 3,
            batch,
            ..TrainSettings::default()
        };
        let before = LIVE.load(Ordering::Relaxed);
        PEAK.store(before, Ordering::Relaxed);
        let exp = Experiment::new(&data, &arch, settings, optimizers).unwrap();
        let mut runs = exp.runs().unwrap();
        // Long enough for L-BFGS's history to fill.
        for run in &mut runs {
            while run.run_epoch().is_some() {}
        }
        let peak = PEAK.load(Ordering::Relaxed) - before;
        let need = memory_need(&exp.net, &data, &exp.optimizers, batch);
        let label = format!("{kind:?} ({} parameters)", exp.net.dim);
        drop(runs);
        drop(exp);
        assert!(
            peak <= need,
            "{label}: allocated {peak} B, the check counted {need} B"
        );
        assert!(
            need <= peak + peak / 4 + (1 << 20),
            "{label}: the check counts {need} B for {peak} B allocated: too cautious"
        );
    }
}
