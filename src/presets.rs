//! Lecture presets: one click (or a number key) sets up a race that teaches one idea.

use crate::engine::Clip;
use crate::optim::OptimizerKind as K;
use crate::race::{Command, PALETTE, Race, RacerSpec, Shared};
use crate::surfaces::{Surface, SurfaceKind as S};

/// One racer of a preset.
#[derive(Clone, Copy, Debug)]
pub struct PresetRacer {
    /// The optimizer.
    pub kind: K,
    /// Hyperparameters that differ from the defaults.
    pub hp: &'static [(&'static str, f64)],
    /// Its own start, if not the shared one.
    pub start: Option<[f64; 2]>,
    /// Its own clipping, if not the shared one.
    pub clip: Option<Clip>,
    /// Its own gradient noise, if not the shared one.
    pub noise: Option<f64>,
}

/// A racer with these hyperparameters and nothing else of its own.
const fn racer(kind: K, hp: &'static [(&'static str, f64)]) -> PresetRacer {
    PresetRacer {
        kind,
        hp,
        start: None,
        clip: None,
        noise: None,
    }
}

/// A whole lecture scene.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    /// Stable name for the command line (`downhill app --preset NAME`).
    pub name: &'static str,
    /// Short title for the menu.
    pub title: &'static str,
    /// The caption shown over the view: what to look at.
    pub caption: &'static str,
    /// The surface.
    pub surface: S,
    /// Surface parameters that differ from the defaults.
    pub surface_params: &'static [(&'static str, f64)],
    /// The shared start.
    pub start: [f64; 2],
    /// The racers.
    pub racers: &'static [PresetRacer],
}

/// Every preset, in key order (1–9).
pub const PRESETS: [Preset; 9] = [
    Preset {
        name: "learning-rate",
        title: "Learning rate: too small, right, too large",
        caption: "GD on a bowl with λ_max = 10 is stable only for γ < 2/λ_max = 0.2: γ = 0.01 crawls, 0.15 arrives, 0.21 diverges.",
        surface: S::Quadratic,
        surface_params: &[("condition", 10.0), ("angle", 30.0)],
        start: [-4.0, 3.0],
        racers: &[
            racer(K::GD, &[("lr", 0.01)]),
            racer(K::GD, &[("lr", 0.15)]),
            racer(K::GD, &[("lr", 0.21)]),
        ],
    },
    Preset {
        name: "momentum-ravine",
        title: "Momentum in a ravine",
        caption: "In Rosenbrock's curved valley GD inches along the floor; heavy-ball momentum builds speed but overshoots the bends; Nesterov's look-ahead overshoots less.",
        surface: S::Rosenbrock,
        surface_params: &[],
        start: [-1.2, 1.0],
        racers: &[
            racer(K::GD, &[("lr", 1e-3)]),
            racer(K::MOMENTUM, &[("lr", 1e-3), ("momentum", 0.9)]),
            racer(K::NESTEROV, &[("lr", 1e-3), ("momentum", 0.9)]),
        ],
    },
    Preset {
        name: "saddle",
        title: "Escaping a saddle point",
        caption: "Started a hair off the ridge of x² − y²: GD leaves slowly, momentum faster, Adam rescales the tiny gradient; gradient noise would leave even from the ridge itself.",
        surface: S::Saddle,
        surface_params: &[],
        start: [-1.8, 1e-3],
        racers: &[
            racer(K::GD, &[("lr", 0.05)]),
            racer(K::MOMENTUM, &[("lr", 0.05), ("momentum", 0.9)]),
            racer(K::ADAM, &[("lr", 0.05)]),
            PresetRacer {
                noise: Some(0.3),
                start: Some([-1.8, 0.0]),
                ..racer(K::GD, &[("lr", 0.05)])
            },
        ],
    },
    Preset {
        name: "himmelblau",
        title: "Local minima: Himmelblau",
        caption: "Four equally deep minima: the same optimizer from four nearby starts ends in four different places.",
        surface: S::Himmelblau,
        surface_params: &[],
        start: [0.0, 0.0],
        racers: &[
            PresetRacer {
                start: Some([-0.5, 0.5]),
                ..racer(K::GD, &[("lr", 0.01)])
            },
            PresetRacer {
                start: Some([0.5, 0.5]),
                ..racer(K::GD, &[("lr", 0.01)])
            },
            PresetRacer {
                start: Some([0.5, -0.5]),
                ..racer(K::GD, &[("lr", 0.01)])
            },
            PresetRacer {
                start: Some([-0.5, -0.5]),
                ..racer(K::GD, &[("lr", 0.01)])
            },
        ],
    },
    Preset {
        name: "rastrigin",
        title: "Local minima: Rastrigin",
        caption: "A forest of local minima: GD stops in the nearest dip; momentum and noise carry an optimizer over a few bumps.",
        surface: S::Rastrigin,
        surface_params: &[],
        start: [2.7, 2.2],
        racers: &[
            racer(K::GD, &[("lr", 0.002)]),
            racer(K::MOMENTUM, &[("lr", 0.002), ("momentum", 0.95)]),
            racer(K::ADAM, &[("lr", 0.1)]),
            PresetRacer {
                noise: Some(15.0),
                ..racer(K::GD, &[("lr", 0.002)])
            },
        ],
    },
    Preset {
        name: "ill-conditioning",
        title: "Ill-conditioning and adaptive steps",
        caption: "A bowl 100 times steeper in y than in x: GD's γ must suit the steep direction and then crawls along the flat one; RMSprop and Adam scale each coordinate and go straight.",
        surface: S::Quadratic,
        surface_params: &[("condition", 100.0), ("angle", 0.0)],
        start: [-4.0, 3.0],
        racers: &[
            racer(K::GD, &[("lr", 0.019)]),
            racer(K::MOMENTUM, &[("lr", 0.005), ("momentum", 0.9)]),
            racer(K::RMSPROP, &[("lr", 0.05)]),
            racer(K::ADAM, &[("lr", 0.1)]),
        ],
    },
    Preset {
        name: "beale",
        title: "Beale: SGD vs RMSprop vs Adam",
        caption: "Flat arms and steep ridges: plain gradient descent creeps along the flat arm, the adaptive methods rescale it and reach (3, 0.5).",
        surface: S::Beale,
        surface_params: &[],
        start: [1.0, 1.5],
        racers: &[
            racer(K::GD, &[("lr", 1e-3)]),
            racer(K::RMSPROP, &[("lr", 1e-2)]),
            racer(K::ADAM, &[("lr", 5e-2)]),
        ],
    },
    Preset {
        name: "newton",
        title: "Newton's single step",
        caption: "On a quadratic, Newton's method jumps to the minimum in one step whatever the conditioning; GD needs hundreds.",
        surface: S::Quadratic,
        surface_params: &[("condition", 50.0), ("angle", 30.0)],
        start: [-4.0, 3.0],
        racers: &[racer(K::NEWTON, &[]), racer(K::GD, &[("lr", 0.039)])],
    },
    Preset {
        name: "plateau-cliff",
        title: "A plateau and a cliff: clipping",
        caption: "Both creep over the flat shelf to the cliff edge; there the gradient explodes: unclipped GD is thrown far onto the plateau, clipped GD walks down into the well.",
        surface: S::PlateauCliff,
        surface_params: &[],
        start: [4.0, 1.0],
        racers: &[
            racer(K::GD, &[("lr", 0.7)]),
            PresetRacer {
                clip: Some(Clip::Norm(1.0)),
                ..racer(K::GD, &[("lr", 0.7)])
            },
        ],
    },
];

/// Looks a preset up by name.
pub fn find(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

/// All preset names, for error messages.
pub fn names() -> Vec<&'static str> {
    PRESETS.iter().map(|p| p.name).collect()
}

impl Preset {
    /// The race this preset describes, at step 0.
    pub fn build(&self) -> Race {
        let overrides: Vec<(String, f64)> = self
            .surface_params
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect();
        let surface = Surface::with_params(self.surface, &overrides)
            .unwrap_or_else(|_| Surface::new(self.surface));
        let mut race = Race::empty(surface, self.start, Shared::default());
        for (i, r) in self.racers.iter().enumerate() {
            let mut spec = RacerSpec::new(r.kind, PALETTE[i % PALETTE.len()]);
            for &(name, value) in r.hp {
                spec.hp.set(name, value);
            }
            spec.start = r.start;
            spec.clip = r.clip;
            spec.noise = r.noise;
            race.apply(Command::AddSpec(spec));
        }
        race
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Status;

    #[test]
    fn every_preset_is_valid_and_runs() {
        for p in &PRESETS {
            for r in p.racers {
                let hp: Vec<(String, f64)> =
                    r.hp.iter().map(|(k, v)| (k.to_string(), *v)).collect();
                assert!(r.kind.hyper_values(&hp).is_ok(), "{}: {:?}", p.name, r.hp);
            }
            let overrides: Vec<(String, f64)> = p
                .surface_params
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect();
            assert!(
                Surface::with_params(p.surface, &overrides).is_ok(),
                "{}",
                p.name
            );
            let mut race = p.build();
            assert_eq!(race.lanes().len(), p.racers.len());
            race.apply(Command::Step(500));
            for lane in race.lanes() {
                assert!(
                    lane.track.points.iter().flatten().all(|v| v.is_finite()),
                    "{}",
                    p.name
                );
            }
            assert!(find(p.name).is_some());
        }
    }

    #[test]
    fn presets_teach_what_their_captions_say() {
        let run = |name: &str, steps: u64| {
            let mut race = find(name).unwrap().build();
            race.apply(Command::RunToEnd(steps));
            race
        };
        let lr = run("learning-rate", 5000);
        assert!(matches!(
            lr.lanes()[1].track.status,
            Status::Converged { .. }
        ));
        assert!(matches!(
            lr.lanes()[2].track.status,
            Status::Diverged { .. }
        ));
        assert!(lr.lanes()[0].track.points.len() > lr.lanes()[1].track.points.len());
        let newton = run("newton", 5000);
        assert!(matches!(
            newton.lanes()[0].track.status,
            Status::Converged { step: 1, .. }
        ));
        let cliff = run("plateau-cliff", 5000);
        let end = |i: usize| *cliff.lanes()[i].track.points.last().unwrap();
        assert!(
            end(0)[0] < -5.0,
            "unclipped GD should be thrown onto the plateau: {:?}",
            end(0)
        );
        assert!(
            end(1)[0].hypot(end(1)[1]) < 1e-3,
            "clipped GD should reach the well: {:?}",
            end(1)
        );
    }
}
