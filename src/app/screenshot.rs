//! Saving the window as a PNG from the command line (`downhill app --screenshot PATH`).

use eframe::egui::{self, ColorImage, ViewportCommand};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Frames to let the layout and the heatmap settle before the picture is taken.
const SETTLE_FRAMES: u32 = 6;
/// Frames after which a screenshot that never arrived counts as failed.
const GIVE_UP_FRAMES: u32 = 600;
/// Frames to wait for the scene to be ready (training to finish) before giving up.
const WAIT_FRAMES: u32 = 36_000;

/// The outcome of a screenshot, shared between the app and whoever launched it.
pub type Outcome = Arc<Mutex<Option<Result<(), String>>>>;

/// A pending screenshot: take it after a few frames, save it, close the window.
pub struct Job {
    path: PathBuf,
    frames: u32,
    requested: bool,
    waited: u32,
    outcome: Outcome,
}

impl Job {
    /// A job saving to `path`, reporting into `outcome`.
    pub fn new(path: PathBuf, outcome: Outcome) -> Self {
        Self {
            path,
            frames: 0,
            requested: false,
            waited: 0,
            outcome,
        }
    }

    /// Called once per frame; drives the job and closes the window when it is done. Frames
    /// count only once the scene is `ready` (the training view waits for its runs).
    pub fn tick(&mut self, ctx: &egui::Context, ready: bool) {
        if ready {
            self.frames += 1;
        } else {
            self.waited += 1;
        }
        let done = self.outcome.lock().map(|o| o.is_some()).unwrap_or(true);
        if done {
            ctx.send_viewport_cmd(ViewportCommand::Close);
            return;
        }
        if !self.requested && self.frames >= SETTLE_FRAMES {
            self.requested = true;
            let (path, outcome) = (self.path.clone(), self.outcome.clone());
            ctx.request_screenshot(move |image| {
                let result = save_png(&path, &image);
                if let Ok(mut slot) = outcome.lock() {
                    *slot = Some(result);
                }
            });
        }
        if self.frames > GIVE_UP_FRAMES || self.waited > WAIT_FRAMES {
            let why = if self.waited > WAIT_FRAMES {
                "the scene never became ready (training did not finish)"
            } else {
                "the renderer never delivered a screenshot"
            };
            if let Ok(mut slot) = self.outcome.lock() {
                *slot = Some(Err(why.into()));
            }
            ctx.send_viewport_cmd(ViewportCommand::Close);
        }
        ctx.request_repaint();
    }
}

/// Writes an image as PNG (whole or not at all: through a temporary file).
pub fn save_png(path: &Path, image: &ColorImage) -> Result<(), String> {
    let [w, h] = image.size;
    let rgba: Vec<u8> = image
        .pixels
        .iter()
        .flat_map(|c| c.to_srgba_unmultiplied())
        .collect();
    super::export::Image {
        width: w,
        height: h,
        rgba,
    }
    .save_png(path)
}
