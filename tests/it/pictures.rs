//! What the class sees, checked on the picture itself: every preset and every slide of the
//! shipped deck, rendered headless (the export rasteriser) at a projector's 1280×800 in
//! presentation mode, shows every racer — its ball, or the marker where its path left the
//! map, has pixels of its own outside the legend — and at 1280×800 and 1440×900, in normal
//! and presentation mode, no widget leaves the window or is cut by its panel, and a
//! caption takes at most two lines.

use downhill::app::Explorer;
use downhill::app::export::{Headless, Image};
use downhill::app::overlay::{BALL_RADIUS, RING, place};
use downhill::presets::presets;
use downhill::race::Command;
use downhill::scene::deck::{Content, Deck};
use eframe::egui::{self, Color32};

/// A colour no colormap, palette entry or widget uses: a racer recoloured to it is the only
/// thing drawn in it.
const UNIQUE: [u8; 3] = [255, 0, 255];
/// The fewest pixels of its own a racer's ball (or marker) must show: about a third of a
/// lone ball's.
const MIN_PIXELS: usize = 50;

/// The explorer drawn on a window of `size` points.
fn render(headless: &mut Headless, app: &mut Explorer, size: [f32; 2]) -> Image {
    headless.render(egui::vec2(size[0], size[1]), 1.0, 4, Color32::BLACK, |ui| {
        app.frame(ui)
    })
}

/// The pixels of racer `k`'s own colour near its ball or marker, outside the legend, with
/// the racer recoloured to [`UNIQUE`] for the count.
fn own_pixels(headless: &mut Headless, app: &mut Explorer, k: usize) -> usize {
    let colour = app.race.lanes()[k].spec.color;
    app.race.apply(Command::SetColor(k, UNIQUE));
    let img = render(headless, app, [1280.0, 800.0]);
    app.race.apply(Command::SetColor(k, colour));
    let (Some(window), Some(map)) = (app.map_window(), app.map_rect()) else {
        return 0;
    };
    let track = &app.race.lanes()[k].track;
    let end = app.race.index_at_cursor(track);
    let at = place(&track.points[..=end], window, &|p| {
        app.screen_pos(p).unwrap_or_default()
    })
    .at;
    let ppp = img.width as f32 / headless.ctx().content_rect().width();
    let legend = app.legend_rect().unwrap_or(egui::Rect::NOTHING);
    let reach = BALL_RADIUS + RING * app.race.lanes().len() as f32 + 3.0;
    let mut count = 0;
    for y in 0..img.height {
        for x in 0..img.width {
            let p = egui::pos2(x as f32 / ppp, y as f32 / ppp);
            if p.distance(at) > reach || !map.contains(p) || legend.contains(p) {
                continue;
            }
            let i = 4 * (y * img.width + x);
            let px = &img.rgba[i..i + 3];
            if px[0] > 200 && px[1] < 70 && px[2] > 200 {
                count += 1;
            }
        }
    }
    count
}

/// Every enabled racer of the scene on show has at least [`MIN_PIXELS`] of its own.
fn every_racer_shows(headless: &mut Headless, app: &mut Explorer, what: &str) {
    let n = app.race.lanes().len();
    for k in 0..n {
        if !app.race.lanes()[k].spec.enabled {
            continue;
        }
        let own = own_pixels(headless, app, k);
        let label = app.race.labels()[k].clone();
        assert!(
            own >= MIN_PIXELS,
            "{what}: {label} shows {own} pixels of its own (at least {MIN_PIXELS})"
        );
    }
}

/// The shipped lecture deck.
fn lecture() -> Deck {
    Deck::load(std::path::Path::new("lecture")).unwrap()
}

#[test]
fn every_racer_of_every_preset_and_slide_is_visible_on_a_projector() {
    let mut headless = Headless::new();
    for p in presets() {
        let mut app = Explorer::with_preset(p);
        app.presenting = true;
        every_racer_shows(&mut headless, &mut app, p.name);
        // At the start too, where the balls of a shared start lie on each other.
        app.go_to(0);
        every_racer_shows(&mut headless, &mut app, &format!("{} at step 0", p.name));
    }
    let deck = lecture();
    for (i, slide) in deck.slides.iter().enumerate() {
        if !matches!(slide.content, Content::Scene(_)) {
            continue;
        }
        let mut app = Explorer::default();
        app.open_deck(deck.clone(), i, None);
        app.settle_slide();
        every_racer_shows(&mut headless, &mut app, &format!("slide {}", i + 1));
    }
}

/// What is wrong with the layout of the last frame, in words: widgets that leave the window
/// or are cut by the panel or area they are in, and a caption over two lines.
fn layout_problems(headless: &Headless, app: &Explorer) -> Vec<String> {
    let ctx = headless.ctx();
    let screen = ctx.content_rect().expand(0.5);
    let widgets = ctx.viewport(|v| v.prev_pass.widgets.clone());
    let scrolled = downhill::app::scroll::viewports(ctx);
    let mut problems = Vec::new();
    for v in &scrolled {
        if !screen.contains_rect(*v) {
            problems.push(format!("a scroll area leaves the window: {v:?}"));
        }
    }
    for (_, rects) in widgets.layers() {
        for w in rects {
            if !w.visible || !w.rect.is_positive() {
                continue;
            }
            let label = widgets
                .info(w.id)
                .and_then(|i| i.label.clone())
                .unwrap_or_else(|| format!("{:?}", w.id));
            // Scrolled out of sight is not cut off; partly clipped or off the window is.
            let seen = w.interact_rect;
            // Inside a scroll area, or the container of one (clipped to leave its bar room).
            if !seen.is_positive()
                || scrolled.iter().any(|v| {
                    v.expand(1.0).contains_rect(seen) || w.rect.expand(1.0).contains_rect(*v)
                })
            {
                continue;
            }
            if !screen.contains_rect(w.rect) {
                problems.push(format!("'{label}' leaves the window: {:?}", w.rect));
            } else if (seen.width() + 1.0 < w.rect.width())
                || (seen.height() + 1.0 < w.rect.height())
            {
                problems.push(format!("'{label}' is cut: {:?} of {:?}", seen, w.rect));
            }
        }
    }
    // The top bar keeps to one row: its last button, the theme's, is on the first.
    for (_, rects) in widgets.layers() {
        for w in rects {
            let label = widgets.info(w.id).and_then(|i| i.label.clone());
            if label.is_some_and(|l| l.starts_with('☀') || l.starts_with('☾'))
                && w.rect.top() > 20.0
            {
                problems.push(format!(
                    "the top bar wraps: its last button is at {:?}",
                    w.rect
                ));
            }
        }
    }
    if let Some(c) = &app.caption {
        let row = ctx.fonts_mut(|f| {
            f.row_height(&egui::FontId::proportional(
                downhill::app::caption::CAPTION_SIZE,
            ))
        });
        for (_, rects) in widgets.layers() {
            for w in rects {
                let is_caption =
                    widgets.info(w.id).and_then(|i| i.label.clone()).as_deref() == Some(&c.text);
                if is_caption && w.rect.height() > 2.0 * row + 4.0 {
                    problems.push(format!(
                        "the caption takes {:.1} lines",
                        w.rect.height() / row
                    ));
                }
            }
        }
    }
    problems
}

#[test]
fn nothing_is_cut_off_at_projector_sizes() {
    let mut headless = Headless::new();
    let deck = lecture();
    let mut failures = Vec::new();
    for size in [[1280.0, 800.0], [1440.0, 900.0]] {
        for presenting in [false, true] {
            let mode = if presenting { "presentation" } else { "normal" };
            for p in presets() {
                let mut app = Explorer::with_preset(p);
                app.presenting = presenting;
                render(&mut headless, &mut app, size);
                for problem in layout_problems(&headless, &app) {
                    failures.push(format!("{} at {size:?} {mode}: {problem}", p.name));
                }
            }
            for i in 0..deck.slides.len() {
                let mut app = Explorer::default();
                app.open_deck(deck.clone(), i, None);
                app.settle_slide();
                app.presenting = presenting;
                render(&mut headless, &mut app, size);
                for problem in layout_problems(&headless, &app) {
                    failures.push(format!("slide {} at {size:?} {mode}: {problem}", i + 1));
                }
            }
        }
    }
    // The Train view, each picture tab, trained: curves, table and tabs in the window.
    for size in [[1280.0, 800.0], [1440.0, 900.0]] {
        for presenting in [false, true] {
            for tab in [
                downhill::app::train::PictureTab::Predictions,
                downhill::app::train::PictureTab::Landscape,
                downhill::app::train::PictureTab::LrRange,
            ] {
                let mut app = Explorer::default();
                app.shown.mode = downhill::app::ViewMode::Train;
                app.trainer = downhill::app::train::TrainView::launch(Some("moons-mlp"), Some(5));
                app.trainer.tab = tab;
                app.presenting = presenting;
                let ctx = headless.ctx().clone();
                app.trainer.play(&ctx);
                let t = std::time::Instant::now();
                while !app.trainer.finished && t.elapsed().as_secs() < 20 {
                    app.trainer.poll();
                    std::thread::sleep(std::time::Duration::from_millis(2));
                }
                render(&mut headless, &mut app, size);
                for problem in layout_problems(&headless, &app) {
                    failures.push(format!(
                        "Train view {tab:?} at {size:?} {presenting}: {problem}"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
