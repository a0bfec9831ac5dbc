//! A fair race: each racer's learning rate tuned for the scene — a log-spaced search over
//! [10⁻⁵, 10] refined around the best — for the lowest loss after N steps or the fewest steps
//! to converge. Only the learning rate is tuned; the other hyperparameters keep their values.

use crate::engine::Status;
use crate::race::Race;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};

/// What "best" means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TuneObjective {
    /// The lowest loss after the steps (a run that diverges is worst).
    Loss,
    /// The fewest steps to converge (ties, and runs that do not converge, by their loss).
    Steps,
}

/// Learning rates tried on the first, coarse pass.
const COARSE: usize = 19;
/// Learning rates tried around the best on the second pass.
const FINE: usize = 9;
/// The range searched.
const LR_RANGE: (f64, f64) = (1e-5, 10.0);

/// One racer's tuning.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tuned {
    /// The racer's label.
    pub label: String,
    /// Its optimizer's name.
    pub optimizer: &'static str,
    /// The learning rate it had.
    pub lr_before: f64,
    /// The best learning rate found.
    pub lr: f64,
    /// The loss after the steps at that rate.
    pub loss: f64,
    /// The steps it took to converge at that rate (`None`: it did not within the steps).
    pub steps: Option<u64>,
    /// Every rate tried with its loss and steps to converge.
    pub tried: Vec<(f64, f64, Option<u64>)>,
}

/// Runs racer `i` for `steps` steps at learning rate `lr`: its last finite loss (∞ when it
/// diverged) and the step it converged at.
fn trial(race: &Race, i: usize, lr: f64, steps: u64) -> Option<(f64, Option<u64>)> {
    let lane = &race.lanes()[i];
    let config = crate::engine::RunConfig {
        lr,
        ..lane.spec.config(race.shared())
    };
    let mut runner = race.fresh_runner(i, config)?;
    runner.run(steps, &mut []);
    let loss = match runner.status() {
        Status::Diverged { .. } => f64::INFINITY,
        _ if runner.loss().is_finite() => runner.loss(),
        _ => f64::INFINITY,
    };
    let converged = match runner.status() {
        Status::Converged { step, .. } => Some(step),
        _ => None,
    };
    Some((loss, converged))
}

/// Orders two trials: `a` better than `b`.
fn better(objective: TuneObjective, a: (f64, Option<u64>), b: (f64, Option<u64>)) -> bool {
    match objective {
        TuneObjective::Loss => a.0 < b.0,
        TuneObjective::Steps => match (a.1, b.1) {
            (Some(x), Some(y)) => x < y || (x == y && a.0 < b.0),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => a.0 < b.0,
        },
    }
}

/// Tunes every enabled racer's learning rate; `progress` hears (done, total) and `cancel`
/// stops the search (`None` then).
pub fn tune(
    race: &Race,
    objective: TuneObjective,
    steps: u64,
    cancel: &AtomicBool,
    mut progress: impl FnMut(usize, usize),
) -> Option<Vec<Tuned>> {
    let labels = race.labels();
    let racers: Vec<usize> = (0..race.lanes().len())
        .filter(|&i| race.lanes()[i].spec.enabled)
        .collect();
    let total = racers.len() * (COARSE + FINE);
    let mut done = 0;
    let mut out = Vec::new();
    let (lo, hi) = (LR_RANGE.0.ln(), LR_RANGE.1.ln());
    for i in racers {
        let lane = &race.lanes()[i];
        let mut tried: Vec<(f64, f64, Option<u64>)> = Vec::new();
        let mut best: Option<(f64, (f64, Option<u64>))> = None;
        let consider =
            |lr: f64, tried: &mut Vec<_>, best: &mut Option<(f64, (f64, Option<u64>))>| {
                if let Some(r) = trial(race, i, lr, steps) {
                    tried.push((lr, r.0, r.1));
                    if best.is_none_or(|(_, b)| better(objective, r, b)) {
                        *best = Some((lr, r));
                    }
                }
            };
        let step = (hi - lo) / (COARSE - 1) as f64;
        for k in 0..COARSE {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            consider((lo + step * k as f64).exp(), &mut tried, &mut best);
            done += 1;
            progress(done, total);
        }
        // Around the best, between its neighbours on the coarse grid.
        if let Some((centre, _)) = best {
            let (a, b) = (centre.ln() - step, centre.ln() + step);
            for k in 0..FINE {
                if cancel.load(Ordering::Relaxed) {
                    return None;
                }
                let lr = (a + (b - a) * (k + 1) as f64 / (FINE + 1) as f64).exp();
                consider(lr, &mut tried, &mut best);
                done += 1;
                progress(done, total);
            }
        }
        tried.sort_by(|x, y| x.0.total_cmp(&y.0));
        let Some((lr, (loss, steps_to))) = best else {
            continue;
        };
        out.push(Tuned {
            label: labels[i].clone(),
            optimizer: lane.spec.kind.name(),
            lr_before: lane.spec.hp.get("lr").unwrap_or(f64::NAN),
            lr,
            loss,
            steps: steps_to,
            tried,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tuned_rate_beats_every_point_of_a_coarser_grid() {
        let race = crate::presets::find("ill-conditioning").unwrap().build();
        let never = AtomicBool::new(false);
        for objective in [TuneObjective::Loss, TuneObjective::Steps] {
            let tuned = tune(&race, objective, 300, &never, |_, _| {}).unwrap();
            assert_eq!(tuned.len(), race.lanes().len());
            for (i, t) in tuned.iter().enumerate() {
                let mine = (t.loss, t.steps);
                for k in 0..7 {
                    let lr = 10f64.powf(-4.0 + k as f64 * 0.5);
                    let other = trial(&race, i, lr, 300).unwrap();
                    assert!(
                        !better(objective, other, mine),
                        "{} {objective:?}: γ = {lr} gives {other:?}, better than the tuned γ = {} with {mine:?}",
                        t.label,
                        t.lr
                    );
                }
            }
        }
        // Cancelled: no result.
        let stop = AtomicBool::new(true);
        assert!(tune(&race, TuneObjective::Loss, 10, &stop, |_, _| {}).is_none());
    }
}
