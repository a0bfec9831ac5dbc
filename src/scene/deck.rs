//! A lecture deck: an ordered list of slides, each a scene (a preset, a scene file or one
//! written inline) or a Train view setup, with a title, the caption shown on screen, speaker
//! notes and what happens on entering it. A versioned TOML file (`version = 1`).

use super::{Scene, VERSION};
use crate::presets;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What happens when a slide is entered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "do", content = "step")]
pub enum OnEnter {
    /// From step 0, playing.
    #[default]
    Play,
    /// Paused at step N.
    Jump(u64),
    /// Every run to its end (or the step limit), paused there.
    End,
    /// Paused at step 0.
    Pause,
}

/// One slide as written in the file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlideSpec {
    /// A lecture preset by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// A scene file, relative to the deck.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    /// A scene written in the deck.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scene: Option<Box<Scene>>,
    /// A Train view setup: a shipped model spec's name or a spec file, relative to the deck.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train: Option<String>,
    /// With `train`: the picture beside the curves, `predictions` (default), `landscape` or
    /// `lr-range`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pictures: Option<String>,
    /// The slide's title (default: the scene's).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// The caption on screen (default: the scene's).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub caption: String,
    /// Speaker notes, shown in their own window.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// What happens on entering it.
    #[serde(default)]
    pub on_enter: OnEnter,
}

/// A deck as written in the file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeckFile {
    /// The format version, [`VERSION`].
    pub version: u32,
    /// The lecture's title.
    #[serde(default)]
    pub title: String,
    /// The slides in order.
    pub slides: Vec<SlideSpec>,
}

/// What a slide shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Content {
    /// A race.
    Scene(Box<Scene>),
    /// A model training: the shipped spec's name or the spec file's path, and the picture
    /// beside its curves (`predictions`, `landscape` or `lr-range`).
    Train(String, Pictures),
}

/// The picture a training slide shows beside its curves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Pictures {
    /// The decision boundary, fit or misclassified samples.
    #[default]
    Predictions,
    /// The loss landscape around the weights.
    Landscape,
    /// The learning-rate range test.
    LrRange,
}

/// A slide, ready to show.
#[derive(Clone, Debug, PartialEq)]
pub struct Slide {
    /// What it shows.
    pub content: Content,
    /// Its title.
    pub title: String,
    /// Its caption.
    pub caption: String,
    /// Speaker notes.
    pub notes: String,
    /// What happens on entering it.
    pub on_enter: OnEnter,
}

/// A deck, every slide read and checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Deck {
    /// The lecture's title.
    pub title: String,
    /// The slides.
    pub slides: Vec<Slide>,
}

/// The shipped lecture: every lesson in teaching order.
pub const LECTURE: &str = include_str!("../../assets/decks/lecture.toml");

impl Deck {
    /// The deck at `path`, or the shipped one for `lecture`.
    pub fn load(path: &Path) -> Result<Deck, String> {
        if path.as_os_str() == "lecture" {
            return Deck::from_toml(LECTURE, Path::new("."));
        }
        let text = crate::files::read_text_file(path)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        Deck::from_toml(&text, dir)
            .map_err(|e| format!("{}: {e}", crate::limits::echo(&path.display().to_string())))
    }

    /// Reads a deck whose relative paths are relative to `dir`; every slide is checked (its
    /// scene built) so a broken deck is refused before the lecture, naming the slide.
    pub fn from_toml(text: &str, dir: &Path) -> Result<Deck, String> {
        let table: toml::Table =
            toml::from_str(text).map_err(|e| crate::limits::one_line(&e.to_string()))?;
        match table.get("version").and_then(toml::Value::as_integer) {
            Some(v) if v > i64::from(VERSION) => {
                return Err(format!(
                    "this deck is version {v}, written by a newer downhill; this one reads \
                     version {VERSION}"
                ));
            }
            Some(v) if v >= 1 => {}
            _ => return Err(format!("not a deck: it has no `version = {VERSION}`")),
        }
        let file: DeckFile =
            toml::from_str(text).map_err(|e| crate::limits::one_line(&e.to_string()))?;
        if file.slides.is_empty() {
            return Err("the deck has no slides".into());
        }
        let slides = file
            .slides
            .into_iter()
            .enumerate()
            .map(|(i, s)| slide(s, dir).map_err(|e| format!("slide {}: {e}", i + 1)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Deck {
            title: file.title,
            slides,
        })
    }
}

/// One slide read: exactly one of preset, file, scene or train.
fn slide(s: SlideSpec, dir: &Path) -> Result<Slide, String> {
    let given = [
        s.preset.is_some(),
        s.file.is_some(),
        s.scene.is_some(),
        s.train.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if given != 1 {
        return Err("give exactly one of preset, file, scene or train".into());
    }
    let content = if let Some(name) = &s.preset {
        let p = presets::find(name).ok_or_else(|| {
            format!(
                "unknown preset '{}' (valid: {})",
                crate::limits::echo(name),
                presets::names().join(", ")
            )
        })?;
        Content::Scene(Box::new(p.scene.clone()))
    } else if let Some(file) = &s.file {
        Content::Scene(Box::new(Scene::load(&dir.join(file))?))
    } else if let Some(mut scene) = s.scene {
        if scene.version != VERSION {
            return Err(format!(
                "its scene is version {} (this downhill reads version {VERSION})",
                scene.version
            ));
        }
        scene.resolve_paths(dir);
        Content::Scene(scene)
    } else {
        let name = s.train.clone().unwrap_or_default();
        let pictures = match s.pictures.as_deref() {
            None | Some("predictions") => Pictures::Predictions,
            Some("landscape") => Pictures::Landscape,
            Some("lr-range") => Pictures::LrRange,
            Some(other) => {
                return Err(format!(
                    "pictures '{}' (valid: predictions, landscape, lr-range)",
                    crate::limits::echo(other)
                ));
            }
        };
        if crate::models::spec::SHIPPED.iter().any(|(n, _)| *n == name) {
            Content::Train(name, pictures)
        } else {
            let path = dir.join(&name);
            crate::models::ModelSpec::load(&path).map_err(|e| e.to_string())?;
            Content::Train(path.display().to_string(), pictures)
        }
    };
    if s.pictures.is_some() && s.train.is_none() {
        return Err("pictures goes with train".into());
    }
    if let OnEnter::Jump(n) = s.on_enter {
        crate::limits::steps(n).map_err(|e| format!("on_enter: {e}"))?;
    }
    if let Content::Scene(scene) = &content {
        scene.build().map_err(|e| e.to_string())?;
    }
    let (title, caption) = match &content {
        Content::Scene(scene) => (
            if s.title.is_empty() {
                scene.title.clone()
            } else {
                s.title
            },
            if s.caption.is_empty() {
                scene.caption.clone()
            } else {
                s.caption
            },
        ),
        Content::Train(..) => (s.title, s.caption),
    };
    Ok(Slide {
        content,
        title,
        caption,
        notes: s.notes,
        on_enter: s.on_enter,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_lecture_has_every_lesson_once_and_a_training_slide() {
        let deck = Deck::load(Path::new("lecture")).unwrap();
        for p in presets::presets() {
            let n = deck
                .slides
                .iter()
                .filter(|s| matches!(&s.content, Content::Scene(sc) if **sc == p.scene))
                .count();
            assert_eq!(n, 1, "{}", p.name);
        }
        assert!(
            deck.slides
                .iter()
                .any(|s| matches!(s.content, Content::Train(..)))
        );
        assert!(deck.slides.iter().all(|s| !s.title.is_empty()));
    }

    #[test]
    fn a_broken_deck_is_refused_naming_the_slide() {
        let dir = Path::new(".");
        let cases = [
            ("version = 1\nslides = []\n", "no slides"),
            ("version = 3\n[[slides]]\npreset = \"saddle\"\n", "newer"),
            ("[[slides]]\npreset = \"saddle\"\n", "not a deck"),
            (
                "version = 1\n[[slides]]\npreset = \"saddle\"\n[[slides]]\npreset = \"nope\"\n",
                "slide 2: unknown preset 'nope'",
            ),
            (
                "version = 1\n[[slides]]\npreset = \"saddle\"\ntrain = \"moons-mlp\"\n",
                "slide 1: give exactly one",
            ),
            (
                "version = 1\n[[slides]]\nfile = \"no/such/scene.toml\"\n",
                "slide 1: cannot read",
            ),
            (
                "version = 1\n[[slides]]\npreset = \"saddle\"\non_enter = { do = \"fly\" }\n",
                "fly",
            ),
            (
                "version = 1\n[[slides]]\ntrain = \"moons-mlp\"\npictures = \"photos\"\n",
                "slide 1: pictures 'photos'",
            ),
        ];
        for (text, needle) in cases {
            let e = Deck::from_toml(text, dir).unwrap_err();
            assert!(e.contains(needle), "{text}: {e}");
        }
        let ok = "version = 1\n[[slides]]\npreset = \"saddle\"\nnotes = \"say it\"\n\
                  on_enter = { do = \"jump\", step = 40 }\n";
        let deck = Deck::from_toml(ok, dir).unwrap();
        assert_eq!(deck.slides[0].on_enter, OnEnter::Jump(40));
        assert_eq!(deck.slides[0].notes, "say it");
        assert_eq!(
            deck.slides[0].title,
            presets::find("saddle").unwrap().title()
        );
    }
}
