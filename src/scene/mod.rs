//! A scene: a race's setup as one plain, versioned value — surface, start, shared settings and
//! racers (not the runs themselves, which replay exactly from it) — with how it is shown and
//! the title and caption over the view. It is what the app saves between launches, what the
//! lecture presets are (TOML files in `assets/scenes/`) and what scene files hold.

pub mod deck;
pub mod exact;
pub mod pytorch;
pub mod view;

pub use view::SceneView;

use crate::engine::{Clip, Schedule};
use crate::limits;
use crate::optim::OptimizerKind;
use crate::race::{Command, PALETTE, Race, RacerSpec, Shared};
use crate::surfaces::{Surface, SurfaceKind, TypedParam, TypedSurface, View};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;

/// The scene format this build writes and the newest it reads.
pub const VERSION: u32 = 1;

/// A surface by name with the parameters that differ from its defaults, or a typed function
/// (`name = "formula"`) with its formula, parameters, their slider ranges and its window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurfaceSpec {
    /// Surface name, e.g. `himmelblau` (see `downhill list`), or `formula`.
    pub name: String,
    /// The typed function, e.g. `x^4 - 2*x^2 + y^2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formula: Option<String>,
    /// Parameters by name, e.g. `condition = 100`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, f64>,
    /// A typed function's parameter slider ranges, `a = [-10, 10]`.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "exact::pairs"
    )]
    pub ranges: BTreeMap<String, [f64; 2]>,
    /// A typed function's window, `[x0, x1, y0, y1]`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "exact::option_array"
    )]
    pub window: Option<[f64; 4]>,
    /// A model on data (`name = "linear:diabetes:bmi"`) fitted to the data as they are, not
    /// standardised.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub raw: bool,
}

impl SurfaceSpec {
    /// How `surface` is saved.
    pub fn of(surface: &Surface) -> Self {
        if let Some(d) = surface.data_model() {
            return SurfaceSpec {
                name: d.name().to_string(),
                formula: None,
                params: BTreeMap::new(),
                ranges: BTreeMap::new(),
                window: None,
                raw: d.spec().raw,
            };
        }
        match (surface.kind(), surface.typed_function()) {
            (_, Some(t)) => {
                let v = t.view();
                SurfaceSpec {
                    name: surface.name().to_string(),
                    formula: Some(t.text().to_string()),
                    params: t
                        .params()
                        .iter()
                        .map(|p| (p.name.clone(), p.value))
                        .collect(),
                    ranges: t
                        .params()
                        .iter()
                        .map(|p| (p.name.clone(), [p.min, p.max]))
                        .collect(),
                    window: Some([v.x.0, v.x.1, v.y.0, v.y.1]),
                    raw: false,
                }
            }
            (Some(kind), None) => {
                let defaults = Surface::new(kind);
                SurfaceSpec {
                    name: kind.name().to_string(),
                    formula: None,
                    params: surface
                        .params()
                        .into_iter()
                        .zip(defaults.params())
                        .filter(|((_, v), (_, d))| v != d)
                        .map(|((k, v), _)| (k, v))
                        .collect(),
                    ranges: BTreeMap::new(),
                    window: None,
                    raw: false,
                }
            }
            (None, None) => SurfaceSpec {
                name: surface.name().to_string(),
                formula: None,
                params: BTreeMap::new(),
                ranges: BTreeMap::new(),
                window: None,
                raw: false,
            },
        }
    }

    /// The surface it describes; names, values, the formula and the window are checked.
    pub fn build(&self) -> Result<Surface, String> {
        let params: Vec<(String, f64)> = self.params.clone().into_iter().collect();
        match (&self.formula, self.name.as_str()) {
            (Some(text), "formula") => {
                let formula = crate::formula::Formula::parse(text)
                    .map_err(|e| format!("its formula: {e}"))?;
                let view = self.window.map(|[x0, x1, y0, y1]| View {
                    x: (x0, x1),
                    y: (y0, y1),
                });
                let given: Vec<TypedParam> = formula
                    .params()
                    .iter()
                    .filter_map(|n| {
                        let [min, max] = *self.ranges.get(n)?;
                        let value = self.params.get(n).copied().unwrap_or(1.0);
                        Some(TypedParam {
                            name: n.clone(),
                            value,
                            min,
                            max,
                        })
                    })
                    .collect();
                let typed =
                    TypedSurface::new(text, &params, &given, view).map_err(|e| e.to_string())?;
                Ok(Surface::from_typed(typed))
            }
            (Some(_), name) => Err(format!(
                "a formula goes with name = \"formula\", not \"{name}\""
            )),
            (None, "formula") => Err("name = \"formula\" needs a formula = \"…\"".into()),
            (None, name) => {
                if !self.ranges.is_empty() || self.window.is_some() {
                    return Err("ranges and window belong to a typed function".into());
                }
                if let Some(spec) = crate::surfaces::DataSpec::parse(name) {
                    let mut spec = spec.map_err(|e| e.to_string())?;
                    spec.raw = self.raw;
                    if let Some((n, _)) = params.first() {
                        return Err(format!("'{n}' is not a parameter of {name} (it has none)"));
                    }
                    return Surface::data(spec).map_err(|e| e.to_string());
                }
                if self.raw {
                    return Err("raw belongs to a model on data (linear:…, logistic:…)".into());
                }
                let kind = SurfaceKind::from_name(name).map_err(|e| e.to_string())?;
                Surface::with_params(kind, &params).map_err(|e| e.to_string())
            }
        }
    }
}

/// One racer as saved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SceneRacer {
    /// Optimizer name, e.g. `adam`.
    pub optimizer: String,
    /// Hyperparameters that differ from the optimizer's defaults, by PyTorch name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub hp: BTreeMap<String, f64>,
    /// Colour (default: the palette, in racer order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<[u8; 3]>,
    /// Switched on.
    #[serde(default = "switched_on", skip_serializing_if = "is_on")]
    pub enabled: bool,
    /// Its own start.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "exact::option_array"
    )]
    pub start: Option<[f64; 2]>,
    /// Its own clipping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clip: Option<Clip>,
    /// Its own gradient noise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noise: Option<f64>,
    /// Its own learning-rate schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    /// Its batch size on a model on data (`16`, `"full"`, `"single"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<crate::models::Batch>,
    /// Its state (momentum, adaptive step box) drawn at its ball.
    #[serde(default, skip_serializing_if = "is_off")]
    pub show_state: bool,
    /// How many other seeds it also runs, drawn as a cloud (0: none; at most 50).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub seeds: usize,
    /// A seed of its own for its noise and mini-batches (default: the shared one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn switched_on() -> bool {
    true
}

fn is_on(v: &bool) -> bool {
    *v
}

fn is_off(v: &bool) -> bool {
    !*v
}

/// A race's whole setup.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scene {
    /// The format version, [`VERSION`].
    pub version: u32,
    /// A short title (the presets' menu entry).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// The caption shown over the view: what to look at.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub caption: String,
    /// Shared start.
    #[serde(deserialize_with = "exact::array")]
    pub start: [f64; 2],
    /// The surface.
    pub surface: SurfaceSpec,
    /// Settings shared by every racer.
    #[serde(default)]
    pub shared: Shared,
    /// Racers in order.
    pub racers: Vec<SceneRacer>,
    /// How it is shown.
    #[serde(default)]
    pub view: SceneView,
}

/// A scene that cannot be read or used.
#[derive(Debug, Error, PartialEq)]
pub enum SceneError {
    /// Not a scene file: the TOML parser's message, on one line.
    #[error("not a scene: {0}")]
    Parse(String),
    /// Written by a newer downhill.
    #[error(
        "this scene is version {0}, written by a newer downhill; this one reads version {VERSION}"
    )]
    Newer(u32),
    /// A name or value the scene holds is not valid.
    #[error("{0}")]
    Invalid(String),
}

impl Scene {
    /// Reads a scene from TOML; a newer version is refused.
    pub fn from_toml(text: &str) -> Result<Scene, SceneError> {
        // The version first, so a newer file is refused as such and not for a field this
        // build does not know.
        #[derive(Deserialize)]
        struct Version {
            version: Option<u32>,
        }
        let version = toml::from_str::<Version>(text)
            .map_err(|e| SceneError::Parse(crate::limits::one_line(&e.to_string())))?
            .version;
        match version {
            Some(v) if v > VERSION => return Err(SceneError::Newer(v)),
            Some(0) | None => {
                return Err(SceneError::Parse(format!(
                    "it has no `version = {VERSION}`"
                )));
            }
            _ => {}
        }
        toml::from_str(text).map_err(|e| SceneError::Parse(crate::limits::one_line(&e.to_string())))
    }

    /// Reads a scene file (a regular text file of at most 1 MB); the error is one line naming
    /// the file.
    pub fn load(path: &std::path::Path) -> Result<Scene, String> {
        let text = crate::files::read_text_file(path)?;
        let mut scene = Scene::from_toml(&text)
            .map_err(|e| format!("{}: {e}", crate::limits::echo(&path.display().to_string())))?;
        scene.resolve_paths(path.parent().unwrap_or(std::path::Path::new(".")));
        Ok(scene)
    }

    /// Makes a relative data file path in the surface (`linear:data/my.csv:x`) relative to
    /// `dir`, the folder of the file the scene was written in, as decks and model specs
    /// resolve theirs: the same scene loads the same data from any working directory.
    pub fn resolve_paths(&mut self, dir: &std::path::Path) {
        if let Some(Ok(mut spec)) = crate::surfaces::DataSpec::parse(&self.surface.name)
            && let crate::data::DatasetSource::File { path, .. } = &mut spec.source
            && path.is_relative()
            && !dir.as_os_str().is_empty()
        {
            *path = dir.join(&*path);
            self.surface.name = spec.name();
        }
    }

    /// The scene as TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_else(|e| format!("# could not write the scene: {e}\n"))
    }
}

impl Scene {
    /// The setup of `race` (with no title or caption), shown as `view` says.
    pub fn of(race: &Race, view: SceneView) -> Scene {
        Scene {
            version: VERSION,
            title: String::new(),
            caption: String::new(),
            start: race.start(),
            surface: SurfaceSpec::of(race.surface()),
            shared: *race.shared(),
            racers: race
                .lanes()
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let defaults = l.spec.kind.defaults();
                    SceneRacer {
                        optimizer: l.spec.kind.name().to_string(),
                        hp: l
                            .spec
                            .hp
                            .iter()
                            .filter(|(k, v)| defaults.get(k) != Some(*v))
                            .map(|(k, v)| (k.to_string(), v))
                            .collect(),
                        color: (l.spec.color != PALETTE[i % PALETTE.len()]).then_some(l.spec.color),
                        enabled: l.spec.enabled,
                        start: l.spec.start,
                        clip: l.spec.clip,
                        noise: l.spec.noise,
                        schedule: l.spec.schedule,
                        batch: l.spec.batch,
                        show_state: l.spec.show_state,
                        seeds: l.spec.seeds,
                        seed: l.spec.seed,
                    }
                })
                .collect(),
            view,
        }
    }

    /// The race this scene describes, at step 0; names and values are validated as on the
    /// command line.
    pub fn build(&self) -> Result<Race, SceneError> {
        let scene = self;
        let invalid = |e: &dyn std::fmt::Display| SceneError::Invalid(e.to_string());
        let surface = scene.surface.build().map_err(|e| invalid(&e))?;
        limits::start(scene.start).map_err(|e| invalid(&e))?;
        if let Some(w) = scene.view.map.window {
            limits::window(w).map_err(|e| invalid(&format!("the map's {e}")))?;
        }
        scene
            .shared
            .settings()
            .check()
            .map_err(|e| invalid(&format!("shared: {e}")))?;
        limits::racers(scene.racers.len()).map_err(|e| invalid(&e))?;
        let mut race = Race::empty(surface, scene.start, scene.shared);
        for (i, r) in scene.racers.iter().enumerate() {
            let racer = |e: &dyn std::fmt::Display| {
                invalid(&format!(
                    "racer {} ({}): {e}",
                    i + 1,
                    limits::echo(&r.optimizer)
                ))
            };
            let kind = OptimizerKind::from_name(&r.optimizer).map_err(|e| invalid(&e))?;
            let overrides: Vec<(String, f64)> = r.hp.clone().into_iter().collect();
            let hp = kind.hyper_values(&overrides).map_err(|e| racer(&e))?;
            let mut spec = RacerSpec::new(kind, r.color.unwrap_or(PALETTE[i % PALETTE.len()]));
            spec.hp = hp;
            spec.enabled = r.enabled;
            if let Some(p) = r.start {
                limits::start(p).map_err(|e| racer(&e))?;
            }
            let own = limits::Settings {
                schedule: r.schedule,
                clip: r.clip,
                noise: r.noise,
            };
            own.check().map_err(|e| racer(&e))?;
            if let Some(crate::models::Batch::Size(rows)) = r.batch {
                limits::batch(rows).map_err(|e| racer(&e))?;
            }
            limits::seeds(r.seeds).map_err(|e| racer(&e))?;
            spec.start = r.start;
            spec.clip = r.clip;
            spec.noise = r.noise;
            spec.batch = r.batch;
            spec.schedule = r.schedule;
            spec.show_state = r.show_state;
            spec.seeds = r.seeds;
            spec.seed = r.seed;
            race.apply(Command::AddSpec(spec));
        }
        Ok(race)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets::presets;

    #[test]
    fn every_preset_round_trips_through_toml() {
        for p in presets() {
            let race = p.build();
            let text = Scene::of(&race, Default::default()).to_toml();
            let back = Scene::from_toml(&text).unwrap();
            let again = back.build().unwrap();
            assert_eq!(
                Scene::of(&again, Default::default()),
                Scene::of(&race, Default::default()),
                "{}",
                p.name
            );
        }
    }

    #[test]
    fn bad_scenes_are_errors() {
        let mut scene = Scene::of(&presets()[0].build(), Default::default());
        scene.racers[0].optimizer = "sgd".into();
        let err = scene.build().err().unwrap().to_string();
        assert!(err.contains("unknown optimizer"), "{err}");
        let mut scene = Scene::of(&presets()[0].build(), Default::default());
        scene.racers[0].hp.insert("beta1".into(), 0.9);
        assert!(scene.build().is_err());
        let mut scene = Scene::of(&presets()[0].build(), Default::default());
        scene.surface.name = "moon".into();
        assert!(scene.build().is_err());
    }

    #[test]
    fn newer_or_unversioned_or_misspelt_files_are_refused() {
        let text = presets()[0].scene.to_toml();
        let newer = text.replace("version = 1", "version = 2");
        assert_eq!(Scene::from_toml(&newer), Err(SceneError::Newer(2)));
        let none = text.replace("version = 1\n", "");
        assert!(
            Scene::from_toml(&none)
                .unwrap_err()
                .to_string()
                .contains("version")
        );
        let typo = text.replace("caption =", "captoin =");
        assert!(
            Scene::from_toml(&typo)
                .unwrap_err()
                .to_string()
                .contains("captoin")
        );
    }
}
