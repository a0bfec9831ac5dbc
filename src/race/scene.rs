//! A race's setup as one plain value that can be saved and loaded: surface, start, shared
//! settings and racers (not the runs themselves, which replay exactly from it).

use super::{Command, Race, RacerSpec, Shared};
use crate::optim::OptimizerKind;
use crate::surfaces::{Surface, SurfaceKind};
use serde::{Deserialize, Serialize};

/// One racer as saved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SceneRacer {
    /// Optimizer name, e.g. `adam`.
    pub optimizer: String,
    /// Hyperparameters by name.
    pub hp: Vec<(String, f64)>,
    /// Colour.
    pub color: [u8; 3],
    /// Switched on.
    pub enabled: bool,
    /// Its own start.
    pub start: Option<[f64; 2]>,
    /// Its own clipping.
    pub clip: Option<crate::engine::Clip>,
    /// Its own gradient noise.
    pub noise: Option<f64>,
    /// Its state (momentum, adaptive step box) drawn at its ball.
    #[serde(default)]
    pub show_state: bool,
}

/// A race's whole setup.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scene {
    /// Surface name.
    pub surface: String,
    /// Surface parameters by name.
    pub surface_params: Vec<(String, f64)>,
    /// Shared start.
    pub start: [f64; 2],
    /// Shared settings.
    pub shared: Shared,
    /// Racers in order.
    pub racers: Vec<SceneRacer>,
}

impl Race {
    /// This race's setup.
    pub fn scene(&self) -> Scene {
        Scene {
            surface: self.surface.kind().name().to_string(),
            surface_params: self
                .surface
                .params()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            start: self.start,
            shared: self.shared,
            racers: self
                .lanes
                .iter()
                .map(|l| SceneRacer {
                    optimizer: l.spec.kind.name().to_string(),
                    hp: l.spec.hp.iter().map(|(k, v)| (k.to_string(), v)).collect(),
                    color: l.spec.color,
                    enabled: l.spec.enabled,
                    start: l.spec.start,
                    clip: l.spec.clip,
                    noise: l.spec.noise,
                    show_state: l.spec.show_state,
                })
                .collect(),
        }
    }

    /// The race a scene describes, at step 0; names and values are validated as on the
    /// command line.
    pub fn from_scene(scene: &Scene) -> Result<Race, String> {
        let kind = SurfaceKind::from_name(&scene.surface).map_err(|e| e.to_string())?;
        let surface =
            Surface::with_params(kind, &scene.surface_params).map_err(|e| e.to_string())?;
        if !scene.start.iter().all(|v| v.is_finite()) {
            return Err("the start point is not finite".into());
        }
        let mut race = Race::empty(surface, scene.start, scene.shared);
        for r in &scene.racers {
            let kind = OptimizerKind::from_name(&r.optimizer).map_err(|e| e.to_string())?;
            let hp = kind.hyper_values(&r.hp).map_err(|e| e.to_string())?;
            let mut spec = RacerSpec::new(kind, r.color);
            spec.hp = hp;
            spec.enabled = r.enabled;
            spec.start = r.start.filter(|p| p.iter().all(|v| v.is_finite()));
            spec.clip = r.clip;
            spec.noise = r.noise.filter(|n| n.is_finite() && *n >= 0.0);
            spec.show_state = r.show_state;
            race.apply(Command::AddSpec(spec));
        }
        Ok(race)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets::PRESETS;

    #[test]
    fn every_preset_round_trips_through_json() {
        for p in &PRESETS {
            let race = p.build();
            let json = serde_json::to_string(&race.scene()).unwrap();
            let back: Scene = serde_json::from_str(&json).unwrap();
            let again = Race::from_scene(&back).unwrap();
            assert_eq!(again.scene(), race.scene(), "{}", p.name);
        }
    }

    #[test]
    fn bad_scenes_are_errors() {
        let mut scene = PRESETS[0].build().scene();
        scene.racers[0].optimizer = "sgd".into();
        let err = Race::from_scene(&scene).err().unwrap_or_default();
        assert!(err.contains("unknown optimizer"), "{err}");
        let mut scene = PRESETS[0].build().scene();
        scene.racers[0].hp.push(("beta1".into(), 0.9));
        assert!(Race::from_scene(&scene).is_err());
        let mut scene = PRESETS[0].build().scene();
        scene.surface = "moon".into();
        assert!(Race::from_scene(&scene).is_err());
    }
}
