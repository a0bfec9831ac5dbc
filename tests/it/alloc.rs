//! The hot loop allocates nothing: every optimizer steps under a counting allocator.

use crate::counting::allocations;
use downhill::engine::{RunConfig, Runner};
use downhill::optim::OptimizerKind;
use downhill::surfaces::{Surface, SurfaceKind};

#[test]
fn stepping_allocates_nothing() {
    for kind in OptimizerKind::all() {
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
        // Warm-up: L-BFGS grows its history as it fills (then never again); the others should
        // not allocate here either, but the test is lenient.
        let warm_up = 1 + hp.get("history_size").unwrap_or(0.0) as usize;
        for _ in 0..warm_up {
            runner.step();
        }
        let before = allocations();
        for _ in 0..200 {
            runner.step();
        }
        let after = allocations();
        assert_eq!(
            after - before,
            0,
            "{} allocated while stepping",
            kind.name()
        );
    }
}
