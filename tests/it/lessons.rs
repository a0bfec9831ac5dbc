//! Every lecture preset shows what its caption says: each is run headless, exactly as the app
//! runs it (through `race::Race`), and its claim is checked. A caption that no test checks is
//! a caption that can lie.

use crate::common::ok;
use downhill::engine::{Flat, Status};
use downhill::insight::Curvature;
use downhill::presets::{find, presets};
use downhill::race::{Command, Race, Track};
use serde_json::Value;

/// The preset called `name`, stepped `steps` times (or until every run stopped).
fn run(name: &str, steps: u64) -> Race {
    let mut race = find(name).unwrap().build();
    race.apply(Command::Step(steps as i64));
    race
}

fn dist(p: [f64; 2], q: [f64; 2]) -> f64 {
    (p[0] - q[0]).hypot(p[1] - q[1])
}

fn end(t: &Track) -> [f64; 2] {
    *t.points.last().unwrap()
}

/// The length of the path drawn by a track.
fn path_length(t: &Track) -> f64 {
    t.points.windows(2).map(|w| dist(w[0], w[1])).sum()
}

/// The first step at which a track leaves the square |x|, |y| ≤ r.
fn leaves(t: &Track, r: f64) -> Option<usize> {
    t.points
        .iter()
        .position(|p| p[0].abs() > r || p[1].abs() > r)
}

#[test]
fn learning_rate_crawls_arrives_and_diverges_around_two_over_lambda_max() {
    let race = run("learning-rate", 200);
    let lanes = race.lanes();
    // The bound the caption quotes is the surface's own: 2/λ_max = 0.2.
    let c = Curvature::at(race.surface(), 0.0, 0.0).unwrap();
    assert!((2.0 / c.lambda_max() - 0.2).abs() < 1e-12);
    let start = race.start();
    let lrs: Vec<f64> = lanes.iter().map(|l| l.spec.hp.get("lr").unwrap()).collect();
    assert!(lrs[1] < 0.2 && lrs[2] > 0.2);
    // After 200 steps the crawler has not covered half the way.
    assert!(dist(end(&lanes[0].track), [0.0, 0.0]) > 0.5 * dist(start, [0.0, 0.0]));
    assert!(lanes[0].track.status.is_running());
    assert!(matches!(lanes[1].track.status, Status::Converged { step, .. } if step < 200));
    assert!(matches!(lanes[2].track.status, Status::Diverged { .. }));
}

#[test]
fn momentum_overshoots_the_ravine_and_nesterov_hardly_does() {
    let race = run("momentum-ravine", 2000);
    let [gd, heavy, nesterov] = race.lanes() else {
        panic!("three racers")
    };
    let minimum = [1.0, 1.0];
    // Both momentum methods reach the minimum while GD still inches along the floor.
    assert!(dist(end(&heavy.track), minimum) < 0.05);
    assert!(dist(end(&nesterov.track), minimum) < 0.05);
    assert!(dist(end(&gd.track), minimum) > 0.1);
    // Overshooting shows as the loss rising again: often and by much for heavy ball.
    let rises = |t: &Track| -> (usize, f64) {
        let ups: Vec<f64> = t
            .loss
            .windows(2)
            .map(|w| w[1] - w[0])
            .filter(|d| *d > 0.0)
            .collect();
        (ups.len(), ups.iter().sum())
    };
    let (heavy_count, heavy_total) = rises(&heavy.track);
    let (nesterov_count, nesterov_total) = rises(&nesterov.track);
    assert!(heavy_count >= 10, "{heavy_count}");
    assert!(nesterov_count <= 2, "{nesterov_count}");
    assert!(heavy_total > 4.0 * nesterov_total);
    // The paths stay in the surface's window.
    let view = race.surface().view();
    for lane in race.lanes() {
        for p in &lane.track.points {
            assert!(p[0] >= view.x.0 && p[0] <= view.x.1 && p[1] >= view.y.0 && p[1] <= view.y.1);
        }
    }
}

#[test]
fn saddle_momentum_and_adam_escape_faster_noise_escapes_from_the_ridge() {
    let race = run("saddle", 400);
    let [gd, momentum, adam, noisy] = race.lanes() else {
        panic!("four racers")
    };
    let out = |t: &Track| leaves(t, 2.0).expect("leaves the view");
    assert!(out(&momentum.track) * 2 < out(&gd.track));
    assert!(out(&adam.track) * 2 < out(&gd.track));
    // The noisy racer starts on the ridge itself and still leaves.
    assert_eq!(race.racer_start(3), [-1.8, 0.0]);
    out(&noisy.track);
    // Going downhill for ever is escaping, not diverging.
    for lane in [gd, momentum, noisy] {
        assert!(
            matches!(lane.track.status, Status::Escaped { .. }),
            "{:?}",
            lane.track.status
        );
    }
    // Without noise, GD from the ridge stalls at the saddle, and says so.
    let mut ridge = find("saddle").unwrap().build();
    ridge.apply(Command::SetShared(downhill::race::Shared::default()));
    ridge.apply(Command::SetRacerStart(0, Some([-1.8, 0.0])));
    ridge.apply(Command::RunToEnd(10_000));
    assert!(matches!(
        ridge.lanes()[0].track.status,
        Status::Stalled {
            at: Flat::Saddle,
            ..
        }
    ));
}

#[test]
fn himmelblau_four_starts_end_in_four_different_minima() {
    let mut race = find("himmelblau").unwrap().build();
    race.apply(Command::RunToEnd(5000));
    let minima = race.surface().minima();
    assert_eq!(minima.len(), 4);
    let mut reached: Vec<usize> = race
        .lanes()
        .iter()
        .map(|l| {
            assert!(matches!(l.track.status, Status::Converged { .. }));
            let e = end(&l.track);
            minima
                .iter()
                .position(|m| dist(e, [m.x, m.y]) < 1e-3)
                .expect("ends at a known minimum")
        })
        .collect();
    reached.sort_unstable();
    reached.dedup();
    assert_eq!(reached.len(), 4, "four distinct minima");
    // The starts surround the hilltop (the shared start marks it: a local maximum).
    let c = Curvature::at(race.surface(), race.start()[0], race.start()[1]).unwrap();
    assert!(c.lambda_max() < 0.0);
    for i in 0..4 {
        assert!(dist(race.racer_start(i), race.start()) < 0.5);
    }
}

#[test]
fn rastrigin_gd_stops_in_the_nearest_dip_momentum_and_noise_go_lower() {
    let race = run("rastrigin", 1500);
    let [gd, momentum, noisy] = race.lanes() else {
        panic!("three racers")
    };
    assert!(matches!(gd.track.status, Status::Converged { step, .. } if step < 100));
    let gd_loss = *gd.track.loss.last().unwrap();
    // The nearest dip to the start.
    assert!(dist(end(&gd.track), [-3.98, 3.98]) < 0.05);
    // Momentum rolled over bumps into a lower dip and stopped there.
    assert!(matches!(momentum.track.status, Status::Converged { .. }));
    assert!(*momentum.track.loss.last().unwrap() < gd_loss - 10.0);
    // Noise keeps GD hopping; over its last 200 steps it sits far lower on average.
    let tail = &noisy.track.loss[noisy.track.loss.len() - 200..];
    let mean = tail.iter().sum::<f64>() / tail.len() as f64;
    assert!(mean < gd_loss - 10.0, "{mean} vs {gd_loss}");
}

#[test]
fn ill_conditioning_gd_zigzags_adaptive_methods_go_straight() {
    let mut race = find("ill-conditioning").unwrap().build();
    race.apply(Command::RunToEnd(5000));
    let lanes = race.lanes();
    let start = race.start();
    let ratio = |t: &Track| path_length(t) / dist(start, end(t));
    let flips = |t: &Track| {
        t.points
            .windows(2)
            .filter(|w| w[0][1] * w[1][1] < 0.0)
            .count()
    };
    assert!(ratio(&lanes[0].track) > 5.0 && flips(&lanes[0].track) > 100);
    for adaptive in &lanes[2..] {
        assert!(
            ratio(&adaptive.track) < 1.2,
            "{}",
            adaptive.spec.kind.name()
        );
    }
    // GD crawls along the flat direction: slower to arrive than either adaptive method.
    let arrival = |t: &Track| t.points.iter().position(|p| dist(*p, [0.0, 0.0]) < 0.1);
    for adaptive in &lanes[2..] {
        assert!(arrival(&adaptive.track).unwrap() * 2 < arrival(&lanes[0].track).unwrap());
    }
}

#[test]
fn beale_adaptive_methods_reach_the_minimum_gd_creeps() {
    let race = run("beale", 500);
    let [gd, rmsprop, adam] = race.lanes() else {
        panic!("three racers")
    };
    let minimum = [3.0, 0.5];
    let reached = |t: &Track| t.points.iter().any(|p| dist(*p, minimum) < 0.05);
    assert!(reached(&rmsprop.track) && reached(&adam.track));
    assert!(dist(end(&gd.track), minimum) > 0.5);
    // With a constant γ RMSprop never settles: it is still moving, its loss up and down.
    let race = run("beale", 3000);
    let rmsprop = &race.lanes()[1].track;
    assert!(rmsprop.status.is_running());
    let tail = &rmsprop.loss[rmsprop.loss.len() - 100..];
    assert!(tail.windows(2).any(|w| w[1] > w[0]));
    // No noise: the title says GD, not SGD.
    assert!(!find("beale").unwrap().title().contains("SGD"));
    assert!(race.lanes().iter().all(|l| l.spec.noise.is_none()));
}

#[test]
fn newton_lands_in_one_step_gd_needs_hundreds() {
    let mut race = find("newton").unwrap().build();
    race.apply(Command::RunToEnd(5000));
    assert!(matches!(
        race.lanes()[0].track.status,
        Status::Converged { step: 1, .. }
    ));
    assert!(matches!(
        race.lanes()[1].track.status,
        Status::Converged { step, .. } if step > 100
    ));
}

#[test]
fn plateau_cliff_clipping_walks_down_the_unclipped_run_is_thrown() {
    let race = run("plateau-cliff", 500);
    let [plain, clipped] = race.lanes() else {
        panic!("two racers")
    };
    // Both walk to the cliff edge within a few seconds of playback.
    for t in [&plain.track, &clipped.track] {
        assert!(t.points[..30].iter().any(|p| p[0] < 2.9));
    }
    // At the edge the unclipped step is huge and lands far out on the plateau...
    let longest = plain
        .track
        .points
        .windows(2)
        .map(|w| dist(w[0], w[1]))
        .fold(0.0, f64::max);
    assert!(longest > 5.0);
    let e = end(&plain.track);
    assert!(
        e[0] < -3.0 && *plain.track.loss.last().unwrap() > 0.95,
        "{e:?}"
    );
    // ...inside the view, where a lecture can see it.
    let view = race.surface().view();
    assert!(e[0] > view.x.0);
    // Clipped to norm 1, no step is longer than γ·1, and it walks down into the well.
    let lr = clipped.spec.hp.get("lr").unwrap();
    assert!(
        clipped
            .track
            .points
            .windows(2)
            .all(|w| dist(w[0], w[1]) <= lr + 1e-12)
    );
    assert!(matches!(clipped.track.status, Status::Converged { .. }));
    assert!(dist(end(&clipped.track), [0.0, 0.0]) < 1e-3);
}

/// The mean distance of a track's last `k` points to `p`.
fn mean_distance_at_the_end(t: &Track, k: usize, p: [f64; 2]) -> f64 {
    let tail = &t.points[t.points.len().saturating_sub(k)..];
    tail.iter().map(|q| dist(*q, p)).sum::<f64>() / tail.len() as f64
}

#[test]
fn batch_sizes_full_batch_glides_mini_batches_jitter_sgd_wanders() {
    let race = run("batch-sizes", 400);
    let [full, sixteen, one] = race.lanes() else {
        panic!("three racers")
    };
    let data = race.surface().data_model().expect("a model on data");
    assert_eq!(data.name(), "linear:diabetes:bmi");
    let (fit, best) = data.minimum();
    // Every row per step: straight down (the full loss never rises) and it stops at the fit.
    assert!(matches!(full.track.status, Status::Converged { step, .. } if step < 400));
    assert!(full.track.loss.windows(2).all(|w| w[1] <= w[0] + 1e-12));
    assert!(dist(end(&full.track), fit) < 1e-6);
    // Mini-batches of 16: near the fit, never settling (the full loss goes up and down).
    assert_eq!(sixteen.epoch(), Some((16, data.rows().div_ceil(16))));
    assert!(sixteen.track.status.is_running());
    assert!(sixteen.track.loss.windows(2).any(|w| w[1] > w[0]));
    let jitter = mean_distance_at_the_end(&sixteen.track, 100, fit);
    let wander = mean_distance_at_the_end(&one.track, 100, fit);
    // Near: within a tenth of the view's half-width.
    let view = race.surface().view();
    let half = 0.5 * (view.x.1 - view.x.0).min(view.y.1 - view.y.0);
    assert!(jitter < 0.1 * half, "{jitter} vs {half}");
    // One row per step: wanders much farther from the fit.
    assert!(wander > 3.0 * jitter, "{wander} vs {jitter}");
    assert!(one.track.loss.last().unwrap() > &(best + 1e-3));
    // The ellipse: the spread of the next step shrinks as 1/batch.
    let p = end(&one.track);
    let c1 = data.batch_gradient_covariance(p[0], p[1], 1);
    let c16 = data.batch_gradient_covariance(p[0], p[1], 16);
    let ratio = c1[0] / c16[0];
    let n = data.rows() as f64;
    assert!(
        (ratio - 16.0 * (n - 1.0) / (n - 16.0)).abs() < 1e-9,
        "{ratio}"
    );
}

#[test]
fn raw_features_make_a_long_valley_and_standardised_ones_a_round_bowl() {
    let race = run("raw-features", 2000);
    let [slow, fast] = race.lanes() else {
        panic!("two racers")
    };
    let (fit, _) = race.surface().data_model().unwrap().minimum();
    let raw = Curvature::at(race.surface(), 0.0, 0.0).unwrap();
    let bound = 2.0 / raw.lambda_max();
    assert!(
        raw.condition_number() > 10_000.0,
        "{}",
        raw.condition_number()
    );
    // The caption's numbers: 2/λ_max ≈ 0.0014, between the two learning rates.
    assert!((bound - 0.0014).abs() < 0.00005, "{bound}");
    assert!(slow.spec.hp.get("lr").unwrap() < bound && fast.spec.hp.get("lr").unwrap() > bound);
    assert!(matches!(fast.track.status, Status::Diverged { .. }));
    // Below the bound, 2000 steps cover less than a fifth of the way along the valley.
    let start = race.start();
    assert!(slow.track.status.is_running());
    assert!(dist(end(&slow.track), fit) > 0.8 * dist(start, fit));
    // Standardised (the "raw data" box unticked): κ = 1, and GD with γ = 0.5 lands in one step.
    let mut spec = race.surface().data_model().unwrap().spec().clone();
    spec.raw = false;
    let round = downhill::surfaces::Surface::data(spec).unwrap();
    let c = Curvature::at(&round, 0.3, -0.2).unwrap();
    assert!(
        (c.condition_number() - 1.0).abs() < 1e-9,
        "{}",
        c.condition_number()
    );
    let mut race = race;
    race.apply(Command::SetSurface(round.clone()));
    race.apply(Command::SetHyper(0, "lr", 0.5));
    race.apply(Command::Step(1));
    let (fit, _) = round.data_model().unwrap().minimum();
    assert!(dist(race.lanes()[0].track.points[1], fit) < 1e-9);
}

#[test]
fn sgd_schedule_a_decaying_learning_rate_settles_sgd() {
    let race = run("sgd-schedule", 1000);
    let [constant, step, cosine] = race.lanes() else {
        panic!("three racers")
    };
    let (fit, _) = race.surface().data_model().unwrap().minimum();
    assert!(race.lanes().iter().all(|l| l.epoch() == Some((1, 442))));
    let wander = mean_distance_at_the_end(&constant.track, 100, fit);
    for settled in [&step.track, &cosine.track] {
        let d = mean_distance_at_the_end(settled, 100, fit);
        assert!(d < 0.6 * wander, "{d} vs {wander}");
    }
    // The learning rates the plot shows: constant, halved every 200 steps, cosine to 0.
    let shared = race.shared();
    assert_eq!(constant.lr_at(shared, 900), 0.05);
    assert!((step.lr_at(shared, 900) - 0.05 / 16.0).abs() < 1e-15);
    assert!(cosine.lr_at(shared, 1000) < 1e-12);
}

#[test]
fn every_preset_starts_and_minima_lie_in_its_view() {
    for p in presets() {
        let race = p.build();
        let view = race.surface().view();
        let inside = |q: [f64; 2]| {
            q[0] >= view.x.0 && q[0] <= view.x.1 && q[1] >= view.y.0 && q[1] <= view.y.1
        };
        for i in 0..race.lanes().len() {
            assert!(inside(race.racer_start(i)), "{}", p.name);
        }
        for m in race.surface().minima() {
            assert!(inside([m.x, m.y]), "{}", p.name);
        }
    }
}

#[test]
fn run_preset_replays_each_racer_exactly_as_the_app() {
    for p in presets() {
        let steps = 300;
        let doc: Value = serde_json::from_str(&ok(&[
            "run",
            "--preset",
            p.name,
            "--steps",
            &steps.to_string(),
            "--format",
            "json",
        ]))
        .unwrap();
        let race = run(p.name, steps);
        let runs = doc["runs"].as_array().unwrap();
        assert_eq!(runs.len(), race.lanes().len(), "{}", p.name);
        for ((run, lane), label) in runs.iter().zip(race.lanes()).zip(race.labels()) {
            assert_eq!(run["label"], label);
            assert_eq!(
                run["status"],
                lane.track.status.label(),
                "{} {label}",
                p.name
            );
            let points = run["points"].as_array().unwrap();
            assert_eq!(points.len(), lane.track.points.len(), "{} {label}", p.name);
            for (q, (xy, loss)) in points
                .iter()
                .zip(lane.track.points.iter().zip(&lane.track.loss))
            {
                assert_eq!(q[0].as_f64().unwrap(), xy[0]);
                assert_eq!(q[1].as_f64().unwrap(), xy[1]);
                assert_eq!(q[2].as_f64().unwrap(), *loss);
            }
        }
    }
}
