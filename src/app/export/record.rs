//! Animated GIFs of a race, rendered headless (no window, no GPU): the view alone at each of
//! a run of steps. One 255-colour palette for the whole animation: every racer's own colour,
//! exactly (a learnt palette turned GD's orange yellow and momentum's blue a teal like
//! Nesterov's green), then NeuQuant's colours learnt from the first and last frames, so the
//! heatmap's gradients stay smooth; each later frame keeps only
//! the pixels that changed (the rest transparent over the previous frame), so the heatmap is
//! stored once. Frames are mapped and LZW-compressed in parallel, then written in order.

use super::Headless;
use crate::app::Explorer;
use crate::race::Command;
use color_quant::NeuQuant;
use eframe::egui;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;

/// The palette index that means "as in the previous frame".
const SAME: u8 = 255;

/// The animation's palette: reserved colours (the racers'), exactly, at the first indices,
/// then the learnt ones.
struct Palette {
    reserved: Vec<[u8; 3]>,
    learnt: NeuQuant,
    /// The learnt colours, RGB, in index order.
    learnt_rgb: Vec<u8>,
}

impl Palette {
    /// The index of the palette colour nearest `c`: a reserved one when it is at least as
    /// near as the learnt palette's choice.
    fn index_of(&self, c: [u8; 3]) -> u8 {
        let d2 = |a: [u8; 3], b: [u8; 3]| {
            a.iter()
                .zip(b)
                .map(|(x, y)| (i32::from(*x) - i32::from(y)).pow(2))
                .sum::<i32>()
        };
        let learnt = self.learnt.index_of(&[c[0], c[1], c[2], 255]);
        let map = &self.learnt_rgb;
        let near = [map[3 * learnt], map[3 * learnt + 1], map[3 * learnt + 2]];
        let best = self
            .reserved
            .iter()
            .enumerate()
            .min_by_key(|(_, r)| d2(**r, c))
            .filter(|(_, r)| d2(**r, c) <= d2(near, c));
        match best {
            Some((k, _)) => k as u8,
            None => (self.reserved.len() + learnt) as u8,
        }
    }

    /// The colours in index order, and black for the transparent index.
    fn colours(&self) -> Vec<u8> {
        let mut out: Vec<u8> = self.reserved.iter().flatten().copied().collect();
        out.extend_from_slice(&self.learnt_rgb);
        out.resize(3 * 256, 0);
        out
    }
}

/// Palette indices of an RGBA picture, each colour looked up once.
fn indices(palette: &Palette, rgba: &[u8]) -> Vec<u8> {
    let mut seen: HashMap<[u8; 3], u8> = HashMap::new();
    rgba.chunks_exact(4)
        .map(|p| {
            let key = [p[0], p[1], p[2]];
            *seen.entry(key).or_insert_with(|| palette.index_of(key))
        })
        .collect()
}

/// What to record.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Recording {
    /// The first step shown.
    pub from: u64,
    /// The last step shown.
    pub to: u64,
    /// Frames per second of the animation.
    pub fps: u32,
    /// Frames in all (at least 2).
    pub frames: usize,
    /// The frame's size in pixels.
    pub size: [u16; 2],
}

impl Recording {
    /// The step shown in frame `k`: evenly from `from` to `to`.
    pub fn step_at(&self, k: usize) -> u64 {
        let n = self.frames.max(2) - 1;
        self.from + (self.to.saturating_sub(self.from)) * k.min(n) as u64 / n as u64
    }
}

/// Frames rendered and encoded at a time (bounds the memory of raw frames).
const CHUNK: usize = 16;

/// Records `explorer`'s race as `rec` says into the GIF at `path`; `progress` is told the
/// frames done and may return false to cancel (then nothing is written).
pub fn record_gif(
    explorer: &mut Explorer,
    rec: Recording,
    path: &Path,
    mut progress: impl FnMut(usize, usize) -> bool,
) -> Result<(), String> {
    let [w, h] = rec.size;
    let mut headless = Headless::new();
    let mut bytes = Vec::new();
    {
        // Centiseconds per frame, as GIF counts time.
        let delay = (100.0 / rec.fps.max(1) as f64).round().max(2.0) as u16;
        let size = egui::vec2(f32::from(w), f32::from(h));
        let mut render = |explorer: &mut Explorer, k: usize| {
            let step = rec.step_at(k) as i64 - explorer.race.cursor() as i64;
            explorer.race.apply(Command::Step(step));
            explorer.render_view(&mut headless, size, 1.0).rgba
        };
        // The palette, from the first and the last frame.
        explorer.race.apply(Command::Reset);
        let last = render(explorer, rec.frames - 1);
        explorer.race.apply(Command::Reset);
        let first = render(explorer, 0);
        let mut reserved: Vec<[u8; 3]> = Vec::new();
        for lane in explorer.race.lanes().iter().filter(|l| l.spec.enabled) {
            if !reserved.contains(&lane.spec.color) {
                reserved.push(lane.spec.color);
            }
        }
        let learnt = NeuQuant::new(
            10,
            255 - reserved.len(),
            &[first.as_slice(), last.as_slice()].concat(),
        );
        let palette = Palette {
            learnt_rgb: learnt.color_map_rgb(),
            learnt,
            reserved,
        };
        let colours = palette.colours();
        let mut encoder = gif::Encoder::new(&mut bytes, w, h, &colours[..3 * 256])
            .map_err(|e| format!("could not start the GIF: {e}"))?;
        encoder
            .set_repeat(gif::Repeat::Infinite)
            .map_err(|e| format!("could not write the GIF: {e}"))?;
        let mut previous: Option<Vec<u8>> = None;
        let mut done = 0;
        let mut pending = Some(first);
        while done < rec.frames {
            let end = (done + CHUNK).min(rec.frames);
            let raw: Vec<Vec<u8>> = (done..end)
                .map(|k| pending.take().unwrap_or_else(|| render(explorer, k)))
                .collect();
            let mapped: Vec<Vec<u8>> = raw.par_iter().map(|rgba| indices(&palette, rgba)).collect();
            // What changed since the previous frame; the rest shows through.
            let mut sparse = Vec::with_capacity(mapped.len());
            for idx in mapped {
                let shown = match &previous {
                    None => idx.clone(),
                    Some(prev) => idx
                        .iter()
                        .zip(prev)
                        .map(|(&a, &b)| if a == b { SAME } else { a })
                        .collect(),
                };
                sparse.push(shown);
                previous = Some(idx);
            }
            let frames: Vec<gif::Frame<'static>> = sparse
                .into_par_iter()
                .map(|buffer| {
                    let mut frame = gif::Frame {
                        width: w,
                        height: h,
                        buffer: buffer.into(),
                        delay,
                        transparent: Some(SAME),
                        dispose: gif::DisposalMethod::Keep,
                        ..gif::Frame::default()
                    };
                    frame.make_lzw_pre_encoded();
                    frame
                })
                .collect();
            for frame in &frames {
                encoder
                    .write_lzw_pre_encoded_frame(frame)
                    .map_err(|e| format!("could not write the GIF: {e}"))?;
            }
            done = end;
            if !progress(done, rec.frames) {
                return Err("recording cancelled".into());
            }
        }
    }
    crate::files::write_output(path, &bytes)
}
