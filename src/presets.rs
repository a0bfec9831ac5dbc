//! Lecture presets: one click (or a number key) sets up a race that teaches one idea. Each is
//! a scene file in `assets/scenes/`, built into the binary; `tests/it/lessons.rs` runs every
//! one headless and checks that it shows what its caption says.

use crate::race::Race;
use crate::scene::Scene;
use std::sync::OnceLock;

/// A shipped lecture scene.
#[derive(Clone, Debug)]
pub struct Preset {
    /// Stable name for the command line (`downhill app --preset NAME`): the file's stem.
    pub name: &'static str,
    /// The scene: surface, start, racers, title and caption.
    pub scene: Scene,
}

/// The shipped scene files, in key order (1–9, 0, −, =).
const SHIPPED: [(&str, &str); 12] = [
    (
        "learning-rate",
        include_str!("../assets/scenes/learning-rate.toml"),
    ),
    (
        "momentum-ravine",
        include_str!("../assets/scenes/momentum-ravine.toml"),
    ),
    ("saddle", include_str!("../assets/scenes/saddle.toml")),
    (
        "himmelblau",
        include_str!("../assets/scenes/himmelblau.toml"),
    ),
    ("rastrigin", include_str!("../assets/scenes/rastrigin.toml")),
    (
        "ill-conditioning",
        include_str!("../assets/scenes/ill-conditioning.toml"),
    ),
    ("beale", include_str!("../assets/scenes/beale.toml")),
    ("newton", include_str!("../assets/scenes/newton.toml")),
    (
        "plateau-cliff",
        include_str!("../assets/scenes/plateau-cliff.toml"),
    ),
    (
        "batch-sizes",
        include_str!("../assets/scenes/batch-sizes.toml"),
    ),
    (
        "raw-features",
        include_str!("../assets/scenes/raw-features.toml"),
    ),
    (
        "sgd-schedule",
        include_str!("../assets/scenes/sgd-schedule.toml"),
    ),
];

/// Every preset, in key order (1–9, 0, −, =).
pub fn presets() -> &'static [Preset] {
    static PRESETS: OnceLock<Vec<Preset>> = OnceLock::new();
    PRESETS.get_or_init(|| {
        SHIPPED
            .iter()
            .map(|&(name, text)| Preset {
                name,
                // Shipped files are checked by the tests below; a broken one is a build bug.
                scene: Scene::from_toml(text)
                    .unwrap_or_else(|e| panic!("assets/scenes/{name}.toml: {e}")),
            })
            .collect()
    })
}

/// The key that loads preset `k` (0-based) in the app: 1–9, then 0, - and =.
pub fn key_label(k: usize) -> &'static str {
    ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "-", "="]
        .get(k)
        .copied()
        .unwrap_or("")
}

/// Looks a preset up by name.
pub fn find(name: &str) -> Option<&'static Preset> {
    presets().iter().find(|p| p.name == name)
}

/// All preset names, for error messages.
pub fn names() -> Vec<&'static str> {
    presets().iter().map(|p| p.name).collect()
}

impl Preset {
    /// The short title for the menu.
    pub fn title(&self) -> &str {
        &self.scene.title
    }

    /// The caption shown over the view: what to look at.
    pub fn caption(&self) -> &str {
        &self.scene.caption
    }

    /// The race this preset describes, at step 0.
    pub fn build(&self) -> Race {
        self.scene
            .build()
            .unwrap_or_else(|e| panic!("assets/scenes/{}.toml: {e}", self.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::race::Command;

    #[test]
    fn every_preset_is_valid_titled_and_runs_finite() {
        assert_eq!(presets().len(), SHIPPED.len());
        for p in presets() {
            assert!(
                !p.title().is_empty() && !p.caption().is_empty(),
                "{}",
                p.name
            );
            let mut race = p.build();
            assert_eq!(race.lanes().len(), p.scene.racers.len());
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
}
