//! Scroll areas that say where they are: what one clips is scrolled out of sight, not cut
//! off, and the layout test (tests/it/pictures.rs) tells the two apart by these viewports.

use eframe::egui::{self, Id, Rect};

/// The key of this frame's viewports in egui's temporary data.
fn key() -> Id {
    Id::unique("downhill-scroll-viewports")
}

/// Shows `area` with `add` inside, noting its viewport for this frame.
pub fn show<R>(
    ui: &mut egui::Ui,
    area: egui::ScrollArea,
    add: impl FnOnce(&mut egui::Ui) -> R,
) -> R {
    let out = area.show(ui, add);
    let pass = ui.ctx().cumulative_pass_nr();
    ui.ctx().data_mut(|d| {
        let noted = d.get_temp_mut_or_default::<(u64, Vec<Rect>)>(key());
        if noted.0 != pass {
            *noted = (pass, Vec::new());
        }
        noted.1.push(out.inner_rect);
    });
    out.inner
}

/// The viewports of the scroll areas shown in the last frame (none if it showed none).
pub fn viewports(ctx: &egui::Context) -> Vec<Rect> {
    // The pass counter has moved on by one once the frame has ended.
    let pass = ctx.cumulative_pass_nr();
    ctx.data(|d| d.get_temp::<(u64, Vec<Rect>)>(key()))
        .filter(|(noted, _)| *noted == pass || *noted + 1 == pass)
        .map(|(_, v)| v)
        .unwrap_or_default()
}
