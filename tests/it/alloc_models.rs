//! Training steps allocate nothing: a model objective under a counting allocator, across
//! epoch boundaries (reshuffles) and for every model family.

use crate::counting::allocations;
use downhill::data::{DatasetKind, Split, SplitOptions};
use downhill::engine::{RunConfig, Runner};
use downhill::models::{Activation, Architecture, Batch, ModelKind, ModelObjective, Network};
use downhill::optim::OptimizerKind;
use std::sync::Arc;

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
            OptimizerKind::ADAM,
            OptimizerKind::MOMENTUM,
            OptimizerKind::LBFGS,
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
            // L-BFGS grows its history as it fills, then never again.
            let warm_up = 1 + hp.get("history_size").unwrap_or(0.0) as usize;
            for _ in 0..warm_up {
                runner.step();
            }
            let before = allocations();
            // More than one epoch of every dataset here (digits: 45 batches).
            for _ in 0..100 {
                runner.step();
            }
            let after = allocations();
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
