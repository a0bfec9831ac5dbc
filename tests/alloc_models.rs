//! Training steps allocate nothing: a model objective under a counting allocator, across
//! epoch boundaries (reshuffles) and for every model family.

mod counting;

use counting::ALLOCATIONS;
use downhill::data::{DatasetKind, Split, SplitOptions};
use downhill::engine::{RunConfig, Runner};
use downhill::models::{Activation, Architecture, Batch, ModelKind, ModelObjective, Network};
use downhill::optim::OptimizerKind;
use std::sync::Arc;
use std::sync::atomic::Ordering;

#[test]
fn training_steps_allocate_nothing() {
    let cases = [
        (
            DatasetKind::Digits,
            Architecture::mlp(&[32], Activation::Relu),
        ),
        (DatasetKind::Iris, Architecture::of(ModelKind::Softmax)),
        (
            DatasetKind::BreastCancer,
            Architecture::of(ModelKind::Logistic),
        ),
        (DatasetKind::Diabetes, Architecture::of(ModelKind::Linear)),
        (
            DatasetKind::Moons,
            Architecture::mlp(&[8, 8], Activation::Tanh),
        ),
    ];
    for (kind, arch) in cases {
        let data = kind.load(0).unwrap();
        let split = Split::new(&data, SplitOptions::default(), 0);
        let net = Arc::new(Network::new(&arch, data.d, data.task()).unwrap());
        let init = net.init(0);
        let train = Arc::new(split.train);
        for opt in [
            OptimizerKind::Adam,
            OptimizerKind::Momentum,
            OptimizerKind::Lbfgs,
        ] {
            let hp = opt.defaults();
            let config = RunConfig {
                lr: hp.get("lr").unwrap(),
                tol_grad: 0.0,
                tol_step: 0.0,
                ..RunConfig::default()
            };
            let mut runner = Runner::new(
                ModelObjective::new(net.clone(), train.clone(), Batch::Size(32), 1),
                opt.build(&hp),
                config,
                &init,
            )
            .unwrap();
            runner.step();
            let before = ALLOCATIONS.load(Ordering::Relaxed);
            // More than one epoch of every dataset here (digits: 45 batches).
            for _ in 0..100 {
                runner.step();
            }
            let after = ALLOCATIONS.load(Ordering::Relaxed);
            assert_eq!(
                after - before,
                0,
                "{} {} allocated",
                kind.name(),
                opt.name()
            );
        }
    }
}
