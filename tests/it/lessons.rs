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

/// The preset called `name` at its lesson step: the step it plays to and stops at, where its
/// caption must hold.
fn lesson(name: &str) -> (Race, usize) {
    let p = find(name).unwrap();
    let step = p.scene.view.step;
    assert!(step > 0, "{name} has a lesson step");
    (run(name, step), step as usize)
}

/// The steps at which a track's loss rose.
fn rises(t: &Track, upto: usize) -> usize {
    t.loss[..=upto.min(t.loss.len() - 1)]
        .windows(2)
        .filter(|w| w[1] > w[0])
        .count()
}

#[test]
fn learning_rate_crawls_arrives_and_diverges_around_two_over_lambda_max() {
    let (race, at) = lesson("learning-rate");
    let lanes = race.lanes();
    // The bound the caption quotes is the surface's own: 2/λ_max = 0.2.
    let c = Curvature::at(race.surface(), 0.0, 0.0).unwrap();
    assert!((2.0 / c.lambda_max() - 0.2).abs() < 1e-12);
    let lrs: Vec<f64> = lanes.iter().map(|l| l.spec.hp.get("lr").unwrap()).collect();
    assert!(lrs[0] < 0.01 && lrs[1] < 0.2 && lrs[2] > 0.2);
    let l0 = lanes[0].track.loss[0];
    // At the lesson's step: the crawler has lost less than half its loss, the right rate has
    // all but arrived, the large one is above where it started.
    assert!(lanes[0].track.loss[at] > 0.5 * l0);
    assert!(lanes[1].track.loss[at] < 0.01 * l0);
    assert!(lanes[2].track.loss[at] > l0);
    // And it goes on to diverge, while the right rate converges.
    let race = run("learning-rate", 500);
    assert!(matches!(
        race.lanes()[1].track.status,
        Status::Converged { .. }
    ));
    assert!(matches!(
        race.lanes()[2].track.status,
        Status::Diverged { .. }
    ));
}

#[test]
fn momentum_zigzags_and_rises_nesterov_never_rises() {
    let (race, at) = lesson("momentum-ravine");
    let [gd, heavy, nesterov] = race.lanes() else {
        panic!("three racers")
    };
    // Heavy ball's loss rises again and again; Nesterov's never does, all the way to 3000.
    assert!(rises(&heavy.track, at) >= 10, "{}", rises(&heavy.track, at));
    assert_eq!(rises(&nesterov.track, at), 0);
    let long = run("momentum-ravine", 3000);
    assert_eq!(rises(&long.lanes()[2].track, 3000), 0);
    // Zig-zags across the valley: it crosses the valley's floor y = x² again and again,
    // Nesterov far less often.
    let crossings = |t: &Track| {
        t.points[..=at]
            .windows(2)
            .filter(|w| (w[0][1] - w[0][0].powi(2)) * (w[1][1] - w[1][0].powi(2)) < 0.0)
            .count()
    };
    assert!(crossings(&heavy.track) >= 10, "{}", crossings(&heavy.track));
    assert!(crossings(&heavy.track) >= 3 * crossings(&nesterov.track));
    // GD inches along the floor: far from the minimum, little way from its start.
    let minimum = [1.0, 1.0];
    assert!(dist(gd.track.points[at], minimum) > 1.5);
    assert!(gd.track.points[at][0] - gd.track.points[0][0] < 0.5);
}

#[test]
fn saddle_momentum_and_adam_leave_fast_noise_leaves_the_ridge() {
    let (race, at) = lesson("saddle");
    let [gd, momentum, adam, noisy] = race.lanes() else {
        panic!("four racers")
    };
    let y = |t: &Track| t.points[at][1].abs();
    assert!(y(&gd.track) < 0.05, "GD leaves slowly: {}", y(&gd.track));
    assert!(y(&momentum.track) > 1.0 && y(&adam.track) > 1.0);
    assert!(y(&noisy.track) > 0.1, "noise leaves the ridge");
    // The table reads in the same order: the furthest gone the lowest.
    let loss = |t: &Track| t.loss[at];
    assert!(loss(&momentum.track) < loss(&adam.track));
    assert!(loss(&adam.track) < loss(&noisy.track));
    assert!(loss(&noisy.track) < loss(&gd.track));
    // The noisy racer starts on the ridge itself.
    assert_eq!(race.racer_start(3), [-1.8, 0.0]);
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
    // Going downhill for ever is escaping, not diverging.
    let long = run("saddle", 400);
    assert!(matches!(
        long.lanes()[1].track.status,
        Status::Escaped { .. }
    ));
}

#[test]
fn himmelblau_four_starts_end_in_four_different_minima() {
    let (race, at) = lesson("himmelblau");
    let minima = race.surface().minima();
    assert_eq!(minima.len(), 4);
    let mut reached: Vec<usize> = race
        .lanes()
        .iter()
        .map(|l| {
            assert!(
                matches!(l.track.status, Status::Converged { step, .. } if step as usize <= at)
            );
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
fn rastrigin_gd_stops_in_the_nearest_dip_momentum_and_cooling_noise_go_lower() {
    let (race, at) = lesson("rastrigin");
    let [gd, momentum, noisy] = race.lanes() else {
        panic!("three racers")
    };
    assert!(matches!(gd.track.status, Status::Converged { step, .. } if step < 100));
    let gd_loss = *gd.track.loss.last().unwrap();
    // The nearest dip to the start.
    assert!(dist(end(&gd.track), [-3.98, 3.98]) < 0.05);
    // Momentum rolled over bumps into a lower dip and stopped there.
    assert!(matches!(momentum.track.status, Status::Converged { .. }));
    let momentum_loss = *momentum.track.loss.last().unwrap();
    assert!(momentum_loss < gd_loss - 10.0);
    // Noisy GD, its γ (and with it the noise's effect) cooling, hops lower still: it ends
    // below momentum, and its loss trends down (the last fifth far below the first).
    let loss = &noisy.track.loss[..=at];
    assert!(loss[at] < momentum_loss, "{} vs {momentum_loss}", loss[at]);
    let fifth = at / 5;
    let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
    assert!(mean(&loss[at - fifth..]) < 0.5 * mean(&loss[..fifth]));
    // Not one lucky seed: under other seeds it mostly ends below momentum too.
    let below = (1..=10u64)
        .filter(|seed| {
            let mut race = find("rastrigin").unwrap().build();
            let shared = downhill::race::Shared {
                seed: *seed,
                ..*race.shared()
            };
            race.apply(Command::SetShared(shared));
            race.apply(Command::Step(at as i64));
            race.lanes()[2].track.loss[at] < momentum_loss
        })
        .count();
    assert!(below >= 8, "{below} of 10 seeds");
}

#[test]
fn ill_conditioning_gd_zigzags_momentum_swings_adaptive_methods_go_straight() {
    let (race, at) = lesson("ill-conditioning");
    let [gd, momentum, rmsprop, adam] = race.lanes() else {
        panic!("four racers")
    };
    let start = race.start();
    fn upto(t: &Track, at: usize) -> &[[f64; 2]] {
        &t.points[..=at]
    }
    // GD: across the valley at almost every step, less than half way along it.
    let flips = upto(&gd.track, at)
        .windows(2)
        .filter(|w| w[0][1] * w[1][1] < 0.0)
        .count();
    assert!(flips >= 20, "{flips}");
    assert!(gd.track.points[at][0] - start[0] < 0.5 * (0.0 - start[0]));
    // Momentum swings wide, far below the valley's floor.
    assert!(upto(&momentum.track, at).iter().any(|p| p[1] < -2.0));
    // RMSprop and Adam: almost straight.
    for t in [&rmsprop.track, &adam.track] {
        let path: f64 = upto(t, at).windows(2).map(|w| dist(w[0], w[1])).sum();
        assert!(path / dist(start, t.points[at]) < 1.01);
    }
}

#[test]
fn beale_adaptive_methods_reach_the_minimum_gd_creeps_rmsprop_jitters() {
    let (race, at) = lesson("beale");
    let [gd, rmsprop, adam] = race.lanes() else {
        panic!("three racers")
    };
    let minimum = [3.0, 0.5];
    assert!(dist(gd.track.points[at], minimum) > 0.5, "GD creeps");
    assert!(dist(adam.track.points[at], minimum) < 1e-3);
    let closest = rmsprop.track.points[..=at]
        .iter()
        .map(|p| dist(*p, minimum))
        .fold(f64::INFINITY, f64::min);
    assert!(closest < 0.01, "RMSprop reached it: {closest}");
    // Keeps jittering: its loss rises at many steps, and still in the last hundred.
    let rms = &rmsprop.track.loss;
    let late = rms[at - 100..=at]
        .windows(2)
        .filter(|w| w[1] > w[0])
        .count();
    assert!(rises(&rmsprop.track, at) >= 50 && late >= 20, "{late}");
    assert_eq!(rises(&adam.track, at), 0);
    // No noise: the title says GD, not SGD.
    assert!(!find("beale").unwrap().title().contains("SGD"));
    assert!(race.lanes().iter().all(|l| l.spec.noise.is_none()));
}

#[test]
fn newton_lands_in_one_step_gd_needs_hundreds() {
    let (race, at) = lesson("newton");
    let [newton, gd] = race.lanes() else {
        panic!("two racers")
    };
    assert!(matches!(
        newton.track.status,
        Status::Converged { step: 1, .. }
    ));
    assert!(newton.track.points[1][0].hypot(newton.track.points[1][1]) < 1e-9);
    // At the lesson's step GD is still on its way, visibly apart from Newton's ball.
    assert!(gd.track.points[at][0].hypot(gd.track.points[at][1]) > 1.0);
    let mut race = find("newton").unwrap().build();
    race.apply(Command::RunToEnd(5000));
    assert!(matches!(
        race.lanes()[1].track.status,
        Status::Converged { step, .. } if step > 100
    ));
}

#[test]
fn plateau_cliff_clipping_walks_down_the_unclipped_run_is_thrown() {
    let (race, at) = lesson("plateau-cliff");
    let [plain, clipped] = race.lanes() else {
        panic!("two racers")
    };
    // Both walk to the cliff edge within a few seconds of playback.
    for t in [&plain.track, &clipped.track] {
        assert!(t.points[..30].iter().any(|p| p[0] < 2.9));
    }
    // At the edge the unclipped step is huge and lands far out on the plateau, where it
    // stalls: it hardly moves after that.
    let longest = plain.track.points[..=at]
        .windows(2)
        .map(|w| dist(w[0], w[1]))
        .fold(0.0, f64::max);
    assert!(longest > 5.0);
    let e = plain.track.points[at];
    assert!(e[0] < -4.0 && plain.track.loss[at] > 0.95, "{e:?}");
    assert!(dist(e, plain.track.points[10]) < 0.01);
    // Clipped to norm 1, no step is longer than γ·1, and it walks down into the well.
    let lr = clipped.spec.hp.get("lr").unwrap();
    assert!(
        clipped
            .track
            .points
            .windows(2)
            .all(|w| dist(w[0], w[1]) <= lr + 1e-12)
    );
    assert!(matches!(clipped.track.status, Status::Converged { step, .. } if step as usize <= at));
    assert!(dist(end(&clipped.track), [0.0, 0.0]) < 1e-3);
}

/// The mean distance of a track's last `k` points to `p`.
fn mean_distance_at_the_end(t: &Track, k: usize, p: [f64; 2]) -> f64 {
    let tail = &t.points[t.points.len().saturating_sub(k)..];
    tail.iter().map(|q| dist(*q, p)).sum::<f64>() / tail.len() as f64
}

#[test]
fn batch_sizes_full_batch_glides_mini_batches_jitter_sgd_wanders() {
    let (race, at) = lesson("batch-sizes");
    let [full, sixteen, one] = race.lanes() else {
        panic!("three racers")
    };
    let data = race.surface().data_model().expect("a model on data");
    assert_eq!(data.name(), "linear:diabetes:bmi");
    let (fit, best) = data.minimum();
    // Every row per step: straight down (the full loss never rises) and it stops at the fit.
    assert!(matches!(full.track.status, Status::Converged { step, .. } if (step as usize) < at));
    assert!(full.track.loss.windows(2).all(|w| w[1] <= w[0] + 1e-12));
    assert!(dist(end(&full.track), fit) < 1e-6);
    // Mini-batches of 16: near the fit, never settling (the full loss goes up and down).
    assert_eq!(sixteen.epoch(), Some((16, data.rows().div_ceil(16))));
    assert!(sixteen.track.status.is_running());
    assert!(sixteen.track.loss.windows(2).any(|w| w[1] > w[0]));
    let jitter = mean_distance_at_the_end(&sixteen.track, 100, fit);
    let wander = mean_distance_at_the_end(&one.track, 100, fit);
    assert!(jitter > 0.03 && jitter < 0.25, "{jitter}");
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
    let (race, at) = lesson("raw-features");
    let [slow, fast] = race.lanes() else {
        panic!("two racers")
    };
    let (fit, _) = race.surface().data_model().unwrap().minimum();
    let raw = Curvature::at(race.surface(), 0.0, 0.0).unwrap();
    let bound = 2.0 / raw.lambda_max();
    // The caption's numbers: κ ≈ 26,000 (the curvatures' ratio), a valley ~160 times longer
    // than wide (its square root), 2/λ_max ≈ 0.0014 between the two learning rates.
    let kappa = raw.condition_number();
    assert!((kappa - 26_000.0).abs() < 1_000.0, "{kappa}");
    assert!((kappa.sqrt() - 160.0).abs() < 5.0, "{}", kappa.sqrt());
    assert!((bound - 0.0014).abs() < 0.00005, "{bound}");
    assert!(slow.spec.hp.get("lr").unwrap() < bound && fast.spec.hp.get("lr").unwrap() > bound);
    // At the lesson's step the slow racer has dropped to the valley's floor (the loss along
    // the steep direction is gone) but covered almost none of the way along it; the fast
    // one is thrown across the valley, further every step.
    // Coordinates along the valley (the flat direction) and across it (the steep one).
    let [flat, steep] = [&raw.eigenvectors[0], &raw.eigenvectors[1]];
    let coord = |p: [f64; 2], v: &Vec<f64>| (p[0] - fit[0]) * v[0] + (p[1] - fit[1]) * v[1];
    let start = race.start();
    let (across0, along0) = (coord(start, steep).abs(), coord(start, flat).abs());
    let slow_at = slow.track.points[at];
    assert!(coord(slow_at, steep).abs() < 0.2 * across0, "on the floor");
    assert!(
        coord(slow_at, flat).abs() > 0.99 * along0,
        "hardly any way along it"
    );
    assert!(
        coord(fast.track.points[at], steep).abs() > 5.0 * across0,
        "thrown across"
    );
    let later = run("raw-features", 200);
    assert!(matches!(
        later.lanes()[1].track.status,
        Status::Diverged { .. }
    ));
    assert!(later.lanes()[0].track.status.is_running());
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
    race.apply(Command::Reset);
    race.apply(Command::Step(1));
    let (fit, _) = round.data_model().unwrap().minimum();
    assert!(dist(race.lanes()[0].track.points[1], fit) < 1e-9);
}

#[test]
fn sgd_schedule_a_decaying_learning_rate_settles_sgd() {
    let (race, at) = lesson("sgd-schedule");
    let [constant, step, cosine] = race.lanes() else {
        panic!("three racers")
    };
    let (fit, _) = race.surface().data_model().unwrap().minimum();
    assert!(race.lanes().iter().all(|l| l.epoch() == Some((1, 442))));
    // Each draws its own rows: three seeds, three paths.
    let seeds: Vec<_> = race.lanes().iter().map(|l| l.spec.seed).collect();
    assert!(seeds[0] != seeds[1] && seeds[1] != seeds[2] && seeds[0] != seeds[2]);
    let wander = mean_distance_at_the_end(&constant.track, 100, fit);
    assert!(wander > 0.15, "{wander}");
    for settled in [&step.track, &cosine.track] {
        let d = mean_distance_at_the_end(settled, 100, fit);
        assert!(d < 0.08 && 3.0 * d < wander, "{d} vs {wander}");
    }
    // The learning rates the plot shows: constant, halved every 200 steps, cosine to 0.
    let shared = race.shared();
    assert_eq!(constant.lr_at(shared, 900), 0.05);
    assert!((step.lr_at(shared, 900) - 0.05 / 16.0).abs() < 1e-15);
    assert!(cosine.lr_at(shared, at as u64) < 1e-12);
}

#[test]
fn every_lesson_is_framed_short_and_its_balls_apart() {
    assert_eq!(presets().len(), downhill::presets::presets().len());
    for p in presets() {
        let (race, at) = lesson(p.name);
        // The caption fits two lines at 1280 pixels (the picture test measures that too).
        assert!(p.title().chars().count() <= 40, "{}", p.name);
        assert!(p.caption().chars().count() <= 150, "{}", p.name);
        let w = p.scene.view.map.window.unwrap_or_else(|| {
            let v = race.surface().view();
            [v.x.0, v.x.1, v.y.0, v.y.1]
        });
        let inside = |q: [f64; 2]| q[0] >= w[0] && q[0] <= w[1] && q[1] >= w[2] && q[1] <= w[3];
        for i in 0..race.lanes().len() {
            assert!(inside(race.racer_start(i)), "{}: start {i}", p.name);
        }
        for m in race.surface().minima() {
            assert!(inside([m.x, m.y]), "{}: minimum", p.name);
        }
        if let Some(d) = race.surface().data_model() {
            assert!(inside(d.minimum().0), "{}: the fit", p.name);
        }
        // Balls at the lesson's step: inside the frame (but for a racer that diverged off it,
        // whose marker shows at the edge) and apart from each other.
        let balls: Vec<[f64; 2]> = race
            .lanes()
            .iter()
            .map(|l| l.track.points[race.index_at_cursor(&l.track)])
            .collect();
        for (lane, b) in race.lanes().iter().zip(&balls) {
            assert!(
                inside(*b) || lane.track.status.ended_nowhere(),
                "{}",
                p.name
            );
        }
        for i in 0..balls.len() {
            for j in i + 1..balls.len() {
                assert!(
                    dist(balls[i], balls[j]) > 0.02 * (w[1] - w[0]),
                    "{}: balls {i} and {j} on each other at step {at}",
                    p.name
                );
            }
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

#[test]
fn the_standardised_slide_lands_gd_on_the_fit_in_one_step() {
    use downhill::scene::deck::{Content, Deck};
    let deck = Deck::load(std::path::Path::new("lecture")).unwrap();
    let raw = deck
        .slides
        .iter()
        .position(|s| matches!(&s.content, Content::Scene(sc) if **sc == find("raw-features").unwrap().scene))
        .unwrap();
    let slide = &deck.slides[raw + 1];
    assert!(slide.caption.contains("one step") && slide.caption.contains("κ = 1"));
    let Content::Scene(scene) = &slide.content else {
        panic!("a scene")
    };
    let mut race = scene.build().unwrap();
    let c = Curvature::at(race.surface(), 0.0, 0.0).unwrap();
    assert!((c.condition_number() - 1.0).abs() < 1e-9);
    assert_eq!(race.lanes()[0].spec.hp.get("lr"), Some(0.5));
    race.apply(Command::Step(1));
    let (fit, _) = race.surface().data_model().unwrap().minimum();
    assert!(dist(race.lanes()[0].track.points[1], fit) < 1e-9);
}

#[test]
fn the_plain_newton_slide_leaps_and_the_saddle_free_one_walks_down() {
    use downhill::scene::deck::{Content, Deck};
    let deck = Deck::load(std::path::Path::new("lecture")).unwrap();
    let slide = deck
        .slides
        .iter()
        .find(|s| s.title == "Why plain Newton is not used")
        .unwrap();
    let Content::Scene(scene) = &slide.content else {
        panic!("a scene")
    };
    let mut race = scene.build().unwrap();
    race.apply(Command::Step(scene.view.step as i64));
    let [plain, sane] = race.lanes() else {
        panic!("two racers")
    };
    assert!(!plain.spec.hp.flag("saddle_free") && sane.spec.hp.flag("saddle_free"));
    // H is indefinite at the start.
    let start = race.start();
    assert!(
        Curvature::at(race.surface(), start[0], start[1])
            .unwrap()
            .lambda_min()
            < 0.0
    );
    // Plain Newton's first step: 792 units, off the map.
    let leap = dist(plain.track.points[0], plain.track.points[1]);
    assert!((leap - 792.0).abs() < 1.0, "{leap}");
    assert!(slide.caption.contains("792"));
    // Saddle-free with a line search: the loss falls at every step, into a minimum.
    assert!(sane.track.loss.windows(2).all(|w| w[1] <= w[0]));
    let minima = race.surface().minima();
    let end = *sane.track.points.last().unwrap();
    assert!(
        minima.iter().any(|m| dist(end, [m.x, m.y]) < 1e-3),
        "{end:?}"
    );
}
