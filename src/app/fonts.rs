//! A fallback font for the symbols the update formulas and controls use (∇, θₜ, β₁, √, ▶ …),
//! which egui's default fonts lack. DejaVu Sans ships in `assets/fonts/` with its licence.

use eframe::egui::{self, FontData, FontFamily};
use eframe::epaint::text::{FontInsert, FontPriority, InsertFontFamily};

/// Adds DejaVu Sans after the default fonts of both families.
pub fn install(ctx: &egui::Context) {
    let families = [FontFamily::Proportional, FontFamily::Monospace]
        .into_iter()
        .map(|family| InsertFontFamily {
            family,
            priority: FontPriority::Lowest,
        })
        .collect();
    ctx.add_font(FontInsert {
        name: "DejaVu Sans".to_string(),
        data: FontData::from_static(include_bytes!("../../assets/fonts/DejaVuSans.ttf")),
        families,
    });
}
