//! What the app keeps between launches: the scene on show (with how it is shown) and the
//! theme, as one TOML document. Restoring is forgiving part by part: a racer that cannot be
//! restored is left out, not the whole race; a value out of range is brought into range;
//! whatever could not be used is named in a notice, and the unreadable document is kept
//! aside next to the app's storage instead of being overwritten on exit.

use super::Explorer;
use crate::limits;
use crate::scene::{Scene, SceneRacer, SceneView, VERSION};
use serde::{Deserialize, Serialize};

/// The key of the state in eframe's storage.
pub const KEY: &str = "downhill-state";

/// The state as saved.
#[derive(Debug, Serialize, Deserialize)]
struct Saved {
    /// The format version ([`VERSION`], shared with scene files).
    version: u32,
    /// Light theme.
    light: bool,
    /// The scene on show and how it is shown.
    scene: Scene,
}

/// A restored state: the explorer and what could not be restored as it was.
pub struct Restored {
    /// The explorer, as much of the saved one as could be used.
    pub explorer: Explorer,
    /// What was left out or changed, in words (empty when everything was restored).
    pub problems: Vec<String>,
}

impl Explorer {
    /// What to keep for the next launch.
    pub fn saved(&self) -> String {
        let saved = Saved {
            version: VERSION,
            light: self.light,
            scene: Scene::of(&self.race, self.shown_now()),
        };
        toml::to_string(&saved).unwrap_or_default()
    }

    /// How the scene is shown right now (the step on show included).
    pub fn shown_now(&self) -> SceneView {
        SceneView {
            step: self.race.cursor(),
            ..self.shown
        }
    }

    /// The explorer as a previous session left it. What cannot be used is left out or
    /// corrected, said in [`Explorer::notice`], and the saved text kept aside.
    pub fn restore(text: &str) -> Self {
        let Restored {
            mut explorer,
            problems,
        } = restore(text);
        if !problems.is_empty() {
            let kept = keep_aside(text);
            explorer.notice = Some(format!(
                "The last session could not be restored as it was: {}.{}",
                problems.join("; "),
                kept.map(|p| format!(" Its saved state is kept in {}.", p.display()))
                    .unwrap_or_default()
            ));
        }
        explorer
    }
}

/// Restores what can be restored from the saved `text`.
pub fn restore(text: &str) -> Restored {
    let mut problems = Vec::new();
    let mut explorer = Explorer::default();
    let table = match toml::from_str::<toml::Table>(text) {
        Ok(t) => t,
        Err(e) => {
            problems.push(format!(
                "the saved state is not readable ({})",
                limits::one_line(&e.to_string())
            ));
            return Restored { explorer, problems };
        }
    };
    match table.get("version").and_then(toml::Value::as_integer) {
        Some(v) if v == i64::from(VERSION) => {}
        Some(v) if v > i64::from(VERSION) => {
            problems.push(format!("it was saved by a newer downhill (version {v})"));
            return Restored { explorer, problems };
        }
        _ => {
            problems.push("it is from an older downhill".into());
            return Restored { explorer, problems };
        }
    }
    if let Some(light) = table.get("light").and_then(toml::Value::as_bool) {
        explorer.light = light;
    }
    let Some(scene) = table.get("scene").and_then(toml::Value::as_table) else {
        problems.push("it holds no scene".into());
        return Restored { explorer, problems };
    };
    let (scene, mut found) = lenient_scene(scene);
    problems.append(&mut found);
    if let Some(scene) = scene {
        match scene.build() {
            Ok(mut race) => {
                race.apply(crate::race::Command::Step(scene.view.step as i64));
                explorer.race = race;
                explorer.shown = scene.view;
            }
            Err(e) => problems.push(format!("its scene could not be used ({e})")),
        }
    }
    Restored { explorer, problems }
}

/// A scene from a table that may hold mistakes: each racer on its own (one that cannot be
/// read or used is left out), the view and shared settings corrected into range; `None` when
/// even the surface or the start cannot be read.
fn lenient_scene(table: &toml::Table) -> (Option<Scene>, Vec<String>) {
    let mut problems = Vec::new();
    let mut base = table.clone();
    let racers = base.remove("racers");
    let view = base.remove("view");
    base.insert("racers".into(), toml::Value::Array(Vec::new()));
    let mut scene: Scene = match toml::Value::Table(base).try_into() {
        Ok(s) => s,
        Err(e) => {
            problems.push(format!(
                "its surface or start could not be read ({})",
                limits::one_line(&e.to_string())
            ));
            return (None, problems);
        }
    };
    // How it was shown: read whole or not at all, then brought into range.
    scene.view = match view.map(|v| v.try_into::<SceneView>()) {
        None => SceneView::default(),
        Some(Ok(v)) => {
            let (v, fixed) = v.sanitized();
            problems.extend(fixed.into_iter().map(|f| format!("the view's {f}")));
            v
        }
        Some(Err(e)) => {
            problems.push(format!(
                "its view settings could not be read ({})",
                limits::one_line(&e.to_string())
            ));
            SceneView::default()
        }
    };
    // The shared settings through the same checks as every other door, each one that fails
    // put back to its default.
    if let Err(e) = limits::noise(scene.shared.noise) {
        problems.push(format!("the shared {e} was set to 0"));
        scene.shared.noise = 0.0;
    }
    if let Err(e) = limits::clipping(scene.shared.clip) {
        problems.push(format!("the shared {e} was dropped (no clipping)"));
        scene.shared.clip = crate::engine::Clip::None;
    }
    if let Err(e) = limits::schedule(&scene.shared.schedule) {
        problems.push(format!("the shared {e} was dropped (a constant rate)"));
        scene.shared.schedule = crate::engine::Schedule::Constant;
    }
    if let Err(e) = limits::start(scene.start) {
        problems.push(format!("the {e} was moved to (0, 0)"));
        scene.start = [0.0, 0.0];
    }
    // The racers one by one: each must read and build on its own.
    let racers = racers
        .and_then(|r| r.as_array().cloned())
        .unwrap_or_default();
    for (k, value) in racers.into_iter().enumerate() {
        if let Err(e) = limits::racers(k + 1) {
            problems.push(format!("racers from the {}th on were left out: {e}", k + 1));
            break;
        }
        let racer: SceneRacer = match value.try_into() {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!(
                    "racer {} could not be read ({})",
                    k + 1,
                    limits::one_line(&e.to_string())
                ));
                continue;
            }
        };
        let alone = Scene {
            racers: vec![racer.clone()],
            ..scene.clone()
        };
        match alone.build() {
            Ok(_) => scene.racers.push(racer),
            Err(e) => problems.push(format!("racer {} was left out ({e})", k + 1)),
        }
    }
    (Some(scene), problems)
}

/// Keeps an unreadable saved state next to the app's storage, as
/// `state.bak-<seconds since 1970>.toml`; returns where (None if it could not be written).
fn keep_aside(text: &str) -> Option<std::path::PathBuf> {
    let dir = eframe::storage_dir("downhill")?;
    std::fs::create_dir_all(&dir).ok()?;
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let path = dir.join(format!("state.bak-{secs}.toml"));
    crate::files::write_output(&path, text.as_bytes()).ok()?;
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved_text() -> String {
        let mut app = Explorer::with_preset(crate::presets::find("saddle").unwrap());
        app.go_to(30);
        app.shown.map.levels = 12;
        app.light = true;
        app.saved()
    }

    #[test]
    fn a_saved_state_comes_back_as_it_was() {
        let text = saved_text();
        let Restored { explorer, problems } = restore(&text);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(explorer.race.lanes().len(), 4);
        assert_eq!(explorer.race.cursor(), 30);
        assert_eq!(explorer.shown.map.levels, 12);
        assert!(explorer.light);
        assert_eq!(explorer.saved(), text);
    }

    #[test]
    fn a_broken_state_keeps_what_is_valid_and_says_what_is_not() {
        let text = saved_text();
        // One unknown optimizer, a NaN camera, a negative clip norm, huge noise.
        let broken = text
            .replacen("optimizer = \"momentum\"", "optimizer = \"sgdx\"", 1)
            .replacen("noise = 0.0", "noise = 1e300", 1)
            .replacen("levels = 12", "levels = 12000", 1);
        let broken = broken.replacen("yaw = ", "yaw = nan # ", 1);
        let Restored { explorer, problems } = restore(&broken);
        assert_eq!(
            explorer.race.lanes().len(),
            3,
            "only the bad racer is left out"
        );
        assert!(
            problems.iter().any(|p| p.contains("racer 2")),
            "{problems:?}"
        );
        assert!(problems.iter().any(|p| p.contains("noise")), "{problems:?}");
        assert!(
            problems.iter().any(|p| p.contains("contour levels")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.contains("camera")),
            "{problems:?}"
        );
        assert_eq!(explorer.shown.map.levels, 40);
        assert!(explorer.shown.surface.camera.yaw.is_finite());
        assert_eq!(explorer.race.shared().noise, 0.0);
        // Garbage, a truncated file, a newer or an older version: defaults, and said so.
        for bad in [
            "%%%",
            // Cut off in the middle of the start's array.
            &text[..text.find("start = [").unwrap() + 11],
            &text.replace("version = 1", "version = 7"),
            "light = true",
        ] {
            let Restored { explorer, problems } = restore(bad);
            assert!(!problems.is_empty(), "{bad}");
            assert_eq!(
                explorer.race.lanes().len(),
                Explorer::default().race.lanes().len()
            );
        }
        // Far too many racers: the first ten are kept.
        let many = format!(
            "{text}{}",
            "\n[[scene.racers]]\noptimizer = \"gd\"\n".repeat(500)
        );
        let Restored { explorer, problems } = restore(&many);
        assert!(explorer.race.lanes().len() <= limits::MAX_RACERS);
        assert!(problems.iter().any(|p| p.contains("limit")), "{problems:?}");
    }
}
